using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Codis.Dashboard.Api;

public sealed partial class DashboardApi
{
    /// <summary>Groups (dashboard-api.md §4.4).</summary>
    private void MapGroupRoutes(WebApplication app)
    {
        PutX(app, "/api/topom/group/create/{xauth}/{gid}", ctx => topom.CreateGroupAsync(IntParam(ctx, "gid")));
        PutX(app, "/api/topom/group/remove/{xauth}/{gid}", ctx => topom.RemoveGroupAsync(IntParam(ctx, "gid")));
        PutX(app, "/api/topom/group/resync/{xauth}/{gid}", ctx => topom.ResyncGroupAsync(IntParam(ctx, "gid")));
        PutX(app, "/api/topom/group/resync-all/{xauth}", _ => topom.ResyncGroupAllAsync());
        PutX(app, "/api/topom/group/add/{xauth}/{gid}/{addr}", ctx => AddServer(ctx, ""));
        PutX(app, "/api/topom/group/add/{xauth}/{gid}/{addr}/{datacenter}", ctx => AddServer(ctx, ApiHttp.Param(ctx, "datacenter")));
        PutX(app, "/api/topom/group/del/{xauth}/{gid}/{addr}", ctx =>
        {
            int gid = IntParam(ctx, "gid");
            return topom.GroupDelServerAsync(gid, StrParam(ctx, "addr"));
        });
        PutX(app, "/api/topom/group/promote/{xauth}/{gid}/{addr}", ctx =>
        {
            int gid = IntParam(ctx, "gid");
            return topom.GroupPromoteServerAsync(gid, StrParam(ctx, "addr"));
        });
        PutX(app, "/api/topom/group/replica-groups/{xauth}/{gid}/{addr}/{value}", ctx =>
        {
            int gid = IntParam(ctx, "gid");
            string addr = StrParam(ctx, "addr");
            return topom.EnableReplicaGroupsAsync(gid, addr, IntParam(ctx, "value") != 0);
        });
        PutX(app, "/api/topom/group/replica-groups-all/{xauth}/{value}", ctx => topom.EnableReplicaGroupsAllAsync(IntParam(ctx, "value") != 0));
        PutX(app, "/api/topom/group/action/create/{xauth}/{addr}", ctx => topom.SyncCreateActionAsync(StrParam(ctx, "addr")));
        PutX(app, "/api/topom/group/action/remove/{xauth}/{addr}", ctx => topom.SyncRemoveActionAsync(StrParam(ctx, "addr")));
        GetOpen(app, "/api/topom/group/info/{addr}", ctx => topom.GroupServerInfoAsync(StrParam(ctx, "addr")));
    }

    private Task<object> AddServer(HttpContext ctx, string datacenter)
    {
        int gid = IntParam(ctx, "gid");
        return topom.GroupAddServerAsync(gid, datacenter, StrParam(ctx, "addr"));
    }
}
