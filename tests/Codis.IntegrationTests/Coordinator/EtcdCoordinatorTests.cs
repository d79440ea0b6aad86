using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.Etcd;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Coordinator;

/// <summary>One etcd for the tests that neither enable auth nor restart it; each test uses its own paths.</summary>
public sealed class EtcdFixture : IDisposable
{
    /// <summary>Starts etcd.</summary>
    public EtcdFixture() => Etcd = EtcdProcess.Start();

    /// <summary>The server.</summary>
    public EtcdProcess Etcd { get; }

    /// <summary>Kills it and deletes its data.</summary>
    public void Dispose() => Etcd.Dispose();
}

/// <summary>
/// The etcd coordinator (coordinator.md §1, §7.2) against Debian's real etcd: the tree emulated over v3's
/// flat keys, the error texts, ephemeral nodes (lease, keep-alive, watch), auth, restarts, dead endpoints.
/// </summary>
public sealed class EtcdCoordinatorTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    // Generous: the bound that proves "no hang", never a timing assertion.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly string _root = "/t" + Guid.NewGuid().ToString("N")[..8];

    private EtcdCoordinator Client(TimeSpan? timeout = null, string auth = "") =>
        (EtcdCoordinator)Coordinators.Create("etcd", fixture.Etcd.Address, auth, timeout ?? TimeSpan.FromSeconds(10));

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Create_NewNode_ReadsBack()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/a/b", B("hello"));
        Assert.Equal("hello", Encoding.UTF8.GetString((await c.ReadAsync(_root + "/a/b", must: true))!));
        Assert.Equal("etcd", c.Name);
        Assert.Equal(fixture.Etcd.Address, c.Address);
        Assert.True(c.SupportsEphemeral);
    }

    [Fact]
    public async Task Create_ExistingNode_ThrowsNodeExists()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/x", B("1"));
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => c.CreateAsync(_root + "/x", B("2")));
        Assert.Equal($"etcd: node {_root}/x already exists", e.Message);
        Assert.Equal("1", Encoding.UTF8.GetString((await c.ReadAsync(_root + "/x", true))!));
    }

    [Fact]
    public async Task Update_MissingThenExisting_CreatesThenOverwrites()
    {
        await using EtcdCoordinator c = Client();
        await c.UpdateAsync(_root + "/u", B("1"));
        await c.UpdateAsync(_root + "/u", B("2"));
        Assert.Equal("2", Encoding.UTF8.GetString((await c.ReadAsync(_root + "/u", true))!));
    }

    [Fact]
    public async Task Delete_ExistingAndMissing_RemovesWithoutError()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/d", B("1"));
        await c.CreateAsync(_root + "/d/child", B("2"));
        await c.DeleteAsync(_root + "/d");
        await c.DeleteAsync(_root + "/never");
        // Non-recursive: the child stays, so the path now lists as a directory.
        Assert.Equal([_root + "/d/child"], await c.ListAsync(_root + "/d", true));
        await Assert.ThrowsAsync<CoordinatorException>(() => c.ReadAsync(_root + "/d", false));
    }

    [Fact]
    public async Task Read_Missing_NullOrNodeMissing()
    {
        await using EtcdCoordinator c = Client();
        Assert.Null(await c.ReadAsync(_root + "/none", must: false));
        var e = await Assert.ThrowsAsync<NodeMissingException>(() => c.ReadAsync(_root + "/none", must: true));
        Assert.Equal($"etcd: node {_root}/none does not exist", e.Message);
    }

    [Fact]
    public async Task Read_Directory_ThrowsNotAFile()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/dir/leaf", B("1"));
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => c.ReadAsync(_root + "/dir", must: false));
        Assert.Equal("etcd: not a file", e.Message);
    }

    [Fact]
    public async Task List_ChildrenAndDirectories_DistinctFullPaths()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/p/a", B("1"));
        await c.CreateAsync(_root + "/p/b/x", B("2"));
        await c.CreateAsync(_root + "/p/b/y/z", B("3"));
        await c.CreateAsync(_root + "/p/c", B("4"));
        await c.CreateAsync(_root + "/p/c/deeper", B("5"));
        await c.CreateAsync(_root + "/pq", B("not a child"));
        IReadOnlyList<string> list = await c.ListAsync(_root + "/p", must: true);
        Assert.Equal([_root + "/p/a", _root + "/p/b", _root + "/p/c"], list.Order(StringComparer.Ordinal));
        Assert.Equal(list, await c.ListAsync(_root + "/p/", must: true));
    }

    [Fact]
    public async Task List_Missing_EmptyOrNodeMissing()
    {
        await using EtcdCoordinator c = Client();
        Assert.Empty(await c.ListAsync(_root + "/none", must: false));
        var e = await Assert.ThrowsAsync<NodeMissingException>(() => c.ListAsync(_root + "/none", must: true));
        Assert.Equal($"etcd: node {_root}/none does not exist", e.Message);
    }

    [Fact]
    public async Task List_File_ThrowsNotADir()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/f", B("1"));
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => c.ListAsync(_root + "/f", must: false));
        Assert.Equal("etcd: not a dir", e.Message);
    }

    [Fact]
    public async Task List_Codis3_ListsProducts()
    {
        await using EtcdCoordinator c = Client();
        string p1 = "prod-" + _root[2..] + "-1", p2 = "prod-" + _root[2..] + "-2";
        await c.CreateAsync($"/codis3/{p1}/topom", B("{}"));
        await c.CreateAsync($"/codis3/{p2}/slots/slot-0000", B("{}"));
        await c.CreateAsync($"/codis3/{p2}/slots/slot-0001", B("{}"));
        IReadOnlyList<string> products = await c.ListAsync("/codis3", must: true);
        Assert.Contains($"/codis3/{p1}", products);
        Assert.Contains($"/codis3/{p2}", products);
        Assert.Equal(products.Count, products.Distinct().Count());
        Assert.All(products, p => Assert.Equal(2, p.Count(ch => ch == '/')));
    }

    [Fact]
    public async Task Close_Twice_LaterCallsFailClosed()
    {
        EtcdCoordinator c = Client();
        await c.CloseAsync();
        await c.CloseAsync();
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => c.ReadAsync(_root + "/x", false));
        Assert.Equal("use of closed etcd client", e.Message);
        e = await Assert.ThrowsAsync<CoordinatorException>(() => c.CreateEphemeralAsync(_root + "/x", B("1")));
        Assert.Equal("use of closed etcd client", e.Message);
    }

    [Fact]
    public async Task CreateEphemeral_ThenClose_NodeGoneAndSignalFires()
    {
        await using EtcdCoordinator other = Client();
        EtcdCoordinator c = Client();
        Task lost = await c.CreateEphemeralAsync(_root + "/eph", B("e"));
        Assert.Equal("e", Encoding.UTF8.GetString((await other.ReadAsync(_root + "/eph", true))!));
        Assert.False(lost.IsCompleted);
        await c.CloseAsync();
        Assert.Null(await other.ReadAsync(_root + "/eph", false));
        await lost.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task CreateEphemeral_Existing_ThrowsNodeExists()
    {
        await using EtcdCoordinator c = Client();
        await c.CreateAsync(_root + "/e", B("persistent"));
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => c.CreateEphemeralAsync(_root + "/e", B("x")));
        Assert.Equal($"etcd: node {_root}/e already exists", e.Message);
        Assert.Equal("persistent", Encoding.UTF8.GetString((await c.ReadAsync(_root + "/e", true))!));
    }

    [Fact]
    public async Task CreateEphemeral_DeletedByAnotherClient_SignalFires()
    {
        await using EtcdCoordinator c = Client();
        await using EtcdCoordinator other = Client();
        Task lost = await c.CreateEphemeralAsync(_root + "/eph", B("e"));
        await other.DeleteAsync(_root + "/eph");
        await lost.WaitAsync(HangGuard);
        // The node can be registered again at once.
        Task again = await c.CreateEphemeralAsync(_root + "/eph", B("e2"));
        Assert.Equal("e2", Encoding.UTF8.GetString((await other.ReadAsync(_root + "/eph", true))!));
        Assert.False(again.IsCompleted);
    }

    [Fact]
    public async Task CreateEphemeral_ChangedByAnotherClient_SignalFires()
    {
        await using EtcdCoordinator c = Client();
        await using EtcdCoordinator other = Client();
        Task lost = await c.CreateEphemeralAsync(_root + "/eph", B("e"));
        await other.UpdateAsync(_root + "/eph", B("changed"));
        await lost.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task CreateEphemeral_LeaseTtl_IsTheTimeoutRoundedUp()
    {
        await using EtcdCoordinator c = Client(TimeSpan.FromMilliseconds(1500));
        await c.CreateEphemeralAsync(_root + "/ttl", B("e"));
        ProcessResult get = fixture.Etcd.Etcdctl(null, "get", _root + "/ttl", "-w", "fields");
        Assert.Equal(0, get.ExitCode);
        string leaseLine = get.StdOut.Split('\n').Single(l => l.StartsWith("\"Lease\"", StringComparison.Ordinal));
        long lease = long.Parse(leaseLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ProcessResult ttl = fixture.Etcd.Etcdctl(null, "lease", "timetolive", lease.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, ttl.ExitCode);
        Assert.Contains("granted with TTL(2s)", ttl.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateEphemeral_KeptAlive_OutlivesItsTtl()
    {
        // TTL 3 s, keep-alive every 1.5 s: the margin absorbs a loaded machine.
        await using EtcdCoordinator c = Client(TimeSpan.FromSeconds(3));
        await using EtcdCoordinator other = Client();
        Task lost = await c.CreateEphemeralAsync(_root + "/alive", B("e"));
        // More than two TTLs: without keep-alives the lease would have expired.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.NotNull(await other.ReadAsync(_root + "/alive", true));
        Assert.False(lost.IsCompleted);
    }

    [Fact]
    public async Task DeadEndpoint_Call_FailsClearlyWithinTimeout()
    {
        int port = FreePort.Get();
        await using ICoordinator c = Coordinators.Create("etcd", "127.0.0.1:" + port, "", TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => c.ReadAsync("/codis3/x/topom", false).WaitAsync(HangGuard));
        Assert.StartsWith("etcd: read /codis3/x/topom failed: ", e.Message, StringComparison.Ordinal);
        // gRPC either waits out its reconnect backoff until the deadline or reports the refused
        // connection first: both name the endpoint.
        Assert.True(e.Message == $"etcd: read /codis3/x/topom failed: no reply from 127.0.0.1:{port} within 2s"
            || e.Message.StartsWith($"etcd: read /codis3/x/topom failed: cannot reach 127.0.0.1:{port}: ", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void Create_BadAuth_ThrowsInvalidAuth()
    {
        var e = Assert.Throws<CoordinatorException>(() => Coordinators.Create("etcd", fixture.Etcd.Address, "rootonly", TimeSpan.FromSeconds(1)));
        Assert.Equal("invalid auth", e.Message);
    }
}
