using Microsoft.AspNetCore.Builder;

namespace Codis.Dashboard.Api;

public sealed partial class DashboardApi
{
    /// <summary>Proxies (dashboard-api.md §4.3).</summary>
    private void MapProxyRoutes(WebApplication app)
    {
        PutX(app, "/api/topom/proxy/create/{xauth}/{addr}", ctx => topom.CreateProxyAsync(StrParam(ctx, "addr")));
        PutX(app, "/api/topom/proxy/online/{xauth}/{addr}", ctx => topom.OnlineProxyAsync(StrParam(ctx, "addr")));
        PutX(app, "/api/topom/proxy/reinit/{xauth}/{token}", ctx => topom.ReinitProxyAsync(StrParam(ctx, "token")));
        PutX(app, "/api/topom/proxy/remove/{xauth}/{token}/{force}", ctx =>
        {
            string token = StrParam(ctx, "token");
            return topom.RemoveProxyAsync(token, IntParam(ctx, "force") != 0);
        });
    }
}
