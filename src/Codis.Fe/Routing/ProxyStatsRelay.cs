using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Codis.Fe.Routing;

/// <summary>
/// Beyond Codis: <c>GET /fe/proxy/stats/&lt;proxy admin addr&gt;?forward=&lt;product&gt;</c> answers that proxy's full
/// statistics (<c>/proxy/stats</c>, with the per-command table the dashboard's stats leave out), so the page can show
/// command latencies without talking to proxies itself. Only a proxy of the product (in its dashboard's
/// <c>/topom</c>) is asked; the list is kept for a few seconds.
/// </summary>
public sealed class ProxyStatsRelay : IDisposable
{
    /// <summary>The path prefix of the route.</summary>
    public const string Prefix = "/fe/proxy/stats/";

    private static readonly TimeSpan ListTtl = TimeSpan.FromSeconds(5);

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        UseProxy = false,
        AllowAutoRedirect = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTime At, HashSet<string> Proxies)> _known = new(StringComparer.Ordinal);

    /// <summary>Creates the relay with its own connection pool.</summary>
    public ProxyStatsRelay(ILogger logger) => _logger = logger;

    /// <summary>Answers the request for the proxy named in the path, of the product whose dashboard is <paramref name="dashboard"/>.</summary>
    public async Task RelayAsync(HttpContext ctx, string product, string dashboard)
    {
        string addr = Uri.UnescapeDataString(ctx.Request.Path.Value![Prefix.Length..]);
        HashSet<string>? proxies = await ProxiesAsync(product, dashboard, ctx.RequestAborted).ConfigureAwait(false);
        if (proxies is null)
        {
            await PlainAsync(ctx, StatusCodes.Status502BadGateway, $"dashboard {dashboard} of product {product} did not answer /topom").ConfigureAwait(false);
            return;
        }
        if (!proxies.Contains(addr))
        {
            await PlainAsync(ctx, StatusCodes.Status404NotFound, $"{addr} is not the admin address of a proxy of product {product}").ConfigureAwait(false);
            return;
        }
        string body;
        try
        {
            body = await _client.GetStringAsync(new Uri("http://" + addr + "/proxy/stats"), ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _logger.LogWarning("proxy stats of {Addr} failed: {Error}", addr, e.Message);
            await PlainAsync(ctx, StatusCodes.Status502BadGateway, $"proxy {addr} did not answer /proxy/stats: {e.Message}").ConfigureAwait(false);
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private async Task<HashSet<string>?> ProxiesAsync(string product, string dashboard, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_known.TryGetValue(product, out var known) && DateTime.UtcNow - known.At < ListTtl)
                return known.Proxies;
        }
        try
        {
            await using Stream s = await _client.GetStreamAsync(new Uri("http://" + dashboard + "/topom"), ct).ConfigureAwait(false);
            using JsonDocument doc = await JsonDocument.ParseAsync(s, cancellationToken: ct).ConfigureAwait(false);
            var proxies = new HashSet<string>(StringComparer.Ordinal);
            if (doc.RootElement.TryGetProperty("stats", out JsonElement stats) && stats.TryGetProperty("proxy", out JsonElement proxy)
                && proxy.TryGetProperty("models", out JsonElement models) && models.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement m in models.EnumerateArray())
                {
                    if (m.TryGetProperty("admin_addr", out JsonElement a) && a.GetString() is { Length: > 0 } admin)
                        proxies.Add(admin);
                }
            }
            lock (_lock)
                _known[product] = (DateTime.UtcNow, proxies);
            return proxies;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            _logger.LogWarning("dashboard {Dashboard} /topom failed: {Error}", dashboard, e.Message);
            return null;
        }
    }

    private static Task PlainAsync(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(text, ctx.RequestAborted);
    }
}
