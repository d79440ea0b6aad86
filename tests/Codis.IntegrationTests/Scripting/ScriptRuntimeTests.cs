using System.Diagnostics;
using System.Text;
using Codis.TestSupport;
using Codis.IntegrationTests.Persistence;
using static Codis.IntegrationTests.Replication.ReplicationAssert;

namespace Codis.IntegrationTests.Scripting;

/// <summary>
/// Scripts with real processes: lua-time-limit with BUSY, SCRIPT KILL and SHUTDOWN NOSAVE; scripts'
/// effects replicated to codis-server and redis-server replicas and written to the AOF; the state
/// surviving SCRIPT FLUSH; INFO's scripting fields.
/// </summary>
public sealed class ScriptRuntimeTests : IDisposable
{
    private readonly List<string> _dirs = [];

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (string d in _dirs)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // Both connections answer once first: the server has registered them before the script starts.
    private static void SendEval(RespConnection c, string script, RespConnection other)
    {
        Assert.Equal("PONG", other.Command("PING").Text);
        Assert.Equal("PONG", c.Command("PING").Text);
        c.SendRaw(RespConnection.Encode("EVAL", script, "0"));
    }

    /// <summary>Pings until the server answers BUSY (a script or function is past lua-time-limit).</summary>
    internal static void WaitBusy(RespConnection other)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            RespValue v = other.Command("PING");
            if (v.IsError)
            {
                Assert.StartsWith("BUSY Redis is busy running a script.", v.Text);
                return;
            }
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), "the server never reported BUSY");
            Thread.Sleep(20);
        }
    }

    /// <summary>Both network layers: the epoll loop (default) and the portable sockets.</summary>
    public static TheoryData<string> Modes => new() { "loop", "sockets" };

    private static ServerProcess StartIn(string mode, params string[] args) =>
        ServerProcess.StartCodisWithEnvironment(new Dictionary<string, string> { ["CODIS_NETWORK"] = mode }, args);

    [Theory]
    [MemberData(nameof(Modes))]
    public void SlowScript_OthersGetBusy_ScriptKillStopsIt(string mode)
    {
        using ServerProcess codis = StartIn(mode, "--lua-time-limit", "100");
        using RespConnection runner = codis.Connect();
        using RespConnection other = codis.Connect();
        SendEval(runner, "local i = 0 while true do i = i + 1 end", other);
        WaitBusy(other);
        Assert.StartsWith("BUSY", other.Command("GET", "x").Text);
        Assert.StartsWith("BUSY", other.Command("EVAL", "return 1", "0").Text);
        // A client that connects while the script runs is served too; one that leaves meanwhile is forgotten.
        using (RespConnection gone = codis.Connect())
            Assert.StartsWith("BUSY", gone.Command("PING").Text);
        using RespConnection late = codis.Connect();
        Assert.StartsWith("BUSY", late.Command("INFO").Text);
        Assert.Equal("OK", late.Command("SCRIPT", "KILL").Text);
        RespValue killed = runner.ReadValue();
        Assert.True(killed.IsError);
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", killed.Text);
        Assert.Equal("PONG", other.Command("PING").Text);
        Assert.Equal("PONG", runner.Command("PING").Text);
        Assert.Equal("NOTBUSY No scripts in execution right now.", other.Command("SCRIPT", "KILL").Text);
        // The late client is registered now, and the one that left is not listed.
        Assert.Equal("PONG", late.Command("PING").Text);
        using (RespConnection lister = codis.Connect())
            Assert.Equal(4, lister.Command("CLIENT", "LIST").Text!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // The Lua state is still good.
        Assert.Equal(3, runner.Command("EVAL", "return 1 + 2", "0").Integer);
        Assert.True(codis.WaitForOutput("Slow script detected"), codis.OutputTail());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void SlowScriptThatWrote_IsUnkillable_ShutdownNosaveEndsTheServer(string mode)
    {
        using ServerProcess codis = StartIn(mode, "--lua-time-limit", "100");
        using RespConnection runner = codis.Connect();
        using RespConnection other = codis.Connect();
        SendEval(runner, "redis.call('set', 'written', '1') while true do end", other);
        WaitBusy(other);
        Assert.StartsWith("UNKILLABLE Sorry the script already executed write commands", other.Command("SCRIPT", "KILL").Text);
        Assert.StartsWith("UNKILLABLE", other.Command("SHUTDOWN").Text);
        other.SendRaw(RespConnection.Encode("SHUTDOWN", "NOSAVE"));
        var sw = Stopwatch.StartNew();
        while (!codis.HasExited && sw.Elapsed < TimeSpan.FromSeconds(20))
            Thread.Sleep(50);
        Assert.True(codis.HasExited, "SHUTDOWN NOSAVE did not end the server while the script was busy");
    }

    [Fact]
    public void FastScripts_AreNotBusy_AndPipelinedCommandsWait()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using RespConnection c = codis.Connect();
        // A script of 50 ms under the default limit of 5 s: nobody sees BUSY, pipelined commands run after it.
        c.SendRaw([.. RespConnection.Encode("EVAL", "local t = redis.call('time') local s = t[1] * 1000000 + t[2] local n = 0 "
            + "while true do n = n + 1 if n % 1000 == 0 then local u = redis.call('time') if u[1] * 1000000 + u[2] - s > 50000 then break end end end "
            + "return redis.call('set', 'after', 'script')", "0"), .. RespConnection.Encode("GET", "after")]);
        Assert.Equal("OK", c.ReadValue().Text);
        Assert.Equal("script", c.ReadValue().Text);
        Dictionary<string, string> info = Info(c, "memory");
        Assert.True(long.Parse(info["used_memory_lua"]) > 0);
        Assert.Equal("1", Info(c, "memory")["number_of_cached_scripts"]);
        Assert.Equal("OK", c.Command("SCRIPT", "FLUSH").Text);
        Assert.Equal("0", Info(c, "memory")["number_of_cached_scripts"]);
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void ScriptEffects_ReachTheReplica_AsTheCommandsTheScriptRan(string replicaKind)
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using ServerProcess replica = replicaKind == "redis" ? ServerProcess.StartRedis() : ServerProcess.StartCodis();
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Assert.Equal("OK", r.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
        WaitInSync(m, r);
        using RespConnection monitor = replica.Connect();
        // The script's values are not deterministic (TIME, SPOP): only replicating effects gives the replica the same data.
        string script = "local t = redis.call('time') redis.call('set', KEYS[1], t[1] .. '.' .. t[2]) "
            + "redis.call('sadd', KEYS[2], 'a', 'b', 'c', 'd', 'e') local p = redis.call('spop', KEYS[2]) "
            + "redis.call('select', 3) redis.call('rpush', KEYS[3], p) return p";
        for (int i = 0; i < 20; i++)
            Assert.False(m.Command("EVAL", script, "3", $"time{i}", $"set{i}", $"list{i}").IsError);
        string sha = m.Command("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])").Text!;
        for (int i = 0; i < 5; i++)
            Assert.Equal(i + 1, m.Command("EVALSHA", sha, "1", "counter").Integer);
        // SPOP outside scripts too: replicated as the SREM (or DEL) of what it popped.
        m.Command("SPOP", "set1");
        m.Command("SPOP", "set2", "2");
        m.Command("SPOP", "set3", "10");
        WaitInSync(m, r);
        foreach (int db in new[] { 0, 3 })
        {
            m.Command("SELECT", db.ToString());
            r.Command("SELECT", db.ToString());
            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(m.Command("GET", $"time{i}").Text, r.Command("GET", $"time{i}").Text);
                Assert.Equal(Sorted(m.Command("SMEMBERS", $"set{i}")), Sorted(r.Command("SMEMBERS", $"set{i}")));
                Assert.Equal(Sorted(m.Command("LRANGE", $"list{i}", "0", "-1")), Sorted(r.Command("LRANGE", $"list{i}", "0", "-1")));
            }
        }
        r.Command("SELECT", "0");
        Assert.Equal("5", r.Command("GET", "counter").Text);
        // The replica got commands, never the script: its script cache is empty.
        Assert.Equal(0, r.Command("SCRIPT", "EXISTS", sha)[0].Integer);
        // A write from a script on a read-only replica is refused; reads work.
        RespValue refused = r.Command("EVAL", "return redis.call('set', 'x', 1)", "0");
        Assert.True(refused.IsError);
        Assert.Contains("READONLY You can't write against a read only replica.", refused.Text, StringComparison.Ordinal);
        Assert.Equal("5", r.Command("EVAL", "return redis.call('get', 'counter')", "0").Text);
    }

    private static string Sorted(RespValue array) => string.Join(",", (array.Children ?? []).Select(c => c.Text).Order(StringComparer.Ordinal));

    [Fact]
    public void ScriptEffects_AreWrittenToTheAof_AsATransaction()
    {
        string dir = ServerProcess.NewTempDirectory();
        _dirs.Add(dir);
        string value;
        using (ServerProcess codis = PersistenceSupport.StartCodis(dir, "--appendonly", "yes", "--appendfsync", "always"))
        using (RespConnection c = codis.Connect())
        {
            value = c.Command("EVAL", "local t = redis.call('time') redis.call('set', 'k', t[1] .. t[2]) redis.call('incr', 'n') return redis.call('get', 'k')", "0").Text!;
            Assert.Equal(0, c.Command("EVAL", "return redis.call('exists', 'nothing')", "0").Integer);
            PersistenceSupport.Shutdown(c, codis, "NOSAVE");
        }
        string aof = File.ReadAllText(Path.Combine(dir, "appendonly.aof"), Encoding.Latin1);
        Assert.DoesNotContain("EVAL", aof.ToUpperInvariant(), StringComparison.Ordinal);
        int multi = aof.IndexOf("multi", StringComparison.OrdinalIgnoreCase);
        int set = aof.IndexOf(value, StringComparison.Ordinal);
        int exec = aof.IndexOf("exec", StringComparison.OrdinalIgnoreCase);
        Assert.True(multi >= 0 && multi < set && set < exec, "the script's writes are not wrapped in MULTI/EXEC in the AOF:\n" + aof);
        using ServerProcess again = PersistenceSupport.StartCodis(dir, "--appendonly", "yes");
        using RespConnection c2 = again.Connect();
        Assert.Equal(value, c2.Command("GET", "k").Text);
        Assert.Equal("1", c2.Command("GET", "n").Text);
    }
}
