using System.Globalization;
using System.Text;
using System.Text.Json;
using Codis.Core.Security;
using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>
/// The proxy's sentinel watcher (ha.md §4.2) against a real redis sentinel (Debian's redis-server in
/// sentinel mode): after <c>PUT /api/proxy/sentinels</c> the proxy learns the group masters and re-points
/// the slots whose master moved.
/// </summary>
public sealed class ProxySentinelTests
{
    [Fact]
    public void SetSentinels_MastersLearned_SlotsSwitchedToTheSentinelsMaster()
    {
        using ServerProcess master = ServerProcess.StartRedis();
        string masterAddr = "127.0.0.1:" + master.Port.ToString(CultureInfo.InvariantCulture);
        using ServerProcess sentinel = StartSentinel(("codis-demo-1", master.Port), ("other-product-1", master.Port));
        string sentinelAddr = "127.0.0.1:" + sentinel.Port.ToString(CultureInfo.InvariantCulture);

        string dir = ServerProcess.NewTempDirectory();
        try
        {
            // Slots 0..9 point at a stale master of group 1; slot 10 belongs to group 2, unknown to the sentinel.
            string slotsFile = Path.Combine(dir, "slots.json");
            var sb = new StringBuilder("[");
            for (int i = 0; i < 10; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{{\"id\": {i}, \"backend_addr\": \"127.0.0.1:1\", \"backend_addr_group_id\": 1}},");
            sb.Append("{\"id\": 10, \"backend_addr\": \"127.0.0.1:2\", \"backend_addr_group_id\": 2}]");
            File.WriteAllText(slotsFile, sb.ToString());
            using ProxyProcess p = ProxyProcess.Start("", "--fillslots=" + slotsFile);
            string xauth;
            using (JsonDocument model = JsonDocument.Parse(p.Get("/api/proxy/model").Body))
                xauth = CodisAuth.ProxyXAuth("codis-demo", "", model.RootElement.GetProperty("token").GetString()!);

            AdminReply put = p.Put("/api/proxy/sentinels/" + xauth, $"{{\"servers\": [\"{sentinelAddr}\"]}}");
            Assert.Equal(200, put.Status);

            // The slots are re-pointed one after another in the background: wait for the last of group 1.
            string slotsBody = "";
            Assert.True(SpinWait.SpinUntil(() =>
            {
                slotsBody = p.Get("/proxy/slots").Body;
                using JsonDocument d = JsonDocument.Parse(slotsBody);
                return d.RootElement[9].GetProperty("backend_addr").GetString() == masterAddr;
            }, TimeSpan.FromSeconds(30)), slotsBody + "\n" + p.Process.OutputTail());
            string stats = p.Get("/api/proxy/stats/" + xauth).Body;
            Assert.Contains("\"switched\": true", stats, StringComparison.Ordinal);
            using (JsonDocument d = JsonDocument.Parse(stats))
            {
                JsonElement s = d.RootElement.GetProperty("sentinels");
                Assert.Equal(sentinelAddr, s.GetProperty("servers")[0].GetString());
                Assert.Equal(["1"], s.GetProperty("masters").EnumerateObject().Select(m => m.Name));
                Assert.Equal(masterAddr, s.GetProperty("masters").GetProperty("1").GetString());
            }
            using (JsonDocument slots = JsonDocument.Parse(p.Get("/proxy/slots").Body))
            {
                Assert.Equal(masterAddr, slots.RootElement[0].GetProperty("backend_addr").GetString());
                Assert.Equal(masterAddr, slots.RootElement[9].GetProperty("backend_addr").GetString());
                Assert.Equal("127.0.0.1:2", slots.RootElement[10].GetProperty("backend_addr").GetString());
            }

            // Clearing the list stops the watcher and forgets the masters.
            Assert.Equal(200, p.Put("/api/proxy/sentinels/" + xauth, "{}").Status);
            using (JsonDocument d = JsonDocument.Parse(p.Get("/api/proxy/stats/" + xauth).Body))
                Assert.False(d.RootElement.GetProperty("sentinels").TryGetProperty("masters", out _));
        }
        finally
        {
            Directory.Delete(dir, true);
            // The sentinel runs in a directory it does not own (its config names it): remove it here.
            sentinel.Dispose();
            Directory.Delete(sentinel.Directory, true);
        }
    }

    [Fact]
    public void SentinelNamesTheMasterByAnotherAddress_SameRunId_SlotKept_DeadAddressSwitched()
    {
        // One codis-server on two loopback addresses: the sentinel knows it as 127.0.0.1, slots 0..9 as 127.0.0.2.
        using ServerProcess master = ServerProcess.StartCodis("--bind", "127.0.0.1", "127.0.0.2");
        string port = master.Port.ToString(CultureInfo.InvariantCulture);
        using ServerProcess sentinel = StartSentinel(("codis-demo-1", master.Port));
        string sentinelAddr = "127.0.0.1:" + sentinel.Port.ToString(CultureInfo.InvariantCulture);
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            // Slot 10 is in the same group but points at a dead address, whose run_id is empty and never matches.
            var sb = new StringBuilder("[");
            for (int i = 0; i < 10; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{{\"id\": {i}, \"backend_addr\": \"127.0.0.2:{port}\", \"backend_addr_group_id\": 1}},");
            sb.Append("{\"id\": 10, \"backend_addr\": \"127.0.0.1:1\", \"backend_addr_group_id\": 1}]");
            string slotsFile = Path.Combine(dir, "slots.json");
            File.WriteAllText(slotsFile, sb.ToString());
            using ProxyProcess p = ProxyProcess.Start("", "--fillslots=" + slotsFile);
            string xauth;
            using (JsonDocument model = JsonDocument.Parse(p.Get("/api/proxy/model").Body))
                xauth = CodisAuth.ProxyXAuth("codis-demo", "", model.RootElement.GetProperty("token").GetString()!);
            Assert.Equal(200, p.Put("/api/proxy/sentinels/" + xauth, $"{{\"servers\": [\"{sentinelAddr}\"]}}").Status);

            string slots = "";
            Assert.True(SpinWait.SpinUntil(() =>
            {
                slots = p.Get("/proxy/slots").Body;
                using JsonDocument d = JsonDocument.Parse(slots);
                return d.RootElement[10].GetProperty("backend_addr").GetString() == "127.0.0.1:" + port;
            }, TimeSpan.FromSeconds(30)), slots + "\n" + p.Process.OutputTail());
            using (JsonDocument d = JsonDocument.Parse(slots))
            {
                for (int i = 0; i < 10; i++)
                    Assert.Equal("127.0.0.2:" + port, d.RootElement[i].GetProperty("backend_addr").GetString());
            }
            Assert.True(p.Process.WaitForOutput("1 slots re-pointed"), p.Process.OutputTail());
        }
        finally
        {
            Directory.Delete(dir, true);
            sentinel.Dispose();
            Directory.Delete(sentinel.Directory, true);
        }
    }

    private static ServerProcess StartSentinel(params (string Name, int Port)[] masters)
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Get();
            string dir = ServerProcess.NewTempDirectory();
            var conf = new StringBuilder($"port {port}\nbind 127.0.0.1\ndir {dir}\n");
            foreach ((string name, int masterPort) in masters)
                conf.Append(CultureInfo.InvariantCulture, $"sentinel monitor {name} 127.0.0.1 {masterPort} 1\n");
            string file = Path.Combine(dir, "sentinel.conf");
            File.WriteAllText(file, conf.ToString());
            try
            {
                return ServerProcess.Start(ServerProcess.RedisServerPath, [file, "--sentinel"], port, ReadyCheck.Ping, dir);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }
}
