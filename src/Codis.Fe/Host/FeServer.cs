using System.Net;
using System.Text;
using System.Text.Json;
using Codis.Cluster.Hosting;
using Codis.Cluster.Logging;
using Codis.Fe.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Codis.Fe.Host;

/// <summary>
/// The HTTP side of codis-fe (fe.md §2): the assets first (<c>/</c> → <c>index.html</c>), then <c>GET /list</c>, then
/// any request with <c>?forward=&lt;product&gt;</c> forwarded to that product's dashboard (except, beyond Codis,
/// <c>GET /fe/proxy/stats/&lt;addr&gt;</c>: <see cref="ProxyStatsRelay"/>); everything else is 403 with an empty body.
/// </summary>
public sealed class FeServer : IAsyncDisposable
{
    /// <summary>The content type of <c>/list</c>, as Codis's FE sends it.</summary>
    public const string ListContentType = "text/plain; charset=utf-8";

    private static readonly JsonSerializerOptions ListJson = new() { WriteIndented = true, IndentSize = 4 };

    private readonly ProductTable _products;
    private readonly DashboardForwarder _forwarder;
    private readonly ProxyStatsRelay _proxyStats;
    private readonly string _assets;
    private readonly CodisLog _log;
    private WebApplication? _app;

    /// <summary>Creates the server; nothing listens until <see cref="StartAsync"/>.</summary>
    public FeServer(ProductTable products, string assetsDir, CodisLog log)
    {
        _products = products;
        _assets = assetsDir;
        _log = log;
        _forwarder = new DashboardForwarder(log.CreateLogger("proxy"));
        _proxyStats = new ProxyStatsRelay(log.CreateLogger("proxy-stats"));
    }

    /// <summary>Listens on <paramref name="endpoint"/> and returns the bound endpoint (port 0 resolved).</summary>
    /// <exception cref="StartupException">The address is busy or cannot be bound.</exception>
    public async Task<IPEndPoint> StartAsync(IPEndPoint endpoint, string configured)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(endpoint);
            // Dashboard replies (and the migration of many slots) may take long; the forwarded body is streamed.
            o.Limits.MaxRequestBodySize = 64 << 20;
        });
        builder.Logging.AddProvider(_log);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        WebApplication app = builder.Build();

        var files = new PhysicalFileProvider(Path.GetFullPath(_assets));
        var types = new FileExtensionContentTypeProvider();
        // Scripts and pages are text; say their charset so the browser never guesses.
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        types.Mappings[".mjs"] = "text/javascript; charset=utf-8";
        types.Mappings[".html"] = "text/html; charset=utf-8";
        types.Mappings[".css"] = "text/css; charset=utf-8";
        types.Mappings[".svg"] = "image/svg+xml";
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, DefaultFileNames = ["index.html"] });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = types });
        app.Run(ctx => HttpMethods.IsGet(ctx.Request.Method) && ctx.Request.Path.Value == "/list" ? ListAsync(ctx) : ForwardAsync(ctx));
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            string why = (e.InnerException?.Message ?? e.Message).Contains("in use", StringComparison.OrdinalIgnoreCase)
                ? "address already in use" : e.Message;
            throw new StartupException($"listen {configured} failed, bind: {why} (--listen={configured} is not available)", e);
        }
        _app = app;
        string? bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out Uri? uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip))
            return new IPEndPoint(ip, uri.Port);
        return endpoint;
    }

    /// <summary>Stops listening.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
            await _app.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync().ConfigureAwait(false);
        _forwarder.Dispose();
        _proxyStats.Dispose();
    }

    private async Task ListAsync(HttpContext ctx)
    {
        string[] names = await _products.ListAsync(ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = ListContentType;
        // Codis answers "null" when there is no product (a nil Go slice); an empty array is what a client expects.
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(names, ListJson), Encoding.UTF8, ctx.RequestAborted).ConfigureAwait(false);
    }

    private Task ForwardAsync(HttpContext ctx)
    {
        string? product = ctx.Request.Query["forward"].FirstOrDefault();
        string? dashboard = _products.Find(product);
        if (dashboard is null)
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        // Beyond Codis: a proxy's full stats (the per-command table), relayed for the page.
        if (HttpMethods.IsGet(ctx.Request.Method) && ctx.Request.Path.StartsWithSegments("/fe/proxy/stats", StringComparison.Ordinal)
            && ctx.Request.Path.Value!.Length > ProxyStatsRelay.Prefix.Length)
            return _proxyStats.RelayAsync(ctx, product!, dashboard);
        return _forwarder.ForwardAsync(ctx, dashboard);
    }
}
