namespace Codis.Dashboard.Topology;

/// <summary>
/// A consistent snapshot of the model taken under the dashboard mutex after the cache was refilled (Go's
/// <c>context</c>, <c>pkg/topom/context.go</c>): the lookups and checks every operation shares, with Codis's
/// error texts. Operations write the coordinator first and then update this snapshot, so later steps of the
/// same operation see their own changes.
/// </summary>
public sealed partial class TopomContext
{
    internal TopomContext(SlotMapping[] slots, Dictionary<int, Group> groups, Dictionary<string, ProxyModel> proxies, Sentinel sentinel, int forwardMethod)
    {
        Slots = slots;
        Groups = groups;
        Proxies = proxies;
        Sentinel = sentinel;
        ForwardMethod = forwardMethod;
    }

    /// <summary>The 1024 slot mappings, indexed by slot id.</summary>
    public SlotMapping[] Slots { get; }

    /// <summary>Groups by id.</summary>
    public Dictionary<int, Group> Groups { get; }

    /// <summary>Proxies by token.</summary>
    public Dictionary<string, ProxyModel> Proxies { get; }

    /// <summary>The sentinel record.</summary>
    public Sentinel Sentinel { get; set; }

    /// <summary>The proxies' <c>forward_method</c> (dashboard <c>migration_method</c>).</summary>
    public int ForwardMethod { get; }

    /// <summary>The group, or <c>group-[gid] doesn't exist</c>.</summary>
    public Group GetGroup(int gid) =>
        Groups.TryGetValue(gid, out Group? g) ? g : throw new ApiException($"group-[{gid}] doesn't exist");

    /// <summary>The group holding <paramref name="addr"/> and its index, or <c>server-[addr] doesn't exist</c>.</summary>
    public (Group Group, int Index) GetGroupByServer(string addr)
    {
        foreach (Group g in Groups.Values)
        {
            for (int i = 0; i < g.Servers.Count; i++)
            {
                if (g.Servers[i].Server == addr)
                    return (g, i);
            }
        }
        throw new ApiException($"server-[{addr}] doesn't exist");
    }

    /// <summary>The index of <paramref name="addr"/> in the group, or <c>group-[gid] doesn't have server-[addr]</c>.</summary>
    public static int GetGroupIndex(Group g, string addr)
    {
        for (int i = 0; i < g.Servers.Count; i++)
        {
            if (g.Servers[i].Server == addr)
                return i;
        }
        throw new ApiException($"group-[{g.Id}] doesn't have server-[{addr}]");
    }

    /// <summary>The proxy, or <c>proxy-[token] doesn't exist</c>.</summary>
    public ProxyModel GetProxy(string token) =>
        Proxies.TryGetValue(token, out ProxyModel? p) ? p : throw new ApiException($"proxy-[{token}] doesn't exist");

    /// <summary>The slot mapping, or <c>slot-[sid] doesn't exist</c>.</summary>
    public SlotMapping GetSlotMapping(int sid) =>
        sid >= 0 && sid < Slots.Length ? Slots[sid] : throw new ApiException($"slot-[{sid}] doesn't exist");

    /// <summary>Largest proxy id in use (0 when none).</summary>
    public int MaxProxyId() => Proxies.Values.Select(p => p.Id).DefaultIfEmpty(0).Max();

    /// <summary>True when some slot has the group as <c>group_id</c> or <c>action.target_id</c>.</summary>
    public bool IsGroupInUse(int gid) => Slots.Any(m => m.GroupId == gid || m.Action.TargetId == gid);

    /// <summary>
    /// The group whose function libraries a group <paramref name="gid"/> gaining slots from nowhere (offline
    /// slots) takes: the group of the first slot, by slot order, owned by another group; 0 when there is none.
    /// </summary>
    public int FunctionSourceGroup(int gid)
    {
        foreach (SlotMapping m in Slots)
        {
            if (m.GroupId != 0 && m.GroupId != gid)
                return m.GroupId;
        }
        return 0;
    }

    /// <summary>A group is locked while its promotion is <c>prepared</c> (migration.md §2).</summary>
    public bool IsGroupLocked(int gid) =>
        Groups.TryGetValue(gid, out Group? g) && g.Promoting.State == ActionState.Prepared;

    /// <summary>A group is promoting while its promotion state is not empty.</summary>
    public bool IsGroupPromoting(int gid) =>
        Groups.TryGetValue(gid, out Group? g) && g.Promoting.State.Length > 0;

    /// <summary>The group's master address, <c>""</c> when the group is unknown or empty.</summary>
    public string GetGroupMaster(int gid) =>
        Groups.TryGetValue(gid, out Group? g) && g.Servers.Count > 0 ? g.Servers[0].Server : "";

    /// <summary>Slots whose <c>group_id</c> or <c>action.target_id</c> is <paramref name="gid"/>.</summary>
    public List<SlotMapping> SlotsOfGroup(int gid) => Slots.Where(m => m.GroupId == gid || m.Action.TargetId == gid).ToList();

    /// <summary>Proxies sorted by id (then token), as the stats and pushes list them.</summary>
    public List<ProxyModel> SortedProxies() => Proxies.Values.OrderBy(p => p.Id).ThenBy(p => p.Token, StringComparer.Ordinal).ToList();

    /// <summary>Groups sorted by id.</summary>
    public List<Group> SortedGroups() => Groups.Values.OrderBy(g => g.Id).ToList();
}
