using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;
using Xunit.Abstractions;
using static Codis.IntegrationTests.Dashboard.DashboardAssert;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// High availability on real processes (ha.md §3-§7): the replica-sync action ("wrench"), promotion through the
/// API with a proxy in front, and a sentinel failover (three sentinels, master killed with SIGKILL while a client
/// writes through the proxy) with the old master re-pointed when it comes back (auto_repoint_replicas).
/// </summary>
public sealed class DashboardHaTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public void SyncAction_Wrench_ReplicaGetsDataAndLink_NoConfigFileFails()
    {
        using ServerProcess master = StartWithConfig();
        using ServerProcess replica = StartWithConfig();
        using ServerProcess bare = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        string m = Addr(master), r = Addr(replica), b = Addr(bare);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{m}"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{r}"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{b}"));
        using (RespConnection c = master.Connect())
            Assert.Equal("OK", c.Command("SET", "wrench", "data").Text);

        Ok(d.Put($"/api/topom/group/action/create/{{xauth}}/{r}"));
        Ok(d.Put($"/api/topom/group/action/create/{{xauth}}/{b}"));
        Assert.True(Eventually(() => ActionState(d, 1, r) == "synced" && ActionState(d, 1, b) == "synced_failed", Long), d.Process.OutputTail());
        Assert.True(d.Process.WaitForOutput("ERR The server is running without a config file"), d.Process.OutputTail());

        Assert.True(Eventually(() => Info(replica).GetValueOrDefault("master_link_status") == "up", Long));
        Dictionary<string, string> info = Info(replica);
        Assert.Equal("slave", info["role"]);
        Assert.Equal(master.Port.ToString(CultureInfo.InvariantCulture), info["master_port"]);
        using (RespConnection c = replica.Connect())
            Assert.True(Eventually(() => c.Command("GET", "wrench").Text == "data", Long));
        // The SLAVEOF of the server without a config file took effect although the action failed.
        Assert.Equal(master.Port.ToString(CultureInfo.InvariantCulture), Info(bare).GetValueOrDefault("master_port"));
        // Stats show master_addr for the replica.
        Assert.True(Eventually(() => Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("stats").TryGetProperty(r, out JsonElement st)
            && st.TryGetProperty("stats", out JsonElement s) && s.TryGetProperty("master_addr", out JsonElement ma) && ma.GetString() == m, Long));
    }

    [Fact]
    public void Promote_ThroughApi_ProxyWritesGoToNewMaster_OldMasterRepointed()
    {
        using ServerProcess master = StartWithConfig();
        using ServerProcess replica = StartWithConfig();
        using DashboardProcess d = DashboardProcess.Start();
        string m = Addr(master), r = Addr(replica);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{m}"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{r}"));
        Ok(d.Put("/api/topom/slots/assign/{xauth}", DashboardProxyTests.AllSlotsTo(1)));
        using ProxyProcess p = ProxyProcess.Start();
        Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));
        Ok(d.Put($"/api/topom/group/action/create/{{xauth}}/{r}"));
        Assert.True(Eventually(() => ActionState(d, 1, r) == "synced", Long), d.Process.OutputTail());
        using (RespConnection c = p.Connect())
            Assert.Equal("OK", c.Command("SET", "before", "1").Text);
        using (RespConnection c = replica.Connect())
            Assert.True(Eventually(() => c.Command("GET", "before").Text == "1", Long));

        Error(d.Put($"/api/topom/group/promote/{{xauth}}/1/{m}"), "group-[1] can't promote master");
        Error(d.Put("/api/topom/group/promote/{xauth}/1/127.0.0.1:1"), "group-[1] doesn't have server-[127.0.0.1:1]");
        Error(d.Put($"/api/topom/group/promote/{{xauth}}/9/{r}"), "group-[9] doesn't exist");

        Ok(d.Put($"/api/topom/group/promote/{{xauth}}/1/{r}"));
        JsonElement g = Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0];
        Assert.Equal(r, g.GetProperty("servers")[0].GetProperty("server").GetString());
        Assert.Equal(m, g.GetProperty("servers")[1].GetProperty("server").GetString());
        Assert.Equal("{}", g.GetProperty("promoting").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.False(g.GetProperty("out_of_sync").GetBoolean());
        JsonElement slot = Json(p.Get("/proxy/slots"))[7];
        Assert.Equal(r, slot.GetProperty("backend_addr").GetString());
        Assert.False(slot.TryGetProperty("locked", out JsonElement locked) && locked.GetBoolean());
        Assert.Equal("master", Info(replica)["role"]);

        using (RespConnection c = p.Connect())
            Assert.Equal("OK", c.Command("SET", "after", "2").Text);
        using (RespConnection c = replica.Connect())
        {
            Assert.Equal("2", c.Command("GET", "after").Text);
            Assert.Equal("1", c.Command("GET", "before").Text);
        }
        // auto_repoint_replicas (default on): the old master becomes a replica of the new one and gets the write.
        Assert.True(Eventually(() => Info(master).GetValueOrDefault("master_port") == replica.Port.ToString(CultureInfo.InvariantCulture)
            && Info(master).GetValueOrDefault("master_link_status") == "up", Long), d.Process.OutputTail());
        using (RespConnection c = master.Connect())
            Assert.True(Eventually(() => c.Command("GET", "after").Text == "2", Long));
        Assert.True(Eventually(() => ActionState(d, 1, m) == "synced", Long));
    }

    [Fact]
    public void Promote_AutoRepointOff_OldMasterStaysMaster()
    {
        using ServerProcess master = StartWithConfig();
        using ServerProcess replica = StartWithConfig();
        using DashboardProcess d = DashboardProcess.Start("auto_repoint_replicas = false");
        string m = Addr(master), r = Addr(replica);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{m}"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{r}"));
        Ok(d.Put($"/api/topom/group/promote/{{xauth}}/1/{r}"));
        Assert.Equal("master", Info(replica)["role"]);
        Thread.Sleep(3000);
        Assert.Equal("master", Info(master)["role"]);
        Assert.Equal("", ActionState(d, 1, m));
    }

    [Fact]
    public void Promote_InterruptedState_OtherIndexRefused_SameIndexResumes()
    {
        using ServerProcess master = StartWithConfig();
        using ServerProcess replica1 = StartWithConfig();
        using ServerProcess replica2 = StartWithConfig();
        using DashboardProcess d = DashboardProcess.Start("auto_repoint_replicas = false");
        string m = Addr(master), r1 = Addr(replica1), r2 = Addr(replica2);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{m}"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{r1}"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{r2}"));

        // A promotion of index 2 left in "prepared" (as after a crash), edited into the coordinator by hand.
        string file = d.NodeFile("/codis3/codis-demo/group/group-0001");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!;
        node["promoting"] = new System.Text.Json.Nodes.JsonObject { ["index"] = 2, ["state"] = "prepared" };
        File.WriteAllText(file, node.ToJsonString());
        Ok(d.Put("/api/topom/reload/{xauth}"));

        Error(d.Put($"/api/topom/group/promote/{{xauth}}/1/{r1}"), "group-[1] is promoting index = 2");
        Error(d.Put($"/api/topom/group/action/create/{{xauth}}/{r1}"), "group-[1] is promoting");
        Error(d.Put($"/api/topom/group/add/{{xauth}}/1/{m}"), $"server-[{m}] already exists");
        Ok(d.Put($"/api/topom/group/promote/{{xauth}}/1/{r2}"));
        JsonElement g = Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0];
        Assert.Equal([r2, r1, m], g.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("server").GetString()));
        Assert.Equal("{}", g.GetProperty("promoting").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("master", Info(replica2)["role"]);
    }

    [Fact]
    public void SentinelFailover_MasterKilled_ProxyWritesResume_NoAckedWriteLost_OldMasterRepointed()
    {
        string masterDir = ServerProcess.NewTempDirectory();
        ServerProcess master = StartWithConfig(masterDir);
        using ServerProcess replica1 = StartWithConfig();
        using ServerProcess replica2 = StartWithConfig();
        var sentinels = new List<ServerProcess>();
        ServerProcess? restarted = null;
        try
        {
            for (int i = 0; i < 3; i++)
                sentinels.Add(StartSentinel());
            using DashboardProcess d = DashboardProcess.Start(
                "sentinel_quorum = 2\nsentinel_down_after = \"2s\"\nsentinel_failover_timeout = \"20s\"\n");
            string m = Addr(master);
            Ok(d.Put("/api/topom/group/create/{xauth}/1"));
            Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{m}"));
            Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{Addr(replica1)}"));
            Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{Addr(replica2)}"));
            Ok(d.Put("/api/topom/slots/assign/{xauth}", DashboardProxyTests.AllSlotsTo(1)));
            using ProxyProcess p = ProxyProcess.Start();
            Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));
            Ok(d.Put($"/api/topom/group/action/create/{{xauth}}/{Addr(replica1)}"));
            Ok(d.Put($"/api/topom/group/action/create/{{xauth}}/{Addr(replica2)}"));
            Assert.True(Eventually(() => ActionState(d, 1, Addr(replica1)) == "synced" && ActionState(d, 1, Addr(replica2)) == "synced", Long), d.Process.OutputTail());
            foreach (ServerProcess s in sentinels)
                Ok(d.Put($"/api/topom/sentinels/add/{{xauth}}/{Addr(s)}"));
            Ok(d.Put("/api/topom/sentinels/resync-all/{xauth}"));
            // Every sentinel knows both replicas and the two other sentinels before the kill.
            Assert.True(Eventually(() => sentinels.All(s =>
            {
                using RespConnection c = s.Connect();
                RespValue masters = c.Command("SENTINEL", "masters");
                if (masters.Count != 1)
                    return false;
                var f = Pairs(masters[0]);
                return f.GetValueOrDefault("num-slaves") == "2" && f.GetValueOrDefault("num-other-sentinels") == "2";
            }), Long), string.Join("\n", sentinels.Select(s => s.OutputTail(10))));

            // A writer through the proxy: key w<i>, acknowledged indexes with their time.
            var acked = new List<(int Index, long Ticks)>();
            var stop = new ManualResetEventSlim();
            var writer = new Thread(() => Write(p, acked, stop));
            writer.Start();
            Assert.True(Eventually(() => { lock (acked) return acked.Count > 200; }, Long));

            using (RespConnection c = replica1.Connect())
                Assert.Equal("PONG", c.Command("PING").Text);
            long killStart = Stopwatch.GetTimestamp();
            using (var kill = Process.Start("kill", ["-9", master.Pid.ToString(CultureInfo.InvariantCulture)]))
                kill.WaitForExit();
            master.Dispose();
            // Once the process is gone nothing can acknowledge on its behalf: later acks come from the new master.
            long killTicks = Stopwatch.GetTimestamp();

            // Writes succeed again after the failover.
            Assert.True(Eventually(() => { lock (acked) return acked.Any(a => a.Ticks > killTicks); }, TimeSpan.FromSeconds(120)),
                d.Process.OutputTail() + "\n" + string.Join("\n", sentinels.Select(s => s.OutputTail(15))));
            long resumed;
            lock (acked)
                resumed = acked.First(a => a.Ticks > killTicks).Ticks;
            TimeSpan outage = Stopwatch.GetElapsedTime(killStart, resumed);
            output.WriteLine($"failover: writes through the proxy resumed {outage.TotalSeconds:0.000} s after kill -9 of the master "
                + "(sentinel_down_after = 2s, quorum 2 of 3)");
            Assert.True(Eventually(() => { lock (acked) return acked.Count(a => a.Ticks > killTicks) > 100; }, Long));
            stop.Set();
            writer.Join();

            // The new master is the group's servers[0] for the dashboard (switch_masters) and the proxy's backend.
            Assert.True(Eventually(() => Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0]
                .GetProperty("servers")[0].GetProperty("server").GetString() != m, Long), d.Process.OutputTail());
            string newMaster = Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0].GetProperty("servers")[0].GetProperty("server").GetString()!;
            Assert.Equal(newMaster, Json(p.Get("/proxy/slots"))[3].GetProperty("backend_addr").GetString());
            ServerProcess promoted = newMaster == Addr(replica1) ? replica1 : replica2;
            using RespConnection nm = promoted.Connect();
            List<(int Index, long Ticks)> all;
            lock (acked)
                all = [.. acked];
            // Acknowledged before the kill: what the replica had received is a prefix of the stream, so every
            // such key below the highest one present must be present.
            var before = all.Where(a => a.Ticks <= killTicks).Select(a => a.Index).ToList();
            var present = before.Where(i => nm.Command("GET", "w" + i.ToString(CultureInfo.InvariantCulture)).Text is not null).ToHashSet();
            int highest = present.Count == 0 ? -1 : present.Max();
            var holes = before.Where(i => i < highest && !present.Contains(i)).ToList();
            output.WriteLine($"acknowledged before the kill: {before.Count}, on the new master: {present.Count}, not replicated (tail): {before.Count(i => i > highest)}");
            Assert.Empty(holes);
            // Acknowledged after the kill: all present, on the new master and through the proxy.
            var after = all.Where(a => a.Ticks > killTicks).Select(a => a.Index).ToList();
            Assert.All(after, i => Assert.Equal("v" + i.ToString(CultureInfo.InvariantCulture), nm.Command("GET", "w" + i.ToString(CultureInfo.InvariantCulture)).Text));
            using (RespConnection c = p.Connect())
                Assert.All(after, i => Assert.Equal("v" + i.ToString(CultureInfo.InvariantCulture), c.Command("GET", "w" + i.ToString(CultureInfo.InvariantCulture)).Text));
            output.WriteLine($"acknowledged after the kill: {after.Count}, all present");

            // The old master comes back (same config file, same port) and is re-pointed to the new master.
            ServerProcess back = ServerProcess.Start("dotnet", [ServerProcess.FindCodisServerDll(), Path.Combine(masterDir, "redis.conf")], master.Port, directory: masterDir);
            restarted = back;
            Assert.True(Eventually(() => Info(back).GetValueOrDefault("master_port") == promoted.Port.ToString(CultureInfo.InvariantCulture)
                && Info(back).GetValueOrDefault("master_link_status") == "up", Long), d.Process.OutputTail());
            using (RespConnection c = back.Connect())
                Assert.True(Eventually(() => c.Command("GET", "w" + after[^1].ToString(CultureInfo.InvariantCulture)).Text is not null, Long));
        }
        finally
        {
            restarted?.Dispose();
            master.Dispose();
            foreach (ServerProcess s in sentinels)
            {
                s.Dispose();
                TryDelete(s.Directory);
            }
            TryDelete(masterDir);
        }
    }

    private static void Write(ProxyProcess p, List<(int Index, long Ticks)> acked, ManualResetEventSlim stop)
    {
        RespConnection? c = null;
        int i = 0;
        while (!stop.IsSet)
        {
            try
            {
                c ??= new RespConnection(p.ProxyPort) { ReadTimeout = TimeSpan.FromSeconds(5) };
                string key = "w" + i.ToString(CultureInfo.InvariantCulture);
                RespValue r = c.Command("SET", key, "v" + i.ToString(CultureInfo.InvariantCulture));
                if (!r.IsError && r.Text == "OK")
                {
                    lock (acked)
                        acked.Add((i, Stopwatch.GetTimestamp()));
                }
                else
                {
                    Thread.Sleep(20);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                c?.Dispose();
                c = null;
                Thread.Sleep(20);
            }
            i++;
        }
        c?.Dispose();
    }

    private static Dictionary<string, string> Pairs(RespValue flat)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < flat.Count; i += 2)
            d[flat[i].Text!] = flat[i + 1].Text ?? "";
        return d;
    }

    private static string ActionState(DashboardProcess d, int gid, string addr)
    {
        foreach (JsonElement g in Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models").EnumerateArray())
        {
            if (g.GetProperty("id").GetInt32() != gid)
                continue;
            foreach (JsonElement s in g.GetProperty("servers").EnumerateArray())
            {
                if (s.GetProperty("server").GetString() == addr)
                    return s.TryGetProperty("action", out JsonElement a) && a.TryGetProperty("state", out JsonElement st) ? st.GetString() ?? "" : "";
            }
        }
        return "<missing>";
    }

    private static Dictionary<string, string> Info(ServerProcess s)
    {
        using RespConnection c = s.Connect();
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in (c.Command("INFO", "replication").Text ?? "").Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                d[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return d;
    }

    private static string Addr(ServerProcess p) => DashboardGroupTests.Addr(p);

    /// <summary>Our codis-server with a config file (CONFIG REWRITE needs one), in <paramref name="dir"/> or a fresh one.</summary>
    private static ServerProcess StartWithConfig(string? dir = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Get();
            string d = dir ?? ServerProcess.NewTempDirectory();
            string file = Path.Combine(d, "redis.conf");
            File.WriteAllText(file, $"port {port}\nbind 127.0.0.1\ndir {d}\n");
            try
            {
                return ServerProcess.Start("dotnet", [ServerProcess.FindCodisServerDll(), file], port, directory: d);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    /// <summary>A redis sentinel (Debian's redis-sentinel, or redis-server --sentinel) on a free port.</summary>
    private static ServerProcess StartSentinel()
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Get();
            string dir = ServerProcess.NewTempDirectory();
            string file = Path.Combine(dir, "sentinel.conf");
            File.WriteAllText(file, $"port {port}\nbind 127.0.0.1\ndir {dir}\n");
            bool own = File.Exists("/usr/bin/redis-sentinel");
            try
            {
                return own
                    ? ServerProcess.Start("/usr/bin/redis-sentinel", [file], port, ReadyCheck.Ping, dir)
                    : ServerProcess.Start(ServerProcess.RedisServerPath, [file, "--sentinel"], port, ReadyCheck.Ping, dir);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
