using System.Globalization;
using System.Net;
using Codis.Cluster.Redis;

namespace Codis.Dashboard.Topology;

/// <summary>
/// The sentinel commands the dashboard sends (ha.md §2): flushconfig, remove, remove-all, monitor + set,
/// masters and slaves of this product. Connections never authenticate; each call has an overall deadline.
/// </summary>
public sealed class SentinelOps(string product)
{
    /// <summary>The product name.</summary>
    public string Product => product;

    /// <summary><c>&lt;product&gt;-&lt;gid&gt;</c>.</summary>
    public string MasterName(int gid) => product + "-" + gid.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when the name is one of this product's (<c>&lt;product&gt;-&lt;integer&gt;</c>).</summary>
    public bool IsProductName(string name) =>
        name.StartsWith(product + "-", StringComparison.Ordinal) && name.Length > product.Length + 1
        && name.AsSpan(product.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary><c>SENTINEL flushconfig</c> (reachability check when a sentinel is added).</summary>
    /// <exception cref="ApiException">The sentinel's error or the network error.</exception>
    public static async Task FlushConfigAsync(string addr, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Run(addr, cts.Token, c => c.CommandAsync(cts.Token, "SENTINEL", "flushconfig")).ConfigureAwait(false);
    }

    /// <summary>remove-all on one sentinel: every master of this product.</summary>
    public async Task RemoveAllAsync(string addr, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Run(addr, cts.Token, async c =>
        {
            var names = new List<string>();
            foreach (SortedDictionary<string, string> m in await MastersAsync(c, cts.Token).ConfigureAwait(false))
            {
                if (m.TryGetValue("name", out string? name) && IsProductName(name))
                    names.Add(name);
            }
            foreach (string name in names)
                await c.CommandAsync(cts.Token, "SENTINEL", "remove", name).ConfigureAwait(false);
            return null;
        }).ConfigureAwait(false);
    }

    /// <summary>remove(names) on one sentinel: <c>get-master-addr-by-name</c> for each, <c>remove</c> for those that exist.</summary>
    public async Task RemoveGroupsAsync(string addr, IEnumerable<int> gids, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Run(addr, cts.Token, async c =>
        {
            foreach (int gid in gids)
            {
                if (await c.CommandAsync(cts.Token, "SENTINEL", "get-master-addr-by-name", MasterName(gid)).ConfigureAwait(false) is not null)
                    await c.CommandAsync(cts.Token, "SENTINEL", "remove", MasterName(gid)).ConfigureAwait(false);
            }
            return null;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// monitor(groups) on one sentinel: remove the existing names of these groups, then <c>SENTINEL monitor</c>
    /// and <c>SENTINEL set</c> for each (<paramref name="masters"/>: gid → resolved <c>ip:port</c>).
    /// </summary>
    public async Task MonitorAsync(string addr, IReadOnlyDictionary<int, string> masters, MonitorOptions o, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Run(addr, cts.Token, async c =>
        {
            foreach (int gid in masters.Keys)
            {
                if (await c.CommandAsync(cts.Token, "SENTINEL", "get-master-addr-by-name", MasterName(gid)).ConfigureAwait(false) is not null)
                    await c.CommandAsync(cts.Token, "SENTINEL", "remove", MasterName(gid)).ConfigureAwait(false);
            }
            foreach ((int gid, string master) in masters)
            {
                (string ip, int port) = NetAddress.Split(master);
                await c.CommandAsync(cts.Token, "SENTINEL", "monitor", MasterName(gid), ip, port.ToString(CultureInfo.InvariantCulture),
                    o.Quorum.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
            foreach (int gid in masters.Keys)
            {
                var args = new List<string> { "SENTINEL", "set", MasterName(gid) };
                if (o.ParallelSyncs != 0)
                    args.AddRange(["parallel-syncs", o.ParallelSyncs.ToString(CultureInfo.InvariantCulture)]);
                if (o.DownAfter > TimeSpan.Zero)
                    args.AddRange(["down-after-milliseconds", ((long)o.DownAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
                if (o.FailoverTimeout > TimeSpan.Zero)
                    args.AddRange(["failover-timeout", ((long)o.FailoverTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
                if (o.AuthPass.Length > 0)
                    args.AddRange(["auth-pass", o.AuthPass]);
                if (o.NotificationScript.Length > 0)
                    args.AddRange(["notification-script", o.NotificationScript]);
                if (o.ClientReconfigScript.Length > 0)
                    args.AddRange(["client-reconfig-script", o.ClientReconfigScript]);
                if (args.Count > 3)
                    await c.CommandAsync(cts.Token, [.. args]).ConfigureAwait(false);
            }
            return null;
        }).ConfigureAwait(false);
    }

    /// <summary>This product's masters on one sentinel with their replicas (<c>/monitored</c>, stats).</summary>
    public async Task<SortedDictionary<string, SentinelGroup>> MonitoredAsync(RespClient c, CancellationToken ct)
    {
        var result = new SortedDictionary<string, SentinelGroup>(StringComparer.Ordinal);
        foreach (SortedDictionary<string, string> m in await MastersAsync(c, ct).ConfigureAwait(false))
        {
            if (!m.TryGetValue("name", out string? name) || !IsProductName(name))
                continue;
            var slaves = new List<SortedDictionary<string, string>>();
            if (await c.CommandAsync(ct, "SENTINEL", "slaves", name).ConfigureAwait(false) is List<object?> list)
            {
                foreach (object? s in list)
                {
                    if (s is List<object?> pairs)
                        slaves.Add(Pairs(pairs));
                }
            }
            result[name] = new SentinelGroup { Master = m, Slaves = slaves };
        }
        return result;
    }

    /// <summary><c>SENTINEL masters</c> as field maps.</summary>
    public static async Task<List<SortedDictionary<string, string>>> MastersAsync(RespClient c, CancellationToken ct)
    {
        var result = new List<SortedDictionary<string, string>>();
        if (await c.CommandAsync(ct, "SENTINEL", "masters").ConfigureAwait(false) is List<object?> list)
        {
            foreach (object? m in list)
            {
                if (m is List<object?> pairs)
                    result.Add(Pairs(pairs));
            }
        }
        return result;
    }

    /// <summary>A flat field/value array as a map.</summary>
    public static SortedDictionary<string, string> Pairs(List<object?> pairs)
    {
        var f = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < pairs.Count; i += 2)
        {
            if (pairs[i] is string k)
                f[k] = pairs[i + 1] switch { string s => s, long l => l.ToString(CultureInfo.InvariantCulture), _ => "" };
        }
        return f;
    }

    /// <summary>Resolves a master <c>host:port</c> to <c>ip:port</c> (sentinels want an IP).</summary>
    /// <exception cref="ApiException">The host does not resolve.</exception>
    public static async Task<string> ResolveAsync(string addr)
    {
        try
        {
            (string host, int port) = NetAddress.Split(addr);
            if (IPAddress.TryParse(host, out IPAddress? literal))
                return NetAddress.Format(new IPEndPoint(literal, port));
            IPAddress[] ips = await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
            IPAddress ip = ips.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? ips.First();
            return NetAddress.Format(new IPEndPoint(ip, port));
        }
        catch (Exception e) when (e is FormatException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new ApiException($"resolve address {addr} failed, {e.Message}");
        }
    }

    /// <summary>Connects and runs <paramref name="body"/>; every failure becomes an <see cref="ApiException"/>.</summary>
    public static async Task<object?> Run(string addr, CancellationToken ct, Func<RespClient, Task<object?>> body)
    {
        try
        {
            await using RespClient c = await RespClient.ConnectAsync(addr, ct).ConfigureAwait(false);
            return await body(c).ConfigureAwait(false);
        }
        catch (RespErrorException e)
        {
            throw new ApiException(e.Message);
        }
        catch (OperationCanceledException)
        {
            throw new ApiException($"sentinel {addr}: i/o timeout");
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            throw new ApiException(e.Message);
        }
    }
}

/// <summary>What <c>SENTINEL monitor</c>/<c>set</c> are given (config.md §2 sentinel_* keys).</summary>
public sealed record MonitorOptions(int Quorum, int ParallelSyncs, TimeSpan DownAfter, TimeSpan FailoverTimeout, string AuthPass,
    string NotificationScript, string ClientReconfigScript);

/// <summary>One master of this product on a sentinel, with its replicas (dashboard-api.md §5.4).</summary>
public sealed record SentinelGroup
{
    /// <summary>The <c>SENTINEL masters</c> entry.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("master")]
    public SortedDictionary<string, string> Master { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The <c>SENTINEL slaves</c> entries.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("slaves"), Codis.Core.Json.OmitEmpty]
    public List<SortedDictionary<string, string>> Slaves { get; init; } = [];
}
