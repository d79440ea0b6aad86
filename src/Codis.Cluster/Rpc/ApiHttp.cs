using System.Net;
using System.Text;
using System.Text.Json;
using Codis.Cluster.Hosting;
using Codis.Cluster.Logging;
using Codis.Cluster.Net;
using Codis.Core.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Codis.Cluster.Rpc;

/// <summary>
/// The server side of Codis's admin HTTP conventions (dashboard-api.md §1-3), shared by the proxy and the
/// dashboard: JSON bodies indented by 4 spaces, <c>Content-Type: application/json; charset=utf-8</c> on every
/// response, gzip on request, errors as HTTP 800 <c>{"Cause", "Stack"}</c>, non-GET <c>/api/</c> calls logged.
/// </summary>
public static class ApiHttp
{
    /// <summary>The content type of every response.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>
    /// Builds a Kestrel app on <paramref name="endpoint"/>, lets <paramref name="map"/> add the routes, starts it
    /// and returns it with the bound endpoint (port 0 resolved). <paramref name="gate"/>, when given, holds every
    /// request until it completes (identity not known yet).
    /// </summary>
    /// <exception cref="StartupException">The address is busy or cannot be bound.</exception>
    public static async Task<(WebApplication App, IPEndPoint Bound)> StartAsync(
        IPEndPoint endpoint, string configured, CodisLog log, ILogger apiLogger, Action<WebApplication> map, Task? gate = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(endpoint);
        });
        builder.Logging.AddProvider(new WarningsOnlyProvider(log));
        builder.Services.AddRoutingCore();
        builder.Services.AddResponseCompression(o =>
        {
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ["application/json", "text/plain", "text/html", "text/css", "application/javascript"];
        });
        WebApplication app = builder.Build();
        app.UseResponseCompression();
        app.Use(async (ctx, next) =>
        {
            if (gate is not null)
                await gate.ConfigureAwait(false);
            LogApiCall(ctx, apiLogger);
            ctx.Response.ContentType = JsonContentType;
            await next(ctx).ConfigureAwait(false);
        });
        map(app);
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
        string? bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out Uri? uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip))
            return (app, new IPEndPoint(endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Any : ip, uri.Port));
        return (app, endpoint);
    }

    /// <summary>A route parameter, or "" when absent.</summary>
    public static string Param(HttpContext ctx, string name) => ctx.Request.RouteValues[name] as string ?? "";

    /// <summary>HTTP 200 with the value in Codis's JSON encoding.</summary>
    public static Task Json(HttpContext ctx, object value)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = JsonContentType;
        return ctx.Response.WriteAsync(CodisJson.Encode(value, value.GetType()), ctx.RequestAborted);
    }

    /// <summary>HTTP 800 with <c>{"Cause": ..., "Stack": null}</c>; the status line reads <c>800 status code 800</c> as Go's.</summary>
    public static Task Error(HttpContext ctx, string cause)
    {
        ctx.Response.StatusCode = 800;
        IHttpResponseFeature? feature = ctx.Features.Get<IHttpResponseFeature>();
        if (feature is not null)
            feature.ReasonPhrase = "status code 800";
        ctx.Response.ContentType = JsonContentType;
        return ctx.Response.WriteAsync(CodisJson.Encode(new ErrorBody(cause)), ctx.RequestAborted);
    }

    /// <summary>Runs a handler; its value is the 200 body, an <see cref="ApiException"/> the 800 cause.</summary>
    public static async Task Run(HttpContext ctx, Func<object> handler)
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

    /// <summary>Runs an asynchronous handler; its value is the 200 body, an <see cref="ApiException"/> the 800 cause.</summary>
    public static async Task RunAsync(HttpContext ctx, Func<Task<object>> handler)
    {
        object result;
        try
        {
            result = await handler().ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await Error(ctx, e.Message).ConfigureAwait(false);
            return;
        }
        await Json(ctx, result).ConfigureAwait(false);
    }

    /// <summary>
    /// Decodes a JSON body, or answers 800 and returns null. Codis runs the handler with whatever decoded from
    /// a malformed body (quirks.md #21); here it is an error, so a broken push is never taken for an empty one.
    /// </summary>
    public static async Task<T?> ReadBody<T>(HttpContext ctx)
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

    /// <summary>The caller as <c>ip:port</c>.</summary>
    public static string RemoteAddr(HttpContext ctx)
    {
        IPAddress? ip = ctx.Connection.RemoteIpAddress;
        if (ip is null)
            return "";
        return NetAddress.Format(new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, ctx.Connection.RemotePort));
    }

    /// <summary>Non-GET calls under <c>/api/</c> are logged with the caller and its proxy headers (dashboard-api.md §1).</summary>
    private static void LogApiCall(HttpContext ctx, ILogger logger)
    {
        HttpRequest req = ctx.Request;
        if (req.Method == "GET" || !req.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            return;
        string header = req.Headers["X-Real-IP"].ToString();
        if (header.Length == 0)
            header = req.Headers["X-Forwarded-For"].ToString();
        logger.LogWarning("API call {Path} from {Remote} [{Header}]", req.Path.Value, RemoteAddr(ctx), header);
    }

    /// <summary>The body of an HTTP 800 reply.</summary>
    private sealed record ErrorBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("Cause")] string Cause,
        [property: System.Text.Json.Serialization.JsonPropertyName("Stack")] object? Stack = null);

    /// <summary>ASP.NET Core's own messages only from warnings up, in the process log.</summary>
    private sealed class WarningsOnlyProvider(CodisLog log) : ILoggerProvider
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
