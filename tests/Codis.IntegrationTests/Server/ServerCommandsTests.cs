using System.Text;
using System.Text.RegularExpressions;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Server;

/// <summary>INFO, CONFIG, CLIENT, COMMAND, SLOWLOG, MONITOR, DEBUG, TIME against redis-server 7.0.</summary>
public sealed class ServerCommandsTests(ServerCommandsFixture f) : IClassFixture<ServerCommandsFixture>
{
    private static string Text(byte[] reply) => Encoding.UTF8.GetString(reply);

    /// <summary>Parses INFO the way Codis's Go code does: lines split at the first ':', trimmed.</summary>
    private static Dictionary<string, string> ParseInfo(string text)
    {
        var map = new Dictionary<string, string>();
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            map[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return map;
    }

    [Fact]
    public void Info_Default_HasEveryFieldCodisReads()
    {
        using RespConnection c = f.Codis.Connect();
        c.Command("SELECT", "9");
        c.Command("FLUSHALL");
        c.Command("SET", "infokey", "v");
        Dictionary<string, string> info = ParseInfo(c.Command("INFO").Text!);
        Assert.Matches("^[0-9a-f]{40}$", info["run_id"]);
        Assert.True(long.Parse(info["used_memory"]) > 0);
        Assert.Equal("0", info["maxmemory"]);
        Assert.Equal("master", info["role"]);
        Assert.Equal("0", info["loading"]);
        Assert.Equal("keys=1,expires=0,avg_ttl=0", info["db9"]);
        Assert.Equal("7.0.15", info["redis_version"]);
        Assert.Equal(f.Codis.Port.ToString(), info["tcp_port"]);
        Assert.Matches("^[0-9a-f]{40}$", info["master_replid"]);
        Assert.Equal("0", info["connected_slaves"]);
        Assert.False(info.ContainsKey("master_host"));
        Assert.True(info.ContainsKey("codis_version"));
        c.Command("FLUSHALL");
    }

    [Theory]
    [InlineData]
    [InlineData("default")]
    [InlineData("all")]
    [InlineData("everything")]
    [InlineData("server", "keyspace")]
    [InlineData("nosuchsection")]
    public void Info_Sections_SameHeadersAsRedis(params string[] sections)
    {
        DifferentialAssert d = f.Pair();
        static string Headers(RespConnection c, string[] s) =>
            string.Join(",", c.Command(["INFO", .. s]).Text!.Split("\r\n").Where(l => l.StartsWith('#')).Where(l => l != "# Latencystats"));
        Assert.Equal(Headers(d.Redis, sections), Headers(d.Codis, sections));
    }

    [Fact]
    public void Info_SectionFields_SameNamesAsRedis()
    {
        DifferentialAssert d = f.Pair();
        foreach (string section in new[] { "persistence", "replication", "clients", "stats", "cpu", "cluster" })
        {
            var redis = ParseInfo(d.Redis.Command("INFO", section).Text!).Keys.ToHashSet();
            var codis = ParseInfo(d.Codis.Command("INFO", section).Text!).Keys.ToHashSet();
            redis.ExceptWith(codis);
            Assert.Empty(redis);
        }
    }

    [Fact]
    public void InfoKeyspace_EmptyServer_IsOnlyTheHeader()
    {
        using ServerProcess fresh = ServerProcess.StartCodis();
        using RespConnection c = fresh.Connect();
        Assert.Equal("$12\r\n# Keyspace\r\n\r\n", Text(c.Send("INFO", "keyspace")));
    }

    [Fact]
    public void ConfigGet_Maxmemory_ExactShapeTheDashboardNeeds()
    {
        DifferentialAssert d = f.Pair();
        Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", Text(d.Same("CONFIG", "GET", "maxmemory")));
        d.Same("CONFIG", "SET", "maxmemory", "100mb");
        Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n", Text(d.Same("CONFIG", "GET", "maxmemory")));
        d.Same("CONFIG", "SET", "maxmemory", "0");
    }

    [Fact]
    public void ConfigGet_PatternsAndAliases_SameAsRedis()
    {
        DifferentialAssert d = f.Pair();
        d.Same("CONFIG", "GET", "MAXMEMORY");
        d.Same("CONFIG", "GET", "slave-read-only");
        d.Same("CONFIG", "GET", "nosuchparam");
        d.SameUnordered("CONFIG", "GET", "maxmemory*");
        d.SameUnordered("CONFIG", "GET", "timeout", "maxclients", "timeout");
        d.SameUnordered("CONFIG", "GET", "slowlog*", "latency-monitor-threshold");
    }

    [Theory]
    [InlineData("CONFIG", "SET", "foo", "bar")]
    [InlineData("CONFIG", "SET", "maxmemory", "abc")]
    [InlineData("CONFIG", "SET", "maxmemory", "1", "maxmemory", "2")]
    [InlineData("CONFIG", "SET", "databases", "3")]
    [InlineData("CONFIG", "SET", "daemonize", "yes")]
    [InlineData("CONFIG", "SET", "dir", "/tmp")]
    [InlineData("CONFIG", "SET", "appendonly", "maybe")]
    [InlineData("CONFIG", "SET", "hz", "abc")]
    [InlineData("CONFIG", "SET", "hz", "-1")]
    [InlineData("CONFIG", "SET", "timeout", "-1")]
    [InlineData("CONFIG", "SET", "maxclients", "0")]
    [InlineData("CONFIG", "SET", "maxmemory-policy", "xx")]
    [InlineData("CONFIG", "SET", "notify-keyspace-events", "Q")]
    [InlineData("CONFIG", "SET", "save", "1 2 3")]
    [InlineData("CONFIG", "SET", "maxmemory")]
    [InlineData("CONFIG", "SET", "maxmemory", "1", "hz")]
    [InlineData("CONFIG", "GET")]
    [InlineData("CONFIG")]
    [InlineData("CONFIG", "NOSUCH")]
    [InlineData("CONFIG", "RESETSTAT", "x")]
    [InlineData("CONFIG", "HELP")]
    public void ConfigSet_Errors_SameAsRedis(params string[] command)
    {
        f.Pair().Same(command);
    }

    [Fact]
    public void ConfigSet_FailingPair_ChangesNothing()
    {
        DifferentialAssert d = f.Pair();
        d.Same("CONFIG", "SET", "maxmemory", "10mb", "hz", "abc");
        d.Same("CONFIG", "GET", "maxmemory");
        d.Same("CONFIG", "SET", "slowlog-max-len", "77", "maxmemory-policy", "allkeys-lru");
        d.Same("CONFIG", "GET", "slowlog-max-len");
        d.Same("CONFIG", "SET", "slowlog-max-len", "128", "maxmemory-policy", "noeviction");
        d.Same("CONFIG", "SET", "notify-keyspace-events", "KEA");
        d.Same("CONFIG", "GET", "notify-keyspace-events");
        d.Same("CONFIG", "SET", "notify-keyspace-events", "");
        d.Same("CONFIG", "SET", "hz", "1000");
        d.Same("CONFIG", "GET", "hz");
        d.Same("CONFIG", "SET", "hz", "10");
    }

    [Fact]
    public void ConfigRewrite_WithoutConfigFile_SameErrorAsRedis()
    {
        f.Pair().Same("CONFIG", "REWRITE");
    }

    [Fact]
    public void ConfigRewrite_ConfigFile_KeepsCommentsUpdatesInPlaceAndRestarts()
    {
        string dir = ServerProcess.NewTempDirectory();
        string conf = Path.Combine(dir, "codis.conf");
        int port = FreePort.Get();
        File.WriteAllText(conf, $"""
            # my comment
            port {port}
            bind 127.0.0.1
            save ""
            appendonly no
            slave-read-only yes
            maxmemory 10mb
            maxmemory 20mb

            # another comment
            hz 10

            """);
        string[] args = [ServerProcess.FindCodisServerDll(), conf, "--dir", dir];
        using (ServerProcess s = ServerProcess.Start("dotnet", args, port))
        using (RespConnection c = s.Connect())
        {
            Assert.Equal("+OK\r\n", Text(c.Send("CONFIG", "SET", "maxmemory", "100mb", "slowlog-max-len", "5", "masterauth", "x y")));
            Assert.Equal("+OK\r\n", Text(c.Send("CONFIG", "REWRITE")));
        }
        string[] lines = File.ReadAllLines(conf);
        Assert.Equal("# my comment", lines[0]);
        Assert.Contains("# another comment", lines);
        Assert.Contains("replica-read-only yes", lines);
        Assert.Equal(1, lines.Count(l => l.StartsWith("maxmemory ", StringComparison.Ordinal)));
        Assert.Equal(Array.IndexOf(lines, "replica-read-only yes") + 1, Array.IndexOf(lines, "maxmemory 100mb"));
        int signature = Array.IndexOf(lines, "# Generated by CONFIG REWRITE");
        Assert.True(signature > 0);
        Assert.True(Array.IndexOf(lines, "slowlog-max-len 5") > signature);
        Assert.Contains("masterauth \"x y\"", lines);

        using (ServerProcess s = ServerProcess.Start("dotnet", [ServerProcess.FindCodisServerDll(), conf], port))
        using (RespConnection c = s.Connect())
        {
            Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n", Text(c.Send("CONFIG", "GET", "maxmemory")));
            Assert.Equal("x y", c.Command("CONFIG", "GET", "masterauth")[1].Text);
            Assert.Equal("+OK\r\n", Text(c.Send("CONFIG", "REWRITE")));
        }
        // A second rewrite without changes leaves the file as it was.
        Assert.Equal(lines, File.ReadAllLines(conf));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void ClientList_Line_HasRedis7FieldsInOrder()
    {
        DifferentialAssert d = f.Pair();
        static string Fields(RespConnection c) =>
            string.Join(" ", c.Command("CLIENT", "INFO").Text!.Trim().Split(' ').Select(p => p[..p.IndexOf('=', StringComparison.Ordinal)]));
        Assert.Equal(Fields(d.Redis), Fields(d.Codis));
        d.Codis.Command("CLIENT", "SETNAME", "lister");
        string line = d.Codis.Command("CLIENT", "LIST", "ID", d.Codis.Command("CLIENT", "ID").Integer.ToString()).Text!;
        Assert.Matches(@"^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=lister .* flags=N db=0 .* cmd=client\|list user=default redir=-1 resp=2\n$", line);
        Assert.Contains("name=lister", d.Codis.Command("CLIENT", "LIST", "TYPE", "normal").Text);
        Assert.DoesNotContain("name=lister", d.Codis.Command("CLIENT", "LIST", "TYPE", "pubsub").Text);
    }

    [Theory]
    [InlineData("CLIENT", "LIST", "TYPE", "foo")]
    [InlineData("CLIENT", "LIST", "ID", "abc")]
    [InlineData("CLIENT", "LIST", "foo")]
    [InlineData("CLIENT", "KILL", "1.2.3.4:5")]
    [InlineData("CLIENT", "KILL", "ID", "0")]
    [InlineData("CLIENT", "KILL", "TYPE", "foo")]
    [InlineData("CLIENT", "KILL", "SKIPME", "maybe")]
    [InlineData("CLIENT", "KILL", "ID", "999999")]
    [InlineData("CLIENT", "KILL", "ID")]
    [InlineData("CLIENT", "KILL", "FOO", "bar")]
    [InlineData("CLIENT", "SETNAME", "a b")]
    [InlineData("CLIENT", "SETNAME", "a\nb")]
    [InlineData("CLIENT", "GETNAME")]
    [InlineData("CLIENT", "PAUSE", "abc")]
    [InlineData("CLIENT", "PAUSE", "-1")]
    [InlineData("CLIENT", "REPLY", "maybe")]
    [InlineData("CLIENT", "NO-EVICT", "maybe")]
    [InlineData("CLIENT", "NO-EVICT", "on")]
    [InlineData("CLIENT", "UNBLOCK", "999999")]
    [InlineData("CLIENT", "UNBLOCK", "abc")]
    [InlineData("CLIENT", "UNBLOCK", "1", "FOO")]
    [InlineData("CLIENT", "NOSUCH")]
    [InlineData("CLIENT")]
    [InlineData("CLIENT", "HELP")]
    [InlineData("CLIENT", "UNPAUSE")]
    public void Client_Subcommands_SameAsRedis(params string[] command)
    {
        f.Pair().Same(command);
    }

    [Fact]
    public void ClientSetName_GetName_RoundTrip()
    {
        DifferentialAssert d = f.Pair();
        d.Same("CLIENT", "SETNAME", "worker-1");
        d.Same("CLIENT", "GETNAME");
        d.Same("CLIENT", "SETNAME", "");
        d.Same("CLIENT", "GETNAME");
    }

    [Fact]
    public void ClientKill_TypeNormalInsideMulti_KillsOthersNotCaller()
    {
        RespConnection caller = f.Codis.Connect();
        RespConnection other1 = f.Codis.Connect();
        RespConnection other2 = f.Codis.Connect();
        Assert.Equal("+PONG\r\n", Text(other1.Send("PING")));
        Assert.Equal("+PONG\r\n", Text(other2.Send("PING")));
        Assert.Equal("+OK\r\n", Text(caller.Send("MULTI")));
        Assert.Equal("+QUEUED\r\n", Text(caller.Send("CONFIG", "SET", "masterauth", "x")));
        Assert.Equal("+QUEUED\r\n", Text(caller.Send("CLIENT", "KILL", "TYPE", "normal")));
        RespValue exec = caller.Command("EXEC");
        Assert.Equal(2, exec.Count);
        Assert.Equal("OK", exec[0].Text);
        Assert.True(exec[1].Integer >= 2);
        Assert.True(other1.IsClosedByServer());
        Assert.True(other2.IsClosedByServer());
        Assert.Equal("+PONG\r\n", Text(caller.Send("PING")));
        caller.Command("CONFIG", "SET", "masterauth", "");
        caller.Dispose();
        other1.Dispose();
        other2.Dispose();
    }

    [Fact]
    public void ClientKill_ById_AndOldAddrForm()
    {
        using RespConnection caller = f.Codis.Connect();
        using RespConnection victim = f.Codis.Connect();
        long id = victim.Command("CLIENT", "ID").Integer;
        Assert.Equal(":1\r\n", Text(caller.Send("CLIENT", "KILL", "ID", id.ToString())));
        Assert.True(victim.IsClosedByServer());
        using RespConnection victim2 = f.Codis.Connect();
        string addr = Regex.Match(victim2.Command("CLIENT", "INFO").Text!, @"addr=(\S+)").Groups[1].Value;
        Assert.Equal("+OK\r\n", Text(caller.Send("CLIENT", "KILL", addr)));
        Assert.True(victim2.IsClosedByServer());
        Assert.Equal(":0\r\n", Text(caller.Send("CLIENT", "KILL", "ID", caller.Command("CLIENT", "ID").Integer.ToString())));
    }

    [Fact]
    public void ClientPause_Write_HoldsWritesUntilUnpause()
    {
        using RespConnection admin = f.Codis.Connect();
        using RespConnection writer = f.Codis.Connect();
        using RespConnection reader = f.Codis.Connect();
        reader.Command("FLUSHALL");
        Assert.Equal("+OK\r\n", Text(admin.Send("CLIENT", "PAUSE", "20000", "WRITE")));
        writer.SendRaw(RespConnection.Encode("SET", "pausekey", "v"));
        // Reads still run while the write waits.
        Assert.Equal("$-1\r\n", Text(reader.Send("GET", "pausekey")));
        Thread.Sleep(100);
        Assert.Equal("$-1\r\n", Text(reader.Send("GET", "pausekey")));
        Assert.False(writer.HasBufferedData);
        Assert.Equal("+OK\r\n", Text(admin.Send("CLIENT", "UNPAUSE")));
        Assert.Equal("+OK\r\n", Text(writer.ReadReply()));
        Assert.Equal("$1\r\nv\r\n", Text(reader.Send("GET", "pausekey")));
    }

    [Fact]
    public void ClientPause_Timeout_ReleasesWrites()
    {
        using RespConnection admin = f.Codis.Connect();
        using RespConnection writer = f.Codis.Connect();
        Assert.Equal("+OK\r\n", Text(admin.Send("CLIENT", "PAUSE", "200")));
        Assert.Equal("+OK\r\n", Text(writer.Send("SET", "pausekey2", "v")));
        Assert.Equal("$1\r\nv\r\n", Text(writer.Send("GET", "pausekey2")));
    }

    [Fact]
    public void Monitor_SeesOtherClientsCommands()
    {
        using RespConnection monitor = f.Codis.Connect();
        using RespConnection other = f.Codis.Connect();
        Assert.Equal("+OK\r\n", Text(monitor.Send("MONITOR")));
        other.Command("SET", "monkey", "a b");
        string line = Text(monitor.ReadReply());
        Assert.Matches(@"^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] ""SET"" ""monkey"" ""a b""\r\n$", line);
    }

    [Fact]
    public void Slowlog_ThresholdZero_RecordsEveryCommand()
    {
        using ServerProcess s = ServerProcess.StartCodis("--slowlog-log-slower-than", "0");
        using RespConnection c = s.Connect();
        c.Command("CLIENT", "SETNAME", "slowpoke");
        c.Command("SLOWLOG", "RESET");
        c.Command("SET", "k", "v");
        RespValue entries = c.Command("SLOWLOG", "GET");
        RespValue set = entries[0];
        Assert.Equal(6, set.Count);
        Assert.Equal(["SET", "k", "v"], set[3].Children!.Select(a => a.Text));
        Assert.Matches(@"^127\.0\.0\.1:\d+$", set[4].Text);
        Assert.Equal("slowpoke", set[5].Text);
        Assert.Equal("SLOWLOG", entries[1][3][0].Text);
        Assert.Equal(set[0].Integer - 1, entries[1][0].Integer);
        Assert.True(c.Command("SLOWLOG", "LEN").Integer >= 3);
        Assert.Equal(1, c.Command("SLOWLOG", "GET", "1").Count);
        Assert.Equal("ERR count should be greater than or equal to -1", c.Command("SLOWLOG", "GET", "-2").Text);
    }

    [Theory]
    [InlineData("SLOWLOG", "HELP")]
    [InlineData("SLOWLOG", "GET", "-2")]
    [InlineData("SLOWLOG", "GET", "x")]
    [InlineData("SLOWLOG", "NOSUCH")]
    [InlineData("COMMAND", "GETKEYS", "set", "a", "b")]
    [InlineData("COMMAND", "GETKEYS", "set", "a")]
    [InlineData("COMMAND", "GETKEYS", "get", "a", "b")]
    [InlineData("COMMAND", "GETKEYS", "ping", "x")]
    [InlineData("COMMAND", "GETKEYS", "ping")]
    [InlineData("COMMAND", "GETKEYS", "nosuch", "a")]
    [InlineData("COMMAND", "GETKEYS", "get")]
    [InlineData("COMMAND", "INFO", "nosuchcommand")]
    [InlineData("COMMAND", "HELP")]
    [InlineData("DEBUG", "SLEEP", "0")]
    [InlineData("DEBUG", "OBJECT", "nosuchkey")]
    [InlineData("DEBUG", "NOSUCH")]
    [InlineData("MEMORY", "USAGE", "nosuchkey")]
    [InlineData("MEMORY", "USAGE", "k", "SAMPLES")]
    [InlineData("MEMORY", "HELP")]
    [InlineData("LATENCY", "HELP")]
    [InlineData("LATENCY", "LATEST")]
    [InlineData("LATENCY", "HISTORY", "command")]
    [InlineData("SHUTDOWN", "ABORT", "NOW")]
    [InlineData("SHUTDOWN", "FOO")]
    [InlineData("MONITOR", "x")]
    public void Diagnostics_SameAsRedis(params string[] command)
    {
        f.Pair().Same(command);
    }

    [Fact]
    public void Command_CountInfoGetKeys_Shapes()
    {
        using RespConnection c = f.Codis.Connect();
        long count = c.Command("COMMAND", "COUNT").Integer;
        Assert.True(count > 10);
        Assert.Equal(count, c.Command("COMMAND").Count);
        Assert.Equal(count, c.Command("COMMAND", "LIST").Count);
        RespValue get = c.Command("COMMAND", "INFO", "get")[0];
        Assert.Equal(10, get.Count);
        Assert.Equal("get", get[0].Text);
        Assert.Equal(2, get[1].Integer);
        Assert.Contains("readonly", get[2].Children!.Select(x => x.Text));
        Assert.Equal(1, get[3].Integer);
        Assert.Equal(1, get[4].Integer);
        Assert.Equal(1, get[5].Integer);
        RespValue config = c.Command("COMMAND", "INFO", "config")[0];
        Assert.Contains("config|get", config[9].Children!.Select(x => x[0].Text));
        Assert.Equal(-3, c.Command("COMMAND", "INFO", "config|get")[0][1].Integer);
        Assert.Contains("config|get", c.Command("COMMAND", "LIST", "FILTERBY", "PATTERN", "config*").Children!.Select(x => x.Text));
        Assert.Empty(c.Command("COMMAND", "LIST", "FILTERBY", "MODULE", "x").Children!);
        RespValue docs = c.Command("COMMAND", "DOCS", "get");
        Assert.Equal("get", docs[0].Text);
        Assert.Contains("summary", docs[1].Children!.Select(x => x.Text));
    }

    [Fact]
    public void TimeLastsaveDbsize_Shapes()
    {
        DifferentialAssert d = f.Pair();
        RespValue time = d.Codis.Command("TIME");
        Assert.Equal(2, time.Count);
        long seconds = long.Parse(time[0].Text!);
        Assert.InRange(seconds, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        Assert.InRange(long.Parse(time[1].Text!), 0, 999_999);
        Assert.True(d.Codis.Command("LASTSAVE").Integer <= seconds);
        d.Same("SELECT", "7");
        d.Same("FLUSHALL");
        d.Same("DBSIZE");
        d.Same("SET", "a", "1");
        d.Same("DBSIZE");
        d.Same("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        d.Same("FLUSHALL");
    }

    [Fact]
    public void DebugPopulate_CreatesKeys()
    {
        DifferentialAssert d = f.Pair();
        d.Same("SELECT", "8");
        d.Same("FLUSHALL");
        d.Same("DEBUG", "POPULATE", "10", "pop", "20");
        d.Same("DBSIZE");
        d.Same("GET", "pop:3");
        d.Same("DEBUG", "POPULATE", "3");
        d.Same("GET", "key:2");
        d.Same("FLUSHALL");
    }

    [Fact]
    public void Shutdown_StopsTheProcessWithoutReply()
    {
        ServerProcess s = ServerProcess.StartCodis();
        using RespConnection c = s.Connect();
        c.SendRaw(RespConnection.Encode("SHUTDOWN", "NOSAVE"));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
        Assert.False(c.HasBufferedData);
        for (int i = 0; i < 100 && !s.HasExited; i++)
            Thread.Sleep(100);
        Assert.True(s.HasExited);
        s.Dispose();
    }
}
