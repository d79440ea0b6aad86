using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.FileSystem;
using Codis.Cluster.Logging;
using Codis.Cluster.Rpc;
using Codis.Core.Topology;
using Codis.Dashboard.Config;
using Codis.Dashboard.Topology;

namespace Codis.Dashboard.Tests;

/// <summary>The cache of coordinator.md §8 over a real filesystem coordinator: load, dirty hooks, reload, store errors.</summary>
public sealed class TopomCacheTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "codis-dashboard-test-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CodisLog _log = new();
    private ICoordinator _coordinator = null!;
    private Topom _topom = null!;

    public Task InitializeAsync()
    {
        _coordinator = new FileSystemCoordinator(_root);
        _log.Level = CodisLogLevel.None;
        _topom = new Topom(DashboardConfig.Default with { CoordinatorAddr = _root }, _coordinator, _log);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _topom.DisposeAsync();
        await _coordinator.DisposeAsync();
        _log.Dispose();
        if (Directory.Exists(_root))
            Directory.Delete(_root, true);
    }

    private Task Write(string path, string json) => _coordinator.UpdateAsync(path, Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task Refill_EmptyCoordinator_OfflineSlotsAndEmptySentinel()
    {
        TopomContext ctx = await _topom.RefillCacheAsync();
        Assert.Equal(1024, ctx.Slots.Length);
        Assert.Equal(new SlotMapping { Id = 1023 }, ctx.Slots[1023]);
        Assert.Empty(ctx.Groups);
        Assert.Empty(ctx.Proxies);
        Assert.Empty(ctx.Sentinel.Servers);
    }

    [Fact]
    public async Task Refill_CachedUntilDirty_ThenReloadsTheEntry()
    {
        await Write("/codis3/codis-demo/group/group-0001", "{\"id\": 1, \"servers\": []}");
        await Write("/codis3/codis-demo/slots/slot-0005", "{\"id\": 5, \"group_id\": 1}");
        TopomContext ctx = await _topom.RefillCacheAsync();
        Assert.Equal(1, ctx.Slots[5].GroupId);
        Assert.False(ctx.Groups[1].OutOfSync);

        await Write("/codis3/codis-demo/group/group-0001", "{\"id\": 1, \"servers\": [], \"out_of_sync\": true}");
        await Write("/codis3/codis-demo/slots/slot-0005", "{\"id\": 5, \"group_id\": 2}");
        ctx = await _topom.RefillCacheAsync();
        Assert.False(ctx.Groups[1].OutOfSync);
        Assert.Equal(1, ctx.Slots[5].GroupId);

        _topom.DirtyGroup(1);
        ctx = await _topom.RefillCacheAsync();
        Assert.True(ctx.Groups[1].OutOfSync);
        Assert.Equal(1, ctx.Slots[5].GroupId);

        _topom.DirtySlot(5);
        Assert.Equal(2, (await _topom.RefillCacheAsync()).Slots[5].GroupId);
    }

    [Fact]
    public async Task Refill_DirtyEntryWhoseNodeVanished_IsRemoved_NewOneAppears()
    {
        await Write("/codis3/codis-demo/group/group-0001", "{\"id\": 1}");
        await Write("/codis3/codis-demo/proxy/proxy-t1", "{\"id\": 1, \"token\": \"t1\"}");
        TopomContext ctx = await _topom.RefillCacheAsync();
        Assert.Single(ctx.Groups);
        Assert.Single(ctx.Proxies);

        await _coordinator.DeleteAsync("/codis3/codis-demo/group/group-0001");
        await _coordinator.DeleteAsync("/codis3/codis-demo/proxy/proxy-t1");
        await Write("/codis3/codis-demo/group/group-0002", "{\"id\": 2}");
        _topom.DirtyGroup(1);
        _topom.DirtyGroup(2);
        _topom.DirtyProxy("t1");
        ctx = await _topom.RefillCacheAsync();
        Assert.Equal([2], ctx.Groups.Keys);
        Assert.Empty(ctx.Proxies);
    }

    [Fact]
    public async Task DirtyAll_ReloadsEverything()
    {
        TopomContext ctx = await _topom.RefillCacheAsync();
        Assert.Empty(ctx.Sentinel.Servers);
        await Write("/codis3/codis-demo/sentinel", "{\"servers\": [\"192.0.2.20:7020\"], \"out_of_sync\": true}");
        await Write("/codis3/codis-demo/proxy/proxy-t2", "{\"id\": 3, \"token\": \"t2\"}");
        Assert.Empty((await _topom.RefillCacheAsync()).Sentinel.Servers);
        _topom.DirtyAll();
        ctx = await _topom.RefillCacheAsync();
        Assert.Equal(["192.0.2.20:7020"], ctx.Sentinel.Servers);
        Assert.Equal(3, ctx.Proxies["t2"].Id);
    }

    [Fact]
    public async Task CorruptNode_LoadFails_WithCodisText()
    {
        await Write("/codis3/codis-demo/group/group-0001", "{not json");
        ApiException e = await Assert.ThrowsAsync<ApiException>(() => _topom.RefillCacheAsync());
        Assert.Equal("store: load group failed", e.Message);
    }

    [Fact]
    public async Task Operation_BeforeTheLock_NotOnline()
    {
        ApiException e = await Assert.ThrowsAsync<ApiException>(() => _topom.CreateGroupAsync(1));
        Assert.Equal("topom is not online", e.Message);
        await _topom.CloseAsync();
        e = await Assert.ThrowsAsync<ApiException>(() => _topom.CreateGroupAsync(1));
        Assert.Equal("use of closed topom", e.Message);
    }
}
