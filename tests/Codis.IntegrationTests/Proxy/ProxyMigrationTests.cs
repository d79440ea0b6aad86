using System.Text;
using Codis.Core.Topology;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>
/// Forwarding while a slot migrates (migration.md §7): the migration step goes to the source first, then
/// the request goes to the target (a real codis-server) or is answered by the source. The source is a
/// scripted server until our codis-server has the migration commands.
/// </summary>
public sealed class ProxyMigrationTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    private (ProxyHarness Proxy, int Slot) Start(ScriptedBackend source, string key, int method)
    {
        servers.FlushAll();
        var proxy = new ProxyHarness();
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        var slot = ProxyHarness.SlotOf(key);
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA, MigrateFrom = source.Addr, ForwardMethod = method });
        return (proxy, slot);
    }

    [Fact]
    public void Sync_IntegerReply_SlotsMgrtTagOneThenTarget()
    {
        using var source = new ScriptedBackend(_ => ":1\r\n");
        var key = ProxyHarness.KeyIn(0, 512, "sy");
        var (proxy, _) = Start(source, key, 0);
        using (proxy)
        {
            using var c = proxy.Connect();
            Assert.Equal("+OK\r\n", Raw(c, "SET", key, "v"));
            var step = Assert.Single(source.Requests);
            var port = servers.A.Port.ToString();
            Assert.Equal(["SLOTSMGRTTAGONE", "127.0.0.1", port, "3000", key], step);
            using var a = servers.A.Connect();
            Assert.Equal("$1\r\nv\r\n", Raw(a, "GET", key));
        }
    }

    [Theory]
    [InlineData("-ERR boom\r\n", "-ERR handle request, bad slotsmgrt resp: ERR boom\r\n")]
    [InlineData("$1\r\nx\r\n", "-ERR handle request, bad slotsmgrt resp: should be integer, but got <bulkbytes>\r\n")]
    public void Sync_BadReply_HandleRequestError(string reply, string expected)
    {
        using var source = new ScriptedBackend(_ => reply);
        var key = ProxyHarness.KeyIn(0, 512, "sb");
        var (proxy, _) = Start(source, key, 0);
        using (proxy)
        {
            using var c = proxy.Connect();
            Assert.Equal(expected, Raw(c, "GET", key));
            Assert.Equal("+PONG\r\n", Raw(c, "PING"));
        }
    }

    [Fact]
    public void SemiAsync_Code0_ForwardedToTarget()
    {
        using var source = new ScriptedBackend(_ => "*2\r\n:0\r\n$-1\r\n");
        var key = ProxyHarness.KeyIn(0, 512, "s0");
        var (proxy, _) = Start(source, key, 1);
        using (proxy)
        {
            using var c = proxy.Connect();
            Assert.Equal("+OK\r\n", Raw(c, "SET", key, "target"));
            Assert.Equal(["SLOTSMGRT-EXEC-WRAPPER", key, "SET", key, "target"], Assert.Single(source.Requests));
            using var a = servers.A.Connect();
            Assert.Equal("$6\r\ntarget\r\n", Raw(a, "GET", key));
        }
    }

    [Fact]
    public void SemiAsync_Code2_SourceReplyReturned()
    {
        using var source = new ScriptedBackend(_ => "*2\r\n:2\r\n$6\r\nsource\r\n");
        var key = ProxyHarness.KeyIn(0, 512, "s2");
        var (proxy, _) = Start(source, key, 1);
        using (proxy)
        {
            using var c = proxy.Connect();
            Assert.Equal("$6\r\nsource\r\n", Raw(c, "GET", key));
        }
    }

    [Fact]
    public void SemiAsync_Code1_RetriedUntilBatchDoneAndOrderKept()
    {
        var calls = 0;
        using var source = new ScriptedBackend(args =>
            args[2].Equals("GET", StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref calls) <= 8
                ? "*2\r\n:1\r\n$-1\r\n"
                : "*2\r\n:2\r\n$4\r\ndone\r\n");
        var key = ProxyHarness.KeyIn(0, 512, "s1");
        var other = ProxyHarness.KeyIn(512, 1024, "s1");
        var (proxy, _) = Start(source, key, 1);
        using (proxy)
        {
            using var c = proxy.Connect();
            // GET waits for the batch; the SET of the same slot waits behind it, the SET of another slot does not.
            c.SendRaw([.. RespConnection.Encode("GET", key), .. RespConnection.Encode("SET", key, "x"), .. RespConnection.Encode("SET", other, "y")]);
            Assert.Equal("$4\r\ndone\r\n", Encoding.UTF8.GetString(c.ReadReply()));
            Assert.Equal("$4\r\ndone\r\n", Encoding.UTF8.GetString(c.ReadReply()));
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(c.ReadReply()));
            var wrapped = source.Requests.Select(r => r[2].ToUpperInvariant()).ToArray();
            Assert.Equal(9, wrapped.Count(n => n == "GET"));
            Assert.Equal("SET", wrapped[^1]);
        }
    }

    [Theory]
    [InlineData("-ERR x\r\n", "bad slotsmgrt-exec-wrapper resp: ERR x")]
    [InlineData(":1\r\n", "bad slotsmgrt-exec-wrapper resp: should be integer, but got <int>")]
    [InlineData("*1\r\n:0\r\n", "bad slotsmgrt-exec-wrapper resp: array.len = 1")]
    [InlineData("*2\r\n:-1\r\n$-1\r\n", "bad slotsmgrt-exec-wrapper resp: type(array[0]) = <int>, len(array[0].value) = 2")]
    [InlineData("*2\r\n$1\r\n0\r\n$-1\r\n", "bad slotsmgrt-exec-wrapper resp: type(array[0]) = <bulkbytes>, len(array[0].value) = 1")]
    [InlineData("*2\r\n:3\r\n$4\r\nwhat\r\n", "bad slotsmgrt-exec-wrapper resp: [3] what")]
    public void SemiAsync_BadReply_HandleRequestError(string reply, string expected)
    {
        using var source = new ScriptedBackend(_ => reply);
        var key = ProxyHarness.KeyIn(0, 512, "sx");
        var (proxy, _) = Start(source, key, 1);
        using (proxy)
        {
            using var c = proxy.Connect();
            Assert.Equal("-ERR handle request, " + expected + "\r\n", Raw(c, "GET", key));
        }
    }

    [Fact]
    public void Migrating_ReplicaGroups_ReadsStillGoThroughSource()
    {
        using var source = new ScriptedBackend(_ => "*2\r\n:2\r\n$3\r\nsrc\r\n");
        var key = ProxyHarness.KeyIn(0, 512, "mr");
        servers.FlushAll();
        using var proxy = new ProxyHarness();
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        proxy.Fill(new Slot { Id = ProxyHarness.SlotOf(key), BackendAddr = servers.AddrA, MigrateFrom = source.Addr, ForwardMethod = 1, ReplicaGroups = [[servers.AddrB]] });
        using var c = proxy.Connect();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("$3\r\nsrc\r\n", Raw(c, "GET", key));
        }
    }

    [Fact]
    public void Replica_LoadingReply_SkippedUntilInfoSaysLoaded()
    {
        var loading = 1;
        using var replica = new ScriptedBackend(args => args[0].ToUpperInvariant() switch
        {
            "INFO" => Volatile.Read(ref loading) == 1 ? "$9\r\nloading:1\r\n" : "$9\r\nloading:0\r\n",
            _ => Volatile.Read(ref loading) == 1 ? "-LOADING Redis is loading the dataset in memory\r\n" : "$7\r\nreplica\r\n",
        });
        servers.FlushAll();
        using var proxy = new ProxyHarness(new Codis.Proxy.Routing.RouterOptions { BackendPingPeriod = TimeSpan.FromSeconds(1) });
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        var key = ProxyHarness.KeyIn(0, 512, "ld");
        using (var a = servers.A.Connect())
        {
            a.Send("SET", key, "master");
        }
        proxy.Fill(new Slot { Id = ProxyHarness.SlotOf(key), BackendAddr = servers.AddrA, ReplicaGroups = [[replica.Addr]] });
        using var c = proxy.Connect();
        // The LOADING error is delivered once, then the replica is stale and reads go to the master.
        Assert.True(ProxyHarness.WaitUntil(() => Raw(c, "GET", key).StartsWith("-LOADING", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
        Assert.Equal("$6\r\nmaster\r\n", Raw(c, "GET", key));
        Assert.Equal("$6\r\nmaster\r\n", Raw(c, "GET", key));
        // The keep-alive asks the stale replica for INFO; once loaded, it serves reads again.
        Volatile.Write(ref loading, 0);
        Assert.True(ProxyHarness.WaitUntil(() => Raw(c, "GET", key) == "$7\r\nreplica\r\n", TimeSpan.FromSeconds(10)));
        Assert.Contains(replica.Requests, r => r[0] == "INFO");
    }
}
