using Codis.Cluster.Rpc;
using Codis.Core.Topology;
using Codis.Dashboard.Slots;
using static Codis.Dashboard.Tests.Slots.TopologyBuilder;

namespace Codis.Dashboard.Tests.Slots;

public class RebalancePlannerTests
{
    private static Dictionary<int, int> Range(int beg, int end, int gid) =>
        Enumerable.Range(beg, end - beg + 1).ToDictionary(s => s, _ => gid);

    private static Dictionary<int, int> Union(params Dictionary<int, int>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void Plan_OneFullGroupAndOneEmpty_MovesUpperHalfToNewGroup()
    {
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(Table(_ => 1), [Group(1, "a:1"), Group(2, "b:1")]);

        Assert.Equal(Range(512, 1023, 2), plan);
        Assert.Equal(Enumerable.Range(512, 512), plan.Keys);
    }

    [Fact]
    public void Plan_OneFullGroupAndTwoEmpty_SplitsIntoThreeKeepingLowestIds()
    {
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(Table(_ => 1),
            [Group(1, "a:1"), Group(2, "b:1"), Group(3, "c:1")]);

        // Group 1 keeps ⌈1024/3⌉ = 342 (0..341); the others get 341 each, the lower ids to the lower gid.
        Assert.Equal(Union(Range(342, 682, 2), Range(683, 1023, 3)), plan);
    }

    [Fact]
    public void Plan_UnevenGroups_TakesHighestIdsFromEachOverfullGroup()
    {
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(Table(i => i < 600 ? 1 : 2),
            [Group(1, "a:1"), Group(2, "b:1"), Group(3, "c:1")]);

        // Ties in (size, gid) order: group 1 ends with 342, group 2 with 341, group 3 gets 341.
        Assert.Equal(Union(Range(342, 599, 3), Range(941, 1023, 3)), plan);
    }

    [Fact]
    public void Plan_GroupWithoutServers_IsNeitherSourceNorTarget()
    {
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(Table(_ => 1),
            [Group(1, "a:1"), Group(2, "b:1"), Group(3)]);

        Assert.Equal(Range(512, 1023, 2), plan);
    }

    [Fact]
    public void Plan_Balanced_IsEmpty()
    {
        Assert.Empty(RebalancePlanner.Plan(Table(i => i < 512 ? 1 : 2), [Group(1, "a:1"), Group(2, "b:1")]));
        Assert.Empty(RebalancePlanner.Plan(Table(i => i % 2 + 1), [Group(1, "a:1"), Group(2, "b:1")]));
        Assert.Empty(RebalancePlanner.Plan(Table(_ => 1), [Group(1, "a:1")]));
    }

    [Fact]
    public void Plan_NoGroupWithServers_FailsWithCodisMessage()
    {
        var e = Assert.Throws<ApiException>(() => RebalancePlanner.Plan(Table(_ => 0), [Group(1)]));
        Assert.Equal("no valid group could be found", e.Message);
        Assert.Throws<ApiException>(() => RebalancePlanner.Plan(Table(_ => 0), []));
    }

    [Fact]
    public void Plan_AllOffline_SpreadsOverGroupsInIdOrder()
    {
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(Table(_ => 0), [Group(2, "b:1"), Group(1, "a:1")]);

        Assert.Equal(Union(Range(0, 511, 1), Range(512, 1023, 2)), plan);
    }

    [Fact]
    public void Plan_SlotsWithActions_CountForTheirTargetAndAreNotPlanned()
    {
        SlotMapping[] slots = Table(_ => 1);
        for (int i = 0; i < 100; i++)
            slots[i] = WithAction(i, 1, ActionState.Pending, 2, i + 1);

        SortedDictionary<int, int> plan = RebalancePlanner.Plan(slots, [Group(1, "a:1"), Group(2, "b:1")]);

        Assert.Equal(Range(612, 1023, 2), plan);
    }

    [Fact]
    public void Plan_SlotsOfUnknownGroup_StayWhereTheyAre()
    {
        // Slots of group 9 (no longer a group) are neither balanced nor given away, as in Codis.
        SortedDictionary<int, int> plan = RebalancePlanner.Plan(Table(i => i < 24 ? 9 : 1), [Group(1, "a:1"), Group(2, "b:1")]);

        Assert.Equal(Range(536, 1023, 2), plan);
    }
}
