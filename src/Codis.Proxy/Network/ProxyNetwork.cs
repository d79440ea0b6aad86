using Codis.Core.Native;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Network;

/// <summary>
/// How the proxy moves bytes: one <see cref="IoLoop"/> for every client and backend socket (the default
/// where epoll is available), or .NET's sockets with a reader and a writer task per connection, chosen
/// with <c>CODIS_PROXY_NETWORK=sockets</c> (and on other platforms).
/// </summary>
internal static class ProxyNetwork
{
    private static readonly Lazy<IoLoop?> Shared = new(() =>
        Native.Supported && !string.Equals(Environment.GetEnvironmentVariable("CODIS_PROXY_NETWORK"), "sockets", StringComparison.OrdinalIgnoreCase)
            ? new IoLoop("codis-proxy-io", Logger)
            : null);

    /// <summary>Where the loop reports a failure; the host sets it before the first connection.</summary>
    public static ILogger? Logger { get; set; }

    /// <summary>The loop, or null when the proxy uses .NET's sockets.</summary>
    public static IoLoop? Loop => Shared.Value;
}
