using System.Net;
using Codis.Cluster.Rpc;
using Codis.Core.Topology;

namespace Codis.Dashboard.Slots;

/// <summary>
/// What a proxy is told about a slot in each action state (migration.md §2, Codis's <c>context.toSlot</c>):
/// a pure function of the stored mapping, the groups, the proxy (for replica locality) and the method.
/// </summary>
public static class SlotViews
{
    /// <summary>The view of <paramref name="m"/> for <paramref name="proxy"/> (<see langword="null"/>: no proxy, as <c>/topom/slots</c>).</summary>
    /// <exception cref="ApiException">The stored action state is not one of Codis's.</exception>
    public static Slot ToSlot(SlotMapping m, IReadOnlyDictionary<int, Group> groups, ProxyModel? proxy,
        MigrationMethod method, HostResolver resolver)
    {
        bool locked = IsLocked(m, groups);
        int forward = (int)method;
        switch (m.Action.State)
        {
            case ActionState.Nothing:
            case ActionState.Pending:
                return new Slot
                {
                    Id = m.Id,
                    Locked = locked,
                    BackendAddr = Master(groups, m.GroupId),
                    BackendAddrGroupId = m.GroupId,
                    ForwardMethod = forward,
                    ReplicaGroups = ReplicaGroups(groups, m.GroupId, proxy, resolver),
                };
            case ActionState.Preparing:
                return new Slot
                {
                    Id = m.Id,
                    Locked = locked,
                    BackendAddr = Master(groups, m.GroupId),
                    BackendAddrGroupId = m.GroupId,
                    ForwardMethod = forward,
                };
            case ActionState.Prepared:
            case ActionState.Migrating:
                return new Slot
                {
                    Id = m.Id,
                    Locked = locked,
                    BackendAddr = Master(groups, m.Action.TargetId),
                    BackendAddrGroupId = m.Action.TargetId,
                    MigrateFrom = Master(groups, m.GroupId),
                    MigrateFromGroupId = m.GroupId,
                    ForwardMethod = forward,
                };
            case ActionState.Finished:
                return new Slot
                {
                    Id = m.Id,
                    Locked = locked,
                    BackendAddr = Master(groups, m.Action.TargetId),
                    BackendAddrGroupId = m.Action.TargetId,
                    ForwardMethod = forward,
                };
            default:
                throw InvalidState(m);
        }
    }

    /// <summary>The views of several slots for one proxy, sharing one resolver.</summary>
    public static List<Slot> ToSlots(IEnumerable<SlotMapping> slots, IReadOnlyDictionary<int, Group> groups,
        ProxyModel? proxy, MigrationMethod method, HostResolver resolver)
    {
        var views = new List<Slot>();
        foreach (SlotMapping m in slots)
            views.Add(ToSlot(m, groups, proxy, method, resolver));
        return views;
    }

    /// <summary>Whether proxies must hold requests for the slot (table of migration.md §2).</summary>
    /// <exception cref="ApiException">Unknown action state.</exception>
    public static bool IsLocked(SlotMapping m, IReadOnlyDictionary<int, Group> groups) => m.Action.State switch
    {
        ActionState.Nothing or ActionState.Pending or ActionState.Preparing => IsGroupLocked(groups, m.GroupId),
        ActionState.Prepared => true,
        ActionState.Migrating => IsGroupLocked(groups, m.GroupId) || IsGroupLocked(groups, m.Action.TargetId),
        ActionState.Finished => IsGroupLocked(groups, m.Action.TargetId),
        _ => throw InvalidState(m),
    };

    /// <summary>A group is locked while its promotion is <c>prepared</c>.</summary>
    public static bool IsGroupLocked(IReadOnlyDictionary<int, Group> groups, int gid) =>
        groups.TryGetValue(gid, out Group? g) && g.Promoting.State == ActionState.Prepared;

    /// <summary>A group is promoting while its promotion state is non-empty.</summary>
    public static bool IsGroupPromoting(IReadOnlyDictionary<int, Group> groups, int gid) =>
        groups.TryGetValue(gid, out Group? g) && g.Promoting.State.Length != 0;

    /// <summary><c>servers[0]</c> of the group, <c>""</c> when the group is unknown or empty.</summary>
    public static string Master(IReadOnlyDictionary<int, Group> groups, int gid) =>
        groups.TryGetValue(gid, out Group? g) && g.Servers.Count != 0 ? g.Servers[0].Server : "";

    /// <summary>
    /// Replica buckets of an idle slot's group: bucket 0 = same datacenter and same IP as the proxy's admin
    /// host, 1 = same datacenter, 2 = the rest (or no proxy / unresolvable proxy); empty buckets dropped.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> ReplicaGroups(IReadOnlyDictionary<int, Group> groups, int gid,
        ProxyModel? proxy, HostResolver resolver)
    {
        if (!groups.TryGetValue(gid, out Group? g) || g.Promoting.State.Length != 0 || g.Servers.Count <= 1)
            return [];
        string dc = proxy?.DataCenter ?? "";
        IPAddress? ip = proxy is null ? null : resolver.Lookup(proxy.AdminAddr);
        var buckets = new List<string>?[3];
        foreach (GroupServer s in g.Servers)
        {
            if (!s.ReplicaGroup)
                continue;
            int bucket;
            if (ip is null || dc != s.DataCenter)
                bucket = 2;
            else
                bucket = ip.Equals(resolver.Lookup(s.Server)) ? 0 : 1;
            (buckets[bucket] ??= []).Add(s.Server);
        }
        var replicas = new List<IReadOnlyList<string>>();
        foreach (List<string>? b in buckets)
        {
            if (b is not null)
                replicas.Add(b);
        }
        return replicas;
    }

    private static ApiException InvalidState(SlotMapping m) => new($"slot-[{m.Id}] action state is invalid");
}
