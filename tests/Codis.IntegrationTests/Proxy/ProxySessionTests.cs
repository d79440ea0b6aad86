using System.Text;
using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>Session life cycle through an in-process proxy: accept checks, AUTH, limits, decoding errors (proxy.md §4-§5).</summary>
public sealed class ProxySessionTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private ProxyHarness Start(RouterOptions? options = null, bool online = true)
    {
        var proxy = new ProxyHarness(options, online);
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        return proxy;
    }

    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    private static string Read(RespConnection c) => Encoding.UTF8.GetString(c.ReadReply());

    [Fact]
    public void Accept_RouterNotOnline_RefusedAndClosed()
    {
        using var proxy = Start(online: false);
        using var c = proxy.Connect();
        Assert.Equal("-ERR router is not online\r\n", Read(c));
        Assert.True(c.IsClosedByServer());
        proxy.Router.Start();
        using var d = proxy.Connect();
        Assert.Equal("+PONG\r\n", Raw(d, "PING"));
        Assert.Equal(1, proxy.Stats.OpsFails);
    }

    [Fact]
    public void Accept_MaxClientsReached_ExtraClientRefused()
    {
        using var proxy = Start(new RouterOptions { ProxyMaxClients = 2 });
        using var c1 = proxy.Connect();
        using var c2 = proxy.Connect();
        Assert.Equal("+PONG\r\n", Raw(c1, "PING"));
        Assert.Equal("+PONG\r\n", Raw(c2, "PING"));
        using (var c3 = proxy.Connect())
        {
            Assert.Equal("-ERR max number of clients reached\r\n", Read(c3));
            Assert.True(c3.IsClosedByServer());
        }
        c1.Dispose();
        Assert.True(ProxyHarness.WaitUntil(() => proxy.Stats.SessionsAlive == 1, TimeSpan.FromSeconds(5)));
        using var c4 = proxy.Connect();
        Assert.Equal("+PONG\r\n", Raw(c4, "PING"));
        Assert.Equal(4, proxy.Stats.SessionsTotal);
    }

    [Fact]
    public void Auth_SessionAuthSet_RequiredBeforeCommands()
    {
        using var proxy = Start(new RouterOptions { SessionAuth = "secret" });
        using var c = proxy.Connect();
        Assert.Equal("-NOAUTH Authentication required\r\n", Raw(c, "GET", "a"));
        // NotAllow is checked before authentication (quirks.md A.7).
        Assert.Equal("-ERR handle request, command 'KEYS' is not allowed\r\n", Raw(c, "KEYS", "*"));
        Assert.Equal("-ERR wrong number of arguments for 'AUTH' command\r\n", Raw(c, "AUTH"));
        Assert.Equal("-ERR invalid password\r\n", Raw(c, "AUTH", "wrong"));
        Assert.Equal("+OK\r\n", Raw(c, "AUTH", "secret"));
        Assert.Equal("$-1\r\n", Raw(c, "GET", "nokey-auth"));
        // A wrong AUTH de-authorises the session again.
        Assert.Equal("-ERR invalid password\r\n", Raw(c, "AUTH", "wrong"));
        Assert.Equal("-NOAUTH Authentication required\r\n", Raw(c, "GET", "a"));
    }

    [Fact]
    public void Auth_NoSessionAuth_ClientSentAuthError()
    {
        using var proxy = Start();
        using var c = proxy.Connect();
        Assert.Equal("-ERR Client sent AUTH, but no password is set\r\n", Raw(c, "AUTH", "x"));
    }

    [Fact]
    public void ProductAuth_BackendRequiresPassword_ProxyAuthenticates()
    {
        using var server = ServerProcess.StartCodis("--requirepass", "prod");
        using var proxy = new ProxyHarness(new RouterOptions { ProductAuth = "prod" });
        proxy.Router.FillSlots(Enumerable.Range(0, 1024).Select(i => new Slot { Id = i, BackendAddr = "127.0.0.1:" + server.Port }).ToList());
        using var c = proxy.Connect();
        Assert.Equal("+OK\r\n", Raw(c, "SET", "pa", "1"));
        Assert.Equal("$1\r\n1\r\n", Raw(c, "GET", "pa"));
    }

    [Theory]
    [InlineData("*0\r\n")]
    [InlineData("*-1\r\n")]
    [InlineData("*2000000\r\n")]
    [InlineData("*1\r\n:1\r\n")]
    [InlineData("*1\r\n$600000000\r\n")]
    [InlineData("*1\r\n$-2\r\n")]
    [InlineData("*1\r\n$3\r\nGETxx")]
    [InlineData("*1x\r\n")]
    [InlineData("GET a\n")]
    [InlineData("   \r\n")]
    public void Decode_MalformedInput_ClosedWithoutReplyOthersUnaffected(string input)
    {
        using var proxy = Start();
        using var other = proxy.Connect();
        Assert.Equal("+OK\r\n", Raw(other, "SET", "dec", "1"));
        using var c = proxy.Connect();
        c.SendRaw(Encoding.Latin1.GetBytes("PING\r\n" + input));
        Assert.Equal("+PONG\r\n", Read(c));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(5)));
        Assert.False(c.HasBufferedData);
        Assert.Equal("$1\r\n1\r\n", Raw(other, "GET", "dec"));
    }

    [Fact]
    public void Decode_RequestSplitAcrossReads_Reassembled()
    {
        using var proxy = Start();
        using var c = proxy.Connect();
        var bytes = RespConnection.Encode("SET", "split", new string('v', 100_000));
        for (var i = 0; i < bytes.Length; i += 7919)
        {
            c.SendRaw(bytes.AsSpan(i, Math.Min(7919, bytes.Length - i)));
            Thread.Sleep(1);
        }
        Assert.Equal("+OK\r\n", Read(c));
        Assert.Equal(100_000, c.Command("STRLEN", "split").Integer);
    }

    [Fact]
    public void Pipeline_MoreThanSessionMaxPipeline_SessionClosed()
    {
        using var proxy = Start(new RouterOptions { SessionMaxPipeline = 4 });
        var key = ProxyHarness.KeyIn(0, 1024, "mp");
        var slot = ProxyHarness.SlotOf(key);
        // Hold the slot so that nothing is answered, then send one request too many.
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA, Locked = true });
        using var c = proxy.Connect();
        var batch = new List<byte>();
        for (var i = 0; i < 5; i++)
        {
            batch.AddRange(RespConnection.Encode("GET", key));
        }
        c.SendRaw(batch.ToArray());
        // Every request decoded (the fifth one is over the limit) before the slot is released.
        Assert.True(ProxyHarness.WaitUntil(() => proxy.Stats.OpsTotal == 5, TimeSpan.FromSeconds(10)));
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA });
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("$-1\r\n", Read(c));
        }
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(5)));
        Assert.False(c.HasBufferedData);
    }

    [Fact]
    public void BreakOnFailure_ProxyError_SessionClosedAfterReply()
    {
        using var proxy = Start(new RouterOptions { SessionBreakOnFailure = true });
        using var c = proxy.Connect();
        Assert.Equal("-ERR handle request, command 'KEYS' is not allowed\r\n", Raw(c, "KEYS", "*"));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void RecvTimeout_IdleClient_Closed()
    {
        using var proxy = Start(new RouterOptions { SessionRecvTimeout = TimeSpan.FromSeconds(1) });
        using var c = proxy.Connect();
        Assert.Equal("+PONG\r\n", Raw(c, "PING"));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
    }
}
