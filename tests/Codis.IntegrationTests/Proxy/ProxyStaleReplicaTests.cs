using System.Globalization;
using System.Text;
using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>
/// A replica whose link to its master is down answers MASTERDOWN (replica-serve-stale-data no): the proxy
/// passes that one reply on, marks the connection stale and reads from the master, then reads from the
/// replica again once its INFO shows the link up (proxy.md §10.2).
/// </summary>
public sealed class ProxyStaleReplicaTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    [Fact]
    public void ReplicaAnswersMasterDown_ReadsGoToMaster_UntilTheReplicaServesAgain()
    {
        servers.FlushAll();
        // A replica of a dead master that refuses stale reads.
        using ServerProcess replica = ServerProcess.StartCodis("--replica-serve-stale-data", "no", "--replicaof", "127.0.0.1", "1");
        string replicaAddr = "127.0.0.1:" + replica.Port.ToString(CultureInfo.InvariantCulture);
        using var r = replica.Connect();
        Assert.StartsWith("-MASTERDOWN ", Raw(r, "GET", "x"));

        using var proxy = new ProxyHarness(new RouterOptions { BackendPingPeriod = TimeSpan.FromSeconds(1) });
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        var key = ProxyHarness.KeyIn(0, 512, "stale");
        var slot = ProxyHarness.SlotOf(key);
        using var a = servers.A.Connect();
        a.Send("SET", key, "from-master");
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA, BackendAddrGroupId = 1, ReplicaGroups = [[replicaAddr]] });
        using var c = proxy.Connect();

        // Until the replica connection is up the master answers; the first read it serves is MASTERDOWN.
        string reply = "";
        Assert.True(ProxyHarness.WaitUntil(() => (reply = Raw(c, "GET", key)).StartsWith("-MASTERDOWN ", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), reply);
        // From then on the stale replica is passed over: every read is the master's.
        for (var i = 0; i < 20; i++)
            Assert.Equal("$11\r\nfrom-master\r\n", Raw(c, "GET", key));

        // The replica becomes a master of its own (link no longer down): the keep-alive's INFO sees it and
        // reads go to it again, without restarting the proxy.
        Assert.Equal("+OK\r\n", Raw(r, "REPLICAOF", "NO", "ONE"));
        Assert.Equal("+OK\r\n", Raw(r, "SET", key, "from-replica"));
        Assert.True(ProxyHarness.WaitUntil(() => (reply = Raw(c, "GET", key)) == "$12\r\nfrom-replica\r\n", TimeSpan.FromSeconds(15)), reply);
        // Writes still go to the master.
        Assert.Equal("+OK\r\n", Raw(c, "SET", key, "written"));
        Assert.Equal("$7\r\nwritten\r\n", Raw(a, "GET", key));
    }
}
