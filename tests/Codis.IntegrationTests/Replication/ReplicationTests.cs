using Codis.TestSupport;
using static Codis.IntegrationTests.Replication.ReplicationAssert;

namespace Codis.IntegrationTests.Replication;

/// <summary>
/// Replication between real processes: codis-server to codis-server, and interoperation with Debian's
/// redis-server in both directions (full sync of every type, then the streamed writes with expiries and
/// several databases), partial resync after a cut link, read-only replicas, promotion, chains, WAIT, masterauth.
/// </summary>
public sealed class ReplicationTests
{
    private static ServerProcess Start(string kind, params string[] args) =>
        kind == "redis" ? ServerProcess.StartRedis(args) : ServerProcess.StartCodis(args);

    private static void SlaveOf(RespConnection replica, int port) =>
        Assert.Equal("OK", replica.Command("SLAVEOF", "127.0.0.1", port.ToString()).Text);

    [Theory]
    [InlineData("codis", "codis")]
    [InlineData("redis", "codis")]
    [InlineData("codis", "redis")]
    public void SlaveOf_FullSyncThenStream_ReplicaHoldsSameData(string masterKind, string replicaKind)
    {
        using ServerProcess master = Start(masterKind);
        using ServerProcess replica = Start(replicaKind);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Populate(m, "before");
        r.Command("SET", "stale", "gone after the full sync");
        SlaveOf(r, master.Port);
        WaitInSync(m, r);
        SameData(m, r);
        Assert.Equal(0, r.Command("EXISTS", "stale").Integer);

        Populate(m, "after");
        m.Command("SELECT", "5");
        m.Command("DEL", "str:before");
        m.Command("INCRBY", "int:after", "5");
        m.Command("SET", "short", "x", "PX", "300");
        m.Command("SELECT", "0");
        m.Command("LPOP", "list:before");
        WaitInSync(m, r);
        SameData(m, r);
        // The expired key is deleted on the master and the DEL reaches the replica.
        Eventually(() =>
        {
            m.Command("SELECT", "5");
            m.Command("GET", "short");
            r.Command("SELECT", "5");
            return r.Command("EXISTS", "short").Integer == 0;
        }, "the expired key's DEL to reach the replica");
        Dictionary<string, string> info = Info(r);
        Assert.Equal("slave", info["role"]);
        Assert.Equal(master.Port.ToString(), info["master_port"]);
        Assert.Equal("0", info["master_sync_in_progress"]);
    }

    private static void Signal(ServerProcess p, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, p.Pid.ToString()]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void HungReplica_DroppedAfterReplTimeout_PartialResyncWhenItWakes(string replicaKind)
    {
        using ServerProcess master = Start("codis", "--repl-timeout", "2");
        using ServerProcess replica = Start(replicaKind);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        m.Command("SET", "before", "1");
        SlaveOf(r, master.Port);
        WaitInSync(m, r);
        Signal(replica, "STOP");
        try
        {
            Eventually(() => Info(m)["connected_slaves"] == "0", "the master to drop the silent replica");
            Assert.True(master.WaitForOutput("Disconnecting timedout replica"), master.OutputTail());
            m.Command("SET", "during", "2");
        }
        finally
        {
            Signal(replica, "CONT");
        }
        WaitInSync(m, r);
        Assert.Equal("2", r.Command("GET", "during").Text);
        Assert.Equal("1", Info(m, "stats")["sync_partial_ok"]);
        Assert.Equal("1", Info(m, "stats")["sync_full"]);
    }

    [Fact]
    public void MinReplicasToWrite_WritesRefusedUntilEnoughGoodReplicas_AgainWhenItDies()
    {
        using ServerProcess master = Start("codis");
        using RespConnection m = master.Connect();
        Assert.Equal("OK", m.Command("CONFIG", "SET", "min-replicas-to-write", "1").Text);
        Assert.Equal("OK", m.Command("CONFIG", "SET", "min-slaves-max-lag", "3").Text);
        Assert.Equal("NOREPLICAS Not enough good replicas to write.", m.Command("SET", "k", "v").Text);
        Assert.StartsWith("NOREPLICAS Not enough good replicas to write. script: ", m.Command("EVAL", "return redis.call('set', 'k', 'v')", "0").Text);
        Assert.Equal("0", Info(m)["min_slaves_good_slaves"]);
        // Reads are served.
        Assert.True(m.Command("GET", "k").IsNull);
        // A write is refused before MULTI queues it, and the transaction is aborted.
        Assert.Equal("OK", m.Command("MULTI").Text);
        Assert.Equal("NOREPLICAS Not enough good replicas to write.", m.Command("SET", "k", "v").Text);
        Assert.Equal("EXECABORT Transaction discarded because of previous errors.", m.Command("EXEC").Text);
        // A transaction queued while writes were allowed is refused at EXEC.
        Assert.Equal("OK", m.Command("CONFIG", "SET", "min-replicas-to-write", "0").Text);
        Assert.Equal("OK", m.Command("MULTI").Text);
        Assert.Equal("QUEUED", m.Command("SET", "k", "v").Text);
        using (RespConnection admin = master.Connect())
            Assert.Equal("OK", admin.Command("CONFIG", "SET", "min-replicas-to-write", "1").Text);
        Assert.Equal("EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.", m.Command("EXEC").Text);
        Assert.True(m.Command("GET", "k").IsNull);
        // Read-only transactions still run.
        Assert.Equal("OK", m.Command("MULTI").Text);
        Assert.Equal("QUEUED", m.Command("GET", "k").Text);
        Assert.Single(m.Command("EXEC").Children!);

        using (ServerProcess replica = Start("codis"))
        {
            using RespConnection r = replica.Connect();
            SlaveOf(r, master.Port);
            Eventually(() => m.Command("SET", "k", "v").Text == "OK", "writes accepted with one good replica");
            Assert.Equal("1", Info(m)["min_slaves_good_slaves"]);
            WaitInSync(m, r);
            Assert.Equal("v", r.Command("GET", "k").Text);
        }
        // The replica is gone (killed): writes are refused again.
        Eventually(() => m.Command("SET", "k", "w").Text == "NOREPLICAS Not enough good replicas to write.", "NOREPLICAS once the replica is gone");
        Assert.Equal("v", m.Command("GET", "k").Text);
        Assert.Equal("OK", m.Command("CONFIG", "SET", "min-replicas-to-write", "0").Text);
        Assert.Equal("OK", m.Command("SET", "k", "w").Text);
        Assert.False(Info(m).ContainsKey("min_slaves_good_slaves"));
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void FullSync_WhileClientsWrite_SnapshotInBackground_WritesMeanwhileReachReplica(string replicaKind)
    {
        using ServerProcess master = Start("codis", "--enable-debug-command", "yes");
        using ServerProcess replica = Start(replicaKind);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        // Enough data that the snapshot takes a while, written in the background while clients write.
        Assert.Equal("OK", m.Command("DEBUG", "POPULATE", "200000", "bulk", "64").Text);
        long writes = 0;
        bool syncing = true;
        var writer = new Thread(() =>
        {
            using RespConnection w = master.Connect();
            while (Volatile.Read(ref syncing))
            {
                long n = Interlocked.Increment(ref writes);
                Assert.Equal(n, w.Command("INCR", "counter").Integer);
                w.Command("SET", "bulk:" + (n % 200000), "rewritten " + n);
                w.Command("SET", "new:" + n, "x");
            }
        });
        writer.Start();
        Eventually(() => Interlocked.Read(ref writes) > 100, "the writer to start");
        SlaveOf(r, master.Port);
        Eventually(() => Info(r).GetValueOrDefault("master_link_status") == "up", "master_link_status:up");
        long atLinkUp = Interlocked.Read(ref writes);
        Eventually(() => Interlocked.Read(ref writes) > atLinkUp + 100, "writes after the sync");
        Volatile.Write(ref syncing, false);
        writer.Join();
        WaitInSync(m, r);
        Assert.Equal(m.Command("GET", "counter").Text, r.Command("GET", "counter").Text);
        Assert.Equal(m.Command("DBSIZE").Integer, r.Command("DBSIZE").Integer);
        for (long n = Interlocked.Read(ref writes); n > 0 && n > Interlocked.Read(ref writes) - 500; n--)
        {
            Assert.Equal(m.Command("GET", "bulk:" + (n % 200000)).Text, r.Command("GET", "bulk:" + (n % 200000)).Text);
            Assert.Equal("x", r.Command("GET", "new:" + n).Text);
        }
        // The writes made while the snapshot was written were buffered for the replica, not blocked.
        Assert.True(master.WaitForOutput("written meanwhile"), master.OutputTail());
        Assert.Matches(@"after [1-9][0-9]* bytes of stream written meanwhile", master.OutputTail());
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void LinkCut_ReplicaReconnects_PartialResync(string replicaKind)
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using ServerProcess replica = Start(replicaKind);
        using var cutter = new LinkCutter(master.Port);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Populate(m, "before");
        SlaveOf(r, cutter.Port);
        try
        {
            WaitInSync(m, r);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Assert.Fail(e.Message + "\nreplica:\n" + replica.OutputTail(40) + "\nmaster:\n" + master.OutputTail(20));
        }
        cutter.Cut();
        // Redis reconnects at once (the down state may last only milliseconds): a new connection through the cutter is the sign.
        Eventually(() => cutter.Accepted >= 2 || Info(r).GetValueOrDefault("master_link_status") == "down", "the replica noticing the cut");
        Populate(m, "during");
        WaitInSync(m, r);
        SameData(m, r);
        Dictionary<string, string> stats = Info(m, "stats");
        Assert.Equal("1", stats["sync_full"]);
        Assert.Equal("1", stats["sync_partial_ok"]);
        Assert.True(cutter.Accepted >= 2);
    }

    [Fact]
    public void CodisReplica_OfRedisMaster_PartialResyncAfterCut()
    {
        using ServerProcess master = ServerProcess.StartRedis();
        using ServerProcess replica = ServerProcess.StartCodis();
        using var cutter = new LinkCutter(master.Port);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Populate(m, "before");
        SlaveOf(r, cutter.Port);
        WaitInSync(m, r);
        cutter.Cut();
        Populate(m, "during");
        WaitInSync(m, r);
        SameData(m, r);
        Assert.Equal("1", Info(m, "stats")["sync_partial_ok"]);
    }

    [Fact]
    public void Replica_Write_FailsReadOnlyUntilPromoted()
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using ServerProcess replica = ServerProcess.StartCodis();
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        m.Command("SET", "k", "v");
        SlaveOf(r, master.Port);
        WaitInSync(m, r);
        RespValue err = r.Command("SET", "k", "other");
        Assert.Equal("READONLY You can't write against a read only replica.", err.Text);
        Assert.Equal("v", r.Command("GET", "k").Text);
        string oldId = Info(r)["master_replid"];

        Assert.Equal("OK", r.Command("SLAVEOF", "NO", "ONE").Text);
        Dictionary<string, string> info = Info(r);
        Assert.Equal("master", info["role"]);
        Assert.Equal(oldId, info["master_replid2"]);
        Assert.NotEqual(oldId, info["master_replid"]);
        Assert.Equal("v", r.Command("GET", "k").Text);
        Assert.Equal("OK", r.Command("SET", "k", "mine").Text);
        Assert.Equal("master", r.Command("ROLE")[0].Text);
    }

    [Fact]
    public void Chain_ReplicaOfReplica_ReceivesMastersWrites()
    {
        using ServerProcess a = ServerProcess.StartCodis();
        using ServerProcess b = ServerProcess.StartCodis();
        using ServerProcess c = ServerProcess.StartCodis();
        using RespConnection ca = a.Connect();
        using RespConnection cb = b.Connect();
        using RespConnection cc = c.Connect();
        Populate(ca, "before");
        SlaveOf(cb, a.Port);
        WaitInSync(ca, cb);
        SlaveOf(cc, b.Port);
        WaitInSync(cb, cc);
        Populate(ca, "after");
        WaitInSync(ca, cc);
        SameData(ca, cc);
        Assert.Equal(Info(ca)["master_replid"], Info(cc)["master_replid"]);
        Assert.Equal("1", Info(cb)["connected_slaves"]);
    }

    [Fact]
    public void Wait_CountsAcknowledgingReplicas()
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using ServerProcess replica = ServerProcess.StartCodis();
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Assert.Equal(0, m.Command("WAIT", "0", "0").Integer);
        SlaveOf(r, master.Port);
        WaitInSync(m, r);
        m.Command("SET", "k", "v");
        Assert.Equal(1, m.Command("WAIT", "1", "5000").Integer);
        Assert.Equal(1, m.Command("WAIT", "2", "200").Integer);
        Assert.StartsWith("ERR WAIT cannot be used with replica instances", r.Command("WAIT", "1", "10").Text);
        RespValue role = m.Command("ROLE");
        Assert.Equal("master", role[0].Text);
        Assert.Equal(1, role[2].Count);
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void MasterAuth_WithRequirePass_LinkUpOnlyWithPassword(string replicaKind)
    {
        using ServerProcess master = ServerProcess.StartCodis("--requirepass", "secret");
        using ServerProcess replica = Start(replicaKind);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        m.Command("AUTH", "secret");
        m.Command("SET", "k", "v");
        SlaveOf(r, master.Port);
        Thread.Sleep(1500);
        Assert.Equal("down", Info(r)["master_link_status"]);
        Assert.Equal("OK", r.Command("CONFIG", "SET", "masterauth", "secret").Text);
        Eventually(() => Info(r)["master_link_status"] == "up", "the link to come up with masterauth");
        Eventually(() => r.Command("GET", "k").Text == "v", "the data");
    }

    [Fact]
    public void InfoReplication_MasterAndReplica_ReportRedisFields()
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using ServerProcess replica = ServerProcess.StartCodis("--replica-priority", "42");
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Dictionary<string, string> lone = Info(m);
        Assert.Equal("master", lone["role"]);
        Assert.Equal("0", lone["connected_slaves"]);
        Assert.Equal("0", lone["repl_backlog_active"]);
        SlaveOf(r, master.Port);
        WaitInSync(m, r);
        Dictionary<string, string> mi = Info(m);
        Assert.Equal("1", mi["connected_slaves"]);
        Assert.Matches($"^ip=127\\.0\\.0\\.1,port={replica.Port},state=online,offset=\\d+,lag=\\d+$", mi["slave0"]);
        Assert.Equal("1", mi["repl_backlog_active"]);
        Assert.Equal("1048576", mi["repl_backlog_size"]);
        Assert.Equal(40, mi["master_replid"].Length);
        Dictionary<string, string> ri = Info(r);
        foreach (string field in new[] { "master_host", "master_port", "master_link_status", "master_last_io_seconds_ago",
            "master_sync_in_progress", "slave_repl_offset", "slave_priority", "slave_read_only", "connected_slaves",
            "master_replid", "master_replid2", "master_repl_offset", "second_repl_offset", "repl_backlog_active",
            "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen" })
            Assert.True(ri.ContainsKey(field), field);
        Assert.Equal("42", ri["slave_priority"]);
        Assert.Equal("1", ri["slave_read_only"]);
        Assert.Equal(mi["master_replid"], ri["master_replid"]);
        RespValue role = r.Command("ROLE");
        Assert.Equal("slave", role[0].Text);
        Assert.Equal(master.Port, role[2].Integer);
        Assert.Equal("connected", role[3].Text);

        master.Dispose();
        Eventually(() => Info(r)["master_link_status"] == "down", "the link going down");
        Eventually(() => Info(r).ContainsKey("master_link_down_since_seconds"), "master_link_down_since_seconds");
    }

    [Fact]
    public void SlaveOf_BadPort_ErrorAndStaysMaster()
    {
        using ServerProcess server = ServerProcess.StartCodis();
        using RespConnection c = server.Connect();
        Assert.Equal("ERR value is not an integer or out of range", c.Command("SLAVEOF", "127.0.0.1", "notaport").Text);
        Assert.Equal("ERR Invalid master port", c.Command("SLAVEOF", "127.0.0.1", "70000").Text);
        Assert.Equal("master", Info(c)["role"]);
    }

    [Theory]
    [InlineData("codis")]
    [InlineData("redis")]
    public void ReplicaServeStaleDataNo_LinkDown_MasterDown_StaleCommandsServed_UntilPromoted(string kind)
    {
        // A replica of a dead master: its link never comes up.
        using ServerProcess replica = Start(kind, "--replica-serve-stale-data", "no", "--replicaof", "127.0.0.1", "1");
        using RespConnection r = replica.Connect();
        string masterDown = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
        Assert.Equal(masterDown, System.Text.Encoding.UTF8.GetString(r.Send("GET", "k")));
        Assert.Equal(masterDown, System.Text.Encoding.UTF8.GetString(r.Send("DBSIZE")));
        // Redis 7 answers PING with MASTERDOWN too (it is not a "stale" command); INFO is.
        Assert.Equal(masterDown, System.Text.Encoding.UTF8.GetString(r.Send("PING")));
        Assert.Contains("master_link_status:down", r.Command("INFO", "replication").Text);
        // Inside MULTI the refusal is at queue time, and EXEC aborts.
        Assert.Equal("OK", r.Command("MULTI").Text);
        Assert.Equal(masterDown, System.Text.Encoding.UTF8.GetString(r.Send("GET", "k")));
        Assert.StartsWith("-EXECABORT", System.Text.Encoding.UTF8.GetString(r.Send("EXEC")));
        // Serving stale data again (CONFIG SET) or promoting the replica lifts it.
        Assert.Equal("OK", r.Command("CONFIG", "SET", "replica-serve-stale-data", "yes").Text);
        Assert.Equal("$-1\r\n", System.Text.Encoding.UTF8.GetString(r.Send("GET", "k")));
        Assert.Equal("OK", r.Command("CONFIG", "SET", "replica-serve-stale-data", "no").Text);
        Assert.Equal(masterDown, System.Text.Encoding.UTF8.GetString(r.Send("GET", "k")));
        Assert.Equal("OK", r.Command("REPLICAOF", "NO", "ONE").Text);
        Assert.Equal("$-1\r\n", System.Text.Encoding.UTF8.GetString(r.Send("GET", "k")));
    }
}
