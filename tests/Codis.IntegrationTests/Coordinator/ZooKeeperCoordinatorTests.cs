using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.ZooKeeper;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Coordinator;

/// <summary>The zookeeper coordinator (coordinator.md §1, §7.1) against Debian's ZooKeeper 3.8.</summary>
public sealed class ZooKeeperCoordinatorTests(ZooKeeperFixture zk) : IClassFixture<ZooKeeperFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b);

    private static string Product() => "t" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Create_MakesParents_ReadsBack_AndSecondCreateFails()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        string path = $"/codis3/{Product()}/topom";
        await c.CreateAsync(path, B("{\"a\": 1}"));
        Assert.Equal("{\"a\": 1}", S(await c.ReadAsync(path, must: true)));
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => c.CreateAsync(path, B("x")));
        Assert.Equal($"zk: node already exists (create {path})", e.Message);
        Assert.Equal("{\"a\": 1}", S(await c.ReadAsync(path, must: true)));
        Assert.Equal("zookeeper", c.Name);
        Assert.Equal(zk.Server.Address, c.Address);
        Assert.True(c.SupportsEphemeral);
    }

    [Fact]
    public async Task Update_CreatesMissingThenOverwrites()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        string path = $"/codis3/{Product()}/slots/slot-0001";
        await c.UpdateAsync(path, B("one"));
        Assert.Equal("one", S(await c.ReadAsync(path, true)));
        await c.UpdateAsync(path, B("two"));
        Assert.Equal("two", S(await c.ReadAsync(path, true)));
        await c.UpdateAsync(path, []);
        Assert.Equal("", S(await c.ReadAsync(path, true)));
    }

    [Fact]
    public async Task Read_Missing_NullOrClearError()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        string path = $"/codis3/{Product()}/sentinel";
        Assert.Null(await c.ReadAsync(path, must: false));
        var e = await Assert.ThrowsAsync<NodeMissingException>(() => c.ReadAsync(path, must: true));
        Assert.Equal($"zk: node does not exist (get {path})", e.Message);
    }

    [Fact]
    public async Task List_FullChildPaths_MissingIsEmptyOrError()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        string dir = $"/codis3/{Product()}/group";
        Assert.Empty(await c.ListAsync(dir, must: false));
        var e = await Assert.ThrowsAsync<NodeMissingException>(() => c.ListAsync(dir, must: true));
        Assert.Equal($"zk: node does not exist (children {dir})", e.Message);
        await c.CreateAsync(dir + "/group-0002", B("2"));
        await c.CreateAsync(dir + "/group-0001", B("1"));
        IReadOnlyList<string> list = await c.ListAsync(dir, must: true);
        Assert.Equal([dir + "/group-0001", dir + "/group-0002"], list.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_Codis3_ListsProducts()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        string p1 = Product(), p2 = Product();
        await c.CreateAsync($"/codis3/{p1}/topom", B("{}"));
        await c.UpdateAsync($"/codis3/{p2}/slots/slot-0000", B("{}"));
        IReadOnlyList<string> products = await c.ListAsync("/codis3", must: true);
        Assert.Contains("/codis3/" + p1, products);
        Assert.Contains("/codis3/" + p2, products);
    }

    [Fact]
    public async Task Delete_RemovesNode_MissingIsFine_NonEmptyIsAnError()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        string dir = $"/codis3/{Product()}";
        await c.CreateAsync(dir + "/topom", B("x"));
        await c.DeleteAsync(dir + "/topom");
        Assert.Null(await c.ReadAsync(dir + "/topom", false));
        await c.DeleteAsync(dir + "/topom");
        await c.DeleteAsync(dir + "/never/was");
        await c.CreateAsync(dir + "/proxy/proxy-1", B("x"));
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => c.DeleteAsync(dir + "/proxy"));
        Assert.Equal($"zk: node has children (delete {dir}/proxy)", e.Message);
    }

    [Fact]
    public async Task InvalidPath_ClearErrorWithoutAskingTheServer()
    {
        await using ZooKeeperCoordinator c = zk.Coordinator();
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => c.ReadAsync("codis3/x", false));
        Assert.Equal("zk: invalid path: it must start with '/' (get codis3/x)", e.Message);
    }

    [Fact]
    public async Task Close_Idempotent_ThenCallsFail()
    {
        ZooKeeperCoordinator c = zk.Coordinator();
        await c.CloseAsync();
        await c.CloseAsync();
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => c.ReadAsync("/codis3", false));
        Assert.Equal("use of closed zk client", e.Message);
        await Assert.ThrowsAsync<CoordinatorException>(() => c.CreateAsync("/codis3/x", []));
        await c.DisposeAsync();
    }

    [Fact]
    public async Task CreateEphemeral_VisibleToOthers_GoneAfterClose_TaskCompletes()
    {
        string path = $"/jodis/{Product()}/proxy-abc";
        await using ZooKeeperCoordinator other = zk.Coordinator();
        ZooKeeperCoordinator owner = zk.Coordinator();
        Task lost = await owner.CreateEphemeralAsync(path, B("{\"state\": \"online\"}"));
        Assert.Equal("{\"state\": \"online\"}", S(await other.ReadAsync(path, true)));
        ZooKeeperStat stat = (await other.Client.ExistsAsync(path)).Stat!;
        Assert.Equal(owner.Client.SessionId, stat.EphemeralOwner);
        Assert.False(lost.IsCompleted);
        await Assert.ThrowsAsync<NodeExistsException>(() => other.CreateEphemeralAsync(path, B("again")));

        await owner.CloseAsync();
        await lost.WaitAsync(Patience);
        // closeSession removes the session's ephemeral nodes before the server replies.
        Assert.Null(await other.ReadAsync(path, false));
    }

    [Fact]
    public async Task CreateEphemeral_TaskCompletes_WhenAnotherClientDeletesOrChangesIt()
    {
        string path = $"/jodis/{Product()}/proxy-abc";
        await using ZooKeeperCoordinator other = zk.Coordinator();
        await using ZooKeeperCoordinator owner = zk.Coordinator();
        Task lost = await owner.CreateEphemeralAsync(path, B("1"));
        await other.DeleteAsync(path);
        await lost.WaitAsync(Patience);
        Assert.Equal(ZooKeeperEventType.NodeDeleted, (await (Task<ZooKeeperWatchEvent>)lost).Type);

        lost = await owner.CreateEphemeralAsync(path, B("2"));
        await other.UpdateAsync(path, B("3"));
        await lost.WaitAsync(Patience);
        Assert.Equal(ZooKeeperEventType.NodeDataChanged, (await (Task<ZooKeeperWatchEvent>)lost).Type);
    }

    [Fact]
    public async Task CreateEphemeral_AgainOnItsOwnNode_TakesItOver_AnotherSessionsNodeStillFails()
    {
        string path = $"/jodis/{Product()}/proxy-abc";
        await using ZooKeeperCoordinator other = zk.Coordinator();
        await using ZooKeeperCoordinator owner = zk.Coordinator();
        Task lost = await owner.CreateEphemeralAsync(path, B("1"));
        await other.UpdateAsync(path, B("tampered"));
        await lost.WaitAsync(Patience);
        // jodis registers again after the signal: the node is still this session's, so it is rewritten and watched.
        Task again = await owner.CreateEphemeralAsync(path, B("2"));
        Assert.Equal("2", S(await other.ReadAsync(path, true)));
        Assert.False(again.IsCompleted);
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => other.CreateEphemeralAsync(path, B("3")));
        Assert.Equal($"zk: node already exists (create {path})", e.Message);
        Assert.Equal("2", S(await owner.ReadAsync(path, true)));
    }

    [Fact]
    public async Task Watches_DataExistsChildren_FireOnceWithTheEvent()
    {
        string dir = $"/w/{Product()}";
        await using ZooKeeperClient a = await zk.ClientAsync();
        await using ZooKeeperClient b = await zk.ClientAsync();
        IReadOnlyList<ZooKeeperAcl> open = [ZooKeeperAcl.World(ZooKeeperPerms.All)];
        try
        {
            await a.CreateAsync("/w", [], open, ZooKeeperCreateMode.Persistent);
        }
        catch (ZooKeeperException e) when (e.Error == ZooKeeperError.NodeExists)
        {
            // Another test made it first.
        }
        await a.CreateAsync(dir, [], open, ZooKeeperCreateMode.Persistent);

        ZooKeeperExists missing = await a.ExistsAsync(dir + "/n", watch: true);
        Assert.Null(missing.Stat);
        ZooKeeperChildren children = await a.GetChildrenAsync(dir, watch: true);
        Assert.Empty(children.Children);
        await b.CreateAsync(dir + "/n", B("v1"), open, ZooKeeperCreateMode.Persistent);
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.NodeCreated, ZooKeeperSessionState.SyncConnected, dir + "/n"), await missing.Watch!.WaitAsync(Patience));
        Assert.Equal(ZooKeeperEventType.NodeChildrenChanged, (await children.Watch!.WaitAsync(Patience)).Type);

        ZooKeeperData data = await a.GetDataAsync(dir + "/n", watch: true);
        Assert.Equal("v1", S(data.Data));
        Assert.Equal(0, data.Stat.Version);
        await b.SetDataAsync(dir + "/n", B("v2"));
        Assert.Equal(ZooKeeperEventType.NodeDataChanged, (await data.Watch!.WaitAsync(Patience)).Type);

        // One-shot: a second change fires nothing until the watch is set again.
        ZooKeeperData again = await a.GetDataAsync(dir + "/n", watch: true);
        Assert.Equal(1, again.Stat.Version);
        await b.DeleteAsync(dir + "/n");
        Assert.Equal(ZooKeeperEventType.NodeDeleted, (await again.Watch!.WaitAsync(Patience)).Type);
    }

    [Fact]
    public async Task SequentialCreate_ServerAppendsIncreasingCounter()
    {
        string dir = $"/seq/{Product()}";
        await using ZooKeeperCoordinator c = zk.Coordinator();
        await c.CreateAsync(dir + "/anchor", []);
        IReadOnlyList<ZooKeeperAcl> open = [ZooKeeperAcl.World(ZooKeeperPerms.All)];
        string first = await c.Client.CreateAsync(dir + "/n-", B("a"), open, ZooKeeperCreateMode.PersistentSequential);
        string second = await c.Client.CreateAsync(dir + "/n-", B("b"), open, ZooKeeperCreateMode.EphemeralSequential);
        Assert.Matches(@"/n-\d{10}$", first);
        Assert.Matches(@"/n-\d{10}$", second);
        Assert.True(string.CompareOrdinal(first, second) < 0, $"{first} < {second}");
        Assert.Equal("b", S(await c.ReadAsync(second, true)));
        Assert.NotEqual(0, (await c.Client.ExistsAsync(second)).Stat!.EphemeralOwner);
        Assert.Equal(0, (await c.Client.ExistsAsync(first)).Stat!.EphemeralOwner);
    }

    [Fact]
    public async Task DigestAuth_OthersCannotReadOrWrite_TheOwnerCan()
    {
        string path = $"/codis3/{Product()}/topom";
        await using ZooKeeperCoordinator owner = zk.Coordinator("codis:s3cret");
        await owner.CreateAsync(path, B("secret"));
        Assert.Equal("secret", S(await owner.ReadAsync(path, true)));
        await owner.UpdateAsync(path, B("secret2"));

        await using ZooKeeperCoordinator anonymous = zk.Coordinator();
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => anonymous.ReadAsync(path, true));
        Assert.Equal($"zk: not authenticated (get {path})", e.Message);
        e = await Assert.ThrowsAsync<ZooKeeperException>(() => anonymous.UpdateAsync(path, B("x")));
        Assert.Equal($"zk: not authenticated (set {path})", e.Message);
        // Parents carry the same ACL: no one else may add children either.
        e = await Assert.ThrowsAsync<ZooKeeperException>(() => anonymous.CreateAsync(path + "-2", B("x")));
        Assert.Equal(ZooKeeperError.NoAuth, e.Error);

        await using ZooKeeperCoordinator wrong = zk.Coordinator("codis:guess");
        e = await Assert.ThrowsAsync<ZooKeeperException>(() => wrong.ReadAsync(path, true));
        Assert.Equal(ZooKeeperError.NoAuth, e.Error);

        await using ZooKeeperCoordinator same = zk.Coordinator("codis:s3cret");
        Assert.Equal("secret2", S(await same.ReadAsync(path, true)));
    }

    [Fact]
    public async Task Pipelining_ManyConcurrentCalls_EachGetsItsOwnReply()
    {
        string dir = $"/codis3/{Product()}/slots";
        await using ZooKeeperCoordinator c = zk.Coordinator();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => c.UpdateAsync($"{dir}/slot-{i:D4}", B("v" + i))));
        byte[]?[] values = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => c.ReadAsync($"{dir}/slot-{i:D4}", true)));
        for (int i = 0; i < 200; i++)
            Assert.Equal("v" + i, S(values[i]));
        Assert.Equal(200, (await c.ListAsync(dir, true)).Count);
    }

    [Fact]
    public async Task ServerList_FirstEntryDead_UsesTheNext()
    {
        int dead = FreePort.Get();
        await using ICoordinator c = Coordinators.Create("zk", $"127.0.0.1:{dead},{zk.Server.Address}", "", TimeSpan.FromSeconds(10));
        string path = $"/codis3/{Product()}/topom";
        await c.CreateAsync(path, B("x"));
        Assert.Equal("x", S(await c.ReadAsync(path, true)));
    }

    [Fact]
    public void DeadServer_ClearErrorAtOnce()
    {
        int dead = FreePort.Get();
        var e = Assert.ThrowsAny<CoordinatorException>(() => Coordinators.Create("zookeeper", $"127.0.0.1:{dead}", "", TimeSpan.FromSeconds(5)));
        Assert.StartsWith($"zk: cannot connect to any of 127.0.0.1:{dead}: 127.0.0.1:{dead}: ", e.Message, StringComparison.Ordinal);
    }
}
