using System.Net;
using System.Net.Sockets;

namespace Codis.Proxy.Host;

/// <summary>Binds the client listener for a <c>proto_type</c> with an error that names the address.</summary>
public static class ProxyListener
{
    /// <summary>Binds and listens.</summary>
    /// <exception cref="StartupException">The address is bad or busy.</exception>
    public static Socket Bind(string network, string address)
    {
        EndPoint endpoint;
        Socket socket;
        if (network is "unix" or "unixpacket")
        {
            endpoint = new UnixDomainSocketEndPoint(address);
            socket = new Socket(AddressFamily.Unix, network == "unix" ? SocketType.Stream : SocketType.Seqpacket, ProtocolType.Unspecified);
        }
        else
        {
            IPEndPoint ip;
            try
            {
                ip = NetAddress.Resolve(network, address);
            }
            catch (FormatException e)
            {
                throw new StartupException($"listen {network} {address}: {e.Message} (proxy_addr)");
            }
            endpoint = ip;
            socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && network == "tcp")
                socket.DualMode = true;
            // Go sets SO_REUSEADDR on listeners, so a restarted proxy can bind while old connections linger.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }
        try
        {
            socket.Bind(endpoint);
            socket.Listen(512);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            string why = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "address already in use" : e.Message;
            throw new StartupException($"listen {network} {address}: bind: {why} (proxy_addr {address} is not available)");
        }
    }

    /// <summary>The bound address as Go prints it.</summary>
    public static string BoundAddress(Socket socket, string configured) =>
        socket.LocalEndPoint is IPEndPoint ip ? NetAddress.Format(ip) : configured;
}
