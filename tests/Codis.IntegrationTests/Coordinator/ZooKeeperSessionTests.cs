using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.ZooKeeper;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Coordinator;

/// <summary>
/// The ZooKeeper session across failures, each test with its own server: a server restart (the session and its
/// ephemeral node survive, the watch is re-set), a dead server (calls fail within the timeout), and an expired
/// session (watches fire, a fresh session follows).
/// </summary>
public sealed class ZooKeeperSessionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ServerRestart_ClientReconnects_SessionEphemeralAndWatchSurvive()
    {
        using ZooKeeperProcess server = ZooKeeperProcess.Start();
        // The longest session the server grants (20 ticks of 2 s): a restart on a loaded machine took over 20 s,
        // and the session must outlive the outage for this test to be about surviving it.
        await using var owner = (ZooKeeperCoordinator)Coordinators.Create("zk", server.Address, "codis:pw", TimeSpan.FromSeconds(40));
        const string path = "/jodis/demo/proxy-1";
        Task lost = await owner.CreateEphemeralAsync(path, B("online"));
        long session = owner.Client.SessionId;
        var states = new List<ZooKeeperSessionState>();
        owner.Client.StateChanged += s =>
        {
            lock (states)
                states.Add(s);
        };

        server.Kill();
        await Until(() => Task.FromResult(!owner.Client.IsConnected), "the client to notice the server is gone");
        server.Restart();
        await Until(() => Task.FromResult(owner.Client.IsConnected), "the client to reconnect");

        Assert.Equal(session, owner.Client.SessionId);
        Assert.Equal("online", Encoding.UTF8.GetString((await owner.ReadAsync(path, true))!));
        await owner.UpdateAsync("/codis3/demo/topom", B("after restart"));
        await using ZooKeeperCoordinator other = (ZooKeeperCoordinator)Coordinators.Create("zk", server.Address, "codis:pw", TimeSpan.FromSeconds(20));
        Assert.Equal(session, (await other.Client.ExistsAsync(path)).Stat!.EphemeralOwner);
        Assert.False(lost.IsCompleted, "the ephemeral watch fired though the node did not change");
        lock (states)
            Assert.Contains(ZooKeeperSessionState.Disconnected, states);

        // The watch was re-set on the new connection (setWatches): deleting the node fires it.
        await other.DeleteAsync(path);
        Assert.Equal(ZooKeeperEventType.NodeDeleted, (await ((Task<ZooKeeperWatchEvent>)lost).WaitAsync(Patience)).Type);
    }

    [Fact]
    public async Task ServerGone_CallsFailWithinTheTimeout_NamingTheServer()
    {
        using ZooKeeperProcess server = ZooKeeperProcess.Start();
        await using var c = (ZooKeeperCoordinator)Coordinators.Create("zk", server.Address, "", TimeSpan.FromSeconds(3));
        await c.UpdateAsync("/codis3/demo/topom", B("x"));
        server.Kill();
        await Until(() => Task.FromResult(!c.Client.IsConnected), "the client to notice the server is gone");
        Task<byte[]?> read = c.ReadAsync("/codis3/demo/topom", true);
        // Bounded by the 3 s call timeout; the generous wait only guards against a hang.
        await Task.WhenAny(read, Task.Delay(Patience));
        Assert.True(read.IsCompleted, "the call hung");
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => read);
        Assert.StartsWith($"zk: not connected to any of {server.Address} within 3s (last error: {server.Address}: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(get /codis3/demo/topom)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleForSeveralSessionTimeouts_PingsKeepTheSession()
    {
        using ZooKeeperProcess server = ZooKeeperProcess.Start();
        await using var c = (ZooKeeperCoordinator)Coordinators.Create("zk", server.Address, "", TimeSpan.FromSeconds(4));
        const string path = "/jodis/demo/proxy-1";
        Task lost = await c.CreateEphemeralAsync(path, B("x"));
        long session = c.Client.SessionId;
        var states = new List<ZooKeeperSessionState>();
        c.Client.StateChanged += s =>
        {
            lock (states)
                states.Add(s);
        };
        // No call for three session timeouts: only the pings keep the session (and the node) alive.
        await Task.Delay(c.Client.NegotiatedTimeout * 3);
        Assert.False(lost.IsCompleted);
        Assert.Equal(session, c.Client.SessionId);
        lock (states)
            Assert.Empty(states);
        Assert.Equal("x", Encoding.UTF8.GetString((await c.ReadAsync(path, true))!));
    }

    [Fact]
    public async Task Close_WhileACallWaitsForTheServer_EndsTheCallAtOnce()
    {
        using ZooKeeperProcess server = ZooKeeperProcess.Start();
        var c = (ZooKeeperCoordinator)Coordinators.Create("zk", server.Address, "", TimeSpan.FromMinutes(1));
        server.Kill();
        await Until(() => Task.FromResult(!c.Client.IsConnected), "the client to notice the server is gone");
        Task<byte[]?> read = c.ReadAsync("/codis3/demo/topom", false);
        await c.CloseAsync();
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => read.WaitAsync(Patience));
        Assert.Equal("zk: client is closed (get /codis3/demo/topom)", e.Message);
    }

    [Fact]
    public async Task SessionExpired_WatchesFire_FreshSessionFollows()
    {
        using ZooKeeperProcess server = ZooKeeperProcess.Start();
        using var relay = new TcpRelay(server.Port);
        // The shortest session the server grants (2 ticks = 4 s): the client goes silent behind the relay
        // for longer than that, so the server expires the session and deletes its ephemeral node.
        await using var owner = (ZooKeeperCoordinator)Coordinators.Create("zk", $"127.0.0.1:{relay.Port}", "", TimeSpan.FromSeconds(4));
        await using var observer = (ZooKeeperCoordinator)Coordinators.Create("zk", server.Address, "", TimeSpan.FromSeconds(20));
        const string path = "/jodis/demo/proxy-1";
        Task lost = await owner.CreateEphemeralAsync(path, B("online"));
        long session = owner.Client.SessionId;

        relay.Freeze();
        await Until(async () => await observer.ReadAsync(path, false) is null, "the server to expire the session");
        Assert.False(lost.IsCompleted, "the client cannot know before it talks to the server again");
        relay.Thaw();

        ZooKeeperWatchEvent ev = await ((Task<ZooKeeperWatchEvent>)lost).WaitAsync(Patience);
        Assert.Equal(new ZooKeeperWatchEvent(ZooKeeperEventType.None, ZooKeeperSessionState.Expired, path), ev);
        await Until(() => Task.FromResult(owner.Client.IsConnected), "a fresh session");
        Assert.NotEqual(session, owner.Client.SessionId);
        // The owner re-creates its node, as jodis does when the signal fires.
        Task again = await owner.CreateEphemeralAsync(path, B("online"));
        Assert.Equal(owner.Client.SessionId, (await observer.Client.ExistsAsync(path)).Stat!.EphemeralOwner);
        Assert.False(again.IsCompleted);
    }
}
