using System.Globalization;
using System.Text.Json;
using Codis.Cluster.Redis;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    /// <summary>How long a stats probe may take before it is recorded as <c>{"timeout": true}</c>.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    private readonly Lock _statsLock = new();
    private Dictionary<string, RedisStats> _redisStats = new(StringComparer.Ordinal);
    private Dictionary<string, ProxyStats> _proxyStats = new(StringComparer.Ordinal);
    private RedisPool? _serverPool;
    private readonly RedisPool _sentinelPool = new("");

    private RedisPool ServerPool => _serverPool ??= new RedisPool(Config.ProductAuth);

    /// <summary>The slot-action executor's state shown in the stats (filled by the slot-action loop).</summary>
    public SlotActionStats SlotActionStats { get; set; } = new();

    /// <summary><c>GET /api/topom/stats</c> (dashboard-api.md §5.2).</summary>
    public Task<TopomStats> GetStatsAsync() => WithContextAsync(ctx =>
    {
        Dictionary<string, RedisStats> redis;
        Dictionary<string, ProxyStats> proxies;
        lock (_statsLock)
        {
            redis = _redisStats;
            proxies = _proxyStats;
        }
        var groupStats = new SortedDictionary<string, RedisStats>(StringComparer.Ordinal);
        foreach (Group g in ctx.Groups.Values)
        {
            foreach (GroupServer s in g.Servers)
            {
                if (redis.TryGetValue(s.Server, out RedisStats? v))
                    groupStats[s.Server] = v;
            }
        }
        var sentinelStats = new SortedDictionary<string, RedisStats>(StringComparer.Ordinal);
        foreach (string s in ctx.Sentinel.Servers)
        {
            if (redis.TryGetValue(s, out RedisStats? v))
                sentinelStats[s] = v;
        }
        var masters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((int gid, string addr) in SentinelMasters)
            masters[gid.ToString(CultureInfo.InvariantCulture)] = addr;
        return Task.FromResult(new TopomStats
        {
            Closed = _closed,
            Slots = [.. ctx.Slots],
            Group = new GroupStats { Models = ctx.SortedGroups(), Stats = groupStats },
            Proxy = new ProxyStatsSection { Models = ctx.SortedProxies(), Stats = new SortedDictionary<string, ProxyStats>(proxies, StringComparer.Ordinal) },
            SlotAction = SlotActionStats,
            Sentinels = new SentinelStats { Model = ctx.Sentinel, Stats = sentinelStats, Masters = masters },
        });
    });

    /// <summary><c>GET /topom/slots</c>: the 1024 views computed with no particular proxy.</summary>
    public Task<Slot[]> GetSlotsAsync() => WithContextAsync(ctx => Task.FromResult(ctx.ToSlots(ctx.Slots, null)));

    /// <summary>
    /// One round of the redis stats loop (dashboard-api.md §6.1): INFO + CONFIG GET maxmemory of every group
    /// server, INFO + this product's masters of every sentinel, in parallel; a probe slower than 1 s is recorded
    /// as a timeout. The whole map is replaced when every probe has returned.
    /// </summary>
    public async Task RefreshRedisStatsAsync()
    {
        (List<string> servers, List<string> sentinels) = await WithContextAsync(ctx => Task.FromResult((
            ctx.Groups.Values.SelectMany(g => g.Servers).Select(s => s.Server).Distinct(StringComparer.Ordinal).ToList(),
            ctx.Sentinel.Servers.ToList()))).ConfigureAwait(false);
        var probes = new List<Task<(string, RedisStats)>>();
        foreach (string addr in servers)
            probes.Add(ProbeAsync(addr, ct => ProbeServerAsync(addr, ct)));
        foreach (string addr in sentinels)
            probes.Add(ProbeAsync(addr, ct => ProbeSentinelAsync(addr, ct)));
        var result = new Dictionary<string, RedisStats>(StringComparer.Ordinal);
        foreach ((string addr, RedisStats stats) in await Task.WhenAll(probes).ConfigureAwait(false))
            result[addr] = stats;
        lock (_statsLock)
            _redisStats = result;
        await ServerPool.Retain(servers).ConfigureAwait(false);
        await _sentinelPool.Retain(sentinels).ConfigureAwait(false);
    }

    private static async Task<(string, RedisStats)> ProbeAsync(string addr, Func<CancellationToken, Task<RedisStats>> probe)
    {
        // The probe itself may take up to 5 s (Codis's pool timeouts); after 1 s it is recorded as a timeout
        // and finishes in the background.
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Task<RedisStats> t = Task.Run(async () =>
        {
            try
            {
                return await probe(cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or RespErrorException or OperationCanceledException or FormatException or ApiException)
            {
                string cause = e is OperationCanceledException ? "i/o timeout" : e.Message;
                return new RedisStats { Error = new RemoteError { Cause = cause } };
            }
        });
        // Disposed when the probe ends, which may be after this round.
        _ = t.ContinueWith(_ => cts.Dispose(), TaskScheduler.Default);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (await Task.WhenAny(t, Task.Delay(ProbeTimeout)).ConfigureAwait(false) != t)
            return (addr, new RedisStats { UnixTime = now, Timeout = true });
        RedisStats stats = await t.ConfigureAwait(false);
        return (addr, stats with { UnixTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
    }

    private Task<RedisStats> ProbeServerAsync(string addr, CancellationToken ct) =>
        ServerPool.WithClientAsync(addr, async c => new RedisStats { Stats = await RedisInfo.InfoFullAsync(c, "", ct).ConfigureAwait(false) }, ct);

    private Task<RedisStats> ProbeSentinelAsync(string addr, CancellationToken ct) =>
        _sentinelPool.WithClientAsync(addr, async c =>
        {
            object? info = await c.CommandAsync(ct, "INFO").ConfigureAwait(false);
            SortedDictionary<string, SentinelGroup> monitored = await SentinelOps.MonitoredAsync(c, ct).ConfigureAwait(false);
            return new RedisStats { Stats = RedisInfo.Parse(info as string ?? ""), Sentinel = monitored };
        }, ct);

    /// <summary>
    /// One round of the proxy stats loop (dashboard-api.md §6.2): <c>GET /api/proxy/stats</c> of every proxy
    /// (1 s → timeout record). A proxy that answers <c>online = false, closed = false</c> (restarted, nobody
    /// started it) is onlined again; beyond Codis, one that missed pushes while unreachable is re-initialised.
    /// </summary>
    public async Task RefreshProxyStatsAsync()
    {
        List<ProxyModel> proxies = await WithContextAsync(ctx => Task.FromResult(ctx.SortedProxies())).ConfigureAwait(false);
        using var client = new ApiClient(TimeSpan.FromSeconds(5));
        (ProxyModel, ProxyStats)[] polls = await Task.WhenAll(proxies.Select(p => PollProxyAsync(client, p))).ConfigureAwait(false);
        var result = new Dictionary<string, ProxyStats>(StringComparer.Ordinal);
        foreach ((ProxyModel p, ProxyStats s) in polls)
            result[p.Token] = s;
        lock (_statsLock)
            _proxyStats = result;

        foreach ((ProxyModel p, ProxyStats s) in polls)
        {
            if (_closed)
                return;
            try
            {
                if (s.Stats is not null && !s.Online && !s.Closed)
                {
                    _logger.LogWarning("proxy-[{Token}] at {Addr} is not online (restarted?), online it again", p.Token, p.AdminAddr);
                    await OnlineProxyAsync(p.AdminAddr).ConfigureAwait(false);
                }
                else if (s.Stats is not null && s.Online && Health.HasMissed(p.Token))
                {
                    _logger.LogWarning("proxy-[{Token}] at {Addr} is back after missing pushes, reinit it", p.Token, p.AdminAddr);
                    await ReinitProxyAsync(p.Token).ConfigureAwait(false);
                }
            }
            catch (ApiException e)
            {
                _logger.LogError("proxy-[{Token}] at {Addr}: online again failed: {Error}", p.Token, p.AdminAddr, e.Message);
            }
        }
    }

    private async Task<(ProxyModel, ProxyStats)> PollProxyAsync(ApiClient client, ProxyModel p)
    {
        Task<JsonElement> t = client.GetAsync<JsonElement>(ProxyApi(p, "stats"));
        if (await Task.WhenAny(t, Task.Delay(ProbeTimeout)).ConfigureAwait(false) != t)
        {
            Health.ReportFailure(p.Token);
            _ = t.ContinueWith(static x => x.Exception, TaskScheduler.Default);
            return (p, new ProxyStats { UnixTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Timeout = true });
        }
        try
        {
            JsonElement stats = await t.ConfigureAwait(false);
            Health.ReportSuccess(p.Token);
            return (p, new ProxyStats { Stats = stats, UnixTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
        }
        catch (ApiException e)
        {
            Health.ReportFailure(p.Token);
            return (p, new ProxyStats { Error = new RemoteError { Cause = e.Message }, UnixTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
        }
    }
}
