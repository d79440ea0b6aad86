using Codis.Core.Security;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    private ProxyHealth? _health;

    /// <summary>Reachability of the proxies (beyond Codis: <c>proxy_offline_grace</c>).</summary>
    public ProxyHealth Health => _health ??= new ProxyHealth(Config.ProxyOfflineGrace.ToTimeSpan());

    /// <summary>The xauth of a proxy: <c>xauth(product_name, product_auth, token)</c>.</summary>
    public string ProxyXAuth(string token) => CodisAuth.ProxyXAuth(Config.ProductName, Config.ProductAuth, token);

    private string ProxyApi(ProxyModel p, string call) => $"http://{p.AdminAddr}/api/proxy/{call}/{ProxyXAuth(p.Token)}";

    /// <summary><c>PUT /api/topom/proxy/create</c> (dashboard-api.md §4.3).</summary>
    public Task<object> CreateProxyAsync(string addr) => WithContextAsync(async ctx =>
    {
        ProxyModel p = await FetchProxyModelAsync(addr, true).ConfigureAwait(false);
        if (ctx.Proxies.ContainsKey(p.Token))
            throw new ApiException($"proxy-[{p.Token}] already exists");
        p = p with { Id = ctx.MaxProxyId() + 1 };
        await StoreCreateProxyAsync(ctx, p).ConfigureAwait(false);
        await ReinitProxyInContextAsync(ctx, p).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/proxy/online</c>: create or refresh the record (keeping its id), then reinit.</summary>
    public Task<object> OnlineProxyAsync(string addr) => WithContextAsync(ctx => OnlineProxyInContextAsync(ctx, addr));

    private async Task OnlineProxyInContextAsync(TopomContext ctx, string addr)
    {
        ProxyModel p = await FetchProxyModelAsync(addr, false).ConfigureAwait(false);
        p = p with { Id = ctx.Proxies.TryGetValue(p.Token, out ProxyModel? known) ? known.Id : ctx.MaxProxyId() + 1 };
        await StoreUpdateProxyAsync(ctx, p).ConfigureAwait(false);
        await ReinitProxyInContextAsync(ctx, p).ConfigureAwait(false);
    }

    /// <summary><c>PUT /api/topom/proxy/reinit</c>.</summary>
    public Task<object> ReinitProxyAsync(string token) => WithContextAsync(async ctx =>
    {
        ProxyModel p = ctx.GetProxy(token);
        await ReinitProxyInContextAsync(ctx, p).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/proxy/remove</c>: shut the proxy down (a failure is fatal unless forced), forget it.</summary>
    public Task<object> RemoveProxyAsync(string token, bool force) => WithContextAsync(async ctx =>
    {
        ProxyModel p = ctx.GetProxy(token);
        try
        {
            await _api.PutAsync(ProxyApi(p, "shutdown")).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            _logger.LogError("proxy-[{Token}] shutdown failed, force remove = {Force}: {Error}", token, force, e.Message);
            if (!force)
                throw new ApiException($"proxy-[{token}] shutdown failed");
        }
        await StoreRemoveProxyAsync(ctx, token).ConfigureAwait(false);
        Health.Forget(token);
    });

    /// <summary>GET the proxy's model and check that our xauth is accepted.</summary>
    private async Task<ProxyModel> FetchProxyModelAsync(string addr, bool detailed)
    {
        ProxyModel p;
        try
        {
            p = await _api.GetAsync<ProxyModel>($"http://{addr}/api/proxy/model").ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            _logger.LogError("proxy@{Addr} fetch model failed: {Error}", addr, e.Message);
            throw new ApiException(detailed ? $"proxy@{addr} fetch model failed, {e.Message}" : $"proxy@{addr} fetch model failed");
        }
        try
        {
            await _api.GetAsync<string>($"http://{addr}/api/proxy/xping/{ProxyXAuth(p.Token)}").ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            _logger.LogError("proxy@{Addr} check xauth failed: {Error}", addr, e.Message);
            throw new ApiException(detailed ? $"proxy@{addr} check xauth failed, {e.Message}" : $"proxy@{addr} check xauth failed");
        }
        return p;
    }

    /// <summary>reinit: fillslots with all 1024 slots as this proxy sees them, start, sentinels.</summary>
    private async Task ReinitProxyInContextAsync(TopomContext ctx, ProxyModel p)
    {
        _logger.LogWarning("proxy-[{Token}] reinit:\n{Proxy}", p.Token, Codis.Core.Json.CodisJson.Encode(p));
        Slot[] slots = ctx.ToSlots(ctx.Slots, p);
        try
        {
            await _api.PutAsync(ProxyApi(p, "fillslots"), slots).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            Health.ReportFailure(p.Token);
            _logger.LogError("proxy-[{Token}] fillslots failed: {Error}", p.Token, e.Message);
            throw new ApiException($"proxy-[{p.Token}] fillslots failed");
        }
        try
        {
            await _api.PutAsync(ProxyApi(p, "start")).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            _logger.LogError("proxy-[{Token}] start failed: {Error}", p.Token, e.Message);
            throw new ApiException($"proxy-[{p.Token}] start failed");
        }
        try
        {
            await _api.PutAsync(ProxyApi(p, "sentinels"), ctx.Sentinel).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            _logger.LogError("proxy-[{Token}] set sentinels failed: {Error}", p.Token, e.Message);
            throw new ApiException($"proxy-[{p.Token}] set sentinels failed");
        }
        Health.ReportSuccess(p.Token);
        Health.ClearMissed(p.Token);
    }

    /// <summary>
    /// Pushes the views of <paramref name="mappings"/> to every registered proxy in parallel (migration.md §4,
    /// <c>resyncSlotMappings</c>); the first failing proxy fails the call with <c>proxy-[T] resync slots failed</c>.
    /// Beyond Codis: a proxy unreachable for longer than <c>proxy_offline_grace</c> is skipped (logged, marked
    /// to be re-initialised when it is back). The slot-action executor pushes its views through this method too.
    /// </summary>
    internal async Task ResyncSlotMappingsAsync(TopomContext ctx, IReadOnlyCollection<SlotMapping> mappings)
    {
        if (mappings.Count == 0)
            return;
        List<ProxyModel> proxies = ctx.SortedProxies();
        var tasks = new List<(ProxyModel Proxy, Task Task)>();
        foreach (ProxyModel p in proxies)
        {
            if (Health.ShouldSkip(p.Token))
            {
                Health.MarkMissed(p.Token);
                _logger.LogWarning("proxy-[{Token}] at {Addr} unreachable for {Down}, skipped by this push (it is re-initialised when it is back)",
                    p.Token, p.AdminAddr, (Health.DownFor(p.Token) ?? TimeSpan.Zero).TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "s");
                continue;
            }
            Slot[] slots = ctx.ToSlots(mappings, p);
            tasks.Add((p, _api.PutAsync(ProxyApi(p, "fillslots"), slots)));
        }
        string? failed = null;
        foreach ((ProxyModel p, Task t) in tasks)
        {
            try
            {
                await t.ConfigureAwait(false);
                Health.ReportSuccess(p.Token);
            }
            catch (ApiException e)
            {
                Health.ReportFailure(p.Token);
                _logger.LogError("proxy-[{Token}] resync slots failed: {Error}", p.Token, e.Message);
                failed ??= p.Token;
            }
        }
        if (failed is not null)
            throw new ApiException($"proxy-[{failed}] resync slots failed");
    }
}
