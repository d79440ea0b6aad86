using Codis.Core.Topology;
using Codis.Dashboard.Topology;
using Codis.Cluster.Rpc;

namespace Codis.Dashboard.Tests;

/// <summary>Lookups, checks and the slot views of a snapshot (migration.md §2).</summary>
public sealed class TopomContextTests
{
    private static TopomContext Context(IEnumerable<SlotMapping>? slots = null, params Group[] groups)
    {
        var all = Enumerable.Range(0, 1024).Select(i => new SlotMapping { Id = i }).ToArray();
        foreach (SlotMapping m in slots ?? [])
            all[m.Id] = m;
        return new TopomContext(all, groups.ToDictionary(g => g.Id), new Dictionary<string, ProxyModel>(StringComparer.Ordinal), new Sentinel(), 1);
    }

    private static GroupServer S(string addr, bool replica = false, string dc = "") => new() { Server = addr, ReplicaGroup = replica, DataCenter = dc };

    [Fact]
    public void Lookups_ErrorsAsCodis()
    {
        TopomContext ctx = Context(null, new Group { Id = 1, Servers = [S("127.0.0.1:1")] });
        Assert.Equal("group-[2] doesn't exist", Assert.Throws<ApiException>(() => ctx.GetGroup(2)).Message);
        Assert.Equal("server-[x:1] doesn't exist", Assert.Throws<ApiException>(() => ctx.GetGroupByServer("x:1")).Message);
        Assert.Equal("proxy-[t] doesn't exist", Assert.Throws<ApiException>(() => ctx.GetProxy("t")).Message);
        Assert.Equal("slot-[1024] doesn't exist", Assert.Throws<ApiException>(() => ctx.GetSlotMapping(1024)).Message);
        Assert.Equal("group-[1] doesn't have server-[y:2]", Assert.Throws<ApiException>(() => TopomContext.GetGroupIndex(ctx.GetGroup(1), "y:2")).Message);
        Assert.Equal(0, ctx.GetGroupByServer("127.0.0.1:1").Index);
    }

    [Fact]
    public void IsGroupInUse_ByGroupOrTarget()
    {
        TopomContext ctx = Context([new SlotMapping { Id = 3, GroupId = 1, Action = new SlotAction { State = "pending", TargetId = 2 } }]);
        Assert.True(ctx.IsGroupInUse(1));
        Assert.True(ctx.IsGroupInUse(2));
        Assert.False(ctx.IsGroupInUse(3));
    }

    [Fact]
    public void FunctionSourceGroup_FirstOtherGroupBySlotOrder_ZeroWhenNone()
    {
        TopomContext ctx = Context([new SlotMapping { Id = 5, GroupId = 3 }, new SlotMapping { Id = 9, GroupId = 1 }, new SlotMapping { Id = 700, GroupId = 2 }]);
        Assert.Equal(3, ctx.FunctionSourceGroup(2));
        Assert.Equal(1, ctx.FunctionSourceGroup(3));
        Assert.Equal(0, Context().FunctionSourceGroup(1));
        Assert.Equal(0, Context([new SlotMapping { Id = 0, GroupId = 4 }]).FunctionSourceGroup(4));
    }

    [Fact]
    public void ToSlot_Idle_BackendIsMaster_LockedWhilePromotionPrepared()
    {
        TopomContext ctx = Context([new SlotMapping { Id = 0, GroupId = 1 }, new SlotMapping { Id = 1, GroupId = 2 }],
            new Group { Id = 1, Servers = [S("192.0.2.1:7001"), S("192.0.2.2:7001")] },
            new Group { Id = 2, Servers = [S("192.0.2.3:7001")], Promoting = new GroupPromoting { Index = 0, State = "prepared" } });
        Slot s0 = ctx.ToSlot(ctx.Slots[0], null);
        Assert.Equal(new Slot { Id = 0, BackendAddr = "192.0.2.1:7001", BackendAddrGroupId = 1, ForwardMethod = 1 }, s0);
        Assert.True(ctx.ToSlot(ctx.Slots[1], null).Locked);
        Assert.Equal(new Slot { Id = 2, ForwardMethod = 1 }, ctx.ToSlot(ctx.Slots[2], null));
    }

    [Fact]
    public void ToSlot_ReplicaGroups_BucketsByDataCenterAndHost()
    {
        TopomContext ctx = Context([new SlotMapping { Id = 0, GroupId = 1 }],
            new Group { Id = 1, Servers = [S("127.0.0.1:1", replica: true, dc: "a"), S("127.0.0.2:2", replica: true, dc: "a"), S("127.0.0.1:3", replica: true, dc: "b"), S("127.0.0.1:4")] });
        // No particular proxy: one bucket, group order.
        Slot plain = ctx.ToSlot(ctx.Slots[0], null);
        Assert.Equal(["127.0.0.1:1", "127.0.0.2:2", "127.0.0.1:3"], Assert.Single(plain.ReplicaGroups));
        // A proxy on 127.0.0.1 in data center a: same host first, then same data center, then the rest.
        var proxy = new ProxyModel { Token = "t", AdminAddr = "127.0.0.1:40002", DataCenter = "a" };
        Slot near = ctx.ToSlot(ctx.Slots[0], proxy);
        Assert.Equal(3, near.ReplicaGroups.Count);
        Assert.Equal(["127.0.0.1:1"], near.ReplicaGroups[0]);
        Assert.Equal(["127.0.0.2:2"], near.ReplicaGroups[1]);
        Assert.Equal(["127.0.0.1:3"], near.ReplicaGroups[2]);
    }

    [Fact]
    public void ToSlot_NoReplicasForSingleServerOrPromotingGroup()
    {
        TopomContext ctx = Context([new SlotMapping { Id = 0, GroupId = 1 }, new SlotMapping { Id = 1, GroupId = 2 }],
            new Group { Id = 1, Servers = [S("127.0.0.1:1", replica: true)] },
            new Group { Id = 2, Servers = [S("127.0.0.1:2", replica: true), S("127.0.0.1:3", replica: true)], Promoting = new GroupPromoting { State = "preparing" } });
        Assert.Empty(ctx.ToSlot(ctx.Slots[0], null).ReplicaGroups);
        Assert.Empty(ctx.ToSlot(ctx.Slots[1], null).ReplicaGroups);
    }

    [Theory]
    [InlineData("pending", false, "a:1", 1, "", 0)]
    [InlineData("preparing", false, "a:1", 1, "", 0)]
    [InlineData("prepared", true, "b:2", 2, "a:1", 1)]
    [InlineData("migrating", false, "b:2", 2, "a:1", 1)]
    [InlineData("finished", false, "b:2", 2, "", 0)]
    public void ToSlot_MigrationStates_FollowTheTable(string state, bool locked, string backend, int backendGid, string from, int fromGid)
    {
        TopomContext ctx = Context([new SlotMapping { Id = 9, GroupId = 1, Action = new SlotAction { Index = 1, State = state, TargetId = 2 } }],
            new Group { Id = 1, Servers = [S("a:1")] }, new Group { Id = 2, Servers = [S("b:2")] });
        Slot s = ctx.ToSlot(ctx.Slots[9], null);
        Assert.Equal(new Slot { Id = 9, Locked = locked, BackendAddr = backend, BackendAddrGroupId = backendGid, MigrateFrom = from, MigrateFromGroupId = fromGid, ForwardMethod = 1 }, s);
    }

    [Fact]
    public void ToSlot_UnknownState_Error()
    {
        TopomContext ctx = Context([new SlotMapping { Id = 9, GroupId = 1, Action = new SlotAction { State = "weird", TargetId = 2 } }]);
        Assert.Equal("slot-[9] action state is invalid", Assert.Throws<ApiException>(() => ctx.ToSlot(ctx.Slots[9], null)).Message);
    }
}
