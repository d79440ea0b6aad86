using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Admin;

/// <summary>
/// codis-admin's <c>--proxy</c> forms (admin-cli.md §3) run as a subprocess against a real codis-proxy in front
/// of a real codis-server.
/// </summary>
public sealed class AdminProxyTests : IDisposable
{
    private const string ProductAuth = "secret";
    // The proxy authenticates to its backends with product_auth, as Codis does.
    private readonly ServerProcess _server = ServerProcess.StartCodis("--requirepass", ProductAuth);
    private readonly ProxyProcess _proxy = ProxyProcess.Start($"product_auth = \"{ProductAuth}\"");
    private readonly string _dir = ServerProcess.NewTempDirectory();

    public void Dispose()
    {
        _proxy.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Backend => "127.0.0.1:" + _server.Port.ToString(CultureInfo.InvariantCulture);

    private static ProcessResult Ok(params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.True(r.ExitCode == 0, $"codis-admin {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private string SlotsFile(string json)
    {
        string file = Path.Combine(_dir, Guid.NewGuid().ToString("n") + ".json");
        File.WriteAllText(file, json);
        return file;
    }

    private string AllSlotsTo(string backend) =>
        SlotsFile("[" + string.Join(",", Enumerable.Range(0, 1024).Select(i => $"{{\"id\": {i}, \"backend_addr\": \"{backend}\"}}")) + "]");

    [Fact]
    public void Overview_NoWord_WholeOverviewIndented()
    {
        ProcessResult r = Ok("--proxy=" + _proxy.AdminAddr);
        Assert.StartsWith("{\n    \"", r.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("}\n", r.StdOut, StringComparison.Ordinal);
        using JsonDocument d = JsonDocument.Parse(r.StdOut);
        Assert.Equal(_proxy.AdminAddr, d.RootElement.GetProperty("model").GetProperty("admin_addr").GetString());
        Assert.True(d.RootElement.TryGetProperty("config", out _));
        Assert.True(d.RootElement.TryGetProperty("stats", out _));
    }

    [Fact]
    public void Overview_ModelWord_SameBytesAsTheProxyModelPlusNewline()
    {
        ProcessResult r = Ok("--proxy", _proxy.AdminAddr, "model");
        Assert.Equal(_proxy.Get("/proxy/model").Body + "\n", r.StdOut);
    }

    [Theory]
    [InlineData("config", "product_name")]
    [InlineData("stats", "online")]
    public void Overview_MemberWord_PrintsThatMember(string word, string key)
    {
        ProcessResult r = Ok("--proxy=" + _proxy.AdminAddr, word);
        using JsonDocument d = JsonDocument.Parse(r.StdOut);
        Assert.True(d.RootElement.TryGetProperty(key, out _), r.StdOut);
    }

    [Fact]
    public void FillSlotsAndStart_ProxyServesThroughTheBackend()
    {
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--fillslots=" + AllSlotsTo(Backend));
        Ok("--proxy=" + _proxy.AdminAddr, "-a", ProductAuth, "--start");

        using (RespConnection c = _proxy.Connect())
            Assert.Equal("OK", c.Command("SET", "admin-key", "v1").Text);
        using (RespConnection s = _server.Connect())
        {
            Assert.Equal("OK", s.Command("AUTH", ProductAuth).Text);
            Assert.Equal("v1", s.Command("GET", "admin-key").Text);
        }

        ProcessResult slots = Ok("--proxy=" + _proxy.AdminAddr, "slots");
        using JsonDocument d = JsonDocument.Parse(slots.StdOut);
        Assert.Equal(1024, d.RootElement.GetArrayLength());
        Assert.Equal(Backend, d.RootElement[1023].GetProperty("backend_addr").GetString());
        Assert.False(d.RootElement[0].TryGetProperty("locked", out _));
    }

    [Fact]
    public void FillSlots_Locked_SlotsReportedLocked()
    {
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--fillslots=" + SlotsFile($"[{{\"id\": 5, \"backend_addr\": \"{Backend}\"}}]"), "--locked");
        using JsonDocument d = JsonDocument.Parse(_proxy.Get("/proxy/slots").Body);
        Assert.True(d.RootElement[5].GetProperty("locked").GetBoolean());
        Assert.False(d.RootElement[6].TryGetProperty("locked", out _));
    }

    [Fact]
    public void FillSlots_IdOutOfRange_FailsBeforeSending()
    {
        ProcessResult r = AdminProcess.Run("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--fillslots=" + SlotsFile("[{\"id\": 1024}]"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[PANIC] invalid slot id = 1024", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongAuth_RemoteCauseAndExitStatus1()
    {
        ProcessResult r = AdminProcess.Run("--proxy=" + _proxy.AdminAddr, "--auth=wrong", "--start");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains("[PANIC] call rpc xping failed\n[error]: [Remote Error] invalid xauth, please check product name & auth", r.StdErr, StringComparison.Ordinal);
        using JsonDocument d = JsonDocument.Parse(_proxy.Get("/proxy/stats").Body);
        Assert.False(d.RootElement.GetProperty("online").GetBoolean());
    }

    [Fact]
    public void LogLevel_AnyCase_AcceptedByTheProxy_UnknownRefusedLocally()
    {
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--log-level=warning");
        ProcessResult bad = AdminProcess.Run("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--log-level=loud");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("[PANIC] option --log-level = loud", bad.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ResetStats_OpsBackToZero()
    {
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--fillslots=" + AllSlotsTo(Backend));
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--start");
        using (RespConnection c = _proxy.Connect())
        {
            for (int i = 0; i < 5; i++)
                c.Command("SET", "k" + i.ToString(CultureInfo.InvariantCulture), "v");
        }
        Assert.True(OpsTotal() >= 5);
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--reset-stats");
        Assert.Equal(0, OpsTotal());
    }

    private long OpsTotal()
    {
        using JsonDocument d = JsonDocument.Parse(_proxy.Get("/proxy/stats").Body);
        return d.RootElement.GetProperty("ops").GetProperty("total").GetInt64();
    }

    [Fact]
    public void ForceGc_Ok()
    {
        ProcessResult r = Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--forcegc");
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public void Shutdown_ProxyExits()
    {
        Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--shutdown");
        Assert.True(_proxy.WaitForExit(TimeSpan.FromSeconds(30)), "the proxy is still running after --shutdown");
    }

    [Fact]
    public void Verbose_EachRpcLoggedAtDebug()
    {
        ProcessResult r = Ok("-v", "--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--forcegc");
        Assert.Contains($"[DEBUG] call rpc model to proxy {_proxy.AdminAddr}", r.StdErr, StringComparison.Ordinal);
        Assert.Contains($"[DEBUG] call rpc xping to proxy {_proxy.AdminAddr}", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("[DEBUG] call rpc forcegc OK", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("[DEBUG]", Ok("--proxy=" + _proxy.AdminAddr, "--auth=" + ProductAuth, "--forcegc").StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreachable_CallRpcFailedWithTheTransportError()
    {
        int port = FreePort.Get();
        ProcessResult r = AdminProcess.Run($"--proxy=127.0.0.1:{port}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"[PANIC] call rpc overview to proxy 127.0.0.1:{port} failed\n[error]: ", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--proxy")]
    [InlineData("--proxy=127.0.0.1:1", "--start", "--forcegc")]
    [InlineData("--proxy=127.0.0.1:1", "group")]
    public void NoFormMatches_UsageAndExit1(params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("Usage:\n    codis-admin [-v] --proxy=ADDR", r.StdErr, StringComparison.Ordinal);
        Assert.Equal("", r.StdOut);
    }
}
