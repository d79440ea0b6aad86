using System.Globalization;
using System.Net;
using Codis.Dashboard.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Api;

/// <summary>
/// The dashboard's admin HTTP API on <c>admin_addr</c> (dashboard-api.md §1-4) with Codis's conventions
/// through <see cref="ApiHttp"/>: 4-space JSON, errors as HTTP 800 <c>{"Cause", "Stack"}</c>, xauth checked on
/// <c>:xauth</c> routes (closed, then missing, then invalid), then route parameters (<c>missing X</c>,
/// <c>invalid X</c>). Routes per concern in partial files: groups, proxies, sentinels, slots.
/// </summary>
public sealed partial class DashboardApi(Topom topom, CodisLog log) : IAsyncDisposable
{
    private readonly ILogger _logger = log.CreateLogger("api");
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

    /// <summary>Lets requests through once the identity (token) is known.</summary>
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
            ctx.Response.Headers.Location = "/topom";
            return Task.CompletedTask;
        });
        GetOpen(app, "/topom", async ctx => await topom.GetOverviewAsync().ConfigureAwait(false));
        app.MapGet("/topom/model", ctx => ApiHttp.Json(ctx, topom.Model));
        app.MapGet("/api/topom/model", ctx => ApiHttp.Json(ctx, topom.Model));
        GetOpen(app, "/topom/stats", async ctx => await topom.GetStatsAsync().ConfigureAwait(false));
        GetX(app, "/api/topom/xping/{xauth}", ctx => Task.FromResult<object>("OK"));
        GetX(app, "/api/topom/stats/{xauth}", async ctx => await topom.GetStatsAsync().ConfigureAwait(false));

        PutX(app, "/api/topom/reload/{xauth}", _ => topom.ReloadAsync());
        PutX(app, "/api/topom/shutdown/{xauth}", async ctx =>
        {
            await topom.CloseAsync().ConfigureAwait(false);
            return "OK";
        });
        PutX(app, "/api/topom/loglevel/{xauth}/{value}", ctx => Task.FromResult(SetLogLevel(ApiHttp.Param(ctx, "value"))));

        MapGroupRoutes(app);
        MapProxyRoutes(app);
        MapSentinelRoutes(app);
        MapSlotRoutes(app);
    }

    private object SetLogLevel(string value)
    {
        if (value.Length == 0)
            throw new ApiException("missing loglevel");
        if (!CodisLog.TryParseLevel(value, out CodisLogLevel level))
            throw new ApiException("invalid loglevel");
        log.Level = level;
        _logger.LogWarning("set loglevel to {Level}", value);
        return "OK";
    }

    /// <summary>Maps a PUT route whose <c>:xauth</c> is checked first.</summary>
    private void PutX(WebApplication app, string pattern, Func<HttpContext, Task<object>> handler) =>
        app.MapPut(pattern, ctx => WithXAuth(ctx, handler));

    /// <summary>Maps a GET route whose <c>:xauth</c> is checked first.</summary>
    private void GetX(WebApplication app, string pattern, Func<HttpContext, Task<object>> handler) =>
        app.MapGet(pattern, ctx => WithXAuth(ctx, handler));

    /// <summary>Maps a GET route without xauth.</summary>
    private static void GetOpen(WebApplication app, string pattern, Func<HttpContext, Task<object>> handler) =>
        app.MapGet(pattern, ctx => RunOpen(ctx, handler));

    private static Task RunOpen(HttpContext ctx, Func<HttpContext, Task<object>> handler) => ApiHttp.RunAsync(ctx, () => handler(ctx));

    /// <summary>Checks the xauth, then runs the handler (its ApiExceptions are 800 replies).</summary>
    private async Task WithXAuth(HttpContext ctx, Func<HttpContext, Task<object>> handler)
    {
        if (await CheckXAuth(ctx).ConfigureAwait(false))
            await ApiHttp.RunAsync(ctx, () => handler(ctx)).ConfigureAwait(false);
    }

    /// <summary>dashboard-api.md §3: closed, then missing, then invalid.</summary>
    private async Task<bool> CheckXAuth(HttpContext ctx)
    {
        string xauth = ApiHttp.Param(ctx, "xauth");
        string? cause = topom.IsClosed ? Topom.ClosedError
            : xauth.Length == 0 ? "missing xauth, please check product name & auth"
            : xauth != topom.XAuth ? "invalid xauth, please check product name & auth"
            : null;
        if (cause is null)
            return true;
        await ApiHttp.Error(ctx, cause).ConfigureAwait(false);
        return false;
    }

    /// <summary>A decimal route parameter: <c>missing X</c> when empty, <c>invalid X</c> when not an integer.</summary>
    private static int IntParam(HttpContext ctx, string name)
    {
        string v = ApiHttp.Param(ctx, name);
        if (v.Length == 0)
            throw new ApiException("missing " + name);
        return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
            : throw new ApiException("invalid " + name);
    }

    /// <summary>A string route parameter: <c>missing X</c> when empty.</summary>
    private static string StrParam(HttpContext ctx, string name)
    {
        string v = ApiHttp.Param(ctx, name);
        return v.Length > 0 ? v : throw new ApiException("missing " + name);
    }
}
