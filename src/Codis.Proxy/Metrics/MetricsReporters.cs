using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Codis.Core.Json;
using Codis.Proxy.Config;
using Codis.Proxy.Host;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Metrics;

/// <summary>
/// The optional metrics sinks of proxy.md §13: JSON overview POSTed to a URL, InfluxDB line protocol over
/// HTTP, StatsD gauges over UDP. Each period is at least 1 s; after a failed report the sink backs off
/// 1 s, 2 s, 4 s ... up to 15 s, reset on success.
/// </summary>
public sealed class MetricsReporters(ProxyHost host, ILogger logger) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Starts a loop per configured sink.</summary>
    public void Start()
    {
        ProxyConfig c = host.Config;
        if (c.MetricsReportServer.Length > 0)
            _ = Loop("json", c.MetricsReportPeriod.ToTimeSpan(), ReportJsonAsync);
        if (c.MetricsReportInfluxdbServer.Length > 0)
            _ = Loop("influxdb", c.MetricsReportInfluxdbPeriod.ToTimeSpan(), ReportInfluxAsync);
        if (c.MetricsReportStatsdServer.Length > 0)
            _ = Loop("statsd", c.MetricsReportStatsdPeriod.ToTimeSpan(), ReportStatsdAsync);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Cancel();
        _http.Dispose();
    }

    /// <summary>The InfluxDB line for the current stats (measurement <c>codis_usage</c>, ns precision).</summary>
    public static string InfluxLine(ProxyHost host, DateTimeOffset now)
    {
        ProxyStatsJson stats = host.GetStats(StatsFlags.None);
        RuntimeStats runtime = ProxyHost.ReadRuntime();
        var sb = new StringBuilder("codis_usage");
        void Tag(string k, string v) => sb.Append(',').Append(k).Append('=').Append(EscapeTag(v));
        Tag("admin_addr", host.Model.AdminAddr);
        Tag("hostname", host.Model.Hostname);
        Tag("product_name", host.Config.ProductName);
        Tag("proxy_addr", host.Model.ProxyAddr);
        Tag("token", host.Model.Token);
        sb.Append(' ');
        bool first = true;
        // The Go client writes fields sorted by name, as it does tags.
        foreach ((string k, double v) in MetricFields.Read(stats, runtime).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!first)
                sb.Append(',');
            first = false;
            sb.Append(k).Append('=').Append(MetricFields.Number(v));
            if (v == Math.Floor(v) && k != "rusage_cpu")
                sb.Append('i');
        }
        long ns = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        sb.Append(' ').Append(ns.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>The StatsD gauge lines for the current stats.</summary>
    public static IReadOnlyList<string> StatsdLines(ProxyHost host)
    {
        ProxyStatsJson stats = host.GetStats(StatsFlags.None);
        RuntimeStats runtime = ProxyHost.ReadRuntime();
        static string Flat(string s) => s.Replace('.', '_').Replace(':', '_');
        string prefix = host.Config.MetricsReportStatsdPrefix + "." + host.Config.ProductName + "."
            + Flat(host.Model.AdminAddr) + "." + Flat(host.Model.ProxyAddr) + ".";
        var lines = new List<string>();
        foreach ((string k, double v) in MetricFields.Read(stats, runtime))
            lines.Add(prefix + k + ":" + MetricFields.Number(v) + "|g");
        return lines;
    }

    private async Task Loop(string name, TimeSpan period, Func<CancellationToken, Task> report)
    {
        if (period < TimeSpan.FromSeconds(1))
            period = TimeSpan.FromSeconds(1);
        TimeSpan backoff = TimeSpan.Zero;
        CancellationToken ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period + backoff, ct).ConfigureAwait(false);
                await report(ct).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException or InvalidOperationException)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
                logger.LogWarning("report {Sink} metrics failed: {Error}; next try in {Delay}", name, e.Message, period + backoff);
            }
        }
    }

    private async Task ReportJsonAsync(CancellationToken ct)
    {
        string body = CodisJson.Encode(host.GetOverview(StatsFlags.Runtime));
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage resp = await _http.PostAsync(host.Config.MetricsReportServer, content, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
            throw new HttpRequestException($"[{(int)resp.StatusCode}] {resp.ReasonPhrase} - {host.Config.MetricsReportServer}");
    }

    private async Task ReportInfluxAsync(CancellationToken ct)
    {
        ProxyConfig c = host.Config;
        string url = c.MetricsReportInfluxdbServer.TrimEnd('/') + "/write?precision=ns&db=" + Uri.EscapeDataString(c.MetricsReportInfluxdbDatabase);
        using var req = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(InfluxLine(host, DateTimeOffset.UtcNow) + "\n", Encoding.UTF8, "text/plain"),
        };
        if (c.MetricsReportInfluxdbUsername.Length > 0 || c.MetricsReportInfluxdbPassword.Length > 0)
        {
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(c.MetricsReportInfluxdbUsername + ":" + c.MetricsReportInfluxdbPassword));
            req.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
        using HttpResponseMessage resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
            throw new HttpRequestException($"[{(int)resp.StatusCode}] {resp.ReasonPhrase} - {url}");
    }

    private async Task ReportStatsdAsync(CancellationToken ct)
    {
        (string h, int port) = NetAddress.Split(host.Config.MetricsReportStatsdServer);
        IPAddress[] ips = await Dns.GetHostAddressesAsync(h.Length == 0 ? "127.0.0.1" : h, ct).ConfigureAwait(false);
        if (ips.Length == 0)
            throw new IOException($"lookup {h}: no address");
        using var udp = new UdpClient(ips[0].AddressFamily);
        byte[] payload = Encoding.UTF8.GetBytes(string.Join("\n", StatsdLines(host)));
        await udp.SendAsync(payload, new IPEndPoint(ips[0], port), ct).ConfigureAwait(false);
    }

    private static string EscapeTag(string v) =>
        v.Replace(",", "\\,", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal);
}
