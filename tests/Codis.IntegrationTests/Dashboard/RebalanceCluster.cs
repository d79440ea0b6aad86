using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// A real cluster for the migration tests: one codis-server per group, a codis-dashboard on a filesystem
/// coordinator that outlives dashboard restarts, and two codis-proxies registered with it. All slots start in
/// group 1; <see cref="Keys"/> are written through the first proxy. While slots move, one client per proxy
/// overwrites its half of the keys (remembering the last value acknowledged for each), increments its own
/// counters (a doubled or lost INCR shows as a wrong count) and reads its keys back.
/// </summary>
internal sealed class RebalanceCluster : IDisposable
{
    private readonly List<ServerProcess> _servers = [];
    private readonly string _coordinatorRoot = ServerProcess.NewTempDirectory();
    private readonly string _extraToml;
    private readonly string[] _last;
    private const int CountersPerClient = 100;
    private readonly List<string> _writeErrors = [];
    private readonly List<ProxyProcess> _proxies = [];
    private readonly List<Thread> _writers = [];
    // Per client: acknowledged increments of each counter.
    private readonly long[][] _counts = [new long[CountersPerClient], new long[CountersPerClient]];
    private volatile bool _stopWriting;
    private long _writes;
    private long _reads;

    public RebalanceCluster(int groups, string method, int keys, string extraToml = "")
    {
        _extraToml = $"migration_method = \"{method}\"\n" + extraToml;
        Keys = keys;
        _last = new string[keys];
        try
        {
            for (int i = 0; i < groups; i++)
                _servers.Add(ServerProcess.StartCodis());
            Dashboard = DashboardProcess.Start(_extraToml, _coordinatorRoot);
            for (int g = 1; g <= groups; g++)
            {
                Ok(Dashboard.Put($"/api/topom/group/create/{{xauth}}/{g}"));
                Ok(Dashboard.Put($"/api/topom/group/add/{{xauth}}/{g}/{Addr(g)}"));
            }
            var all = Enumerable.Range(0, 1024).Select(i => new { id = i, group_id = 1 });
            Ok(Dashboard.Put("/api/topom/slots/assign/{xauth}", JsonSerializer.Serialize(all)));
            for (int i = 0; i < 2; i++)
            {
                _proxies.Add(ProxyProcess.Start());
                Ok(Dashboard.Put($"/api/topom/proxy/create/{{xauth}}/{_proxies[i].AdminAddr}"));
            }
            Load();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public DashboardProcess Dashboard { get; private set; } = null!;

    /// <summary>The first proxy.</summary>
    public ProxyProcess Proxy => _proxies[0];

    /// <summary>Both proxies.</summary>
    public IReadOnlyList<ProxyProcess> Proxies => _proxies;

    public int Keys { get; }

    /// <summary>Writes acknowledged by the background clients so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Reads checked by the background clients so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public string Addr(int gid) => "127.0.0.1:" + _servers[gid - 1].Port.ToString(CultureInfo.InvariantCulture);

    public ServerProcess Server(int gid) => _servers[gid - 1];

    public static string Key(int i) => "key:" + i.ToString(CultureInfo.InvariantCulture);

    public static string Counter(int client, int k) =>
        "counter:" + client.ToString(CultureInfo.InvariantCulture) + ":" + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every key once, pipelined through the proxy.</summary>
    private void Load()
    {
        using RespConnection c = Proxy.Connect();
        const int batch = 500;
        for (int start = 0; start < Keys; start += batch)
        {
            int end = Math.Min(Keys, start + batch);
            var buf = new List<byte>();
            for (int i = start; i < end; i++)
            {
                _last[i] = "v0-" + i.ToString(CultureInfo.InvariantCulture);
                buf.AddRange(RespConnection.Encode("SET", Key(i), _last[i]));
            }
            c.SendRaw(buf.ToArray());
            for (int i = start; i < end; i++)
            {
                RespValue r = c.ReadValue();
                Assert.True(r.Text == "OK", $"SET {Key(i)} through the proxy: {r}");
            }
        }
    }

    /// <summary>
    /// Starts one client per proxy. Client <c>w</c> owns the keys <c>i % 2 == w</c> and its counters, so it
    /// alone knows their last acknowledged values: SET a key, INCR a counter, GET a key back.
    /// </summary>
    public void StartWriter()
    {
        for (int w = 0; w < _proxies.Count; w++)
        {
            int client = w;
            var t = new Thread(() => Write(client)) { IsBackground = true, Name = "rebalance client " + w };
            _writers.Add(t);
            t.Start();
        }
    }

    private void Fail(string what)
    {
        lock (_writeErrors)
            _writeErrors.Add(what);
    }

    private void Write(int client)
    {
        using RespConnection c = _proxies[client].Connect();
        // A slot is locked while every proxy drains it, and a restarted dashboard needs a few seconds.
        c.ReadTimeout = TimeSpan.FromSeconds(120);
        var rnd = new Random(7 + client);
        long[] counts = _counts[client];
        for (long n = 1; !_stopWriting; n++)
        {
            int i = rnd.Next(Keys / 2) * 2 + client;
            if (i >= Keys)
                continue;
            try
            {
                switch (n % 3)
                {
                    case 0:
                        int k = rnd.Next(CountersPerClient);
                        RespValue inc = c.Command("INCR", Counter(client, k));
                        if (inc.Type == RespType.Integer && inc.Integer == counts[k] + 1)
                            counts[k]++;
                        else
                            Fail($"INCR {Counter(client, k)} after {counts[k]} acknowledged: {inc}");
                        break;
                    case 1:
                        string v = "v" + n.ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture);
                        RespValue r = c.Command("SET", Key(i), v);
                        if (r.Text == "OK")
                        {
                            _last[i] = v;
                            Interlocked.Increment(ref _writes);
                        }
                        else
                        {
                            Fail($"SET {Key(i)}: {r}");
                            // The value is unknown now (it may or may not have been applied): stop checking this key.
                            _last[i] = "";
                        }
                        break;
                    default:
                        RespValue g = c.Command("GET", Key(i));
                        if (_last[i].Length != 0 && g.Text != _last[i])
                            Fail($"GET {Key(i)} through proxy {client}: expected {_last[i]}, got {g}");
                        Interlocked.Increment(ref _reads);
                        break;
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                Fail($"client {client}: {e.Message}");
                return;
            }
        }
    }

    /// <summary>Stops the clients and fails if any write was refused or any read or count was wrong.</summary>
    public void StopWriter()
    {
        _stopWriting = true;
        foreach (Thread t in _writers)
            t.Join(TimeSpan.FromSeconds(150));
        lock (_writeErrors)
            Assert.True(_writeErrors.Count == 0, "writes failed during the migration: " + string.Join("; ", _writeErrors.Take(10)));
    }

    /// <summary>The stored slot mappings (stats.slots).</summary>
    public JsonElement StoredSlots() => Json(Dashboard.Get("/topom/stats")).GetProperty("slots");

    /// <summary>Slots whose stored action is not empty.</summary>
    public int SlotsWithAction() =>
        StoredSlots().EnumerateArray().Count(s => s.TryGetProperty("action", out JsonElement a) && a.TryGetProperty("state", out _));

    /// <summary>Waits until no stored slot has an action.</summary>
    public void WaitAllActionsDone(TimeSpan timeout) =>
        Assert.True(Eventually(() => SlotsWithAction() == 0, timeout),
            "slot actions still running: " + SlotsWithAction() + "\n" + Dashboard.Process.OutputTail());

    /// <summary>
    /// Every key readable through the proxy with its last acknowledged value; every slot stored in the group
    /// <paramref name="owner"/> names, served by that group's master on the proxy, and holding keys only there.
    /// </summary>
    public void AssertSettled(Func<int, int> owner)
    {
        foreach (ProxyProcess proxy in _proxies)
        {
            using RespConnection c = proxy.Connect();
            for (int client = 0; client < _counts.Length; client++)
            {
                for (int k = 0; k < CountersPerClient; k++)
                {
                    RespValue r = c.Command("GET", Counter(client, k));
                    long expected = _counts[client][k];
                    Assert.True(expected == 0 ? r.IsNull : r.Text == expected.ToString(CultureInfo.InvariantCulture),
                        $"GET {Counter(client, k)} through the proxy: expected {expected} acknowledged increments, got {r}");
                }
            }
        }
        foreach (ProxyProcess proxy in _proxies)
        {
            using RespConnection c = proxy.Connect();
            for (int start = 0; start < Keys; start += 500)
            {
                int end = Math.Min(Keys, start + 500);
                var buf = new List<byte>();
                for (int i = start; i < end; i++)
                    buf.AddRange(RespConnection.Encode("GET", Key(i)));
                c.SendRaw(buf.ToArray());
                for (int i = start; i < end; i++)
                {
                    RespValue r = c.ReadValue();
                    if (_last[i].Length != 0)
                        Assert.True(r.Text == _last[i], $"GET {Key(i)} through the proxy: expected {_last[i]}, got {r}");
                }
            }
        }

        JsonElement stored = StoredSlots();
        foreach (ProxyProcess proxy in _proxies)
            AssertViews(owner, stored, Json(proxy.Get("/proxy/slots")));
        for (int gid = 1; gid <= _servers.Count; gid++)
        {
            using RespConnection c = _servers[gid - 1].Connect();
            RespValue info = c.Command("SLOTSINFO");
            foreach (RespValue pair in info.Children!)
            {
                int sid = (int)pair[0].Integer;
                Assert.True(owner(sid) == gid, $"group {gid} still holds {pair[1].Integer} keys of slot {sid} owned by group {owner(sid)}");
            }
            Assert.Equal("OK", c.Command("SLOTSCHECK").Text);
        }
    }

    private void AssertViews(Func<int, int> owner, JsonElement stored, JsonElement views)
    {
        for (int sid = 0; sid < 1024; sid++)
        {
            Assert.Equal(owner(sid), stored[sid].GetProperty("group_id").GetInt32());
            Assert.Equal(Addr(owner(sid)), views[sid].GetProperty("backend_addr").GetString());
            Assert.False(views[sid].TryGetProperty("migrate_from", out _), $"slot {sid} still migrating on the proxy");
            Assert.False(views[sid].TryGetProperty("locked", out _), $"slot {sid} still locked on the proxy");
        }
    }

    /// <summary>Kills the dashboard with SIGKILL and starts a new one on the same coordinator (<c>--remove-lock</c>).</summary>
    public void KillAndRestartDashboard()
    {
        using (var victim = System.Diagnostics.Process.GetProcessById(Dashboard.Process.Pid))
            victim.Kill();
        Assert.True(Dashboard.WaitForExit(TimeSpan.FromSeconds(20)));
        Dashboard.Dispose();
        Dashboard = DashboardProcess.Start(_extraToml, _coordinatorRoot, true, "--remove-lock");
    }

    public void Dispose()
    {
        _stopWriting = true;
        foreach (Thread t in _writers)
            t.Join(TimeSpan.FromSeconds(150));
        foreach (ProxyProcess p in _proxies)
            p.Dispose();
        Dashboard?.Dispose();
        foreach (ServerProcess s in _servers)
            s.Dispose();
        try
        {
            Directory.Delete(_coordinatorRoot, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    internal static void Ok(AdminReply r) =>
        Assert.True(r.Status == 200 && r.Body == "\"OK\"", $"expected 200 \"OK\", got {r.Status}: {r.Body}");

    internal static JsonElement Json(AdminReply r)
    {
        Assert.True(r.Status == 200, $"expected 200, got {r.Status}: {r.Body}");
        using JsonDocument d = JsonDocument.Parse(r.Body);
        return d.RootElement.Clone();
    }

    internal static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            Thread.Sleep(200);
        }
        return true;
    }
}
