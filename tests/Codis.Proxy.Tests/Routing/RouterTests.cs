using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.Proxy.Session;
using Microsoft.Extensions.Logging.Abstractions;

namespace Codis.Proxy.Tests.Routing;

public sealed class RouterTests
{
    [Fact]
    public void New_AllSlotsOfflineAndNotOnline()
    {
        using var router = new Router(new RouterOptions(), NullLogger.Instance);
        Assert.False(router.IsOnline);
        var slots = router.GetSlots();
        Assert.Equal(1024, slots.Count);
        Assert.All(slots, s => Assert.Equal("", s.BackendAddr));
        router.Start();
        Assert.True(router.IsOnline);
    }

    [Fact]
    public void FillSlots_ValuesKeptAsGiven()
    {
        using var router = new Router(new RouterOptions { BackendPingPeriod = TimeSpan.Zero }, NullLogger.Instance);
        var slot = new Slot { Id = 9, BackendAddr = "127.0.0.1:1", BackendAddrGroupId = 3, MigrateFrom = "127.0.0.1:2", MigrateFromGroupId = 1, ForwardMethod = 1, ReplicaGroups = [[], ["127.0.0.1:3"]] };
        router.FillSlots([slot]);
        // Empty replica groups are dropped.
        Assert.Equal(slot with { ReplicaGroups = [["127.0.0.1:3"]] }, router.GetSlot(9));
    }

    [Fact]
    public void FillSlots_Invalid_RouterExceptionWithCodisText()
    {
        using var router = new Router(new RouterOptions(), NullLogger.Instance);
        Assert.Equal(RouterException.InvalidSlotId, Assert.Throws<RouterException>(() => router.FillSlots([new Slot { Id = -1 }])).Message);
        Assert.Equal(RouterException.InvalidForwardMethod, Assert.Throws<RouterException>(() => router.FillSlots([new Slot { Id = 1, ForwardMethod = 7 }])).Message);
        router.Close();
        Assert.Equal(RouterException.Closed, Assert.Throws<RouterException>(() => router.FillSlots([new Slot { Id = 1 }])).Message);
        Assert.Equal(RouterException.Closed, Assert.Throws<RouterException>(router.Start).Message);
    }

    [Fact]
    public void Dispatch_OfflineSlot_SlotNotReady()
    {
        using var router = new Router(new RouterOptions(), NullLogger.Instance);
        var r = new Request { Op = CommandTable.Resolve("GET"u8), Slot = 5 };
        Assert.True(router.Dispatch(r));
        Assert.True(r.IsDone);
        Assert.Equal("slot is not ready, may be offline", r.Error);
        Assert.True(r.ErrorIsRequest);
    }

    [Fact]
    public void Dispatch_LockedSlot_HeldUntilCloseFailsIt()
    {
        var router = new Router(new RouterOptions(), NullLogger.Instance);
        router.FillSlots([new Slot { Id = 5, Locked = true }]);
        var r = new Request { Op = CommandTable.Resolve("GET"u8), Slot = 5 };
        Assert.False(router.Dispatch(r));
        Assert.False(r.IsDone);
        router.Close();
        Assert.True(r.IsDone);
        Assert.Equal("use of closed router", r.Error);
    }

    [Fact]
    public void Dispatch_LockedSlotThenUnlockedOffline_HeldRequestFailsSlotNotReady()
    {
        using var router = new Router(new RouterOptions(), NullLogger.Instance);
        router.FillSlots([new Slot { Id = 5, Locked = true }]);
        var r = new Request { Op = CommandTable.Resolve("GET"u8), Slot = 5 };
        Assert.False(router.Dispatch(r));
        router.FillSlots([new Slot { Id = 5 }]);
        Assert.True(r.IsDone);
        Assert.Equal("slot is not ready, may be offline", r.Error);
    }
}
