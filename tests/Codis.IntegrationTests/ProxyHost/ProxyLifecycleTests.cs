using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Codis.Cluster.Coordinator;
using Codis.Core.Security;
using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>
/// Start-up modes and shutdown of the real codis-proxy process (proxy.md §1, config.md §6): --fillslots, the
/// start and shutdown routes, signals, pid file, log file, --dashboard and --filesystem.
/// </summary>
public sealed class ProxyLifecycleTests
{
    private static string XAuthOf(ProxyProcess p, string productAuth = "")
    {
        using JsonDocument model = JsonDocument.Parse(p.Get("/api/proxy/model").Body);
        return CodisAuth.ProxyXAuth(model.RootElement.GetProperty("product_name").GetString()!, productAuth,
            model.RootElement.GetProperty("token").GetString()!);
    }

    private static string WriteSlotsFile(string dir, string backend)
    {
        string file = Path.Combine(dir, "slots.json");
        var sb = new StringBuilder("[");
        for (int i = 0; i < 1024; i++)
            sb.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"id\": {i}, \"backend_addr\": \"{backend}\", \"backend_addr_group_id\": 1}}");
        File.WriteAllText(file, sb.Append(']').ToString());
        return file;
    }

    [Fact]
    public void FillSlotsFile_ServesClients_AndSlotsRouteShowsBackend()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string backend = "127.0.0.1:" + codis.Port.ToString(CultureInfo.InvariantCulture);
            string file = WriteSlotsFile(dir, backend);
            using ProxyProcess p = ProxyProcess.Start("", "--fillslots=" + file);
            WaitOnline(p);
            using RespConnection c = p.Connect();
            Assert.Equal("OK", c.Command("SET", "k", "v").Text);
            Assert.Equal("v", c.Command("GET", "k").Text);
            using RespConnection direct = codis.Connect();
            Assert.Equal("v", direct.Command("GET", "k").Text);

            using JsonDocument slots = JsonDocument.Parse(p.Get("/proxy/slots").Body);
            Assert.Equal(1024, slots.RootElement.GetArrayLength());
            JsonElement s5 = slots.RootElement[5];
            Assert.Equal(5, s5.GetProperty("id").GetInt32());
            Assert.Equal(backend, s5.GetProperty("backend_addr").GetString());
            Assert.Equal(1, s5.GetProperty("backend_addr_group_id").GetInt32());

            using JsonDocument stats = JsonDocument.Parse(p.Get("/proxy/stats").Body);
            Assert.True(stats.RootElement.GetProperty("online").GetBoolean());
            Assert.True(stats.RootElement.GetProperty("ops").GetProperty("total").GetInt64() >= 2);
            Assert.Contains(stats.RootElement.GetProperty("ops").GetProperty("cmd").EnumerateArray(), e => e.GetProperty("opstr").GetString() == "GET");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>--fillslots brings the proxy online just after start: poll its stats with a deadline.</summary>
    private static void WaitOnline(ProxyProcess p)
    {
        Assert.True(SpinWait.SpinUntil(() =>
        {
            using JsonDocument d = JsonDocument.Parse(p.Get("/proxy/stats").Body);
            return d.RootElement.GetProperty("online").GetBoolean();
        }, TimeSpan.FromSeconds(20)), p.Process.OutputTail());
    }

    [Fact]
    public void FillSlotsFileNotJson_ExitsWithDecodeError()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "slots.json");
            File.WriteAllText(file, "{\"id\": 1}");
            ProcessResult r = ProxyProcess.Run("--fillslots=" + file);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("decode slots from json failed", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void StartRoute_BringsOnline_ThenFillSlotsRoute_Serves()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using ProxyProcess p = ProxyProcess.Start();
        string xauth = XAuthOf(p);
        string backend = "127.0.0.1:" + codis.Port.ToString(CultureInfo.InvariantCulture);
        string body = "[" + string.Join(",", Enumerable.Range(0, 1024).Select(i => $"{{\"id\": {i}, \"backend_addr\": \"{backend}\", \"backend_addr_group_id\": 1}}")) + "]";
        Assert.Equal("\"OK\"", p.Put("/api/proxy/fillslots/" + xauth, body).Body);
        Assert.Equal("\"OK\"", p.Put("/api/proxy/start/" + xauth).Body);
        Assert.Equal("\"OK\"", p.Put("/api/proxy/start/" + xauth).Body);
        using (JsonDocument stats = JsonDocument.Parse(p.Get("/api/proxy/stats/" + xauth).Body))
            Assert.True(stats.RootElement.GetProperty("online").GetBoolean());
        using RespConnection c = p.Connect();
        Assert.Equal("OK", c.Command("SET", "a", "1").Text);
        Assert.Equal("1", c.Command("GET", "a").Text);
    }

    [Fact]
    public void UnixSocketListener_AdvertisedAsGiven_RefusesBeforeOnline()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string sock = Path.Combine(dir, "proxy.sock");
            using ProxyProcess p = ProxyProcess.Start($"proto_type = \"unix\"\nproxy_addr = \"{sock}\"");
            using (JsonDocument model = JsonDocument.Parse(p.Get("/api/proxy/model").Body))
            {
                Assert.Equal("unix", model.RootElement.GetProperty("proto_type").GetString());
                Assert.Equal(sock, model.RootElement.GetProperty("proxy_addr").GetString());
            }
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(sock));
            // The refusal is written at accept, then the connection closes: read without sending.
            byte[] buf = new byte[64];
            s.ReceiveTimeout = 10_000;
            int n = s.Receive(buf);
            Assert.Equal("-ERR router is not online\r\n", Encoding.ASCII.GetString(buf, 0, n));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ShutdownRoute_RepliesOk_ExitsZero_RemovesPidFile()
    {
        using ProxyProcess p = ProxyProcess.Start("", "--pidfile={dir}/proxy.pid");
        string pidfile = Path.Combine(p.Process.Directory, "proxy.pid");
        string pid = p.Process.Pid.ToString(CultureInfo.InvariantCulture);
        Assert.True(SpinWait.SpinUntil(() => File.Exists(pidfile) && File.ReadAllText(pidfile) == pid, TimeSpan.FromSeconds(10)));
        AdminReply r = p.Put("/api/proxy/shutdown/" + XAuthOf(p));
        Assert.Equal(200, r.Status);
        Assert.Equal("\"OK\"", r.Body);
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
        Assert.False(File.Exists(pidfile));
        Assert.True(p.Process.WaitForOutput("proxy is exiting"));
    }

    [Fact]
    public void Sigterm_ClosesCleanly_RemovesPidFile()
    {
        using ProxyProcess p = ProxyProcess.Start("", "--pidfile={dir}/proxy.pid");
        string pidfile = Path.Combine(p.Process.Directory, "proxy.pid");
        Assert.True(SpinWait.SpinUntil(() => File.Exists(pidfile), TimeSpan.FromSeconds(10)));
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", p.Process.Pid.ToString(CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
        Assert.False(File.Exists(pidfile));
        Assert.True(p.Process.WaitForOutput("proxy receive signal = 'SIGTERM'"));
    }

    [Fact]
    public void LogFlag_WritesDailyFileInCodisFormat()
    {
        using ProxyProcess p = ProxyProcess.Start("", "--log={dir}/logs/proxy.log", "--log-level=info");
        string expected = Path.Combine(p.Process.Directory, "logs", "proxy.log." + DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        string text = "";
        Assert.True(SpinWait.SpinUntil(() =>
        {
            text = File.Exists(expected) ? ReadShared(expected) : "";
            return text.Contains("proxy waiting online", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15)), "log file: " + expected + "\n" + text);
        Assert.Matches(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \S+: \[WARN\] ", text);
    }

    private static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    [Fact]
    public void DashboardFlag_CallsOnlineWithDashboardXAuthAndAdminAddr()
    {
        using var dashboard = new FakeDashboard("codis-demo");
        using ProxyProcess p = ProxyProcess.Start("", "--dashboard=" + dashboard.Addr);
        Assert.True(dashboard.OnlineCalled.Wait(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
        Assert.Equal($"/api/topom/proxy/online/{CodisAuth.DashboardXAuth("codis-demo")}/{p.AdminAddr}", dashboard.OnlinePath);
    }

    [Fact]
    public void DashboardFlag_OtherProduct_ExitsWithUnexceptedProductName()
    {
        using var dashboard = new FakeDashboard("other-product");
        using ProxyProcess p = ProxyProcess.Start("", "--dashboard=" + dashboard.Addr);
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
        Assert.True(p.Process.WaitForOutput("unexcepted product name, got model ="));
    }

    [Fact]
    public void FilesystemFlag_FindsDashboardInTopomNode()
    {
        using var dashboard = new FakeDashboard("codis-demo");
        string root = ServerProcess.NewTempDirectory();
        try
        {
            string node = Path.Combine(root, "data", "codis3", "codis-demo", "topom");
            Directory.CreateDirectory(Path.GetDirectoryName(node)!);
            File.WriteAllText(node, $"{{\n    \"token\": \"t\",\n    \"admin_addr\": \"{dashboard.Addr}\",\n    \"product_name\": \"codis-demo\"\n}}");
            using ProxyProcess p = ProxyProcess.Start("", "--filesystem=" + root);
            Assert.True(dashboard.OnlineCalled.Wait(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
            Assert.Equal("", File.ReadAllText(Path.Combine(root, "data.lck")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task EtcdFlag_FindsDashboardInTopomNode()
    {
        using var dashboard = new FakeDashboard("codis-demo");
        using EtcdProcess etcd = EtcdProcess.Start();
        await using (ICoordinator c = Coordinators.Create("etcd", etcd.Address, "", TimeSpan.FromSeconds(10)))
        {
            string topom = $"{{\n    \"token\": \"t\",\n    \"admin_addr\": \"{dashboard.Addr}\",\n    \"product_name\": \"codis-demo\"\n}}";
            await c.UpdateAsync("/codis3/codis-demo/topom", System.Text.Encoding.UTF8.GetBytes(topom));
        }
        using ProxyProcess p = ProxyProcess.Start("", "--etcd=" + etcd.Address);
        Assert.True(dashboard.OnlineCalled.Wait(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
    }

    [Fact]
    public async Task ZooKeeperFlag_FindsDashboardInTopomNode()
    {
        using var dashboard = new FakeDashboard("codis-demo");
        using ZooKeeperProcess zk = ZooKeeperProcess.Start();
        await using (ICoordinator c = Coordinators.Create("zookeeper", zk.Address, "", TimeSpan.FromSeconds(10)))
        {
            string topom = $"{{\n    \"token\": \"t\",\n    \"admin_addr\": \"{dashboard.Addr}\",\n    \"product_name\": \"codis-demo\"\n}}";
            await c.UpdateAsync("/codis3/codis-demo/topom", System.Text.Encoding.UTF8.GetBytes(topom));
        }
        using ProxyProcess p = ProxyProcess.Start("", "--zookeeper=" + zk.Address);
        Assert.True(dashboard.OnlineCalled.Wait(TimeSpan.FromSeconds(20)), p.Process.OutputTail());
        Assert.Equal($"/api/topom/proxy/online/{CodisAuth.DashboardXAuth("codis-demo")}/{p.AdminAddr}", dashboard.OnlinePath);
    }

    /// <summary>
    /// Stands in for codis-dashboard (not built yet): answers <c>GET /api/topom/model</c> and records the
    /// proxy's <c>PUT /api/topom/proxy/online/...</c>.
    /// </summary>
    private sealed class FakeDashboard : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly string _product;

        public FakeDashboard(string product)
        {
            _product = product;
            for (int attempt = 0; ; attempt++)
            {
                int port = FreePort.Get();
                Addr = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://{Addr}/");
                try
                {
                    _listener.Start();
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                }
            }
            _ = Task.Run(ServeAsync);
        }

        public string Addr { get; private set; } = "";

        public ManualResetEventSlim OnlineCalled { get; } = new();

        public string? OnlinePath { get; private set; }

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                string path = ctx.Request.Url!.AbsolutePath;
                string body = "\"OK\"";
                if (ctx.Request.HttpMethod == "GET" && path == "/api/topom/model")
                    body = $"{{\"token\": \"x\", \"admin_addr\": \"{Addr}\", \"product_name\": \"{_product}\"}}";
                else if (ctx.Request.HttpMethod == "PUT" && path.StartsWith("/api/topom/proxy/online/", StringComparison.Ordinal))
                    (OnlinePath, _) = (path, OnlineCalled);
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                ctx.Response.ContentType = "application/json; charset=utf-8";
                await ctx.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                ctx.Response.Close();
                if (OnlinePath is not null)
                    OnlineCalled.Set();
            }
        }
    }
}
