using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Codis.Core.Json;
using Codis.Core.Topology;
using Codis.Proxy.Host;
using Codis.Proxy.Logging;
using Codis.Proxy.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
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
    private const string JsonContentType = "application/json; charset=utf-8";

    private readonly ILogger _logger = log.CreateLogger("admin");
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    /// <summary>Binds and starts serving; returns the bound endpoint.</summary>
    /// <exception cref="StartupException">The address is busy or cannot be bound.</exception>
    public async Task<IPEndPoint> StartAsync(IPEndPoint endpoint, string configured)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(endpoint);
        });
        builder.Logging.AddProvider(new FilteredProvider(log));
        builder.Services.AddRoutingCore();
        builder.Services.AddResponseCompression(o =>
        {
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ["application/json", "text/plain"];
        });
        WebApplication app = builder.Build();
        app.UseResponseCompression();
        app.Use(Prologue);
        MapRoutes(app);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            string why = e.InnerException?.Message.Contains("in use", StringComparison.OrdinalIgnoreCase) == true
                || e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase) ? "address already in use" : e.Message;
            throw new StartupException($"listen tcp {configured}: bind: {why} (admin_addr {configured} is not available)", e);
        }
        _app = app;
        string? bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out Uri? uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip))
            return new IPEndPoint(endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Any : ip, uri.Port);
        return endpoint;
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

    private async Task Prologue(HttpContext ctx, RequestDelegate next)
    {
        await _ready.Task.ConfigureAwait(false);
        HttpRequest req = ctx.Request;
        if (req.Method != "GET" && req.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            string header = req.Headers["X-Real-IP"].ToString();
            if (header.Length == 0)
                header = req.Headers["X-Forwarded-For"].ToString();
            _logger.LogWarning("API call {Path} from {Remote} [{Header}]", req.Path.Value, RemoteAddr(ctx), header);
        }
        ctx.Response.ContentType = JsonContentType;
        await next(ctx).ConfigureAwait(false);
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/", ctx =>
        {
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = "/proxy";
            return Task.CompletedTask;
        });
        app.MapGet("/proxy", ctx => Json(ctx, host.GetOverview(StatsFlags.Full)));
        app.MapGet("/proxy/model", ctx => Json(ctx, host.Model));
        app.MapGet("/api/proxy/model", ctx => Json(ctx, host.Model));
        app.MapGet("/proxy/stats", ctx => Json(ctx, host.GetStats(StatsFlags.Full)));
        app.MapGet("/proxy/slots", ctx => Json(ctx, host.Slots()));
        app.MapGet("/metrics", ctx =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return ctx.Response.WriteAsync(PrometheusText.Render(host), ctx.RequestAborted);
        });

        app.MapGet("/api/proxy/xping/{xauth}", ctx => WithXAuth(ctx, () => "OK"));
        app.MapGet("/api/proxy/stats/{xauth}", ctx => WithXAuth(ctx, () => host.GetStats(StatsFlags.None)));
        app.MapGet("/api/proxy/stats/{xauth}/{flags}", ctx => WithXAuth(ctx, () => host.GetStats(ParseFlags(Param(ctx, "flags")))));
        app.MapGet("/api/proxy/slots/{xauth}", ctx => WithXAuth(ctx, () => host.Slots()));
        app.MapPut("/api/proxy/start/{xauth}", ctx => WithXAuth(ctx, () => Ok(host.Start)));
        app.MapPut("/api/proxy/stats/reset/{xauth}", ctx => WithXAuth(ctx, () => Ok(host.ResetStats)));
        app.MapPut("/api/proxy/forcegc/{xauth}", ctx => WithXAuth(ctx, () => Ok(ProxyHost.ForceGc)));
        app.MapPut("/api/proxy/shutdown/{xauth}", ctx => WithXAuth(ctx, () => Ok(host.Close)));
        app.MapPut("/api/proxy/loglevel/{xauth}/{value}", ctx => WithXAuth(ctx, () => SetLogLevel(Param(ctx, "value"))));
        app.MapPut("/api/proxy/fillslots/{xauth}", async ctx =>
        {
            if (await CheckXAuth(ctx).ConfigureAwait(false))
            {
                Slot[]? slots = await ReadBody<Slot[]>(ctx).ConfigureAwait(false);
                if (slots is not null)
                    await Run(ctx, () => Ok(() => host.FillSlots(slots))).ConfigureAwait(false);
            }
        });
        app.MapPut("/api/proxy/sentinels/{xauth}", async ctx =>
        {
            if (await CheckXAuth(ctx).ConfigureAwait(false))
            {
                Sentinel? sentinel = await ReadBody<Sentinel>(ctx).ConfigureAwait(false);
                if (sentinel is not null)
                    await Run(ctx, () => Ok(() => host.SetSentinels(sentinel.Servers))).ConfigureAwait(false);
            }
        });
        app.MapPut("/api/proxy/sentinels/{xauth}/rewatch", ctx => WithXAuth(ctx, () => Ok(host.RewatchSentinels)));
    }

    private static string Param(HttpContext ctx, string name) => ctx.Request.RouteValues[name] as string ?? "";

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
            await Run(ctx, handler).ConfigureAwait(false);
    }

    private static async Task Run(HttpContext ctx, Func<object> handler)
    {
        object result;
        try
        {
            result = handler();
        }
        catch (ApiException e)
        {
            await Error(ctx, e.Message).ConfigureAwait(false);
            return;
        }
        await Json(ctx, result).ConfigureAwait(false);
    }

    /// <summary>dashboard-api.md §3: closed, then missing, then invalid.</summary>
    private async Task<bool> CheckXAuth(HttpContext ctx)
    {
        string xauth = Param(ctx, "xauth");
        string? cause = host.IsClosed ? ProxyHost.ClosedError
            : xauth.Length == 0 ? "missing xauth, please check product name & auth"
            : xauth != host.XAuth ? "invalid xauth, please check product name & auth"
            : null;
        if (cause is null)
            return true;
        await Error(ctx, cause).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Decodes a JSON body. Codis runs the handler with whatever decoded from a malformed body (quirks.md #21);
    /// here it is an 800 error, so a broken push is never taken for an empty one.
    /// </summary>
    private static async Task<T?> ReadBody<T>(HttpContext ctx)
        where T : class
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        string text = await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            T? value = CodisJson.Decode<T>(text);
            if (value is not null)
                return value;
        }
        catch (JsonException e)
        {
            await Error(ctx, "invalid request body, " + e.Message).ConfigureAwait(false);
            return null;
        }
        await Error(ctx, "invalid request body, expected " + (typeof(T).IsArray ? "a JSON array" : "a JSON object")).ConfigureAwait(false);
        return null;
    }

    private static Task Json(HttpContext ctx, object value)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = JsonContentType;
        return ctx.Response.WriteAsync(CodisJson.Encode(value, value.GetType()), ctx.RequestAborted);
    }

    /// <summary>HTTP 800 with <c>{"Cause": ..., "Stack": null}</c>; the status line reads <c>800 status code 800</c> as Go's.</summary>
    private static Task Error(HttpContext ctx, string cause)
    {
        ctx.Response.StatusCode = 800;
        IHttpResponseFeature? feature = ctx.Features.Get<IHttpResponseFeature>();
        if (feature is not null)
            feature.ReasonPhrase = "status code 800";
        ctx.Response.ContentType = JsonContentType;
        return ctx.Response.WriteAsync(CodisJson.Encode(new ErrorBody(cause)), ctx.RequestAborted);
    }

    private static string RemoteAddr(HttpContext ctx)
    {
        IPAddress? ip = ctx.Connection.RemoteIpAddress;
        if (ip is null)
            return "";
        return NetAddress.Format(new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, ctx.Connection.RemotePort));
    }

    /// <summary>The body of an HTTP 800 reply.</summary>
    private sealed record ErrorBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("Cause")] string Cause,
        [property: System.Text.Json.Serialization.JsonPropertyName("Stack")] object? Stack = null);

    /// <summary>ASP.NET Core's own messages only from warnings up, in the proxy's log.</summary>
    private sealed class FilteredProvider(CodisLog log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Filtered(log.CreateLogger(categoryName));

        public void Dispose()
        {
        }

        private sealed class Filtered(ILogger inner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
