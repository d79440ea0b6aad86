using Codis.Cluster.Rpc;
using Codis.Core.Slots;
using Codis.Core.Topology;

namespace Codis.Dashboard.Slots;

/// <summary>
/// The slot-action queue rules as pure functions over the cached slots and groups (dashboard-api.md §4.5,
/// migration.md §3): validation of the create/remove routes, the new mappings to store, and the pick of
/// the next action. The caller holds the dashboard's mutex and stores what these return, in order.
/// </summary>
public static class SlotActions
{
    /// <summary>The largest action index among slots with an action (0 when none).</summary>
    public static int MaxIndex(IReadOnlyList<SlotMapping> slots)
    {
        int max = 0;
        foreach (SlotMapping m in slots)
        {
            if (m.Action.State.Length != 0)
                max = Math.Max(max, m.Action.Index);
        }
        return max;
    }

    /// <summary>The stored mapping of <paramref name="sid"/>.</summary>
    /// <exception cref="ApiException"><c>slot-[sid] doesn't exist</c>, or the cache does not hold 1024 slots.</exception>
    public static SlotMapping Get(IReadOnlyList<SlotMapping> slots, int sid)
    {
        if (slots.Count != SlotHash.SlotCount)
            throw new ApiException($"invalid number of slots = {slots.Count}/{SlotHash.SlotCount}");
        if (sid < 0 || sid >= SlotHash.SlotCount)
            throw new ApiException($"slot-[{sid}] doesn't exist");
        return slots[sid];
    }

    /// <summary>The group <paramref name="gid"/>, which must exist and have servers.</summary>
    /// <exception cref="ApiException"><c>group-[gid] doesn't exist</c> or <c>group-[gid] is empty</c>.</exception>
    public static Group NonEmptyGroup(IReadOnlyDictionary<int, Group> groups, int gid)
    {
        if (!groups.TryGetValue(gid, out Group? g))
            throw new ApiException($"group-[{gid}] doesn't exist");
        if (g.Servers.Count == 0)
            throw new ApiException($"group-[{gid}] is empty");
        return g;
    }

    /// <summary><c>action/create</c>: queue one slot for group <paramref name="gid"/>.</summary>
    /// <exception cref="ApiException">The route's errors, checked in Codis's order.</exception>
    public static SlotMapping Create(IReadOnlyList<SlotMapping> slots, IReadOnlyDictionary<int, Group> groups, int sid, int gid)
    {
        NonEmptyGroup(groups, gid);
        SlotMapping m = Get(slots, sid);
        if (m.Action.State.Length != 0)
            throw new ApiException($"slot-[{sid}] action already exists");
        if (m.GroupId == gid)
            throw new ApiException($"slot-[{sid}] already in group-[{gid}]");
        return Queue(m, gid, MaxIndex(slots) + 1);
    }

    /// <summary><c>action/create-some</c>: queue up to <paramref name="num"/> idle slots of <paramref name="src"/>, ascending.</summary>
    /// <exception cref="ApiException">The target group is unknown or empty.</exception>
    public static List<SlotMapping> CreateSome(IReadOnlyList<SlotMapping> slots, IReadOnlyDictionary<int, Group> groups,
        int src, int dst, int num)
    {
        NonEmptyGroup(groups, dst);
        var queued = new List<SlotMapping>();
        int index = MaxIndex(slots);
        foreach (SlotMapping m in slots)
        {
            if (queued.Count >= num)
                break;
            if (m.Action.State.Length != 0 || m.GroupId != src || m.GroupId == dst)
                continue;
            queued.Add(Queue(m, dst, ++index));
        }
        return queued;
    }

    /// <summary><c>action/create-range</c>: queue every slot of [beg, end] or none.</summary>
    /// <exception cref="ApiException">A bad range, group, or a slot that cannot be queued.</exception>
    public static List<SlotMapping> CreateRange(IReadOnlyList<SlotMapping> slots, IReadOnlyDictionary<int, Group> groups,
        int beg, int end, int gid)
    {
        if (!(beg >= 0 && beg <= end && end < SlotHash.SlotCount))
            throw new ApiException($"invalid slot range [{beg},{end}]");
        NonEmptyGroup(groups, gid);
        var pending = new List<SlotMapping>();
        for (int sid = beg; sid <= end; sid++)
        {
            SlotMapping m = Get(slots, sid);
            if (m.Action.State.Length != 0)
                throw new ApiException($"slot-[{sid}] action already exists");
            if (m.GroupId == gid)
                throw new ApiException($"slot-[{sid}] already in group-[{gid}]");
            pending.Add(m);
        }
        int index = MaxIndex(slots);
        return pending.ConvertAll(m => Queue(m, gid, ++index));
    }

    /// <summary><c>action/remove</c>: drop a pending action.</summary>
    /// <exception cref="ApiException">No action, or the action already started.</exception>
    public static SlotMapping Remove(IReadOnlyList<SlotMapping> slots, int sid)
    {
        SlotMapping m = Get(slots, sid);
        if (m.Action.State.Length == 0)
            throw new ApiException($"slot-[{sid}] action doesn't exist");
        if (m.Action.State != ActionState.Pending)
            throw new ApiException($"slot-[{sid}] action isn't pending");
        return new SlotMapping { Id = m.Id, GroupId = m.GroupId };
    }

    /// <summary>The plan of a confirmed rebalance as pending actions, ascending slot ids, consecutive indexes.</summary>
    public static List<SlotMapping> QueuePlan(IReadOnlyList<SlotMapping> slots, IReadOnlyDictionary<int, int> plan)
    {
        int index = MaxIndex(slots);
        var queued = new List<SlotMapping>();
        foreach (int sid in plan.Keys.Order())
            queued.Add(Queue(Get(slots, sid), plan[sid], ++index));
        return queued;
    }

    /// <summary>
    /// The next action to advance (Codis's <c>SlotActionPrepareFilter</c> pick): the smallest index among
    /// started actions that <paramref name="accept"/> takes, else (unless <paramref name="disabled"/>) among
    /// pending ones; on equal index the higher slot id wins.
    /// </summary>
    public static SlotMapping? Pick(IReadOnlyList<SlotMapping> slots, bool disabled, Func<SlotMapping, bool> accept)
    {
        SlotMapping? picked = MinIndex(slots, pending: false, accept);
        if (picked is not null || disabled)
            return picked;
        return MinIndex(slots, pending: true, accept);
    }

    private static SlotMapping? MinIndex(IReadOnlyList<SlotMapping> slots, bool pending, Func<SlotMapping, bool> accept)
    {
        SlotMapping? picked = null;
        foreach (SlotMapping m in slots)
        {
            if (m.Action.State.Length == 0 || (m.Action.State == ActionState.Pending) != pending)
                continue;
            if (picked is not null && picked.Action.Index < m.Action.Index)
                continue;
            if (accept(m))
                picked = m;
        }
        return picked;
    }

    private static SlotMapping Queue(SlotMapping m, int gid, int index) =>
        m with { Action = new SlotAction { State = ActionState.Pending, Index = index, TargetId = gid } };
}
