using Codis.Proxy.Backend;

namespace Codis.Proxy.Routing;

/// <summary>
/// The master of one group as the slot table names it: a slot's <c>backend_addr</c> or its
/// <c>migrate_from</c>, with the group id the dashboard pushed and the pool entry the slot holds.
/// </summary>
internal readonly record struct GroupMaster(int GroupId, string Addr, BackendEntry Entry);

public sealed partial class Router
{
    /// <summary>
    /// Every server the slot table names as a slot's backend or migration source, once each, in the order of
    /// the first slot naming it (FUNCTION's fan-out). Migration sources count: with semi-async migration a
    /// source still runs commands for the keys it has not sent yet, and a group whose last slot is leaving is
    /// only named there. Groups without slots are not known to a proxy; the dashboard copies the libraries to a
    /// group when it gains slots. A control path: allocates.
    /// </summary>
    internal List<GroupMaster> GroupMasters()
    {
        var masters = new List<GroupMaster>();
        foreach (var s in _slots)
        {
            var m = s.Model;
            Add(masters, m.Config.BackendAddrGroupId, m.Config.BackendAddr, m.Backend);
            Add(masters, m.Config.MigrateFromGroupId, m.Config.MigrateFrom, m.Migrate);
        }
        return masters;

        static void Add(List<GroupMaster> masters, int gid, string addr, BackendEntry? entry)
        {
            if (entry is null || addr.Length == 0)
                return;
            foreach (var g in masters)
            {
                if (g.Addr == addr)
                    return;
            }
            masters.Add(new GroupMaster(gid, addr, entry));
        }
    }
}
