using System.Globalization;
using System.Text;
using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>Backend connection failures seen through the proxy (proxy.md §10): errors, never hangs, recovery.</summary>
public sealed class ProxyBackendTests
{
    private static ServerProcess StartCodisOn(int port, string dir) =>
        ServerProcess.Start(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet",
            [ServerProcess.FindCodisServerDll(), "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"],
            port, directory: dir);

    [Fact]
    public void BackendKilledAndRestarted_UnderLoad_ClientsGetErrorsThenRecover()
    {
        using var stable = ServerProcess.StartCodis();
        var dir = ServerProcess.NewTempDirectory();
        var victim = ServerProcess.StartCodis();
        var port = victim.Port;
        using var proxy = new ProxyHarness(new RouterOptions { BackendPingPeriod = TimeSpan.FromSeconds(1) });
        proxy.FillHalves("127.0.0.1:" + stable.Port, "127.0.0.1:" + port);
        var onVictim = ProxyHarness.KeyIn(512, 1024, "bk");
        var onStable = ProxyHarness.KeyIn(0, 512, "bk");

        var stop = 0;
        var ok = 0;
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        Exception? failure = null;
        var workers = Enumerable.Range(0, 4).Select(w => new Thread(() =>
        {
            try
            {
                Work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })).ToList();

        void Work()
        {
            using var c = proxy.Connect();
            c.ReadTimeout = TimeSpan.FromSeconds(20);   // a hang fails the test with a TimeoutException
            while (Volatile.Read(ref stop) == 0)
            {
                var batch = new List<byte>();
                batch.AddRange(RespConnection.Encode("INCR", onVictim));
                batch.AddRange(RespConnection.Encode("INCR", onStable));
                c.SendRaw(batch.ToArray());
                var r1 = Encoding.UTF8.GetString(c.ReadReply());
                var r2 = Encoding.UTF8.GetString(c.ReadReply());
                if (r1[0] == ':')
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    errors.Add(r1);
                }
                if (r2[0] != ':')
                {
                    errors.Add("stable: " + r2);
                }
            }
        }

        workers.ForEach(t => t.Start());
        try
        {
            Assert.True(ProxyHarness.WaitUntil(() => Volatile.Read(ref ok) > 200, TimeSpan.FromSeconds(20)));
            victim.Dispose();
            Assert.True(ProxyHarness.WaitUntil(() => !errors.IsEmpty, TimeSpan.FromSeconds(20)));
            using (var restarted = StartCodisOn(port, dir))
            {
                var before = Volatile.Read(ref ok);
                Assert.True(ProxyHarness.WaitUntil(() => Volatile.Read(ref ok) > before + 200, TimeSpan.FromSeconds(30)),
                    "requests to the restarted backend never succeeded again");
                Volatile.Write(ref stop, 1);
                foreach (var t in workers)
                {
                    t.Join();
                }
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            foreach (var t in workers)
            {
                t.Join(TimeSpan.FromSeconds(30));
            }
            Directory.Delete(dir, recursive: true);
        }
        Assert.Null(failure);
        // Only the killed backend's requests failed, with Codis's texts.
        Assert.All(errors, e => Assert.Matches("^-ERR handle response, backend conn (reset|failure, .*)\r\n$", e));
    }
}

/// <summary>The connection model towards codis-servers (proxy.md §10.1, quirks.md A.12).</summary>
public sealed class ProxyBackendPoolTests
{
    private static string[] ProxyClients(RespConnection admin) =>
        (admin.Command("CLIENT", "LIST").Text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.Contains("cmd=client", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Fill_OneServer_OneConnectionPerDatabaseKeptAliveByPing()
    {
        using var server = ServerProcess.StartCodis();
        using var proxy = new ProxyHarness(new RouterOptions { BackendPingPeriod = TimeSpan.FromSeconds(1) });
        proxy.Router.FillSlots(Enumerable.Range(0, 1024).Select(i => new Slot { Id = i, BackendAddr = "127.0.0.1:" + server.Port }).ToList());
        using var admin = server.Connect();
        Assert.True(ProxyHarness.WaitUntil(() => ProxyClients(admin).Length == 16, TimeSpan.FromSeconds(10)));
        var dbs = ProxyClients(admin).Select(l => l.Split(' ').Single(f => f.StartsWith("db=", StringComparison.Ordinal))).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => "db=" + i).Order().ToArray(), dbs);
        Assert.True(ProxyHarness.WaitUntil(() => ProxyClients(admin).All(l => l.Contains("cmd=ping", StringComparison.Ordinal)), TimeSpan.FromSeconds(10)));
        // Released with the last slot.
        proxy.Router.FillSlots(Enumerable.Range(0, 1024).Select(i => new Slot { Id = i }).ToList());
        Assert.True(ProxyHarness.WaitUntil(() => ProxyClients(admin).Length == 0, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void PrimaryParallel_Three_ThreeConnectionsPerDatabase()
    {
        using var server = ServerProcess.StartCodis();
        using var proxy = new ProxyHarness(new RouterOptions { BackendPrimaryParallel = 3, BackendNumberDatabases = 2 });
        proxy.Router.FillSlots(Enumerable.Range(0, 1024).Select(i => new Slot { Id = i, BackendAddr = "127.0.0.1:" + server.Port }).ToList());
        using var admin = server.Connect();
        Assert.True(ProxyHarness.WaitUntil(() => ProxyClients(admin).Length == 6, TimeSpan.FromSeconds(10)));
        using var c = proxy.Connect();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(c.Send("SET", "par" + i, "1")));
        }
        Assert.Equal("-ERR invalid DB index, only accept DB [0,2)\r\n", Encoding.UTF8.GetString(c.Send("SELECT", "2")));
    }
}
