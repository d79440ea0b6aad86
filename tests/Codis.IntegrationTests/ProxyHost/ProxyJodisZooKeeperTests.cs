using System.Text;
using System.Text.Json;
using Codis.Cluster.Coordinator;
using Codis.IntegrationTests.Coordinator;
using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>
/// Jodis (coordinator.md §6) on the real codis-proxy process registering in a real ZooKeeper, the node read back
/// with Debian's ZooKeeper CLI (a client other than ours): the record and its path in both layouts, removal on
/// shutdown, expiry with the session when the proxy is killed, re-registration after the session is lost, the
/// digest ACL of <c>jodis_auth</c>. Helpers shared with the etcd tests live in <see cref="ProxyJodisTests"/>.
/// </summary>
public sealed class ProxyJodisZooKeeperTests(ZooKeeperFixture fixture) : IClassFixture<ZooKeeperFixture>
{
    private const string Auth = "jodis:secret";

    private readonly string _product = "jodis-" + Guid.NewGuid().ToString("N")[..8];

    // tickTime 2000 makes 4 s the shortest session the server grants.
    private ProxyProcess StartProxy(string extra = "", string timeout = "4s", string? address = null) =>
        ProxyProcess.Start($"product_name = \"{_product}\"\njodis_name = \"zookeeper\"\njodis_addr = \"{address ?? fixture.Server.Address}\"\njodis_timeout = \"{timeout}\"\n" + extra);

    private JsonElement StartAndModel(ProxyProcess p)
    {
        JsonElement model = ProxyJodisTests.Model(p);
        Assert.Equal("\"OK\"", p.Put("/api/proxy/start/" + ProxyJodisTests.XAuth(_product, model)).Body);
        return model;
    }

    private Task<byte[]?> WaitFor(ICoordinator c, string path, bool present) =>
        ProxyJodisTests.WaitFor(() => c.ReadAsync(path, false), path, present);

    [Fact]
    public async Task Start_CliReadsRecord_ShutdownRemovesIt()
    {
        using ProxyProcess p = StartProxy();
        await using ICoordinator c = fixture.Coordinator();
        JsonElement model = ProxyJodisTests.Model(p);
        string path = $"/jodis/{_product}/proxy-{model.GetProperty("token").GetString()}";
        Assert.Equal(path, model.GetProperty("jodis_path").GetString());
        // Not started yet: nothing registered.
        Assert.Null(ZooKeeperCli.Get(fixture.Server.Address, path));

        StartAndModel(p);
        await WaitFor(c, path, present: true);
        Assert.Equal(ProxyJodisTests.ExpectedRecord(model), ZooKeeperCli.Get(fixture.Server.Address, path));
        ProcessResult ls = ZooKeeperCli.Run(fixture.Server.Address, "ls /jodis/" + _product);
        Assert.Equal($"[proxy-{model.GetProperty("token").GetString()}]", ls.StdOut);
        // Ephemeral: its owner is a session, which stat reports as non-zero.
        ProcessResult stat = ZooKeeperCli.Run(fixture.Server.Address, "stat " + path);
        Assert.Matches(@"ephemeralOwner = 0x[0-9a-f]*[1-9a-f]", stat.StdOut);

        p.Put("/api/proxy/shutdown/" + ProxyJodisTests.XAuth(_product, model));
        Assert.True(p.WaitForExit(ProxyJodisTests.Patience), "the proxy did not exit");
        // Deleted on close, not left to expire with the session.
        ProcessResult gone = ZooKeeperCli.Run(fixture.Server.Address, "get " + path);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("Node does not exist: " + path, gone.StdErr);
    }

    [Fact]
    public async Task Compatible_CliReadsCodis2Path()
    {
        using ProxyProcess p = StartProxy("jodis_compatible = true");
        await using ICoordinator c = fixture.Coordinator();
        JsonElement model = StartAndModel(p);
        string path = $"/zk/codis/db_{_product}/proxy/{model.GetProperty("token").GetString()}";
        Assert.Equal(path, model.GetProperty("jodis_path").GetString());
        await WaitFor(c, path, present: true);
        Assert.Equal(ProxyJodisTests.ExpectedRecord(model), ZooKeeperCli.Get(fixture.Server.Address, path));
        Assert.Null(await c.ReadAsync("/jodis/" + _product, false));
    }

    [Fact]
    public async Task ProxyKilled_NodeExpiresWithSession()
    {
        ProxyProcess p = StartProxy();
        await using ICoordinator c = fixture.Coordinator();
        string path;
        try
        {
            path = StartAndModel(p).GetProperty("jodis_path").GetString()!;
            await WaitFor(c, path, present: true);
        }
        finally
        {
            // SIGKILL by PID: no delete, no close, no more pings.
            p.Dispose();
        }
        await WaitFor(c, path, present: false);
        Assert.Null(ZooKeeperCli.Get(fixture.Server.Address, path));
    }

    [Fact]
    public async Task DeletedBySomeoneElse_ComesBack()
    {
        using ProxyProcess p = StartProxy();
        await using ICoordinator c = fixture.Coordinator();
        JsonElement model = StartAndModel(p);
        string path = model.GetProperty("jodis_path").GetString()!;
        await WaitFor(c, path, present: true);
        ProcessResult delete = ZooKeeperCli.Run(fixture.Server.Address, "delete " + path);
        Assert.Equal(0, delete.ExitCode);
        await WaitFor(c, path, present: true);
        Assert.Equal(ProxyJodisTests.ExpectedRecord(model), ZooKeeperCli.Get(fixture.Server.Address, path));
    }

    [Fact]
    public async Task SessionExpired_RegistersAgainInNewSession()
    {
        // The proxy reaches ZooKeeper through a relay that can go silent: the server then expires its session.
        using var relay = new TcpRelay(fixture.Server.Port);
        using ProxyProcess p = StartProxy(address: "127.0.0.1:" + relay.Port);
        await using ICoordinator c = fixture.Coordinator();
        JsonElement model = StartAndModel(p);
        string path = model.GetProperty("jodis_path").GetString()!;
        await WaitFor(c, path, present: true);

        relay.Freeze();
        await WaitFor(c, path, present: false);
        relay.Thaw();
        byte[] again = (await WaitFor(c, path, present: true))!;
        Assert.Equal(ProxyJodisTests.ExpectedRecord(model), Encoding.UTF8.GetString(again));
    }

    [Fact]
    public async Task ServerDownLongerThanSession_RegistersAgainAfterRestart()
    {
        // A server of its own: this one is stopped for longer than the proxy's session.
        using ZooKeeperProcess zk = ZooKeeperProcess.Start();
        using ProxyProcess p = StartProxy(address: zk.Address);
        JsonElement model = StartAndModel(p);
        string path = model.GetProperty("jodis_path").GetString()!;
        await using (ICoordinator c = Coordinators.Create("zookeeper", zk.Address, "", TimeSpan.FromSeconds(20)))
            await WaitFor(c, path, present: true);

        zk.Stop();
        await Task.Delay(TimeSpan.FromSeconds(8)); // twice jodis_timeout: the proxy's client gives the session up
        zk.Restart();
        // The restarted server restores the old session from its snapshot and expires it a session timeout plus
        // a tick later (at most 6 s), taking the old ephemeral node with it; the proxy then creates the node
        // again in its new session. Looking before that could see the old node just before it goes, so wait
        // past it; the node must then end up present with the record.
        await Task.Delay(TimeSpan.FromSeconds(10));
        await using ICoordinator after = Coordinators.Create("zookeeper", zk.Address, "", TimeSpan.FromSeconds(20));
        await WaitFor(after, path, present: true);
        Assert.Equal(ProxyJodisTests.ExpectedRecord(model), ZooKeeperCli.Get(zk.Address, path));
    }

    [Fact]
    public async Task JodisAuth_CliNeedsDigestToRead()
    {
        using ProxyProcess p = StartProxy($"jodis_auth = \"{Auth}\"");
        await using ICoordinator c = fixture.Coordinator(Auth);
        JsonElement model = StartAndModel(p);
        string path = model.GetProperty("jodis_path").GetString()!;
        await WaitFor(c, path, present: true);

        ProcessResult anonymous = ZooKeeperCli.Run(fixture.Server.Address, "get " + path);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("Insufficient permission", anonymous.StdErr);
        Assert.Null(ZooKeeperCli.Get(fixture.Server.Address, path, "jodis:wrong"));
        Assert.Equal(ProxyJodisTests.ExpectedRecord(model), ZooKeeperCli.Get(fixture.Server.Address, path, Auth));
    }
}
