using System.Net;

namespace Codis.Dashboard.Topology;

public sealed partial class TopomContext
{
    // Host → IP resolutions of one computation (migration.md §2: "result cached per computation").
    private readonly Dictionary<string, IPAddress?> _hosts = new(StringComparer.Ordinal);

    /// <summary>The views of <paramref name="mappings"/> for one proxy (null: no particular proxy, <c>/topom/slots</c>).</summary>
    public Slot[] ToSlots(IEnumerable<SlotMapping> mappings, ProxyModel? proxy) => mappings.Select(m => ToSlot(m, proxy)).ToArray();

    /// <summary>
    /// What <paramref name="proxy"/> must be told about one slot (migration.md §2). This computes the idle and
    /// <c>pending</c> rows of the table.
    /// </summary>
    /// <exception cref="ApiException"><c>slot-[sid] action state is invalid</c> for a state not handled yet.</exception>
    public Slot ToSlot(SlotMapping m, ProxyModel? proxy)
    {
        switch (m.Action.State)
        {
            case ActionState.Nothing or ActionState.Pending:
                return new Slot
                {
                    Id = m.Id,
                    Locked = IsGroupLocked(m.GroupId),
                    BackendAddr = GetGroupMaster(m.GroupId),
                    BackendAddrGroupId = m.GroupId,
                    ForwardMethod = ForwardMethod,
                    ReplicaGroups = ToReplicaGroups(m.GroupId, proxy),
                };
            default:
                // Migration states plug in here (migration.md §2, the slots branch): preparing, prepared,
                // migrating and finished each give backend/migrate_from/locked from the table, no replica groups.
                return MigrationSlotView(m) ?? throw new ApiException($"slot-[{m.Id}] action state is invalid");
        }
    }

    /// <summary>
    /// The view of a slot whose migration is running (migration.md §2 rows <c>preparing</c> .. <c>finished</c>),
    /// or null for an unknown state.
    /// </summary>
    private Slot? MigrationSlotView(SlotMapping m)
    {
        int from = m.GroupId, to = m.Action.TargetId;
        return m.Action.State switch
        {
            ActionState.Preparing => new Slot
            {
                Id = m.Id,
                Locked = IsGroupLocked(from),
                BackendAddr = GetGroupMaster(from),
                BackendAddrGroupId = from,
                ForwardMethod = ForwardMethod,
            },
            ActionState.Prepared => new Slot
            {
                Id = m.Id,
                Locked = true,
                BackendAddr = GetGroupMaster(to),
                BackendAddrGroupId = to,
                MigrateFrom = GetGroupMaster(from),
                MigrateFromGroupId = from,
                ForwardMethod = ForwardMethod,
            },
            ActionState.Migrating => new Slot
            {
                Id = m.Id,
                Locked = IsGroupLocked(from) || IsGroupLocked(to),
                BackendAddr = GetGroupMaster(to),
                BackendAddrGroupId = to,
                MigrateFrom = GetGroupMaster(from),
                MigrateFromGroupId = from,
                ForwardMethod = ForwardMethod,
            },
            ActionState.Finished => new Slot
            {
                Id = m.Id,
                Locked = IsGroupLocked(to),
                BackendAddr = GetGroupMaster(to),
                BackendAddrGroupId = to,
                ForwardMethod = ForwardMethod,
            },
            _ => null,
        };
    }

    /// <summary>Read replicas in priority buckets for one proxy (migration.md §2, "Replica groups").</summary>
    private List<IReadOnlyList<string>> ToReplicaGroups(int gid, ProxyModel? proxy)
    {
        var result = new List<IReadOnlyList<string>>();
        if (!Groups.TryGetValue(gid, out Group? g) || g.Promoting.State.Length > 0 || g.Servers.Count <= 1)
            return result;
        IPAddress? proxyIp = proxy is null ? null : ResolveHost(HostOf(proxy.AdminAddr));
        var buckets = new List<string>[] { [], [], [] };
        foreach (GroupServer s in g.Servers)
        {
            if (!s.ReplicaGroup)
                continue;
            int bucket = 2;
            if (proxy is not null && proxyIp is not null && proxy.DataCenter == s.DataCenter)
                bucket = Equals(ResolveHost(HostOf(s.Server)), proxyIp) ? 0 : 1;
            buckets[bucket].Add(s.Server);
        }
        foreach (List<string> b in buckets)
        {
            if (b.Count > 0)
                result.Add(b);
        }
        return result;
    }

    private static string HostOf(string addr)
    {
        try
        {
            return NetAddress.Split(addr).Host;
        }
        catch (FormatException)
        {
            return "";
        }
    }

    private IPAddress? ResolveHost(string host)
    {
        if (host.Length == 0)
            return null;
        if (_hosts.TryGetValue(host, out IPAddress? cached))
            return cached;
        IPAddress? ip = null;
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            ip = literal;
        }
        else
        {
            try
            {
                Task<IPAddress[]> t = Dns.GetHostAddressesAsync(host);
                // Codis gives the lookup 50 ms.
                if (t.Wait(TimeSpan.FromMilliseconds(50)) && t.Result.Length > 0)
                    ip = t.Result[0];
            }
            catch (AggregateException)
            {
                ip = null;
            }
        }
        _hosts[host] = ip;
        return ip;
    }
}
