using System.Text;
using System.Text.Json;
using Codis.Core.Json;

namespace Codis.Cluster.Rpc;

/// <summary>
/// The client side of Codis's admin APIs (<c>rpc.apiRequestJson</c>, dashboard-api.md §2): connect timeout 1 s,
/// whole request 1 min, JSON bodies in Codis's encoding; status 200 → the body, 800 or 1500 →
/// <c>[Remote Error] &lt;Cause&gt;</c>, any other status → <c>[&lt;code&gt;] &lt;status text&gt; - &lt;url&gt;</c>.
/// Every failure, transport ones included, is an <see cref="ApiException"/>.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A client with Codis's timeouts, or shorter ones (the dashboard's 1 s stats probes).</summary>
    public ApiClient(TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = System.Net.DecompressionMethods.GZip,
        };
        _http = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromMinutes(1) };
    }

    /// <summary>GET <paramref name="url"/> and decode the JSON reply.</summary>
    /// <exception cref="ApiException">Transport failure, an error reply, or a body that is not <typeparamref name="T"/>.</exception>
    public async Task<T> GetAsync<T>(string url, CancellationToken ct = default)
    {
        string body = await SendAsync(HttpMethod.Get, url, null, ct).ConfigureAwait(false);
        return Decode<T>(body, url);
    }

    /// <summary>PUT <paramref name="url"/> with an optional JSON body; the reply body is returned raw.</summary>
    /// <exception cref="ApiException">Transport failure or an error reply.</exception>
    public Task<string> PutAsync(string url, object? body = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, url, body, ct);

    /// <summary>PUT and decode the JSON reply.</summary>
    /// <exception cref="ApiException">Transport failure, an error reply, or a body that is not <typeparamref name="T"/>.</exception>
    public async Task<T> PutAsync<T>(string url, object? body = null, CancellationToken ct = default)
    {
        string text = await SendAsync(HttpMethod.Put, url, body, ct).ConfigureAwait(false);
        return Decode<T>(text, url);
    }

    /// <summary>Sends one request; returns the body of a 200 reply.</summary>
    /// <exception cref="ApiException">Transport failure or an error reply.</exception>
    public async Task<string> SendAsync(HttpMethod method, string url, object? body, CancellationToken ct = default)
    {
        using var req = new HttpRequestMessage(method, url);
        if (body is not null)
            req.Content = new StringContent(CodisJson.Encode(body, body.GetType()), Encoding.UTF8, "application/json");
        try
        {
            using HttpResponseMessage resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
            string text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            int code = (int)resp.StatusCode;
            if (code == 200)
                return text;
            if (code is 800 or 1500)
                throw new ApiException("[Remote Error] " + RemoteCause(text));
            throw new ApiException($"[{code}] {resp.ReasonPhrase} - {url}");
        }
        catch (HttpRequestException e)
        {
            throw new ApiException($"{method.Method} {url}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ApiException($"{method.Method} {url}: timed out after {_http.Timeout.TotalSeconds:0.#} s", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    /// <summary>The <c>Cause</c> of an error body, or the raw body when it is not one.</summary>
    public static string RemoteCause(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Cause", out JsonElement c))
                return c.GetString() ?? "";
        }
        catch (JsonException)
        {
            // Keep the raw body as the cause.
        }
        return body;
    }

    private static T Decode<T>(string body, string url)
    {
        try
        {
            return CodisJson.Decode<T>(body) ?? throw new ApiException($"{url}: the reply is null, expected {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw new ApiException($"{url}: cannot decode the reply as {typeof(T).Name}: {e.Message}", e);
        }
    }
}
