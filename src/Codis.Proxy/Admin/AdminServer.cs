using System.Globalization;
using System.Net;
using Codis.Cluster.Hosting;
using Codis.Cluster.Logging;
using Codis.Cluster.Rpc;
using Codis.Core.Topology;
using Codis.Proxy.Host;
using Codis.Proxy.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Admin;

/// <summary>
/// The admin HTTP API on <c>admin_addr</c> (proxy.md §2) with Codis's conventions (dashboard-api.md §1-3):
/// JSON bodies indented by 4 spaces, <c>Content-Type: application/json; charset=utf-8</c> on every response,
/// gzip on request, errors as HTTP 800 <c>{"Cause", "Stack"}</c>, xauth checked on <c>:xauth</c> routes.
/// Also <c>GET /metrics</c> in the Prometheus text format.
/// </summary>
public sealed class AdminServer(ProxyHost host, CodisLog log) : IAsyncDisposable
{
    private readonly ILogger _logger = log.CreateLogger("admin");
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    /// <summary>Binds and starts serving; returns the bound endpoint.</summary>
    /// <exception cref="StartupException">The address is busy or cannot be bound.</exception>
    public async Task<IPEndPoint> StartAsync(IPEndPoint endpoint, string configured)
    {
        (WebApplication app, IPEndPoint bound) = await ApiHttp.StartAsync(endpoint, configured, log, _logger, MapRoutes, _ready.Task).ConfigureAwait(false);
        _app = app;
        return bound;
    }

    /// <summary>Lets requests through once the identity (token, xauth) is known.</summary>
    public void SetReady() => _ready.TrySetResult();

    /// <summary>Stops serving (in-flight requests finish).</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/", ctx =>
        {
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = "/proxy";
            return Task.CompletedTask;
        });
        app.MapGet("/proxy", ctx => ApiHttp.Json(ctx, host.GetOverview(StatsFlags.Full)));
        app.MapGet("/proxy/model", ctx => ApiHttp.Json(ctx, host.Model));
        app.MapGet("/api/proxy/model", ctx => ApiHttp.Json(ctx, host.Model));
        app.MapGet("/proxy/stats", ctx => ApiHttp.Json(ctx, host.GetStats(StatsFlags.Full)));
        app.MapGet("/proxy/slots", ctx => ApiHttp.Json(ctx, host.Slots()));
        app.MapGet("/metrics", ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return ctx.Response.WriteAsync(PrometheusText.Render(host), ctx.RequestAborted);
        });

        app.MapGet("/api/proxy/xping/{xauth}", ctx => WithXAuth(ctx, () => "OK"));
        app.MapGet("/api/proxy/stats/{xauth}", ctx => WithXAuth(ctx, () => host.GetStats(StatsFlags.None)));
        app.MapGet("/api/proxy/stats/{xauth}/{flags}", ctx => WithXAuth(ctx, () => host.GetStats(ParseFlags(ApiHttp.Param(ctx, "flags")))));
        app.MapGet("/api/proxy/slots/{xauth}", ctx => WithXAuth(ctx, () => host.Slots()));
        app.MapPut("/api/proxy/start/{xauth}", ctx => WithXAuth(ctx, () => Ok(host.Start)));
        app.MapPut("/api/proxy/stats/reset/{xauth}", ctx => WithXAuth(ctx, () => Ok(host.ResetStats)));
        app.MapPut("/api/proxy/forcegc/{xauth}", ctx => WithXAuth(ctx, () => Ok(ProxyHost.ForceGc)));
        app.MapPut("/api/proxy/shutdown/{xauth}", ctx => WithXAuth(ctx, () => Ok(host.Close)));
        app.MapPut("/api/proxy/loglevel/{xauth}/{value}", ctx => WithXAuth(ctx, () => SetLogLevel(ApiHttp.Param(ctx, "value"))));
        app.MapPut("/api/proxy/fillslots/{xauth}", async ctx =>
        {
            if (await CheckXAuth(ctx).ConfigureAwait(false))
            {
                Slot[]? slots = await ApiHttp.ReadBody<Slot[]>(ctx).ConfigureAwait(false);
                if (slots is not null)
                    await ApiHttp.Run(ctx, () => Ok(() => host.FillSlots(slots))).ConfigureAwait(false);
            }
        });
        app.MapPut("/api/proxy/sentinels/{xauth}", async ctx =>
        {
            if (await CheckXAuth(ctx).ConfigureAwait(false))
            {
                Sentinel? sentinel = await ApiHttp.ReadBody<Sentinel>(ctx).ConfigureAwait(false);
                if (sentinel is not null)
                    await ApiHttp.Run(ctx, () => Ok(() => host.SetSentinels(sentinel.Servers))).ConfigureAwait(false);
            }
        });
        app.MapPut("/api/proxy/sentinels/{xauth}/rewatch", ctx => WithXAuth(ctx, () => Ok(host.RewatchSentinels)));
    }

    private static string Ok(Action action)
    {
        action();
        return "OK";
    }

    private string SetLogLevel(string value)
    {
        if (value.Length == 0)
            throw new ApiException("missing loglevel");
        if (!CodisLog.TryParseLevel(value, out CodisLogLevel level))
            throw new ApiException("invalid loglevel");
        log.Level = level;
        _logger.LogWarning("set loglevel to {Level}", value);
        return "OK";
    }

    private static StatsFlags ParseFlags(string text)
    {
        // Go's strconv.Atoi: optional sign, decimal digits, 64-bit range; the value is then cast to uint32.
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
        {
            bool digits = text.Length > 0 && text.TrimStart('+', '-').All(char.IsAsciiDigit) && text.TrimStart('+', '-').Length > 0;
            throw new ApiException($"strconv.Atoi: parsing \"{text}\": {(digits ? "value out of range" : "invalid syntax")}");
        }
        return (StatsFlags)unchecked((uint)n);
    }

    private async Task WithXAuth(HttpContext ctx, Func<object> handler)
    {
        if (await CheckXAuth(ctx).ConfigureAwait(false))
            await ApiHttp.Run(ctx, handler).ConfigureAwait(false);
    }

    /// <summary>dashboard-api.md §3: closed, then missing, then invalid.</summary>
    private async Task<bool> CheckXAuth(HttpContext ctx)
    {
        string xauth = ApiHttp.Param(ctx, "xauth");
        string? cause = host.IsClosed ? ProxyHost.ClosedError
            : xauth.Length == 0 ? "missing xauth, please check product name & auth"
            : xauth != host.XAuth ? "invalid xauth, please check product name & auth"
            : null;
        if (cause is null)
            return true;
        await ApiHttp.Error(ctx, cause).ConfigureAwait(false);
        return false;
    }
}
