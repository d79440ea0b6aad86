using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Codis.Fe.Routing;

/// <summary>
/// The reverse proxy to a dashboard (fe.md §2.3): the same method, path, query (including <c>forward=</c>, which
/// dashboards ignore), headers and body go to <c>http://&lt;admin_addr&gt;</c>; the reply (status, headers, body,
/// HTTP 800 included) comes back unchanged. Connections are dialled with a 10 s timeout and idle ones closed after a
/// minute, as Codis's FE does.
/// </summary>
public sealed class DashboardForwarder : IDisposable
{
    // Connection-level headers are not forwarded (RFC 9110 §7.6.1), like Go's httputil.ReverseProxy.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly HttpMessageInvoker _client;
    private readonly ILogger _logger;

    /// <summary>Creates the forwarder with its own connection pool.</summary>
    public DashboardForwarder(ILogger logger)
    {
        _logger = logger;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        });
    }

    /// <summary>Forwards the request to the dashboard at <paramref name="dashboard"/> (<c>host:port</c>) and copies the reply.</summary>
    public async Task ForwardAsync(HttpContext ctx, string dashboard)
    {
        HttpRequest req = ctx.Request;
        var uri = new Uri("http://" + dashboard + req.Path.ToUriComponent() + req.QueryString.ToUriComponent());
        using var outgoing = new HttpRequestMessage(new HttpMethod(req.Method), uri);
        bool hasBody = req.ContentLength > 0 || req.Headers.TransferEncoding.Count > 0;
        if (hasBody)
            outgoing.Content = new StreamContent(req.Body);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> h in req.Headers)
        {
            if (HopByHop.Contains(h.Key))
                continue;
            if (!outgoing.Headers.TryAddWithoutValidation(h.Key, (IEnumerable<string?>)h.Value))
                outgoing.Content?.Headers.TryAddWithoutValidation(h.Key, (IEnumerable<string?>)h.Value);
        }
        string remote = ctx.Connection.RemoteIpAddress?.ToString() ?? "";
        if (remote.Length > 0)
        {
            string prior = req.Headers["X-Forwarded-For"].ToString();
            outgoing.Headers.Remove("X-Forwarded-For");
            outgoing.Headers.TryAddWithoutValidation("X-Forwarded-For", prior.Length > 0 ? prior + ", " + remote : remote);
        }

        HttpResponseMessage reply;
        try
        {
            reply = await _client.SendAsync(outgoing, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ctx.RequestAborted.IsCancellationRequested)
        {
            _logger.LogWarning("forward {Method} {Uri} failed: {Error}", req.Method, uri, e.Message);
            ctx.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }
        using (reply)
        {
            HttpResponse resp = ctx.Response;
            resp.StatusCode = (int)reply.StatusCode;
            if (reply.ReasonPhrase is { Length: > 0 } reason && ctx.Features.Get<IHttpResponseFeature>() is { } feature)
                feature.ReasonPhrase = reason;
            foreach (KeyValuePair<string, IEnumerable<string>> h in reply.Headers.Concat(reply.Content.Headers))
            {
                if (!HopByHop.Contains(h.Key))
                    resp.Headers[h.Key] = h.Value.ToArray();
            }
            await using Stream body = await reply.Content.ReadAsStreamAsync(ctx.RequestAborted).ConfigureAwait(false);
            await body.CopyToAsync(resp.Body, ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}
