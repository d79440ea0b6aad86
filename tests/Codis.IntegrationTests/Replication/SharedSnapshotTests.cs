using System.Text.RegularExpressions;
using Codis.TestSupport;
using static Codis.IntegrationTests.Replication.ReplicationAssert;

namespace Codis.IntegrationTests.Replication;

/// <summary>
/// Full resyncs share snapshots as Redis 7.0's do: a diskless one waits repl-diskless-sync-delay
/// seconds (or for repl-diskless-sync-max-replicas replicas) so that replicas arriving together get one
/// snapshot; with disk sync a replica arriving during the snapshot joins it. Observed through INFO
/// (total_forks counts background snapshots, sync_full full resyncs, slaveN state) and the master's log,
/// with our replicas and Debian's redis-server as replicas, while a client writes.
/// </summary>
public sealed partial class SharedSnapshotTests
{
    private static ServerProcess Start(string kind, params string[] args) =>
        kind == "redis" ? ServerProcess.StartRedis(args) : ServerProcess.StartCodis(args);

    private static long Stat(RespConnection c, string name) => long.Parse(Info(c, "stats")[name]);

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    // The master's INFO replication lines slaveN:ip=...,state=...
    private static List<string> ReplicaStates(RespConnection m)
    {
        var states = new List<string>();
        foreach ((string key, string value) in Info(m))
        {
            if (SlaveLine().IsMatch(key))
                states.Add(StateField().Match(value).Groups[1].Value);
        }
        return states;
    }

    [GeneratedRegex(@"^slave\d+$")]
    private static partial Regex SlaveLine();

    [GeneratedRegex(@"state=([a-z_]+)")]
    private static partial Regex StateField();

    /// <summary>A client writing to the master until disposed; the counter it increments checks the replicas.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly Thread _thread;
        private readonly RespConnection _c;
        private long _writes;
        private volatile bool _stop;

        public Writer(ServerProcess master)
        {
            _c = master.Connect();
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    long n = Interlocked.Increment(ref _writes);
                    _c.Command("INCR", "counter");
                    _c.Command("SET", "key:" + (n % 5000), "v" + n);
                }
            });
            _thread.Start();
        }

        public long Writes => Interlocked.Read(ref _writes);

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
            _c.Dispose();
        }
    }

    private static void SameDataset(RespConnection m, RespConnection r)
    {
        WaitInSync(m, r);
        Assert.Equal(m.Command("DBSIZE").Integer, r.Command("DBSIZE").Integer);
        Assert.Equal(m.Command("GET", "counter").Text, r.Command("GET", "counter").Text);
        for (int i = 0; i < 5000; i += 97)
            Assert.Equal(m.Command("GET", "key:" + i).Text, r.Command("GET", "key:" + i).Text);
        Assert.Equal(m.Command("GET", "bulk:4321").Text, r.Command("GET", "bulk:4321").Text);
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void DisklessDelay_TwoReplicasTogether_OneSnapshotForBoth(string secondKind)
    {
        using ServerProcess master = Start("codis", "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "2");
        using ServerProcess first = Start("codis");
        using ServerProcess second = Start(secondKind);
        using RespConnection m = master.Connect();
        using RespConnection r1 = first.Connect();
        using RespConnection r2 = second.Connect();
        Assert.Equal("OK", m.Command("DEBUG", "POPULATE", "20000", "bulk", "32").Text);
        long forks = Stat(m, "total_forks");
        using (var writer = new Writer(master))
        {
            Eventually(() => writer.Writes > 100, "the writer to start");
            Assert.Equal("OK", r1.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
            Assert.Equal("OK", r2.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
            // Both wait for the delay before any snapshot starts.
            Eventually(() => ReplicaStates(m) is ["wait_bgsave", "wait_bgsave"], "two replicas in wait_bgsave");
            Assert.Equal(forks, Stat(m, "total_forks"));
            // The log is read from the process's output a moment after it is written.
            Eventually(() => Count(master.OutputTail(100), "Delay next BGSAVE for diskless SYNC") == 2, "two delay notices in the log");
            Eventually(() => ReplicaStates(m) is ["online", "online"], "both replicas online");
            long atOnline = writer.Writes;
            Eventually(() => writer.Writes > atOnline + 100, "writes after the sync");
        }
        SameDataset(m, r1);
        SameDataset(m, r2);
        Assert.Equal(forks + 1, Stat(m, "total_forks"));
        Assert.Equal(2, Stat(m, "sync_full"));
        // A replica may report online before the master has logged the end of its stream (CI: 0 of 2 read).
        Eventually(() => Count(master.OutputTail(100), "Streamed RDB transfer with replica") >= 2, "two streamed transfers in the log");
        string log = master.OutputTail(100);
        Assert.Equal(1, Count(log, "Starting BGSAVE for SYNC with target: replicas sockets (2 replica(s)"));
        Assert.Equal(2, Count(log, "Streamed RDB transfer with replica"));
    }

    [Fact]
    public void DisklessDelayZero_StartsAtOnce()
    {
        using ServerProcess master = Start("codis", "--repl-diskless-sync-delay", "0");
        using ServerProcess replica = Start("codis");
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Populate(m, "zero");
        Assert.Equal("OK", r.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
        WaitInSync(m, r);
        SameData(m, r);
        string log = master.OutputTail(100);
        Assert.DoesNotContain("Delay next BGSAVE", log);
        Assert.Contains("Starting BGSAVE for SYNC with target: replicas sockets (1 replica(s)", log);
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void DisklessMaxReplicas_StartsWhenReached_NotAtTheDelay(string secondKind)
    {
        // A delay no test waits for: only reaching max-replicas can start the snapshot.
        using ServerProcess master = Start("codis", "--repl-diskless-sync-delay", "3600", "--repl-diskless-sync-max-replicas", "2");
        using ServerProcess first = Start("codis");
        using ServerProcess second = Start(secondKind);
        using RespConnection m = master.Connect();
        using RespConnection r1 = first.Connect();
        using RespConnection r2 = second.Connect();
        Populate(m, "max");
        Assert.Equal("OK", r1.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
        Eventually(() => ReplicaStates(m) is ["wait_bgsave"], "the first replica in wait_bgsave");
        Thread.Sleep(1500);
        Assert.Equal(["wait_bgsave"], ReplicaStates(m));
        Assert.Equal("down", Info(r1)["master_link_status"]);
        Assert.Equal("OK", r2.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
        WaitInSync(m, r1);
        WaitInSync(m, r2);
        SameData(m, r1);
        SameData(m, r2);
        Assert.Equal(1, Stat(m, "total_forks"));
        Assert.Contains("Starting BGSAVE for SYNC with target: replicas sockets (2 replica(s)", master.OutputTail(100));
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void DiskSync_ReplicaArrivingDuringSnapshot_AttachesToIt(string secondKind)
    {
        // 300,000 keys at 10 us each: the snapshot takes 3 s, so it is still being written when the second
        // replica asks, however fast or loaded the machine.
        using ServerProcess master = Start("codis", "--enable-debug-command", "yes", "--repl-diskless-sync", "no", "--rdb-key-save-delay", "10");
        using ServerProcess first = Start("codis");
        using ServerProcess second = Start(secondKind);
        using RespConnection m = master.Connect();
        using RespConnection r1 = first.Connect();
        using RespConnection r2 = second.Connect();
        Assert.Equal("OK", m.Command("DEBUG", "POPULATE", "300000", "bulk", "64").Text);
        long forks = Stat(m, "total_forks");
        using (var writer = new Writer(master))
        {
            Eventually(() => writer.Writes > 100, "the writer to start");
            Assert.Equal("OK", r1.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
            Assert.True(master.WaitForOutput("Starting BGSAVE for SYNC with target: disk"), master.OutputTail());
            Assert.Equal("OK", r2.Command("REPLICAOF", "127.0.0.1", master.Port.ToString()).Text);
            Assert.True(master.WaitForOutput("Waiting for end of BGSAVE for SYNC"), master.OutputTail());
            Eventually(() => ReplicaStates(m) is ["online", "online"], "both replicas online");
            long atOnline = writer.Writes;
            Eventually(() => writer.Writes > atOnline + 100, "writes after the sync");
        }
        SameDataset(m, r1);
        SameDataset(m, r2);
        Assert.Equal(forks + 1, Stat(m, "total_forks"));
        Assert.Equal(2, Stat(m, "sync_full"));
    }

    [Fact]
    public void ConfigSetGet_DisklessSyncKeys_AsRedis()
    {
        using ServerProcess redis = ServerProcess.StartRedis();
        using ServerProcess codis = ServerProcess.StartCodis();
        using RespConnection rc = redis.Connect();
        using RespConnection cc = codis.Connect();
        var d = new DifferentialAssert(rc, cc);
        d.SameUnordered("CONFIG", "GET", "repl-diskless-sync*");
        d.Same("CONFIG", "SET", "repl-diskless-sync", "no", "repl-diskless-sync-delay", "0", "repl-diskless-sync-max-replicas", "3");
        d.SameUnordered("CONFIG", "GET", "repl-diskless-sync*");
        d.Same("CONFIG", "SET", "repl-diskless-sync-delay", "-1");
        // The testing knob that makes the disk-sync test deterministic.
        d.Same("CONFIG", "SET", "rdb-key-save-delay", "-5");
        d.Same("CONFIG", "GET", "rdb-key-save-delay");
        d.Same("CONFIG", "SET", "rdb-key-save-delay", "x");
        d.Same("CONFIG", "SET", "repl-diskless-sync-max-replicas", "x");
        d.Same("CONFIG", "SET", "repl-diskless-sync", "maybe");
        d.SameUnordered("CONFIG", "GET", "repl-diskless-sync*");
    }

    [Fact]
    public void ConfigFile_DisklessSyncKeys_Loaded()
    {
        string dir = ServerProcess.NewTempDirectory();
        string file = Path.Combine(dir, "redis.conf");
        File.WriteAllText(file, "repl-diskless-sync no\nrepl-diskless-sync-delay 7\nrepl-diskless-sync-max-replicas 4\n");
        try
        {
            int port = FreePort.Get();
            using ServerProcess server = ServerProcess.Start("dotnet",
                [ServerProcess.FindCodisServerDll(), file, "--port", port.ToString(), "--bind", "127.0.0.1"], port, directory: dir);
            using RespConnection c = server.Connect();
            RespValue all = c.Command("CONFIG", "GET", "repl-diskless-sync*");
            var values = new Dictionary<string, string>();
            for (int i = 0; i + 1 < all.Count; i += 2)
                values[all[i].Text!] = all[i + 1].Text!;
            Assert.Equal("no", values["repl-diskless-sync"]);
            Assert.Equal("7", values["repl-diskless-sync-delay"]);
            Assert.Equal("4", values["repl-diskless-sync-max-replicas"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
