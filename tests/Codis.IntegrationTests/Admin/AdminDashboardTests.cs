using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Admin;

/// <summary>
/// codis-admin's <c>--dashboard</c> forms (admin-cli.md §4) run as a subprocess against our codis-dashboard,
/// with a real codis-server for the group and a real codis-proxy for the proxy forms.
/// </summary>
public sealed class AdminDashboardTests : IDisposable
{
    private const string Product = "codis-demo";
    private const string ProductAuth = "secret";
    private readonly ServerProcess _server = ServerProcess.StartCodis("--requirepass", ProductAuth);
    private readonly DashboardProcess _dashboard = DashboardProcess.Start($"product_name = \"{Product}\"\nproduct_auth = \"{ProductAuth}\"");
    private ProxyProcess? _proxy;

    public void Dispose()
    {
        _proxy?.Dispose();
        _dashboard.Dispose();
        _server.Dispose();
    }

    private string Server => "127.0.0.1:" + _server.Port.ToString(CultureInfo.InvariantCulture);

    private string D => "--dashboard=" + _dashboard.AdminAddr;

    private ProxyProcess Proxy => _proxy ??= ProxyProcess.Start($"product_name = \"{Product}\"\nproduct_auth = \"{ProductAuth}\"");

    private static ProcessResult Ok(params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.True(r.ExitCode == 0, $"codis-admin {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private ProcessResult Fails(string op, string cause, params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"[PANIC] call rpc {op} to dashboard {_dashboard.AdminAddr} failed\n[error]: [Remote Error] {cause}", r.StdErr, StringComparison.Ordinal);
        return r;
    }

    /// <summary>Waits until <paramref name="check"/> holds, polling (the dashboard's stats loops run every second).</summary>
    private static bool WaitUntil(Func<bool> check, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!check())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(200);
        }
        return true;
    }

    [Fact]
    public void Overview_ModelWord_SameAsTheDashboardModel()
    {
        Assert.Equal(_dashboard.Get("/topom/model").Body + "\n", Ok(D, "model").StdOut);
        using JsonDocument all = JsonDocument.Parse(Ok(D).StdOut);
        Assert.Equal(Product, all.RootElement.GetProperty("model").GetProperty("product_name").GetString());
        using JsonDocument config = JsonDocument.Parse(Ok(D, "config").StdOut);
        Assert.False(config.RootElement.TryGetProperty("product_auth", out _));
    }

    [Fact]
    public void Group_CreateAddStatusList_ThenDuplicateAndUnknownGroupErrors()
    {
        Ok(D, "--create-group", "--gid=1");
        Ok(D, "--group-add", "--gid=1", "--addr=" + Server);

        // The stats loop polls every second: the line turns healthy once the server has been polled.
        string expected = $"[ ] group-1 [0] {Server}      ==> NO:ONE\n";
        string last = "";
        Assert.True(WaitUntil(() => (last = Ok(D, "--group-status").StdOut) == expected, TimeSpan.FromSeconds(20)),
            "group status never became healthy: " + last);

        using JsonDocument groups = JsonDocument.Parse(Ok(D, "--list-group").StdOut);
        Assert.Equal(1, groups.RootElement.GetArrayLength());
        Assert.Equal(Server, groups.RootElement[0].GetProperty("servers")[0].GetProperty("server").GetString());

        Fails("create-group", "group-[1] already exists", D, "--create-group", "--gid=1");
        Fails("remove-group", "group-[9] doesn't exist", D, "--remove-group", "--gid=9");
        Fails("group-add-server", $"server-[{Server}] already exists", D, "--group-add", "--gid=1", "--addr=" + Server);
        Fails("create-group", "invalid group id = 0, out of range", D, "--create-group", "--gid=0");

        Ok(D, "--group-del", "--gid=1", "--addr=" + Server);
        Ok(D, "--remove-group", "--gid=1");
        Assert.Equal("[]\n", Ok(D, "--list-group").StdOut);
    }

    [Fact]
    public void SlotsAssign_PreviewThenConfirm_ProxyServesThroughTheGroup()
    {
        Ok(D, "--create-group", "--gid=1");
        Ok(D, "--group-add", "--gid=1", "--addr=" + Server);
        Ok(D, "--create-proxy", "--addr=" + Proxy.AdminAddr);

        ProcessResult preview = Ok(D, "--slots-assign", "--beg=0", "--end=1023", "--gid=1");
        using (JsonDocument plan = JsonDocument.Parse(preview.StdOut))
        {
            Assert.Equal(1024, plan.RootElement.GetArrayLength());
            Assert.Equal("{\n    \"id\": 1023,\n    \"group_id\": 1,\n    \"action\": {}\n}", JsonSerializer.Serialize(plan.RootElement[1023], new JsonSerializerOptions { WriteIndented = true, IndentSize = 4, NewLine = "\n" }));
        }
        using (JsonDocument before = JsonDocument.Parse(Ok(D, "--slots-status").StdOut))
            Assert.False(before.RootElement[0].TryGetProperty("backend_addr", out _));

        Ok(D, "--slots-assign", "--beg=0", "--end=1023", "--gid=1", "--confirm");
        using (JsonDocument after = JsonDocument.Parse(Ok(D, "--slots-status").StdOut))
        {
            Assert.Equal(1024, after.RootElement.GetArrayLength());
            Assert.Equal(Server, after.RootElement[0].GetProperty("backend_addr").GetString());
        }

        using (RespConnection c = Proxy.Connect())
            Assert.Equal("OK", c.Command("SET", "through-dashboard", "1").Text);

        Ok(D, "--slots-assign", "--beg=0", "--end=1023", "--offline", "--confirm");
        using JsonDocument offline = JsonDocument.Parse(Ok(D, "slots").StdOut);
        Assert.All(offline.RootElement.EnumerateArray(), s => Assert.Equal(0, s.GetProperty("group_id").GetInt32()));
    }

    [Fact]
    public void Proxy_CreateListStatusReinitRemove()
    {
        Ok(D, "--create-proxy", "--addr=" + Proxy.AdminAddr);
        using JsonDocument list = JsonDocument.Parse(Ok(D, "--list-proxy").StdOut);
        JsonElement p = list.RootElement[0];
        string token = p.GetProperty("token").GetString()!;
        Assert.Equal(1, p.GetProperty("id").GetInt32());
        Assert.Equal(Proxy.AdminAddr, p.GetProperty("admin_addr").GetString());

        string expected = $"[ ] proxy-1 [T] {token} [A] {Proxy.AdminAddr} [P] {Proxy.ProxyAddr}\n";
        string last = "";
        Assert.True(WaitUntil(() => (last = Ok(D, "--proxy-status").StdOut) == expected, TimeSpan.FromSeconds(20)),
            "proxy status never became healthy: " + last);

        ProcessResult reinit = Ok(D, "--reinit-proxy", "--all");
        Assert.StartsWith("reinit proxy: {\n    \"id\": 1,\n    \"token\": \"" + token + "\",", reinit.StdOut, StringComparison.Ordinal);
        Ok(D, "--reinit-proxy", "--pid=1");
        Fails("create-proxy", $"proxy-[{token}] already exists", D, "--create-proxy", "--addr=" + Proxy.AdminAddr);

        ProcessResult none = AdminProcess.Run(D, "--remove-proxy", "--addr=127.0.0.1:1");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("[PANIC] can't find specific proxy with addr = 127.0.0.1:1", none.StdErr, StringComparison.Ordinal);
        Ok(D, "--remove-proxy", "--pid=7", "--force");

        Ok(D, "--remove-proxy", "--addr=" + Proxy.AdminAddr, "--force");
        Assert.Equal("[]\n", Ok(D, "--list-proxy").StdOut);
        Assert.True(Proxy.WaitForExit(TimeSpan.FromSeconds(30)), "the removed proxy was not shut down");
    }

    [Fact]
    public void ReinitProxy_UnknownToken_RemoteCause()
    {
        Fails("reinit-proxy", "proxy-[nope] doesn't exist", D, "--reinit-proxy", "--token=nope");
    }

    [Fact]
    public void LogLevelReload_Ok_UnknownLevelRefusedLocally()
    {
        Ok(D, "--log-level=debug");
        Ok(D, "--reload");
        ProcessResult r = AdminProcess.Run(D, "--log-level=loud");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[PANIC] option --log-level = loud", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_LogsModelAndXPing()
    {
        ProcessResult r = Ok("-v", D, "--reload");
        Assert.Contains($"[DEBUG] call rpc model to dashboard {_dashboard.AdminAddr}", r.StdErr, StringComparison.Ordinal);
        Assert.Contains($"[DEBUG] call rpc xping to dashboard {_dashboard.AdminAddr}", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("[DEBUG] call rpc reload OK", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Shutdown_DashboardExits()
    {
        Ok(D, "--shutdown");
        Assert.True(WaitUntil(() => _dashboard.Process.HasExited, TimeSpan.FromSeconds(30)), "the dashboard is still running");
    }
}
