using Codis.Dashboard.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Codis.Dashboard.Api;

public sealed partial class DashboardApi
{
    /// <summary>Slots (dashboard-api.md §4.1 and §4.5).</summary>
    private void MapSlotRoutes(WebApplication app)
    {
        GetOpen(app, "/topom/slots", async ctx => await topom.GetSlotsAsync().ConfigureAwait(false));
        GetX(app, "/api/topom/slots/{xauth}", async ctx => await topom.GetSlotsAsync().ConfigureAwait(false));

        // Direct assignment without data movement (migration.md §6).
        app.MapPut("/api/topom/slots/assign/{xauth}", ctx => WithMappings(ctx, topom.SlotsAssignGroupAsync));
        app.MapPut("/api/topom/slots/assign/{xauth}/offline", ctx => WithMappings(ctx, topom.SlotsAssignOfflineAsync));

        // ---- Slot actions and rebalance (migration.md §3-§5): the slots branch maps its routes here ----
        PutX(app, "/api/topom/slots/action/create/{xauth}/{sid}/{gid}", ctx =>
        {
            int sid = IntParam(ctx, "sid");
            return topom.SlotCreateActionAsync(sid, IntParam(ctx, "gid"));
        });
        PutX(app, "/api/topom/slots/action/create-some/{xauth}/{src}/{dst}/{num}", ctx =>
        {
            int src = IntParam(ctx, "src");
            int dst = IntParam(ctx, "dst");
            return topom.SlotCreateActionSomeAsync(src, dst, IntParam(ctx, "num"));
        });
        PutX(app, "/api/topom/slots/action/create-range/{xauth}/{beg}/{end}/{gid}", ctx =>
        {
            int beg = IntParam(ctx, "beg");
            int end = IntParam(ctx, "end");
            return topom.SlotCreateActionRangeAsync(beg, end, IntParam(ctx, "gid"));
        });
        PutX(app, "/api/topom/slots/action/remove/{xauth}/{sid}", ctx => topom.SlotRemoveActionAsync(IntParam(ctx, "sid")));
        PutX(app, "/api/topom/slots/action/interval/{xauth}/{value}", ctx =>
            Task.FromResult(topom.SetSlotActionInterval(IntParam(ctx, "value"))));
        PutX(app, "/api/topom/slots/action/disabled/{xauth}/{value}", ctx =>
            Task.FromResult(topom.SetSlotActionDisabled(IntParam(ctx, "value") != 0)));
        PutX(app, "/api/topom/slots/rebalance/{xauth}/{confirm}", async ctx =>
            await topom.SlotsRebalanceAsync(IntParam(ctx, "confirm") != 0).ConfigureAwait(false));
        // ---- end of the slots branch's routes ----
    }

    /// <summary>Checks the xauth, decodes a JSON array of SlotMapping, runs the handler.</summary>
    private async Task WithMappings(HttpContext ctx, Func<IReadOnlyList<SlotMapping>, Task<object>> handler)
    {
        if (!await CheckXAuth(ctx).ConfigureAwait(false))
            return;
        SlotMapping[]? mappings = await ApiHttp.ReadBody<SlotMapping[]>(ctx).ConfigureAwait(false);
        if (mappings is not null)
            await ApiHttp.RunAsync(ctx, () => handler(mappings)).ConfigureAwait(false);
    }
}
