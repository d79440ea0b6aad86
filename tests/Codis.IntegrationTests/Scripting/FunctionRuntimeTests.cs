using System.Diagnostics;
using System.Text;
using Codis.IntegrationTests.Persistence;
using Codis.TestSupport;
using static Codis.IntegrationTests.Replication.ReplicationAssert;

namespace Codis.IntegrationTests.Scripting;

/// <summary>
/// Functions with real processes: a slow FCALL with BUSY, FUNCTION KILL and FUNCTION STATS (and SCRIPT
/// KILL refused for it, FUNCTION KILL for a slow EVAL); libraries reaching replicas (FUNCTION LOAD
/// streamed, and in the full resync's RDB) between codis-server and redis-server; libraries kept by the
/// RDB (restart, DEBUG RELOAD, files exchanged with redis-server), by the AOF and by its rewrite.
/// </summary>
public sealed class FunctionRuntimeTests : IDisposable
{
    private readonly TempDirectories _dirs = new();

    /// <inheritdoc/>
    public void Dispose() => _dirs.Dispose();

    private const string Library = "#!lua name=rt\n"
        + "redis.register_function('spin', function(k, a) local i = 0 while true do i = i + 1 end end)\n"
        + "redis.register_function('spinafterwrite', function(k, a) redis.call('set', 'written', '1') while true do end end)\n"
        + "redis.register_function('setk', function(k, a) redis.call('set', k[1], a[1]) return redis.call('incr', k[2]) end)\n"
        + "redis.register_function{function_name='getk', callback=function(k, a) return redis.call('get', k[1]) end, flags={'no-writes'}}";

    private static ServerProcess Start(string kind, params string[] args) =>
        kind == "redis" ? ServerProcess.StartRedis(args) : ServerProcess.StartCodis(args);

    private static void LoadLibrary(RespConnection c) => Assert.Equal("rt", c.Command("FUNCTION", "LOAD", "REPLACE", Library).Text);

    private static void WaitBusy(RespConnection other) => ScriptRuntimeTests.WaitBusy(other);

    private static void Send(RespConnection runner, RespConnection other, params string[] command)
    {
        Assert.Equal("PONG", other.Command("PING").Text);
        Assert.Equal("PONG", runner.Command("PING").Text);
        runner.SendRaw(RespConnection.Encode(command));
    }

    /// <summary>Both network layers: the epoll loop (default) and the portable sockets.</summary>
    public static TheoryData<string> Modes => new() { "loop", "sockets" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void SlowFunction_OthersGetBusy_FunctionKillStopsIt(string mode)
    {
        using ServerProcess codis = ServerProcess.StartCodisWithEnvironment(new Dictionary<string, string> { ["CODIS_NETWORK"] = mode }, "--lua-time-limit", "100");
        using RespConnection runner = codis.Connect();
        using RespConnection other = codis.Connect();
        LoadLibrary(runner);
        Send(runner, other, "FCALL", "spin", "0");
        WaitBusy(other);
        Assert.Equal("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", other.Command("GET", "x").Text);
        Assert.Equal("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", other.Command("SCRIPT", "KILL").Text);
        RespValue stats = other.Command("FUNCTION", "STATS");
        Assert.False(stats.IsError, stats.Text);
        RespValue running = stats[1];
        Assert.Equal("name", running[0].Text);
        Assert.Equal("spin", running[1].Text);
        Assert.Equal(["FCALL", "spin", "0"], running[3].Children!.Select(v => v.Text!));
        Assert.True(running[5].Integer >= 100, "duration_ms " + running[5].Integer);
        Assert.Equal("OK", other.Command("FUNCTION", "KILL").Text);
        RespValue killed = runner.ReadValue();
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", killed.Text);
        Assert.Equal("PONG", other.Command("PING").Text);
        Assert.Equal("NOTBUSY No scripts in execution right now.", other.Command("FUNCTION", "KILL").Text);
        Assert.True(other.Command("FUNCTION", "STATS")[1].IsNull);
        // The functions' Lua state is still good.
        Assert.Equal(1, runner.Command("FCALL", "setk", "2", "k", "n", "v").Integer);
        Assert.True(codis.WaitForOutput("FUNCTION KILL command. Script name is: spin."), codis.OutputTail());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void SlowEval_IsNotKilledByFunctionKill_NorFunctionStats(string mode)
    {
        using ServerProcess codis = ServerProcess.StartCodisWithEnvironment(new Dictionary<string, string> { ["CODIS_NETWORK"] = mode }, "--lua-time-limit", "100");
        using RespConnection runner = codis.Connect();
        using RespConnection other = codis.Connect();
        Send(runner, other, "EVAL", "while true do end", "0");
        WaitBusy(other);
        const string EvalBusy = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
        Assert.Equal(EvalBusy, other.Command("FUNCTION", "KILL").Text);
        Assert.Equal(EvalBusy, other.Command("FUNCTION", "STATS").Text);
        Assert.Equal("OK", other.Command("SCRIPT", "KILL").Text);
        Assert.StartsWith("ERR Script killed by user with SCRIPT KILL...", runner.ReadValue().Text);
    }

    [Fact]
    public void SlowFunctionThatWrote_IsUnkillable()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--lua-time-limit", "100");
        using RespConnection runner = codis.Connect();
        using RespConnection other = codis.Connect();
        LoadLibrary(runner);
        Send(runner, other, "FCALL", "spinafterwrite", "0");
        WaitBusy(other);
        Assert.StartsWith("UNKILLABLE Sorry the script already executed write commands", other.Command("FUNCTION", "KILL").Text);
        other.SendRaw(RespConnection.Encode("SHUTDOWN", "NOSAVE"));
        var sw = Stopwatch.StartNew();
        while (!codis.HasExited && sw.Elapsed < TimeSpan.FromSeconds(20))
            Thread.Sleep(50);
        Assert.True(codis.HasExited, "SHUTDOWN NOSAVE did not end the server while the function was busy");
    }

    [Fact]
    public void Load_TopLevelPastTheLimit_TimesOut()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using RespConnection c = codis.Connect();
        Assert.Equal("ERR Error registering functions: ERR FUNCTION LOAD timeout", c.Command("FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end").Text);
        // The loader is usable again and register_function is a load-time API again.
        LoadLibrary(c);
        Assert.Equal(1, c.Command("FCALL", "setk", "2", "k", "n", "v").Integer);
    }

    [Theory]
    [InlineData("codis", "codis")]
    [InlineData("codis", "redis")]
    [InlineData("redis", "codis")]
    public void Libraries_ReachTheReplica_InTheFullSyncAndStreamed(string masterKind, string replicaKind)
    {
        using ServerProcess master = Start(masterKind);
        using ServerProcess replica = Start(replicaKind);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Assert.Equal("first", m.Command("FUNCTION", "LOAD", "#!lua name=first\nredis.register_function{function_name='firstf', callback=function() return 'one' end, flags={'no-writes'}}").Text);
        Assert.Equal("stale", r.Command("FUNCTION", "LOAD", "#!lua name=stale\nredis.register_function('stalef', function() return 0 end)").Text);
        Assert.Equal("OK", r.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
        WaitInSync(m, r);
        // The full resync's RDB replaced the replica's libraries with the master's.
        Assert.Equal("one", r.Command("FCALL_RO", "firstf", "0").Text);
        Assert.Equal("ERR Function not found", r.Command("FCALL", "stalef", "0").Text);
        // A function that may write is refused on a read-only replica even through FCALL_RO, as in Redis.
        Assert.Equal("writer", m.Command("FUNCTION", "LOAD", "#!lua name=writer\nredis.register_function('writerf', function() return 1 end)").Text);
        WaitInSync(m, r);
        Assert.Equal("READONLY You can't write against a read only replica.", r.Command("FCALL_RO", "writerf", "0").Text);
        Assert.Equal("OK", m.Command("FUNCTION", "DELETE", "writer").Text);

        LoadLibrary(m);
        Assert.Equal(1, m.Command("FCALL", "setk", "2", "k", "n", "v").Integer);
        Assert.Equal(2, m.Command("FCALL", "setk", "2", "k", "n", "w").Integer);
        Assert.Equal("OK", m.Command("FUNCTION", "DELETE", "first").Text);
        WaitInSync(m, r);
        Assert.Equal("w", r.Command("FCALL_RO", "getk", "1", "k").Text);
        Assert.Equal("2", r.Command("GET", "n").Text);
        Assert.Equal("ERR Function not found", r.Command("FCALL", "firstf", "0").Text);
        Assert.Equal(1, Info(r, "memory")["number_of_libraries"] == "1" ? 1 : 0);
        // A read-only replica refuses what writes, not what reads.
        Assert.Equal("READONLY You can't write against a read only replica.", r.Command("FCALL", "setk", "2", "k", "n", "v").Text);
        Assert.Equal("READONLY You can't write against a read only replica.", r.Command("FUNCTION", "LOAD", Library).Text);
        Assert.Equal("READONLY You can't write against a read only replica.", r.Command("FUNCTION", "FLUSH").Text);
        Assert.Equal(1, r.Command("FUNCTION", "LIST").Count);

        Assert.Equal("OK", m.Command("FUNCTION", "FLUSH").Text);
        WaitInSync(m, r);
        Assert.Equal(0, r.Command("FUNCTION", "LIST").Count);
    }

    [Fact]
    public void FunctionWrites_ReachTheReplica_AsTheirEffects()
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using ServerProcess replica = ServerProcess.StartRedis();
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Assert.Equal("OK", r.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
        WaitInSync(m, r);
        Assert.Equal("tm", m.Command("FUNCTION", "LOAD", "#!lua name=tm\nredis.register_function('stamp', function(k, a) local t = redis.call('time') redis.call('set', k[1], t[1] .. '.' .. t[2]) redis.call('incr', k[2]) return redis.call('get', k[1]) end)").Text);
        var stamps = new List<string>();
        for (int i = 0; i < 10; i++)
            stamps.Add(m.Command("FCALL", "stamp", "2", $"t{i}", "count").Text!);
        WaitInSync(m, r);
        for (int i = 0; i < 10; i++)
            Assert.Equal(stamps[i], r.Command("GET", $"t{i}").Text);
        Assert.Equal("10", r.Command("GET", "count").Text);
    }

    [Fact]
    public void Libraries_SurviveRestartAndDebugReload_AndRdbFilesAreExchangedWithRedis()
    {
        string ours = _dirs.New();
        string theirs = _dirs.New();
        using (ServerProcess codis = PersistenceSupport.StartCodis(ours))
        using (RespConnection c = codis.Connect())
        {
            LoadLibrary(c);
            Assert.Equal(1, c.Command("FCALL", "setk", "2", "k", "n", "v").Integer);
            Assert.Equal("OK", c.Command("DEBUG", "RELOAD").Text);
            Assert.Equal("v", c.Command("FCALL_RO", "getk", "1", "k").Text);
            PersistenceSupport.Shutdown(c, codis, "SAVE");
        }
        using (ServerProcess codis = PersistenceSupport.StartCodis(ours))
        using (RespConnection c = codis.Connect())
        {
            Assert.Equal(2, c.Command("FCALL", "setk", "2", "k", "n", "w").Integer);
            Assert.Equal("OK", c.Command("SAVE").Text);
        }
        File.Copy(Path.Combine(ours, "dump.rdb"), Path.Combine(theirs, "dump.rdb"));
        using (ServerProcess redis = PersistenceSupport.StartRedis(theirs))
        using (RespConnection r = redis.Connect())
        {
            Assert.Equal("w", r.Command("FCALL_RO", "getk", "1", "k").Text);
            Assert.Equal("second", r.Command("FUNCTION", "LOAD", "#!lua name=second\nredis.register_function('secondf', function() return 'two' end)").Text);
            Assert.Equal("OK", r.Command("SAVE").Text);
        }
        File.Copy(Path.Combine(theirs, "dump.rdb"), Path.Combine(ours, "dump.rdb"), overwrite: true);
        using (ServerProcess codis = PersistenceSupport.StartCodis(ours))
        using (RespConnection c = codis.Connect())
        {
            Assert.Equal("two", c.Command("FCALL", "secondf", "0").Text);
            Assert.Equal(3, c.Command("FCALL", "setk", "2", "k", "n", "x").Integer);
            Assert.Equal(2, c.Command("FUNCTION", "LIST").Count);
        }
    }

    [Fact]
    public void Libraries_AreInTheAof_AndSurviveItsRewrite()
    {
        string dir = _dirs.New();
        using (ServerProcess codis = PersistenceSupport.StartCodis(dir, "--appendonly", "yes", "--appendfsync", "always"))
        using (RespConnection c = codis.Connect())
        {
            LoadLibrary(c);
            Assert.Equal(1, c.Command("FCALL", "setk", "2", "k", "n", "v").Integer);
            PersistenceSupport.Shutdown(c, codis, "NOSAVE");
        }
        string aof = File.ReadAllText(Path.Combine(dir, "appendonly.aof"), Encoding.Latin1);
        Assert.Contains("FUNCTION", aof.ToUpperInvariant(), StringComparison.Ordinal);
        Assert.DoesNotContain("FCALL", aof.ToUpperInvariant(), StringComparison.Ordinal);
        using (ServerProcess codis = PersistenceSupport.StartCodis(dir, "--appendonly", "yes"))
        using (RespConnection c = codis.Connect())
        {
            Assert.Equal("v", c.Command("FCALL_RO", "getk", "1", "k").Text);
            Assert.Equal("1", c.Command("GET", "n").Text);
            Assert.False(c.Command("BGREWRITEAOF").IsError);
            PersistenceSupport.WaitUntil(() => PersistenceSupport.Info(c, "aof_rewrite_in_progress") == "0"
                && PersistenceSupport.Info(c, "aof_rewrite_scheduled") == "0", "the AOF rewrite");
            Assert.Equal("ok", PersistenceSupport.Info(c, "aof_last_bgrewrite_status"));
            Assert.Equal(2, c.Command("FCALL", "setk", "2", "k", "n", "w").Integer);
            PersistenceSupport.Shutdown(c, codis, "NOSAVE");
        }
        using (ServerProcess codis = PersistenceSupport.StartCodis(dir, "--appendonly", "yes"))
        using (RespConnection c = codis.Connect())
        {
            Assert.Equal("w", c.Command("FCALL_RO", "getk", "1", "k").Text);
            Assert.Equal("2", c.Command("GET", "n").Text);
            Assert.Equal(1, c.Command("FUNCTION", "LIST").Count);
        }
    }
}
