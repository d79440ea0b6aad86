using Codis.Cluster.Redis;
using Codis.Cluster.Sentinel;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    private readonly Lock _watcherLock = new();
    private SentinelWatcher? _watcher;
    private Dictionary<int, string> _masters = [];
    private SentinelOps? _sentinelOps;

    private SentinelOps SentinelOps => _sentinelOps ??= new SentinelOps(Config.ProductName);

    private TimeSpan SentinelTimeout => Config.SentinelClientTimeout.ToTimeSpan();

    /// <summary>The masters last reported by the sentinels, gid → addr (<c>stats.sentinels.masters</c>).</summary>
    public Dictionary<int, string> SentinelMasters
    {
        get
        {
            lock (_watcherLock)
                return new Dictionary<int, string>(_masters);
        }
    }

    /// <summary><c>PUT /api/topom/sentinels/add</c> (ha.md §3).</summary>
    public Task<object> AddSentinelAsync(string addr) => WithContextAsync(async ctx =>
    {
        if (addr.Length == 0)
            throw new ApiException("invalid sentinel address");
        if (ctx.Sentinel.Servers.Contains(addr))
            throw new ApiException($"sentinel-[{addr}] already exists");
        await SentinelOps.FlushConfigAsync(addr, SentinelTimeout).ConfigureAwait(false);
        await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { Servers = [.. ctx.Sentinel.Servers, addr], OutOfSync = true }).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/sentinels/del</c>.</summary>
    public Task<object> DelSentinelAsync(string addr, bool force) => WithContextAsync(async ctx =>
    {
        if (!ctx.Sentinel.Servers.Contains(addr))
            throw new ApiException($"sentinel-[{addr}] not found");
        await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { OutOfSync = true }).ConfigureAwait(false);
        try
        {
            await SentinelOps.RemoveAllAsync(addr, SentinelTimeout).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            _logger.LogError("remove sentinel {Addr} failed, force = {Force}: {Error}", addr, force, e.Message);
            if (!force)
                throw new ApiException($"remove sentinel {addr} failed");
        }
        await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { Servers = ctx.Sentinel.Servers.Where(s => s != addr).ToList() }).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/sentinels/resync-all</c> (ha.md §3).</summary>
    public Task<object> ResyncSentinelsAsync() => WithContextAsync(async ctx =>
    {
        Sentinel s = ctx.Sentinel;
        await StoreUpdateSentinelAsync(ctx, s with { OutOfSync = true }).ConfigureAwait(false);
        await Task.WhenAll(s.Servers.Select(async addr =>
        {
            try
            {
                await SentinelOps.RemoveAllAsync(addr, SentinelTimeout).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                _logger.LogWarning("remove sentinel {Addr} failed: {Error}", addr, e.Message);
            }
        })).ConfigureAwait(false);

        var masters = new Dictionary<int, string>();
        foreach (Group g in ctx.SortedGroups())
        {
            if (g.Servers.Count > 0)
                masters[g.Id] = await SentinelOps.ResolveAsync(g.Servers[0].Server).ConfigureAwait(false);
        }
        var options = new MonitorOptions((int)Config.SentinelQuorum, (int)Config.SentinelParallelSyncs, Config.SentinelDownAfter.ToTimeSpan(),
            Config.SentinelFailoverTimeout.ToTimeSpan(), Config.ProductAuth, Config.SentinelNotificationScript, Config.SentinelClientReconfigScript);
        if (masters.Count > 0)
        {
            Task[] monitors = s.Servers.Select(addr => SentinelOps.MonitorAsync(addr, masters, options, SentinelTimeout)).ToArray();
            try
            {
                await Task.WhenAll(monitors).ConfigureAwait(false);
            }
            catch (ApiException)
            {
                // The last error, as Codis reports it.
                throw monitors.Last(t => t.IsFaulted).Exception!.InnerException!;
            }
        }
        RestartSentinelWatcher(s.Servers);

        string? failed = null;
        var pushes = ctx.SortedProxies().Where(p => !SkipUnreachable(p)).Select(async p =>
        {
            try
            {
                await _api.PutAsync(ProxyApi(p, "sentinels"), ctx.Sentinel with { OutOfSync = true }).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                Health.ReportFailure(p.Token);
                _logger.LogError("proxy-[{Token}] sentinel failed: {Error}", p.Token, e.Message);
                failed ??= p.Token;
            }
        }).ToArray();
        await Task.WhenAll(pushes).ConfigureAwait(false);
        if (failed is not null)
            throw new ApiException($"proxy-[{failed}] sentinel failed");
        await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { OutOfSync = false }).ConfigureAwait(false);
    });

    /// <summary>True (and logged, and remembered for a reinit) when a push must skip an unreachable proxy.</summary>
    private bool SkipUnreachable(ProxyModel p)
    {
        if (!Health.ShouldSkip(p.Token))
            return false;
        Health.MarkMissed(p.Token);
        _logger.LogWarning("proxy-[{Token}] at {Addr} unreachable beyond proxy_offline_grace, skipped (re-initialised when it is back)", p.Token, p.AdminAddr);
        return true;
    }

    /// <summary><c>GET /api/topom/sentinels/info/:addr</c>: sentinel INFO as a map (no auth, 1 s).</summary>
    public static async Task<object> SentinelInfoAsync(string addr)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        object? info = await SentinelOps.Run(addr, cts.Token, c => c.CommandAsync(cts.Token, "INFO")).ConfigureAwait(false);
        return RedisInfo.Parse(info as string ?? "");
    }

    /// <summary><c>GET /api/topom/sentinels/info/:addr/monitored</c>: this product's masters on that sentinel.</summary>
    public async Task<object> SentinelMonitoredAsync(string addr)
    {
        using var cts = new CancellationTokenSource(SentinelTimeout);
        object? result = await SentinelOps.Run(addr, cts.Token, async c => await SentinelOps.MonitoredAsync(c, cts.Token).ConfigureAwait(false)).ConfigureAwait(false);
        return result!;
    }

    /// <summary><c>GET /api/topom/group/info/:addr</c>: INFO of a codis-server plus master_addr and maxmemory.</summary>
    public async Task<object> GroupServerInfoAsync(string addr)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        object? result = await SentinelOps.Run(addr, cts.Token, async c => await RedisInfo.InfoFullAsync(c, Config.ProductAuth, cts.Token).ConfigureAwait(false)).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Starts the watcher for the stored sentinel list (at start-up, ha.md §4).</summary>
    private async Task StartSentinelWatcherFromStoreAsync()
    {
        try
        {
            Sentinel s = await WithContextAsync(ctx => Task.FromResult(ctx.Sentinel)).ConfigureAwait(false);
            RestartSentinelWatcher(s.Servers);
        }
        catch (ApiException e)
        {
            _logger.LogError("start sentinel watcher failed: {Error}", e.Message);
        }
    }

    private void RestartSentinelWatcher(IReadOnlyList<string> servers)
    {
        lock (_watcherLock)
        {
            _watcher?.Dispose();
            _watcher = null;
            _masters = [];
            if (servers.Count == 0 || _closed)
                return;
            _watcher = new SentinelWatcher(Config.ProductName, [.. servers], OnSentinelMasters, Log.CreateLogger("sentinel"));
            _watcher.Start();
            _logger.LogWarning("sentinel watcher started on {Servers}", string.Join(",", servers));
        }
    }

    private void StopSentinelWatcher()
    {
        lock (_watcherLock)
        {
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>
    /// The watcher reported masters (ha.md §4.1): remember them, and where a group's master changed swap it to
    /// index 0 and mark the group out of sync (nothing is pushed: proxies switch on their own).
    /// </summary>
    private void OnSentinelMasters(IReadOnlyDictionary<int, string> masters)
    {
        lock (_watcherLock)
            _masters = new Dictionary<int, string>(masters);
        _ = Task.Run(async () =>
        {
            try
            {
                await WithContextAsync(ctx => SwitchMastersAsync(ctx, masters)).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                _logger.LogError("switch masters failed: {Error}", e.Message);
            }
        });
    }

    private async Task SwitchMastersAsync(TopomContext ctx, IReadOnlyDictionary<int, string> masters)
    {
        var runIds = new RunIdCache(Config.ProductAuth, RunIdCache.DefaultTimeout);
        foreach ((int gid, string master) in masters)
        {
            if (!ctx.Groups.TryGetValue(gid, out Group? g) || g.Servers.Count == 0)
                continue;
            int index = -1;
            for (int i = 0; i < g.Servers.Count && index < 0; i++)
            {
                if (g.Servers[i].Server == master)
                    index = i;
            }
            if (index < 0)
            {
                string masterId = await runIds.GetAsync(master).ConfigureAwait(false);
                for (int i = 0; i < g.Servers.Count && index < 0 && masterId.Length > 0; i++)
                {
                    if (await runIds.GetAsync(g.Servers[i].Server).ConfigureAwait(false) == masterId)
                        index = i;
                }
                if (index < 0)
                {
                    _logger.LogError("group-[{Gid}] doesn't have server {Addr} with runid = '{RunId}'", gid, master, masterId);
                    continue;
                }
            }
            if (index == 0)
                continue;
            var servers = g.Servers.ToList();
            (servers[0], servers[index]) = (servers[index], servers[0]);
            _logger.LogWarning("group-[{Gid}] switch master to server {Addr} (sentinels)", gid, servers[0].Server);
            Group switched = g with { Servers = servers, OutOfSync = true };
            await StoreUpdateGroupAsync(ctx, switched).ConfigureAwait(false);
            RememberRepoint(switched);
        }
    }
}
