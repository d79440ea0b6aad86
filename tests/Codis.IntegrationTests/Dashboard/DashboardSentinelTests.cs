using System.Globalization;
using System.Text;
using System.Text.Json;
using Codis.TestSupport;
using static Codis.IntegrationTests.Dashboard.DashboardAssert;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>Sentinels managed by a real dashboard (dashboard-api.md §4.6, ha.md §3) against redis-server in sentinel mode.</summary>
public sealed class DashboardSentinelTests
{
    [Fact]
    public void AddResyncDel_RegistersTheGroupsOnTheSentinel()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using ServerProcess sentinel = StartSentinel();
        try
        {
            using DashboardProcess d = DashboardProcess.Start();
            string s = DashboardGroupTests.Addr(sentinel);
            Ok(d.Put("/api/topom/group/create/{xauth}/1"));
            Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{DashboardGroupTests.Addr(codis)}"));

            string dead = "127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture);
            Assert.Equal(800, d.Put($"/api/topom/sentinels/add/{{xauth}}/{dead}").Status);
            Ok(d.Put($"/api/topom/sentinels/add/{{xauth}}/{s}"));
            Error(d.Put($"/api/topom/sentinels/add/{{xauth}}/{s}"), $"sentinel-[{s}] already exists");
            JsonElement model = Json(d.Get("/topom/stats")).GetProperty("sentinels").GetProperty("model");
            Assert.Equal(s, model.GetProperty("servers")[0].GetString());
            Assert.True(model.GetProperty("out_of_sync").GetBoolean());

            Ok(d.Put("/api/topom/sentinels/resync-all/{xauth}"));
            JsonElement monitored = Json(d.Get($"/api/topom/sentinels/info/{s}/monitored"));
            JsonElement master = monitored.GetProperty("codis-demo-1").GetProperty("master");
            Assert.Equal(codis.Port.ToString(CultureInfo.InvariantCulture), master.GetProperty("port").GetString());
            Assert.False(Json(d.Get("/topom/stats")).GetProperty("sentinels").GetProperty("model").GetProperty("out_of_sync").GetBoolean());
            Assert.True(Json(d.Get($"/api/topom/sentinels/info/{s}")).TryGetProperty("sentinel_masters", out _));
            Assert.True(Eventually(() => Json(d.Get("/topom/stats")).GetProperty("sentinels").GetProperty("stats").TryGetProperty(s, out JsonElement st)
                && st.TryGetProperty("sentinel", out JsonElement m) && m.TryGetProperty("codis-demo-1", out _), TimeSpan.FromSeconds(15)), d.Process.OutputTail());

            Error(d.Put($"/api/topom/sentinels/del/{{xauth}}/{dead}/0"), $"sentinel-[{dead}] not found");
            Ok(d.Put($"/api/topom/sentinels/del/{{xauth}}/{s}/0"));
            Assert.False(Json(d.Get($"/api/topom/sentinels/info/{s}/monitored")).TryGetProperty("codis-demo-1", out _));
            Assert.False(Json(d.Get("/topom/stats")).GetProperty("sentinels").GetProperty("model").TryGetProperty("servers", out _));
        }
        finally
        {
            sentinel.Dispose();
            Directory.Delete(sentinel.Directory, true);
        }
    }

    private static ServerProcess StartSentinel()
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Get();
            string dir = ServerProcess.NewTempDirectory();
            string file = Path.Combine(dir, "sentinel.conf");
            File.WriteAllText(file, new StringBuilder($"port {port}\nbind 127.0.0.1\ndir {dir}\n").ToString());
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
