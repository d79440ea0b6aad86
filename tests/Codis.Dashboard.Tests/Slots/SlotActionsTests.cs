using Codis.Cluster.Rpc;
using Codis.Core.Topology;
using Codis.Dashboard.Slots;
using static Codis.Dashboard.Tests.Slots.TopologyBuilder;

namespace Codis.Dashboard.Tests.Slots;

public class SlotActionsTests
{
    private static readonly Dictionary<int, Group> Groups = ById(Group(1, "a:1"), Group(2, "b:1"), Group(3));

    private static string Error(Action a) => Assert.Throws<ApiException>(a).Message;

    [Fact]
    public void Create_IdleSlot_QueuesPendingWithNextIndex()
    {
        SlotMapping[] slots = Table(_ => 1);
        slots[9] = WithAction(9, 1, ActionState.Migrating, 2, index: 41);

        SlotMapping m = SlotActions.Create(slots, Groups, 5, 2);

        Assert.Equal(WithAction(5, 1, ActionState.Pending, 2, index: 42), m);
    }

    [Fact]
    public void Create_BadInput_FailsWithCodisMessages()
    {
        SlotMapping[] slots = Table(_ => 1);
        slots[4] = WithAction(4, 1, ActionState.Pending, 2);

        Assert.Equal("group-[7] doesn't exist", Error(() => SlotActions.Create(slots, Groups, 0, 7)));
        Assert.Equal("group-[3] is empty", Error(() => SlotActions.Create(slots, Groups, 0, 3)));
        Assert.Equal("slot-[1024] doesn't exist", Error(() => SlotActions.Create(slots, Groups, 1024, 2)));
        Assert.Equal("slot-[-1] doesn't exist", Error(() => SlotActions.Create(slots, Groups, -1, 2)));
        Assert.Equal("slot-[4] action already exists", Error(() => SlotActions.Create(slots, Groups, 4, 2)));
        Assert.Equal("slot-[0] already in group-[1]", Error(() => SlotActions.Create(slots, Groups, 0, 1)));
    }

    [Fact]
    public void CreateSome_TakesLowestIdleSlotsOfSource()
    {
        SlotMapping[] slots = Table(i => i % 2 + 1);
        slots[1] = WithAction(1, 2, ActionState.Pending, 1, index: 3);

        List<SlotMapping> queued = SlotActions.CreateSome(slots, Groups, 2, 1, 3);

        Assert.Equal([3, 5, 7], queued.Select(m => m.Id));
        Assert.Equal([4, 5, 6], queued.Select(m => m.Action.Index));
        Assert.All(queued, m => Assert.Equal(ActionState.Pending, m.Action.State));
        Assert.Empty(SlotActions.CreateSome(slots, Groups, 1, 1, 10));
        Assert.Empty(SlotActions.CreateSome(slots, Groups, 9, 1, 10));
        Assert.Equal("group-[3] is empty", Error(() => SlotActions.CreateSome(slots, Groups, 1, 3, 1)));
    }

    [Fact]
    public void CreateRange_AllOrNothing()
    {
        SlotMapping[] slots = Table(i => i < 10 ? 2 : 1);

        Assert.Equal("invalid slot range [5,4]", Error(() => SlotActions.CreateRange(slots, Groups, 5, 4, 2)));
        Assert.Equal("invalid slot range [-1,4]", Error(() => SlotActions.CreateRange(slots, Groups, -1, 4, 2)));
        Assert.Equal("invalid slot range [0,1024]", Error(() => SlotActions.CreateRange(slots, Groups, 0, 1024, 2)));
        Assert.Equal("slot-[10] already in group-[1]", Error(() => SlotActions.CreateRange(slots, Groups, 8, 12, 1)));
        slots[11] = WithAction(11, 1, ActionState.Pending, 2);
        Assert.Equal("slot-[11] action already exists", Error(() => SlotActions.CreateRange(slots, Groups, 10, 12, 2)));

        List<SlotMapping> queued = SlotActions.CreateRange(slots, Groups, 12, 14, 2);
        Assert.Equal([12, 13, 14], queued.Select(m => m.Id));
        Assert.Equal([2, 3, 4], queued.Select(m => m.Action.Index));
    }

    [Fact]
    public void Remove_OnlyPendingActions()
    {
        SlotMapping[] slots = Table(_ => 1);
        slots[1] = WithAction(1, 1, ActionState.Pending, 2);
        slots[2] = WithAction(2, 1, ActionState.Migrating, 2);

        Assert.Equal(new SlotMapping { Id = 1, GroupId = 1 }, SlotActions.Remove(slots, 1));
        Assert.Equal("slot-[0] action doesn't exist", Error(() => SlotActions.Remove(slots, 0)));
        Assert.Equal("slot-[2] action isn't pending", Error(() => SlotActions.Remove(slots, 2)));
    }

    [Fact]
    public void QueuePlan_AscendingIdsWithConsecutiveIndexes()
    {
        SlotMapping[] slots = Table(_ => 1);

        List<SlotMapping> queued = SlotActions.QueuePlan(slots, new Dictionary<int, int> { [9] = 2, [3] = 2 });

        Assert.Equal([WithAction(3, 1, ActionState.Pending, 2, 1), WithAction(9, 1, ActionState.Pending, 2, 2)], queued);
    }

    [Fact]
    public void Pick_PrefersStartedActionsThenLowestPendingIndex()
    {
        SlotMapping[] slots = Table(_ => 1);
        slots[1] = WithAction(1, 1, ActionState.Pending, 2, index: 1);
        slots[2] = WithAction(2, 1, ActionState.Migrating, 2, index: 5);
        slots[3] = WithAction(3, 1, ActionState.Pending, 2, index: 2);

        Assert.Equal(2, SlotActions.Pick(slots, disabled: false, _ => true)?.Id);
        Assert.Equal(1, SlotActions.Pick(slots, disabled: false, m => m.Id != 2)?.Id);
        Assert.Equal(3, SlotActions.Pick(slots, disabled: false, m => m.Id == 3)?.Id);
        Assert.Equal(2, SlotActions.Pick(slots, disabled: true, _ => true)?.Id);
        Assert.Null(SlotActions.Pick(slots, disabled: true, m => m.Id != 2));
    }

    [Fact]
    public void Pick_EqualIndex_HigherSlotWins()
    {
        SlotMapping[] slots = Table(_ => 1);
        slots[1] = WithAction(1, 1, ActionState.Pending, 2, index: 4);
        slots[8] = WithAction(8, 1, ActionState.Pending, 2, index: 4);

        Assert.Equal(8, SlotActions.Pick(slots, disabled: false, _ => true)?.Id);
    }
}
