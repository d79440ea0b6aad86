using System.Net;
using System.Net.Sockets;

namespace Codis.TestSupport;

/// <summary>
/// Picks a TCP port that is free on 127.0.0.1 right now, by binding port 0 and reading back what the
/// kernel chose. The machine is shared, so tests never use fixed ports.
/// </summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago (another process may still take it: callers retry).</summary>
    public static int Get()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
