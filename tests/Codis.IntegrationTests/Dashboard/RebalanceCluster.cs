using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// A real cluster for the migration tests: one codis-server per group, a codis-dashboard on a filesystem
/// coordinator that outlives dashboard restarts, and one codis-proxy registered with it. All slots start in
/// group 1; <see cref="Keys"/> are written through the proxy, and a background writer keeps overwriting them
/// (remembering the last value acknowledged for each) while slots move.
/// </summary>
internal sealed class RebalanceCluster : IDisposable
{
    private readonly List<ServerProcess> _servers = [];
    private readonly string _coordinatorRoot = ServerProcess.NewTempDirectory();
    private readonly string _extraToml;
    private readonly string[] _last;
    private readonly List<string> _writeErrors = [];
    private Thread? _writer;
    private volatile bool _stopWriting;
    private long _writes;

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
            Proxy = ProxyProcess.Start();
            Ok(Dashboard.Put($"/api/topom/proxy/create/{{xauth}}/{Proxy.AdminAddr}"));
            Load();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public DashboardProcess Dashboard { get; private set; } = null!;

    public ProxyProcess Proxy { get; } = null!;

    public int Keys { get; }

    /// <summary>Writes acknowledged by the background writer so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public string Addr(int gid) => "127.0.0.1:" + _servers[gid - 1].Port.ToString(CultureInfo.InvariantCulture);

    public ServerProcess Server(int gid) => _servers[gid - 1];

    public static string Key(int i) => "key:" + i.ToString(CultureInfo.InvariantCulture);

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

    /// <summary>Starts overwriting keys (one writer, in a fixed pseudo-random order) through the proxy.</summary>
    public void StartWriter()
    {
        _writer = new Thread(() =>
        {
            using RespConnection c = Proxy.Connect();
            // A slot is locked while every proxy drains it, and a restarted dashboard needs a few seconds.
            c.ReadTimeout = TimeSpan.FromSeconds(120);
            var rnd = new Random(7);
            for (long n = 1; !_stopWriting; n++)
            {
                int i = rnd.Next(Keys);
                string v = "v" + n.ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture);
                RespValue r;
                try
                {
                    r = c.Command("SET", Key(i), v);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
                {
                    lock (_writeErrors)
                        _writeErrors.Add($"SET {Key(i)}: {e.Message}");
                    return;
                }
                if (r.Text == "OK")
                {
                    _last[i] = v;
                    Interlocked.Increment(ref _writes);
                }
                else
                {
                    lock (_writeErrors)
                        _writeErrors.Add($"SET {Key(i)}: {r}");
                    // The value is unknown now (it may or may not have been applied): stop checking this key.
                    _last[i] = "";
                }
            }
        })
        { IsBackground = true, Name = "rebalance writer" };
        _writer.Start();
    }

    /// <summary>Stops the writer and fails if any write was refused.</summary>
    public void StopWriter()
    {
        _stopWriting = true;
        _writer?.Join(TimeSpan.FromSeconds(150));
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
        using (RespConnection c = Proxy.Connect())
        {
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
        JsonElement views = Json(Proxy.Get("/proxy/slots"));
        for (int sid = 0; sid < 1024; sid++)
        {
            Assert.Equal(owner(sid), stored[sid].GetProperty("group_id").GetInt32());
            Assert.Equal(Addr(owner(sid)), views[sid].GetProperty("backend_addr").GetString());
            Assert.False(views[sid].TryGetProperty("migrate_from", out _), $"slot {sid} still migrating on the proxy");
            Assert.False(views[sid].TryGetProperty("locked", out _), $"slot {sid} still locked on the proxy");
        }
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
        _writer?.Join(TimeSpan.FromSeconds(150));
        Proxy?.Dispose();
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
