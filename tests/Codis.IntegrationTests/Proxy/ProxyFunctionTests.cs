using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>
/// FUNCTION/FCALL through an in-process proxy over two groups of Debian's redis-server 7.0 (codis-server
/// has no FUNCTION yet): FCALL is routed by its first key, FUNCTION LOAD/DELETE/FLUSH/RESTORE reach every
/// group's master (checked on each backend directly), conflicts give one error naming the group.
/// </summary>
public sealed class ProxyFunctionTests : IClassFixture<TwoRedisServersFixture>, IDisposable
{
    private const string Library = "#!lua name=lib\n"
        + "redis.register_function('setk', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
        + "redis.register_function{function_name='getk', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}\n"
        + "redis.register_function{function_name='size', callback=function(keys, args) return redis.call('dbsize') end, flags={'no-writes'}}\n"
        + "redis.register_function('spin', function(keys, args) while true do end end)\n";

    private readonly TwoRedisServersFixture _servers;
    private readonly ProxyHarness _proxy;

    /// <summary>Empties both servers (keys and libraries) and starts a proxy over them.</summary>
    public ProxyFunctionTests(TwoRedisServersFixture servers)
    {
        _servers = servers;
        servers.FlushAll();
        foreach (var s in new[] { servers.A, servers.B })
        {
            using var c = s.Connect();
            Assert.Equal("+OK\r\n", Raw(c, "FUNCTION", "FLUSH"));
        }
        _proxy = new ProxyHarness();
        _proxy.FillHalves(servers.AddrA, servers.AddrB);
    }

    /// <inheritdoc/>
    public void Dispose() => _proxy.Dispose();

    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    private string OnA(params string[] args)
    {
        using var c = _servers.A.Connect();
        return Raw(c, args);
    }

    private string OnB(params string[] args)
    {
        using var c = _servers.B.Connect();
        return Raw(c, args);
    }

    [Fact]
    public void FunctionLoad_ReachesBothGroups_FcallRunsOnTheKeysGroup()
    {
        using var c = _proxy.Connect();
        Assert.Equal("$3\r\nlib\r\n", Raw(c, "FUNCTION", "LOAD", Library));
        Assert.Contains("lib", OnA("FUNCTION", "LIST"));
        Assert.Contains("lib", OnB("FUNCTION", "LIST"));

        var a = ProxyHarness.KeyIn(0, 512, "a");
        var b = ProxyHarness.KeyIn(512, 1024, "b");
        Assert.Equal("+OK\r\n", Raw(c, "FCALL", "setk", "1", a, "va"));
        Assert.Equal("+OK\r\n", Raw(c, "fcall", "setk", "1", b, "vb"));
        Assert.Equal("$2\r\nva\r\n", OnA("GET", a));
        Assert.Equal("$-1\r\n", OnA("GET", b));
        Assert.Equal("$2\r\nvb\r\n", OnB("GET", b));
        Assert.Equal("$-1\r\n", OnB("GET", a));
        Assert.Equal("$2\r\nvb\r\n", Raw(c, "FCALL_RO", "getk", "1", b));
        Assert.Equal("$2\r\nva\r\n", Raw(c, "FCALL_RO", "getk", "1", a));

        // numkeys 0: routed by argument 3 (the first ARGV) as Codis routes EVAL; without one, slot 0 (group 1).
        OnB("SET", ProxyHarness.KeyIn(512, 1024, "extra"), "1");
        Assert.Equal(":2\r\n", Raw(c, "FCALL_RO", "size", "0", b));
        Assert.Equal(":1\r\n", Raw(c, "FCALL_RO", "size", "0", a));
        Assert.Equal(":1\r\n", Raw(c, "FCALL_RO", "size", "0"));
        // The server's own errors pass through.
        Assert.Equal("-ERR Function not found\r\n", Raw(c, "FCALL", "nosuch", "1", a));
    }

    [Fact]
    public void Fcall_KeysInDifferentSlots_RefusedNamingBothKeys_NothingWritten()
    {
        using var c = _proxy.Connect();
        Assert.Equal("$3\r\nlib\r\n", Raw(c, "FUNCTION", "LOAD", Library));
        var a = ProxyHarness.KeyIn(0, 512, "a");
        var b = ProxyHarness.KeyIn(512, 1024, "b");
        foreach (var name in new[] { "FCALL", "FCALL_RO" })
        {
            var reply = Raw(c, name, "setk", "2", a, b, "v");
            Assert.Equal($"-ERR handle request, '{name}' keys '{a}' and '{b}' are in different slots: a function's keys "
                + $"must share one hash tag, e.g. {{tag}}{a} and {{tag}}{b}\r\n", reply);
        }
        Assert.Equal(":0\r\n", OnA("EXISTS", a));
        Assert.Equal(":0\r\n", OnB("EXISTS", b));
        // Keys sharing a hash tag are forwarded.
        Assert.Equal("+OK\r\n", Raw(c, "FCALL", "setk", "2", "{t}a", "{t}b", "v"));
    }

    [Fact]
    public void FunctionLoad_LibraryAlreadyOnOneGroup_MergedErrorNamesTheGroup()
    {
        using var c = _proxy.Connect();
        const string code = "#!lua name=x\nredis.register_function('fx', function(keys, args) return 1 end)";
        Assert.Equal("$1\r\nx\r\n", OnB("FUNCTION", "LOAD", code));

        Assert.Equal($"-ERR FUNCTION LOAD failed on group 2 ({_servers.AddrB}): Library 'x' already exists; "
            + $"it succeeded on group 1 ({_servers.AddrA})\r\n", Raw(c, "FUNCTION", "load", code));
        // Now on both: the same refusal everywhere is the server's own error, passed through.
        Assert.Equal("-ERR Library 'x' already exists\r\n", Raw(c, "FUNCTION", "LOAD", code));
        // REPLACE succeeds on both; DELETE too, and a second DELETE is refused alike.
        Assert.Equal("$1\r\nx\r\n", Raw(c, "FUNCTION", "LOAD", "REPLACE", code));
        Assert.Equal("+OK\r\n", Raw(c, "FUNCTION", "DELETE", "x"));
        Assert.Equal("-ERR Library not found\r\n", Raw(c, "FUNCTION", "DELETE", "x"));
        Assert.Equal("*0\r\n", OnA("FUNCTION", "LIST"));
        Assert.Equal("*0\r\n", OnB("FUNCTION", "LIST"));
        // On group 1 only: DELETE fails on group 2, which the error names.
        Assert.Equal("$1\r\nx\r\n", OnA("FUNCTION", "LOAD", code));
        Assert.Equal($"-ERR FUNCTION DELETE failed on group 2 ({_servers.AddrB}): Library not found; "
            + $"it succeeded on group 1 ({_servers.AddrA})\r\n", Raw(c, "FUNCTION", "DELETE", "x"));
    }

    [Fact]
    public void FunctionListDumpRestoreFlush_ListAndDumpFromGroup1_RestoreAndFlushOnBoth()
    {
        using var c = _proxy.Connect();
        Assert.Equal("$3\r\nlib\r\n", Raw(c, "FUNCTION", "LOAD", Library));
        Assert.Equal(OnA("FUNCTION", "LIST"), Raw(c, "FUNCTION", "LIST"));
        Assert.Equal(OnA("FUNCTION", "LIST", "WITHCODE"), Raw(c, "FUNCTION", "LIST", "WITHCODE"));
        Assert.Equal(OnA("FUNCTION", "STATS"), Raw(c, "FUNCTION", "STATS"));
        var dump = c.Send("FUNCTION", "DUMP");
        using (var direct = _servers.A.Connect())
            Assert.Equal(direct.Send("FUNCTION", "DUMP"), dump);

        Assert.Equal("+OK\r\n", Raw(c, "FUNCTION", "FLUSH"));
        Assert.Equal("*0\r\n", OnA("FUNCTION", "LIST"));
        Assert.Equal("*0\r\n", OnB("FUNCTION", "LIST"));

        // RESTORE of the dump's payload (the bulk's bytes) reaches both groups.
        var payload = Bulk(dump);
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(c.SendBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), payload)));
        Assert.Contains("lib", OnA("FUNCTION", "LIST"));
        Assert.Contains("lib", OnB("FUNCTION", "LIST"));
        Assert.Equal("-ERR Library lib already exists\r\n", Encoding.UTF8.GetString(
            c.SendBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), payload)));
        Assert.Equal("+OK\r\n", Raw(c, "FUNCTION", "FLUSH", "SYNC"));
        Assert.Equal("*0\r\n", OnB("FUNCTION", "LIST"));
    }

    [Fact]
    public void FunctionHelpUnknownAndArity_AnsweredAsTheServer()
    {
        using var c = _proxy.Connect();
        Assert.Equal(OnA("FUNCTION", "HELP"), Raw(c, "FUNCTION", "HELP"));
        Assert.Equal(OnA("FUNCTION", "NOSUCH"), Raw(c, "FUNCTION", "NOSUCH"));
        Assert.Equal("-ERR unknown subcommand 'NOSUCH'. Try FUNCTION HELP.\r\n", Raw(c, "FUNCTION", "NOSUCH"));
        Assert.Equal(OnA("FUNCTION"), Raw(c, "FUNCTION"));
        Assert.Equal(OnA("FUNCTION", "LOAD"), Raw(c, "FUNCTION", "LOAD"));
        Assert.Equal(OnA("FUNCTION", "DELETE"), Raw(c, "FUNCTION", "DELETE"));
    }

    [Fact]
    public void Function_NoSlotFilled_SlotNotReady()
    {
        using var empty = new ProxyHarness();
        using var c = empty.Connect();
        foreach (var sub in new[] { "LOAD", "LIST", "KILL" })
            Assert.Equal("-ERR handle request, slot is not ready, may be offline\r\n", Raw(c, "FUNCTION", sub, Library));
    }

    [Fact]
    public void FunctionKill_FunctionBusyOnOneGroup_KilledThroughTheProxy()
    {
        OnA("CONFIG", "SET", "busy-reply-threshold", "100");
        try
        {
            using var c = _proxy.Connect();
            Assert.Equal("$3\r\nlib\r\n", Raw(c, "FUNCTION", "LOAD", Library));
            Assert.Equal("-NOTBUSY No scripts in execution right now.\r\n", Raw(c, "FUNCTION", "KILL"));

            using var spinning = _proxy.Connect();
            spinning.SendRaw(RespConnection.Encode("FCALL", "spin", "1", ProxyHarness.KeyIn(0, 512, "s")));
            Assert.True(ProxyHarness.WaitUntil(() => OnA("PING").StartsWith("-BUSY", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
            // Group 1 kills it, group 2 has nothing running: one success is enough. The proxy's pooled connection
            // to group 1 carries the FCALL, so KILL could not pass behind it there.
            Assert.Equal("+OK\r\n", Raw(c, "FUNCTION", "KILL"));
            // Redis 7.0 names SCRIPT KILL in this error even for a function.
            Assert.StartsWith("-ERR Script killed by user with ", Encoding.UTF8.GetString(spinning.ReadReply()));
            Assert.Equal("+PONG\r\n", Raw(c, "PING"));
        }
        finally
        {
            OnA("CONFIG", "SET", "busy-reply-threshold", "5000");
        }
    }

    [Fact]
    public void FunctionLoadAndKill_GroupUnreachable_ErrorNamesIt()
    {
        // Slot 1023 moves to a group whose master refuses connections.
        _proxy.Fill(new Codis.Core.Topology.Slot { Id = 1023, BackendAddr = "127.0.0.1:1", BackendAddrGroupId = 3 });
        using var c = _proxy.Connect();
        var load = Raw(c, "FUNCTION", "LOAD", Library);
        Assert.StartsWith("-ERR FUNCTION LOAD failed on group 3 (127.0.0.1:1): backend conn ", load);
        Assert.EndsWith($"; it succeeded on group 1 ({_servers.AddrA}), group 2 ({_servers.AddrB})\r\n", load);
        Assert.Contains("lib", OnA("FUNCTION", "LIST"));
        var kill = Raw(c, "FUNCTION", "KILL");
        Assert.StartsWith($"-ERR FUNCTION KILL failed on group 1 ({_servers.AddrA}): NOTBUSY No scripts in execution right now.; "
            + $"group 2 ({_servers.AddrB}): NOTBUSY No scripts in execution right now.; group 3 (127.0.0.1:1): backend conn ", kill);
    }

    [Fact]
    public void FcallRo_ReplicaReadsOn_ServedByReplica_FcallAndFunctionLoadByMasterOnly()
    {
        // One group: master A, B pushed as its read replica (a stand-in that does not replicate, so where each
        // command ran shows in the values).
        var slots = new List<Codis.Core.Topology.Slot>();
        for (var i = 0; i < 1024; i++)
            slots.Add(new Codis.Core.Topology.Slot { Id = i, BackendAddr = _servers.AddrA, BackendAddrGroupId = 1, ReplicaGroups = [[_servers.AddrB]] });
        _proxy.Router.FillSlots(slots);
        using var c = _proxy.Connect();
        Assert.Equal("$3\r\nlib\r\n", Raw(c, "FUNCTION", "LOAD", Library));
        Assert.Equal("*0\r\n", OnB("FUNCTION", "LIST"));   // replicas get libraries by replication, not from the proxy
        Assert.Equal("$3\r\nlib\r\n", OnB("FUNCTION", "LOAD", Library));
        var key = ProxyHarness.KeyIn(0, 1024, "r");
        OnA("SET", key, "from-master");
        OnB("SET", key, "from-replica");

        // The replica connection comes up in the background; until then the master answers.
        Assert.True(ProxyHarness.WaitUntil(() => Raw(c, "FCALL_RO", "getk", "1", key) == "$12\r\nfrom-replica\r\n", TimeSpan.FromSeconds(10)));
        Assert.Equal("+OK\r\n", Raw(c, "FCALL", "setk", "1", key, "written"));
        Assert.Equal("$7\r\nwritten\r\n", OnA("GET", key));
        Assert.Equal("$12\r\nfrom-replica\r\n", OnB("GET", key));
    }

    private static byte[] Bulk(byte[] reply)
    {
        var header = Array.IndexOf(reply, (byte)'\n') + 1;
        return reply.AsSpan(header, reply.Length - header - 2).ToArray();
    }
}
