using System.Globalization;
using Codis.Dashboard.Slots;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    /// <summary><c>action/create</c> (dashboard-api.md §4.5): queue slot <paramref name="sid"/> for group <paramref name="gid"/>.</summary>
    public Task<object> SlotCreateActionAsync(int sid, int gid) => WithContextAsync(async ctx =>
        await StoreSlotsAsync(ctx, [SlotActions.Create(ctx.Slots, ctx.Groups, sid, gid)]).ConfigureAwait(false));

    /// <summary><c>action/create-some</c>: queue up to <paramref name="num"/> idle slots of <paramref name="src"/> for <paramref name="dst"/>.</summary>
    public Task<object> SlotCreateActionSomeAsync(int src, int dst, int num) => WithContextAsync(async ctx =>
        await StoreSlotsAsync(ctx, SlotActions.CreateSome(ctx.Slots, ctx.Groups, src, dst, num)).ConfigureAwait(false));

    /// <summary><c>action/create-range</c>: queue every slot of [<paramref name="beg"/>, <paramref name="end"/>] or none.</summary>
    public Task<object> SlotCreateActionRangeAsync(int beg, int end, int gid) => WithContextAsync(async ctx =>
        await StoreSlotsAsync(ctx, SlotActions.CreateRange(ctx.Slots, ctx.Groups, beg, end, gid)).ConfigureAwait(false));

    /// <summary><c>action/remove</c>: drop a pending action.</summary>
    public Task<object> SlotRemoveActionAsync(int sid) => WithContextAsync(async ctx =>
        await StoreSlotsAsync(ctx, [SlotActions.Remove(ctx.Slots, sid)]).ConfigureAwait(false));

    /// <summary>
    /// <c>rebalance</c> (migration.md §5): the plan as Codis's JSON object (slot id as a string → gid, keys in
    /// Go's sorted string order); <paramref name="confirm"/> also queues it.
    /// </summary>
    public Task<SortedDictionary<string, int>> SlotsRebalanceAsync(bool confirm) => WithContextAsync(async ctx =>
    {
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(ctx.Slots, ctx.Groups.Values);
        if (confirm)
            await StoreSlotsAsync(ctx, SlotActions.QueuePlan(ctx.Slots, plan)).ConfigureAwait(false);
        var json = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach ((int sid, int gid) in plan)
            json[sid.ToString(CultureInfo.InvariantCulture)] = gid;
        return json;
    });

    /// <summary><c>action/interval</c>: µs between executor calls, clamped to 0..1,000,000; in memory only.</summary>
    public object SetSlotActionInterval(int us)
    {
        us = Math.Clamp(us, 0, 1_000_000);
        Volatile.Write(ref _actionInterval, us);
        _logger.LogWarning("set action interval = {Interval}", us);
        PublishSlotActionStats();
        return "OK";
    }

    /// <summary><c>action/disabled</c>: pause (no pending action starts, running executors idle); in memory only.</summary>
    public object SetSlotActionDisabled(bool disabled)
    {
        _actionDisabled = disabled;
        _logger.LogWarning("set action disabled = {Disabled}", disabled ? "true" : "false");
        PublishSlotActionStats();
        return "OK";
    }

    /// <summary>Stores queued or changed mappings in order (the coordinator first, then the cache).</summary>
    private async Task StoreSlotsAsync(TopomContext ctx, IEnumerable<SlotMapping> mappings)
    {
        foreach (SlotMapping m in mappings)
        {
            if (m.Action.State.Length != 0)
                _logger.LogWarning("slot-[{Sid}] action {State} to group-[{Gid}], index {Index}", m.Id, m.Action.State, m.Action.TargetId, m.Action.Index);
            await StoreSlotAsync(ctx, m).ConfigureAwait(false);
        }
    }
}
