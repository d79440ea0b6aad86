using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>The metrics sinks of proxy.md §13 against listeners of the test: JSON, InfluxDB line protocol, StatsD.</summary>
public sealed class ProxyMetricsTests
{
    [Fact]
    public void AllThreeSinks_ReportEverySecond()
    {
        using var http = new RecordingHttpServer();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        string toml = $"""
            metrics_report_server = "http://{http.Addr}/json"
            metrics_report_influxdb_server = "http://{http.Addr}"
            metrics_report_influxdb_username = "user"
            metrics_report_influxdb_password = "pw"
            metrics_report_influxdb_database = "codis"
            metrics_report_statsd_server = "127.0.0.1:{udpPort}"
            metrics_report_statsd_prefix = "pfx"
            """;
        using ProxyProcess p = ProxyProcess.Start(toml);
        using JsonDocument model = JsonDocument.Parse(p.Get("/api/proxy/model").Body);
        string token = model.RootElement.GetProperty("token").GetString()!;

        // StatsD: one datagram of gauges named <prefix>.<product>.<admin>.<proxy>.<field>.
        udp.Client.ReceiveTimeout = 20_000;
        IPEndPoint? from = null;
        string datagram = Encoding.UTF8.GetString(udp.Receive(ref from));
        string adminFlat = p.AdminAddr.Replace('.', '_').Replace(':', '_');
        string proxyFlat = p.ProxyAddr.Replace('.', '_').Replace(':', '_');
        string[] lines = datagram.Split('\n');
        Assert.Contains($"pfx.codis-demo.{adminFlat}.{proxyFlat}.ops_total:0|g", lines);
        Assert.Contains(lines, l => l.StartsWith($"pfx.codis-demo.{adminFlat}.{proxyFlat}.rusage_mem:", StringComparison.Ordinal) && l.EndsWith("|g", StringComparison.Ordinal));
        Assert.Equal(14, lines.Length);

        // JSON: the overview with the runtime flag, no per-command table, no slots.
        RecordedRequest json = http.WaitFor(r => r.Path == "/json");
        Assert.Equal("POST", json.Method);
        using (JsonDocument d = JsonDocument.Parse(json.Body))
        {
            Assert.Equal(["version", "compile", "config", "model", "stats"], d.RootElement.EnumerateObject().Select(x => x.Name));
            Assert.True(d.RootElement.GetProperty("stats").TryGetProperty("runtime", out _));
            Assert.False(d.RootElement.GetProperty("stats").GetProperty("ops").TryGetProperty("cmd", out _));
            Assert.Equal(token, d.RootElement.GetProperty("model").GetProperty("token").GetString());
        }

        // InfluxDB: one point of measurement codis_usage with the tags, basic auth, ns precision.
        RecordedRequest influx = http.WaitFor(r => r.Path == "/write");
        Assert.Equal("?precision=ns&db=codis", influx.Query);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pw")), influx.Authorization);
        string point = influx.Body.TrimEnd('\n');
        Assert.StartsWith($"codis_usage,admin_addr={p.AdminAddr},hostname=", point, StringComparison.Ordinal);
        Assert.Contains($",product_name=codis-demo,proxy_addr={p.ProxyAddr},token={token} ops_fails=0i,ops_qps=0i,ops_redis_errors=0i,ops_total=0i,", point, StringComparison.Ordinal);
        string[] fields = point.Split(' ')[1].Split(',').Select(f => f[..f.IndexOf('=')]).ToArray();
        Assert.Equal(fields.OrderBy(f => f, StringComparer.Ordinal), fields);
        Assert.Equal(14, fields.Length);
        Assert.Matches(@",rusage_cpu=[0-9.eE+-]+,", point);
        Assert.Matches(@" \d{19}$", point);
    }

    private sealed record RecordedRequest(string Method, string Path, string Query, string? Authorization, string Body);

    /// <summary>Accepts every request, answers 204, and keeps what it received.</summary>
    private sealed class RecordingHttpServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly BlockingCollection<RecordedRequest> _requests = [];

        public RecordingHttpServer()
        {
            for (int attempt = 0; ; attempt++)
            {
                Addr = "127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture);
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

        public RecordedRequest WaitFor(Func<RecordedRequest, bool> match)
        {
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (_requests.TryTake(out RecordedRequest? r, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
            {
                if (match(r))
                    return r;
            }
            throw new TimeoutException("no matching request within 20 s");
        }

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
                using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8))
                {
                    string body = await reader.ReadToEndAsync().ConfigureAwait(false);
                    _requests.Add(new RecordedRequest(ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath, ctx.Request.Url.Query,
                        ctx.Request.Headers["Authorization"], body));
                }
                ctx.Response.StatusCode = 204;
                ctx.Response.Close();
            }
        }
    }
}
