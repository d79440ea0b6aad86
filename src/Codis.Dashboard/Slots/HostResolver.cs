using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Codis.Cluster.Net;

namespace Codis.Dashboard.Slots;

/// <summary>
/// Resolves <c>host:port</c> addresses to an IP for replica-group locality (migration.md §2): one lookup
/// per address per view computation (the results are cached for the life of this object), 50 ms at most
/// each, <see langword="null"/> when the address does not resolve in time.
/// </summary>
public sealed class HostResolver
{
    /// <summary>How long one lookup may take, as Codis's <c>ResolveTCPAddrTimeout(addr, 50ms)</c>.</summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, IPAddress?> _cache = new(StringComparer.Ordinal);
    private readonly Func<string, IPAddress?> _lookup;

    /// <summary>A resolver that uses DNS (literal IPs need no lookup).</summary>
    public HostResolver()
        : this(LookupDns)
    {
    }

    /// <summary>A resolver with a custom lookup (tests).</summary>
    public HostResolver(Func<string, IPAddress?> lookup) => _lookup = lookup;

    /// <summary>The IP of <paramref name="addr"/>, or <see langword="null"/>.</summary>
    public IPAddress? Lookup(string addr) => _cache.GetOrAdd(addr, _lookup);

    private static IPAddress? LookupDns(string addr)
    {
        string host;
        try
        {
            host = NetAddress.Split(addr).Host;
        }
        catch (FormatException)
        {
            return null;
        }
        if (IPAddress.TryParse(host, out IPAddress? literal))
            return literal;
        if (host.Length == 0)
            return null;
        try
        {
            Task<IPAddress[]> lookup = Dns.GetHostAddressesAsync(host);
            if (!lookup.Wait(LookupTimeout))
                return null;
            IPAddress[] all = lookup.Result;
            return all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? all.FirstOrDefault();
        }
        catch (AggregateException)
        {
            return null;
        }
    }
}
