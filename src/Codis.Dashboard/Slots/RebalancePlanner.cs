using Codis.Cluster.Rpc;
using Codis.Core.Slots;
using Codis.Core.Topology;

namespace Codis.Dashboard.Slots;

/// <summary>
/// Codis's rebalance plan (migration.md §5, <c>SlotsRebalance</c>): which slots move to which group so that
/// every group with servers ends with ⌊1024/n⌋ or ⌈1024/n⌉ slots, moving as few slots as possible. Slots
/// with an action count for their target and are never moved again; offline slots go to the smallest
/// groups; each overfull group gives up its highest slot ids.
/// </summary>
public static class RebalancePlanner
{
    /// <summary>Computes the plan: slot id → target group id, in ascending slot order (empty when balanced).</summary>
    /// <exception cref="ApiException">No group has a server: <c>no valid group could be found</c>.</exception>
    public static SortedDictionary<int, int> Plan(IReadOnlyList<SlotMapping> slots, IEnumerable<Group> groups)
    {
        var groupIds = groups.Where(g => g.Servers.Count != 0).Select(g => g.Id).Order().ToList();
        if (groupIds.Count == 0)
            throw new ApiException("no valid group could be found");

        var assigned = new Dictionary<int, int>();
        var pendings = new Dictionary<int, List<int>>();
        var moveout = new Dictionary<int, int>();
        var docking = new List<int>();
        int Get(Dictionary<int, int> d, int gid) => d.GetValueOrDefault(gid);
        List<int> Pending(int gid) => pendings.TryGetValue(gid, out List<int>? l) ? l : pendings[gid] = [];
        int Size(int gid) => Get(assigned, gid) + Pending(gid).Count - Get(moveout, gid);

        // A slot already moving stays with its target: it counts there and is not planned again.
        foreach (SlotMapping m in slots)
        {
            if (m.Action.State.Length != 0)
                assigned[m.Action.TargetId] = Get(assigned, m.Action.TargetId) + 1;
        }

        int lower = SlotHash.SlotCount / groupIds.Count;
        int upper = (SlotHash.SlotCount + groupIds.Count - 1) / groupIds.Count;

        // Each group keeps its lowest ids up to the lower bound; the rest may be given away.
        foreach (SlotMapping m in slots)
        {
            if (m.Action.State.Length != 0 || m.GroupId == 0)
                continue;
            if (Size(m.GroupId) < lower)
                assigned[m.GroupId] = Get(assigned, m.GroupId) + 1;
            else
                Pending(m.GroupId).Add(m.Id);
        }

        // The ordered set of Codis's red-black tree, keyed by (size, gid). Only removed members change size,
        // so scanning a list for the ends gives the same answers as the tree.
        var set = new List<int>(groupIds);
        int First() => set.MinBy(g => (Size(g), g));
        int Last() => set.MaxBy(g => (Size(g), g));

        foreach (SlotMapping m in slots)
        {
            if (m.Action.State.Length != 0 || m.GroupId != 0)
                continue;
            int dest = First();
            docking.Add(m.Id);
            moveout[dest] = Get(moveout, dest) - 1;
        }

        while (set.Count >= 2)
        {
            int from = Last();
            set.Remove(from);
            if (Pending(from).Count == Get(moveout, from))
                continue;
            int dest = First();
            set.Remove(dest);
            int fromSize = Size(from), destSize = Size(dest);
            if (fromSize <= lower || destSize >= upper || fromSize - destSize <= 1)
                break;
            moveout[from] = Get(moveout, from) + 1;
            moveout[dest] = Get(moveout, dest) - 1;
            set.Add(from);
            set.Add(dest);
        }

        foreach ((int gid, int n) in moveout)
        {
            if (n <= 0)
                continue;
            List<int> sids = Pending(gid);
            sids.Sort((a, b) => b.CompareTo(a));
            docking.AddRange(sids.Take(n));
            sids.RemoveRange(0, n);
            moveout[gid] = 0;
        }
        docking.Sort();

        var plan = new SortedDictionary<int, int>();
        int next = 0;
        foreach (int gid in groupIds)
        {
            int incoming = -Get(moveout, gid);
            for (int i = 0; i < incoming && next < docking.Count; i++)
                plan[docking[next++]] = gid;
        }
        return plan;
    }
}
