using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;
using static Codis.IntegrationTests.Dashboard.DashboardAssert;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// Proxies managed by a real dashboard (dashboard-api.md §4.3, §6.2): create/online/reinit/remove with their
/// errors, slot pushes, the automatic re-online of a restarted proxy, and (beyond Codis) the offline grace.
/// </summary>
public sealed class DashboardProxyTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public void CreateProxy_FilledAndStarted_ServesKeys_ThenErrorsAndRemove()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        string backend = DashboardGroupTests.Addr(codis);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{backend}"));
        Ok(d.Put("/api/topom/slots/assign/{xauth}", AllSlotsTo(1)));

        using ProxyProcess p = ProxyProcess.Start();
        Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));
        JsonElement slots = Json(p.Get("/proxy/slots"));
        Assert.Equal(1024, slots.GetArrayLength());
        Assert.Equal(backend, slots[1023].GetProperty("backend_addr").GetString());
        Assert.Equal(1, slots[1023].GetProperty("backend_addr_group_id").GetInt32());
        Assert.True(Json(p.Get("/proxy/stats")).GetProperty("online").GetBoolean());
        using (RespConnection c = p.Connect())
        {
            Assert.Equal("OK", c.Command("SET", "k", "v").Text);
            Assert.Equal("v", c.Command("GET", "k").Text);
        }

        string token = Token(p);
        JsonElement model = Json(d.Get("/topom/stats")).GetProperty("proxy").GetProperty("models")[0];
        Assert.Equal(1, model.GetProperty("id").GetInt32());
        Assert.Equal(token, model.GetProperty("token").GetString());
        Assert.True(File.Exists(d.NodeFile("/codis3/codis-demo/proxy/proxy-" + token)));
        Error(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"), $"proxy-[{token}] already exists");
        Ok(d.Put($"/api/topom/proxy/online/{{xauth}}/{p.AdminAddr}"));
        Assert.Equal(1, Json(d.Get("/topom/stats")).GetProperty("proxy").GetProperty("models")[0].GetProperty("id").GetInt32());
        Ok(d.Put($"/api/topom/proxy/reinit/{{xauth}}/{token}"));
        Error(d.Put("/api/topom/proxy/reinit/{xauth}/nosuchtoken"), "proxy-[nosuchtoken] doesn't exist");
        Error(d.Put("/api/topom/proxy/remove/{xauth}/nosuchtoken/0"), "proxy-[nosuchtoken] doesn't exist");
        Error(d.Put($"/api/topom/proxy/remove/{{xauth}}/{token}/x"), "invalid force");

        // A later mapping change reaches the registered proxy.
        Ok(d.Put("/api/topom/slots/assign/{xauth}/offline", "[{\"id\": 7}]"));
        Assert.False(Json(p.Get("/proxy/slots"))[7].TryGetProperty("backend_addr", out _));

        // The proxy stats loop polls it.
        Assert.True(Eventually(() => Json(d.Get("/topom/stats")).GetProperty("proxy").GetProperty("stats").TryGetProperty(token, out JsonElement s)
            && s.TryGetProperty("stats", out JsonElement st) && st.GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(15)), d.Process.OutputTail());

        Ok(d.Put($"/api/topom/proxy/remove/{{xauth}}/{token}/0"));
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.False(File.Exists(d.NodeFile("/codis3/codis-demo/proxy/proxy-" + token)));
    }

    [Fact]
    public void CreateProxy_Unreachable_OrWrongAuth_Refused()
    {
        using DashboardProcess d = DashboardProcess.Start();
        string dead = "127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture);
        AdminReply r = d.Put($"/api/topom/proxy/create/{{xauth}}/{dead}");
        Assert.Equal(800, r.Status);
        Assert.StartsWith($"proxy@{dead} fetch model failed, ", Cause(r), StringComparison.Ordinal);
        Error(d.Put($"/api/topom/proxy/online/{{xauth}}/{dead}"), $"proxy@{dead} fetch model failed");

        using ProxyProcess other = ProxyProcess.Start("product_auth = \"another\"");
        r = d.Put($"/api/topom/proxy/create/{{xauth}}/{other.AdminAddr}");
        Assert.Equal(800, r.Status);
        Assert.StartsWith($"proxy@{other.AdminAddr} check xauth failed, [Remote Error] invalid xauth", Cause(r), StringComparison.Ordinal);
        Error(d.Put($"/api/topom/proxy/online/{{xauth}}/{other.AdminAddr}"), $"proxy@{other.AdminAddr} check xauth failed");
    }

    [Fact]
    public void ProxyWithDashboardFlag_RegistersItself_AndIsStarted()
    {
        using DashboardProcess d = DashboardProcess.Start();
        using ProxyProcess p = ProxyProcess.Start("", "--dashboard", d.AdminAddr);
        Assert.True(Eventually(() => Json(p.Get("/proxy/stats")).GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(20)), p.Process.OutputTail());
        Assert.Equal(Token(p), Json(d.Get("/topom/stats")).GetProperty("proxy").GetProperty("models")[0].GetProperty("token").GetString());
    }

    [Fact]
    public void RestartedProxy_IsFilledAndStartedAgainByTheStatsLoop()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{DashboardGroupTests.Addr(codis)}"));
        Ok(d.Put("/api/topom/slots/assign/{xauth}", AllSlotsTo(1)));
        using ProxyProcess p = ProxyProcess.Start();
        string token = Token(p);
        Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));

        p.Process.Dispose(); // killed; its directory (config) stays
        using ServerProcess restarted = RestartProxy(p);
        // Same addresses, same token; nobody but the dashboard starts it.
        Assert.Equal(token, ProxyJson(p, "/api/proxy/model").GetProperty("token").GetString());
        Assert.True(Eventually(() => ProxyJson(p, "/proxy/stats").GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(20)), d.Process.OutputTail());
        Assert.Equal(DashboardGroupTests.Addr(codis), ProxyJson(p, "/proxy/slots")[0].GetProperty("backend_addr").GetString());
        Assert.True(d.Process.WaitForOutput($"proxy-[{token}] at {p.AdminAddr} is not online (restarted?)"), d.Process.OutputTail());
    }

    [Fact]
    public void DeadProxy_BeyondGrace_SkippedByPushes_AndReinitialisedWhenBack()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start("proxy_offline_grace = \"2s\"");
        string backend = DashboardGroupTests.Addr(codis);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{backend}"));
        using ProxyProcess p = ProxyProcess.Start();
        string token = Token(p);
        Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));

        p.Process.Dispose();
        // Within the grace period the push fails as in Codis; once it is over the dead proxy is skipped.
        Assert.True(Eventually(() => d.Put("/api/topom/slots/assign/{xauth}", AllSlotsTo(1)).Status == 200, TimeSpan.FromSeconds(30)), d.Process.OutputTail());
        Assert.True(d.Process.WaitForOutput($"proxy-[{token}] at {p.AdminAddr} unreachable"), d.Process.OutputTail());
        // Still registered.
        Assert.Equal(token, Json(d.Get("/topom/stats")).GetProperty("proxy").GetProperty("models")[0].GetProperty("token").GetString());

        using ServerProcess restarted = RestartProxy(p);
        Assert.True(Eventually(() => ProxyJson(p, "/proxy/slots")[1023].TryGetProperty("backend_addr", out JsonElement b) && b.GetString() == backend,
            TimeSpan.FromSeconds(20)), d.Process.OutputTail());
        Assert.True(ProxyJson(p, "/proxy/stats").GetProperty("online").GetBoolean());
    }

    [Fact]
    public void DeadProxy_NoGrace_BlocksPushes_ShutdownFailure_ForceRemove()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start("proxy_offline_grace = \"0\"");
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{DashboardGroupTests.Addr(codis)}"));
        using ProxyProcess p = ProxyProcess.Start();
        string token = Token(p);
        Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));
        p.Process.Dispose();
        Thread.Sleep(3000);
        Error(d.Put("/api/topom/slots/assign/{xauth}", AllSlotsTo(1)), $"proxy-[{token}] resync slots failed");
        Error(d.Put($"/api/topom/proxy/reinit/{{xauth}}/{token}"), $"proxy-[{token}] fillslots failed");
        Error(d.Put($"/api/topom/proxy/remove/{{xauth}}/{token}/0"), $"proxy-[{token}] shutdown failed");
        Ok(d.Put($"/api/topom/proxy/remove/{{xauth}}/{token}/1"));
        Assert.Equal(0, Json(d.Get("/topom/stats")).GetProperty("proxy").GetProperty("models").GetArrayLength());
        Ok(d.Put("/api/topom/slots/assign/{xauth}", AllSlotsTo(1)));
    }

    internal static string AllSlotsTo(int gid) =>
        "[" + string.Join(",", Enumerable.Range(0, 1024).Select(i => $"{{\"id\": {i}, \"group_id\": {gid}}}")) + "]";

    private static string Token(ProxyProcess p) => Json(p.Get("/api/proxy/model")).GetProperty("token").GetString()!;

    /// <summary>Starts codis-proxy again with the same config file (same addresses, same token).</summary>
    private static ServerProcess RestartProxy(ProxyProcess old)
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        host = !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
        return ServerProcess.Start(host, [ProxyProcess.FindCodisProxyDll(), "--config", old.ConfigFile], old.AdminPort, ReadyCheck.TcpConnect,
            old.Process.Directory, TimeSpan.FromSeconds(30));
    }

    private static JsonElement ProxyJson(ProxyProcess p, string path)
    {
        string body = Http.GetStringAsync($"http://{p.AdminAddr}{path}").GetAwaiter().GetResult();
        using JsonDocument d = JsonDocument.Parse(body);
        return d.RootElement.Clone();
    }
}
