using System.Text.Json;
using Codis.Core.Security;
using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>One proxy without backends, shared by the read-mostly admin API tests.</summary>
public sealed class IdleProxyFixture : IDisposable
{
    /// <summary>Starts the proxy (not online).</summary>
    public IdleProxyFixture()
    {
        Proxy = ProxyProcess.Start("product_auth = \"secret\"\nsession_auth = \"clientpw\"");
        using JsonDocument model = JsonDocument.Parse(Proxy.Get("/api/proxy/model").Body);
        Token = model.RootElement.GetProperty("token").GetString()!;
        XAuth = CodisAuth.ProxyXAuth("codis-demo", "secret", Token);
    }

    /// <summary>The proxy.</summary>
    public ProxyProcess Proxy { get; }

    /// <summary>Its token.</summary>
    public string Token { get; }

    /// <summary>Its xauth, computed as a dashboard does.</summary>
    public string XAuth { get; }

    /// <summary>Kills it.</summary>
    public void Dispose() => Proxy.Dispose();
}

/// <summary>
/// The admin API of proxy.md §2 on the real process: routes, xauth checks, HTTP 800 bodies, stats JSON shape,
/// Codis's HTTP conventions (dashboard-api.md §1-3).
/// </summary>
public sealed class ProxyAdminApiTests(IdleProxyFixture fixture) : IClassFixture<IdleProxyFixture>
{
    private ProxyProcess P => fixture.Proxy;

    [Fact]
    public void Root_RedirectsToProxy()
    {
        AdminReply r = P.Call(HttpMethod.Get, "/");
        Assert.Equal(302, r.Status);
        Assert.Equal("/proxy", r.Headers["location"]);
        Assert.Equal("", r.Body);
    }

    [Fact]
    public void Model_HasSpecKeysInOrder_AndTokenMatchesXAuth()
    {
        AdminReply r = P.Get("/api/proxy/model");
        Assert.Equal(200, r.Status);
        Assert.Equal("application/json; charset=utf-8", r.Headers["content-type"]);
        Assert.Equal(Keys(r.Body), ["token", "start_time", "admin_addr", "proto_type", "proxy_addr", "product_name", "pid", "pwd", "sys", "hostname", "datacenter"]);
        Assert.StartsWith("{\n    \"token\": \"", r.Body, StringComparison.Ordinal);
        Assert.False(r.Body.EndsWith('\n'));
        using JsonDocument d = JsonDocument.Parse(r.Body);
        Assert.Equal(P.AdminAddr, d.RootElement.GetProperty("admin_addr").GetString());
        Assert.Equal(P.ProxyAddr, d.RootElement.GetProperty("proxy_addr").GetString());
        Assert.Equal(P.Process.Pid, d.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal(r.Body, P.Get("/proxy/model").Body);
        Assert.Equal(32, fixture.Token.Length);
    }

    [Fact]
    public void XPing_RightXAuth_Ok()
    {
        AdminReply r = P.Get("/api/proxy/xping/" + fixture.XAuth);
        Assert.Equal(200, r.Status);
        Assert.Equal("\"OK\"", r.Body);
    }

    [Fact]
    public void XPing_WrongXAuth_Http800WithCause()
    {
        AdminReply r = P.Get("/api/proxy/xping/" + CodisAuth.ProxyXAuth("codis-demo", "", fixture.Token));
        Assert.Equal(800, r.Status);
        Assert.Equal("{\n    \"Cause\": \"invalid xauth, please check product name \\u0026 auth\",\n    \"Stack\": null\n}", r.Body);
        Assert.Equal("application/json; charset=utf-8", r.Headers["content-type"]);
    }

    [Theory]
    [InlineData("PUT", "/api/proxy/start/bad")]
    [InlineData("PUT", "/api/proxy/stats/reset/bad")]
    [InlineData("PUT", "/api/proxy/forcegc/bad")]
    [InlineData("PUT", "/api/proxy/shutdown/bad")]
    [InlineData("PUT", "/api/proxy/loglevel/bad/INFO")]
    [InlineData("PUT", "/api/proxy/fillslots/bad")]
    [InlineData("PUT", "/api/proxy/sentinels/bad")]
    [InlineData("PUT", "/api/proxy/sentinels/bad/rewatch")]
    [InlineData("GET", "/api/proxy/stats/bad")]
    [InlineData("GET", "/api/proxy/stats/bad/1")]
    [InlineData("GET", "/api/proxy/slots/bad")]
    public void EveryXAuthRoute_WrongXAuth_Refused(string method, string path)
    {
        AdminReply r = P.Call(new HttpMethod(method), path, method == "PUT" ? "[]" : null);
        Assert.Equal(800, r.Status);
        Assert.Contains("invalid xauth, please check product name \\u0026 auth", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void StatsWithFlagsZero_HasSpecShape_NoCmdNoRuntime()
    {
        AdminReply r = P.Get("/api/proxy/stats/" + fixture.XAuth);
        Assert.Equal(200, r.Status);
        Assert.Equal(["online", "closed", "sentinels", "ops", "sessions", "rusage", "backend"], Keys(r.Body));
        using JsonDocument d = JsonDocument.Parse(r.Body);
        JsonElement root = d.RootElement;
        Assert.False(root.GetProperty("online").GetBoolean());
        Assert.Equal(["total", "fails", "redis", "qps"], Keys(root.GetProperty("ops").GetRawText()));
        Assert.Equal(["total", "alive"], Keys(root.GetProperty("sessions").GetRawText()));
        Assert.Equal(["now", "cpu", "mem", "raw"], Keys(root.GetProperty("rusage").GetRawText()));
        Assert.Equal(["utime", "stime", "cutime", "cstime", "num_threads", "vm_size", "vm_rss"], Keys(root.GetProperty("rusage").GetProperty("raw").GetRawText()));
        Assert.True(root.GetProperty("rusage").GetProperty("mem").GetInt64() > 0);
        Assert.Contains(" +0000 UTC m=+", root.GetProperty("rusage").GetProperty("now").GetString(), StringComparison.Ordinal);
        Assert.False(root.GetProperty("backend").GetProperty("primary_only").GetBoolean());
    }

    [Fact]
    public void StatsWithFlagsFive_HasCmdTableAndRuntime()
    {
        AdminReply r = P.Get($"/api/proxy/stats/{fixture.XAuth}/5");
        Assert.Equal(200, r.Status);
        using JsonDocument d = JsonDocument.Parse(r.Body);
        JsonElement runtime = d.RootElement.GetProperty("runtime");
        Assert.Equal(["general", "heap", "gc", "num_procs", "num_goroutines", "num_cgo_call", "mem_offheap"], Keys(runtime.GetRawText()));
        Assert.Equal(["alloc", "sys", "lookups", "mallocs", "frees"], Keys(runtime.GetProperty("general").GetRawText()));
        Assert.Equal(["alloc", "sys", "idle", "inuse", "objects"], Keys(runtime.GetProperty("heap").GetRawText()));
        Assert.Equal(["num", "cpu_fraction", "total_pausems"], Keys(runtime.GetProperty("gc").GetRawText()));
    }

    [Fact]
    public void StatsWithNonIntegerFlags_Http800WithParseError()
    {
        AdminReply r = P.Get($"/api/proxy/stats/{fixture.XAuth}/abc");
        Assert.Equal(800, r.Status);
        Assert.Contains("\"Cause\": \"strconv.Atoi: parsing \\\"abc\\\": invalid syntax\"", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Overview_HasVersionCompileConfigModelStatsSlots_WithoutSecrets()
    {
        AdminReply r = P.Get("/proxy");
        Assert.Equal(200, r.Status);
        Assert.Equal(["version", "compile", "config", "model", "stats", "slots"], Keys(r.Body));
        using JsonDocument d = JsonDocument.Parse(r.Body);
        JsonElement config = d.RootElement.GetProperty("config");
        Assert.Equal("1gb", config.GetProperty("proxy_max_offheap_size").GetString());
        Assert.Equal("30m", config.GetProperty("session_recv_timeout").GetString());
        Assert.False(config.TryGetProperty("product_auth", out _));
        Assert.False(config.TryGetProperty("session_auth", out _));
        Assert.False(config.TryGetProperty("metrics_report_influxdb_password", out _));
        Assert.DoesNotContain("secret", r.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("clientpw", r.Body, StringComparison.Ordinal);
        Assert.Equal(1024, d.RootElement.GetProperty("slots").GetArrayLength());
        Assert.Equal(["id"], Keys(d.RootElement.GetProperty("slots")[7].GetRawText()));
    }

    [Fact]
    public void Slots_Returns1024OfflineSlots()
    {
        AdminReply r = P.Get("/api/proxy/slots/" + fixture.XAuth);
        Assert.Equal(200, r.Status);
        using JsonDocument d = JsonDocument.Parse(r.Body);
        Assert.Equal(1024, d.RootElement.GetArrayLength());
        Assert.Equal(1023, d.RootElement[1023].GetProperty("id").GetInt32());
        Assert.Equal(r.Body, P.Get("/proxy/slots").Body);
    }

    [Fact]
    public void Gzip_WhenAccepted_BodyIsCompressed()
    {
        AdminReply r = P.Get("/proxy/stats", gzip: true);
        Assert.Equal(200, r.Status);
        Assert.Equal("gzip", r.Headers["content-encoding"]);
        Assert.Contains("\"online\"", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void LogLevel_ValidAndInvalid()
    {
        Assert.Equal("\"OK\"", P.Put($"/api/proxy/loglevel/{fixture.XAuth}/warn").Body);
        AdminReply bad = P.Put($"/api/proxy/loglevel/{fixture.XAuth}/LOUD");
        Assert.Equal(800, bad.Status);
        Assert.Contains("\"Cause\": \"invalid loglevel\"", bad.Body, StringComparison.Ordinal);
        Assert.Equal("\"OK\"", P.Put($"/api/proxy/loglevel/{fixture.XAuth}/INFO").Body);
    }

    [Fact]
    public void ForceGcAndReset_Ok()
    {
        Assert.Equal("\"OK\"", P.Put($"/api/proxy/forcegc/{fixture.XAuth}").Body);
        Assert.Equal("\"OK\"", P.Put($"/api/proxy/stats/reset/{fixture.XAuth}").Body);
    }

    [Fact]
    public void Sentinels_SetThenShownInStats_Rewatch()
    {
        // The proxy really watches it: a free port, so no sentinel of someone else's answers.
        string sentinel = "127.0.0.1:" + FreePort.Get();
        AdminReply r = P.Put($"/api/proxy/sentinels/{fixture.XAuth}", "{\"servers\": [\"" + sentinel + "\"], \"out_of_sync\": false}");
        Assert.Equal(200, r.Status);
        using (JsonDocument d = JsonDocument.Parse(P.Get("/api/proxy/stats/" + fixture.XAuth).Body))
            Assert.Equal(sentinel, d.RootElement.GetProperty("sentinels").GetProperty("servers")[0].GetString());
        Assert.Equal("\"OK\"", P.Put($"/api/proxy/sentinels/{fixture.XAuth}/rewatch").Body);
        Assert.Equal(200, P.Put($"/api/proxy/sentinels/{fixture.XAuth}", "{}").Status);
        using (JsonDocument d = JsonDocument.Parse(P.Get("/api/proxy/stats/" + fixture.XAuth).Body))
            Assert.Equal("{}", d.RootElement.GetProperty("sentinels").GetRawText());
    }

    [Fact]
    public void FillSlots_InvalidIdOrMethodOrBody_Http800()
    {
        AdminReply id = P.Put($"/api/proxy/fillslots/{fixture.XAuth}", "[{\"id\": 1024}]");
        Assert.Equal(800, id.Status);
        Assert.Contains("\"Cause\": \"use of invalid slot id\"", id.Body, StringComparison.Ordinal);
        AdminReply method = P.Put($"/api/proxy/fillslots/{fixture.XAuth}", "[{\"id\": 3, \"forward_method\": 2}]");
        Assert.Equal(800, method.Status);
        Assert.Contains("\"Cause\": \"use of invalid forwarder method\"", method.Body, StringComparison.Ordinal);
        AdminReply body = P.Put($"/api/proxy/fillslots/{fixture.XAuth}", "[{\"id\": ");
        Assert.Equal(800, body.Status);
        Assert.Contains("invalid request body", body.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_PrometheusText()
    {
        AdminReply r = P.Get("/metrics");
        Assert.Equal(200, r.Status);
        Assert.StartsWith("text/plain", r.Headers["content-type"], StringComparison.Ordinal);
        Assert.Contains($"codis_proxy_ops_total{{product=\"codis-demo\",token=\"{fixture.Token}\"}} ", r.Body, StringComparison.Ordinal);
        Assert.Contains("# TYPE codis_proxy_sessions_alive gauge", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientBeforeOnline_GetsRouterIsNotOnline()
    {
        using RespConnection c = P.Connect();
        byte[] reply = c.Send("PING");
        Assert.Equal("-ERR router is not online\r\n", System.Text.Encoding.ASCII.GetString(reply));
    }

    internal static List<string> Keys(string json)
    {
        using JsonDocument d = JsonDocument.Parse(json);
        return d.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }
}
