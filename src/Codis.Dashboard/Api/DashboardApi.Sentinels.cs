using Codis.Dashboard.Topology;
using Microsoft.AspNetCore.Builder;

namespace Codis.Dashboard.Api;

public sealed partial class DashboardApi
{
    /// <summary>Sentinels (dashboard-api.md §4.6, ha.md §3).</summary>
    private void MapSentinelRoutes(WebApplication app)
    {
        PutX(app, "/api/topom/sentinels/add/{xauth}/{addr}", ctx => topom.AddSentinelAsync(StrParam(ctx, "addr")));
        PutX(app, "/api/topom/sentinels/del/{xauth}/{addr}/{force}", ctx =>
        {
            string addr = StrParam(ctx, "addr");
            return topom.DelSentinelAsync(addr, IntParam(ctx, "force") != 0);
        });
        PutX(app, "/api/topom/sentinels/resync-all/{xauth}", _ => topom.ResyncSentinelsAsync());
        GetOpen(app, "/api/topom/sentinels/info/{addr}", ctx => Topom.SentinelInfoAsync(StrParam(ctx, "addr")));
        GetOpen(app, "/api/topom/sentinels/info/{addr}/monitored", ctx => topom.SentinelMonitoredAsync(StrParam(ctx, "addr")));
    }
}
