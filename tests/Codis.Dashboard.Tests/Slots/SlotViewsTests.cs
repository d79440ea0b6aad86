using System.Net;
using Codis.Cluster.Rpc;
using Codis.Core.Topology;
using Codis.Dashboard.Slots;
using static Codis.Dashboard.Tests.Slots.TopologyBuilder;

namespace Codis.Dashboard.Tests.Slots;

public class SlotViewsTests
{
    private static readonly HostResolver Literal = new(addr => IPAddress.TryParse(addr.Split(':')[0], out IPAddress? ip) ? ip : null);

    private static readonly Dictionary<int, Group> Groups = ById(Group(1, "192.0.2.1:7001"), Group(2, "192.0.2.2:7001"));

    private static Slot View(SlotMapping m, MigrationMethod method = MigrationMethod.SemiAsync, Dictionary<int, Group>? groups = null) =>
        SlotViews.ToSlot(m, groups ?? Groups, null, method, Literal);

    [Fact]
    public void ToSlot_Idle_BackendIsOwnerMaster()
    {
        Slot s = View(new SlotMapping { Id = 7, GroupId = 1 }, MigrationMethod.Sync);

        Assert.Equal(new Slot { Id = 7, BackendAddr = "192.0.2.1:7001", BackendAddrGroupId = 1, ForwardMethod = 0 }, s);
        Assert.Equal("{\"id\":7,\"backend_addr\":\"192.0.2.1:7001\",\"backend_addr_group_id\":1}",
            System.Text.Json.JsonSerializer.Serialize(s));
    }

    [Fact]
    public void ToSlot_Offline_OmitsBackend()
    {
        Slot s = View(new SlotMapping { Id = 3 });

        Assert.Equal(new Slot { Id = 3, ForwardMethod = 1 }, s);
    }

    [Theory]
    [InlineData(ActionState.Pending, false, "192.0.2.1:7001", 1, "", 0)]
    [InlineData(ActionState.Preparing, false, "192.0.2.1:7001", 1, "", 0)]
    [InlineData(ActionState.Prepared, true, "192.0.2.2:7001", 2, "192.0.2.1:7001", 1)]
    [InlineData(ActionState.Migrating, false, "192.0.2.2:7001", 2, "192.0.2.1:7001", 1)]
    [InlineData(ActionState.Finished, false, "192.0.2.2:7001", 2, "", 0)]
    public void ToSlot_PerActionState_FollowsMigrationTable(string state, bool locked, string backend, int backendGid,
        string from, int fromGid)
    {
        Slot s = View(WithAction(5, 1, state, 2));

        Assert.Equal(new Slot
        {
            Id = 5,
            Locked = locked,
            BackendAddr = backend,
            BackendAddrGroupId = backendGid,
            MigrateFrom = from,
            MigrateFromGroupId = fromGid,
            ForwardMethod = 1,
        }, s);
    }

    [Fact]
    public void ToSlot_PromotionPrepared_LocksSlotsOfTheGroup()
    {
        var groups = ById(Group(1, "192.0.2.1:7001") with { Promoting = new GroupPromoting { State = ActionState.Prepared } },
            Group(2, "192.0.2.2:7001"));

        Assert.True(View(new SlotMapping { Id = 1, GroupId = 1 }, groups: groups).Locked);
        Assert.True(View(WithAction(1, 2, ActionState.Migrating, 1), groups: groups).Locked);
        Assert.True(View(WithAction(1, 2, ActionState.Finished, 1), groups: groups).Locked);
        Assert.False(View(WithAction(1, 1, ActionState.Finished, 2), groups: groups).Locked);
        Assert.False(View(new SlotMapping { Id = 1, GroupId = 2 }, groups: groups).Locked);
    }

    [Fact]
    public void ToSlot_UnknownState_Throws()
    {
        var e = Assert.Throws<ApiException>(() => View(WithAction(9, 1, "bogus", 2)));
        Assert.Equal("slot-[9] action state is invalid", e.Message);
    }

    private static Group ReplicaGroup() => new()
    {
        Id = 1,
        Servers =
        [
            new GroupServer { Server = "192.0.2.1:7001", DataCenter = "dc1", ReplicaGroup = true },
            new GroupServer { Server = "192.0.2.2:7001", DataCenter = "dc1", ReplicaGroup = true },
            new GroupServer { Server = "192.0.2.3:7001", DataCenter = "dc2", ReplicaGroup = true },
            new GroupServer { Server = "192.0.2.4:7001", DataCenter = "dc1", ReplicaGroup = false },
            new GroupServer { Server = "192.0.2.5:7001", DataCenter = "dc1", ReplicaGroup = true },
        ],
    };

    [Fact]
    public void ReplicaGroups_ProxyOnServerHost_OrdersSameIpThenSameDatacenterThenOthers()
    {
        var proxy = new ProxyModel { AdminAddr = "192.0.2.2:7080", DataCenter = "dc1" };

        Slot s = SlotViews.ToSlot(new SlotMapping { Id = 0, GroupId = 1 }, ById(ReplicaGroup()), proxy,
            MigrationMethod.SemiAsync, Literal);

        Assert.Equal([["192.0.2.2:7001"], ["192.0.2.1:7001", "192.0.2.5:7001"], ["192.0.2.3:7001"]],
            s.ReplicaGroups.Select(b => b.ToArray()).ToArray());
    }

    [Fact]
    public void ReplicaGroups_NoProxyOrUnresolvableProxy_AllInLastBucket()
    {
        var all = new[] { new[] { "192.0.2.1:7001", "192.0.2.2:7001", "192.0.2.3:7001", "192.0.2.5:7001" } };
        var groups = ById(ReplicaGroup());

        Assert.Equal(all, SlotViews.ReplicaGroups(groups, 1, null, Literal).Select(b => b.ToArray()).ToArray());
        var nowhere = new ProxyModel { AdminAddr = "no-such-host.invalid:1", DataCenter = "dc1" };
        Assert.Equal(all, SlotViews.ReplicaGroups(groups, 1, nowhere, Literal).Select(b => b.ToArray()).ToArray());
    }

    [Fact]
    public void ReplicaGroups_PromotingSingleServerOrBusySlot_None()
    {
        var promoting = ById(ReplicaGroup() with { Promoting = new GroupPromoting { State = ActionState.Preparing } });
        var single = ById(Group(1, "192.0.2.1:7001") with
        {
            Servers = [new GroupServer { Server = "192.0.2.1:7001", ReplicaGroup = true }],
        });

        Assert.Empty(SlotViews.ReplicaGroups(promoting, 1, null, Literal));
        Assert.Empty(SlotViews.ReplicaGroups(single, 1, null, Literal));
        Assert.Empty(SlotViews.ReplicaGroups(ById(), 1, null, Literal));
        Assert.Empty(SlotViews.ToSlot(WithAction(0, 1, ActionState.Preparing, 2), ById(ReplicaGroup()), null,
            MigrationMethod.SemiAsync, Literal).ReplicaGroups);
        Assert.NotEmpty(SlotViews.ToSlot(WithAction(0, 1, ActionState.Pending, 2), ById(ReplicaGroup()), null,
            MigrationMethod.SemiAsync, Literal).ReplicaGroups);
    }

    [Fact]
    public void HostResolver_Dns_ResolvesLiteralAndFailsQuietly()
    {
        var dns = new HostResolver();

        Assert.Equal(IPAddress.Loopback, dns.Lookup("127.0.0.1:80"));
        Assert.Null(dns.Lookup("no port"));
        Assert.Null(dns.Lookup("no-such-host.invalid:80"));
    }

    [Fact]
    public void MigrationMethods_TryParse_AcceptsCodisNamesCaseInsensitive()
    {
        Assert.True(MigrationMethods.TryParse("SYNC", out MigrationMethod m));
        Assert.Equal(MigrationMethod.Sync, m);
        Assert.True(MigrationMethods.TryParse("Semi-Async", out m));
        Assert.Equal(MigrationMethod.SemiAsync, m);
        Assert.False(MigrationMethods.TryParse("async", out _));
        Assert.False(MigrationMethods.TryParse(null, out _));
        Assert.Equal("semi-async", MigrationMethods.Name(MigrationMethod.SemiAsync));
    }
}
