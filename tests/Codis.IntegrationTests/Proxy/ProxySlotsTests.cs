using System.Globalization;
using System.Text;
using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>Slot states inside the proxy: locked slots, refills, replica reads, migration forwarding (proxy.md §9-§11).</summary>
public sealed class ProxySlotsTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private ProxyHarness Start(RouterOptions? options = null)
    {
        servers.FlushAll();
        var proxy = new ProxyHarness(options);
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        return proxy;
    }

    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    private static string Read(RespConnection c) => Encoding.UTF8.GetString(c.ReadReply());

    [Fact]
    public void LockedSlot_RequestsHeldUntilUnlocked_OtherSlotsAndSessionsFlow()
    {
        using var proxy = Start();
        var held = ProxyHarness.KeyIn(0, 512, "lk");
        var free = ProxyHarness.KeyIn(512, 1024, "lk");
        var slot = ProxyHarness.SlotOf(held);
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA, Locked = true });
        Assert.True(proxy.Router.GetSlot(slot).Locked);

        using var c = proxy.Connect();
        c.SendRaw(RespConnection.Encode("SET", held, "1"));
        c.SendRaw(RespConnection.Encode("SET", free, "2"));
        c.SendRaw(RespConnection.Encode("GET", held));
        // The held request does not stall the session: its request for another slot reaches the backend.
        using var b = servers.B.Connect();
        Assert.True(ProxyHarness.WaitUntil(() => Raw(b, "GET", free) == "$1\r\n2\r\n", TimeSpan.FromSeconds(5)));
        // Other sessions keep working too, and replies stay in order, so nothing has arrived yet.
        using var other = proxy.Connect();
        Assert.Equal("$1\r\n2\r\n", Raw(other, "GET", free));
        Assert.False(c.HasBufferedData);
        using var a = servers.A.Connect();
        Assert.Equal("$-1\r\n", Raw(a, "GET", held));

        // Unlock by moving the slot to B (as the end of a migration would): the held requests go to B.
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrB });
        Assert.Equal("+OK\r\n", Read(c));
        Assert.Equal("+OK\r\n", Read(c));
        Assert.Equal("$1\r\n1\r\n", Read(c));
        Assert.Equal("$1\r\n1\r\n", Raw(b, "GET", held));
    }

    [Fact]
    public void Fill_RequestsInFlight_WaitsForThemAndRoutesNewOnesToNewBackend()
    {
        using var proxy = Start();
        var key = ProxyHarness.KeyIn(0, 512, "fb");
        var slot = ProxyHarness.SlotOf(key);
        using var c = proxy.Connect();
        var stop = false;
        var errors = 0;
        var sent = 0;
        var load = new Thread(() =>
        {
            using var l = proxy.Connect();
            while (!Volatile.Read(ref stop))
            {
                var r = Raw(l, "INCR", key);
                if (r[0] != ':')
                {
                    Interlocked.Increment(ref errors);
                }
                Interlocked.Increment(ref sent);
            }
        });
        load.Start();
        Assert.True(ProxyHarness.WaitUntil(() => Volatile.Read(ref sent) > 100, TimeSpan.FromSeconds(10)));
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrB });
        Thread.Sleep(100);
        Volatile.Write(ref stop, true);
        load.Join();
        Assert.Equal(0, errors);
        using var a = servers.A.Connect();
        using var b = servers.B.Connect();
        var onA = long.Parse(a.Command("GET", key).Text ?? "0", CultureInfo.InvariantCulture);
        var onB = long.Parse(b.Command("GET", key).Text ?? "0", CultureInfo.InvariantCulture);
        Assert.True(onB > 0);
        Assert.Equal(sent, onA + onB);
    }

    [Fact]
    public void ReplicaGroups_ReadOnlyCommand_ServedByReplicaWritesByMaster()
    {
        using var proxy = Start();
        var key = ProxyHarness.KeyIn(0, 512, "rr");
        var slot = ProxyHarness.SlotOf(key);
        using var a = servers.A.Connect();
        using var b = servers.B.Connect();
        a.Send("SET", key, "from-a");
        b.Send("SET", key, "from-b");
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA, ReplicaGroups = [["127.0.0.1:1"], [servers.AddrB]] });
        using var c = proxy.Connect();
        // The replica connection comes up in the background; until then the master answers.
        Assert.True(ProxyHarness.WaitUntil(() => Raw(c, "GET", key) == "$6\r\nfrom-b\r\n", TimeSpan.FromSeconds(10)));
        Assert.Equal("+OK\r\n", Raw(c, "SET", key, "written"));
        Assert.Equal("$7\r\nwritten\r\n", Raw(a, "GET", key));
        Assert.Equal("$6\r\nfrom-b\r\n", Raw(c, "GET", key));
    }

    [Fact]
    public void ReplicaGroups_PrimaryOnly_ReplicasIgnored()
    {
        using var proxy = Start(new RouterOptions { BackendPrimaryOnly = true });
        var key = ProxyHarness.KeyIn(0, 512, "po");
        var slot = ProxyHarness.SlotOf(key);
        using var a = servers.A.Connect();
        using var b = servers.B.Connect();
        a.Send("SET", key, "from-a");
        b.Send("SET", key, "from-b");
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrA, ReplicaGroups = [[servers.AddrB]] });
        Assert.Empty(proxy.Router.GetSlot(slot).ReplicaGroups);
        using var c = proxy.Connect();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("$6\r\nfrom-a\r\n", Raw(c, "GET", key));
        }
    }

    [Fact]
    public void FillSlots_InvalidInput_CodisErrors()
    {
        using var proxy = Start();
        var e = Assert.Throws<RouterException>(() => proxy.Router.FillSlots([new Slot { Id = 1024 }]));
        Assert.Equal("use of invalid slot id", e.Message);
        e = Assert.Throws<RouterException>(() => proxy.Router.FillSlots([new Slot { Id = 3, ForwardMethod = 2 }]));
        Assert.Equal("use of invalid forwarder method", e.Message);
        // Slots before the invalid one stay filled.
        e = Assert.Throws<RouterException>(() => proxy.Router.FillSlots([new Slot { Id = 7 }, new Slot { Id = -1 }]));
        Assert.Equal("use of invalid slot id", e.Message);
        Assert.Equal("", proxy.Router.GetSlot(7).BackendAddr);
        proxy.Router.Close();
        e = Assert.Throws<RouterException>(() => proxy.Router.FillSlots([new Slot { Id = 1 }]));
        Assert.Equal("use of closed router", e.Message);
        Assert.False(proxy.Router.IsOnline);
    }

    [Fact]
    public void MigratingSlot_SyncMethod_MigrationStepSentToSourceFirst()
    {
        using var proxy = Start();
        var key = ProxyHarness.KeyIn(0, 512, "ms");
        var slot = ProxyHarness.SlotOf(key);
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrB, MigrateFrom = servers.AddrA, ForwardMethod = 0 });
        using var c = proxy.Connect();
        var reply = Raw(c, "GET", key);
        if (reply.StartsWith("-ERR handle request, bad slotsmgrt resp: ", StringComparison.Ordinal))
        {
            // Our codis-server does not have SLOTSMGRTTAGONE yet (branch mig-sync): the source's error
            // reaches the client in Codis's form.
            Assert.Contains("SLOTSMGRTTAGONE", reply, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            Assert.Equal("$-1\r\n", reply);
        }
        // Requests without a key skip the migration step.
        Assert.Equal("*2\r\n$1\r\n0\r\n*0\r\n", Raw(c, "SLOTSSCAN", slot.ToString(CultureInfo.InvariantCulture), "0"));
    }

    [Fact]
    public void MigratingSlot_SemiAsyncMethod_WrapperSentToSource()
    {
        using var proxy = Start();
        var key = ProxyHarness.KeyIn(0, 512, "ma");
        var slot = ProxyHarness.SlotOf(key);
        using var a = servers.A.Connect();
        a.Send("SET", key, "on-source");
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrB, MigrateFrom = servers.AddrA, ForwardMethod = 1 });
        using var c = proxy.Connect();
        var reply = Raw(c, "GET", key);
        if (reply.StartsWith("-ERR handle request, bad slotsmgrt-exec-wrapper resp: ", StringComparison.Ordinal))
        {
            // SLOTSMGRT-EXEC-WRAPPER is not in our codis-server yet (branch mig-async-source).
            Assert.Contains("SLOTSMGRT-EXEC-WRAPPER", reply, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            // code 2: executed on the source, which still holds the key.
            Assert.Equal("$9\r\non-source\r\n", reply);
        }
    }
}
