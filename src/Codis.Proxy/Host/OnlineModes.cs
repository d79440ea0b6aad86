using System.Net;
using System.Text;
using System.Text.Json;
using Codis.Core.Json;
using Codis.Core.Security;
using Codis.Core.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Host;

/// <summary>A failure that ends the process with status 1 (Codis's <c>log.Panic</c>).</summary>
public sealed class FatalException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The ways a proxy brings itself online (proxy.md §1 table): through a dashboard, through the dashboard
/// found in a coordinator, or from a slots file.
/// </summary>
public sealed class OnlineModes(ProxyHost host, ILogger logger)
{
    /// <summary>Pause between attempts.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>--dashboard=ADDR</c>: up to 10 attempts, 3 s apart: fetch the dashboard model, check the product,
    /// ask the dashboard to online this proxy.
    /// </summary>
    /// <exception cref="FatalException">Wrong product, or every attempt failed.</exception>
    public async Task WithDashboardAsync(string dashboard, CancellationToken ct)
    {
        for (int i = 0; i < 10; i++)
        {
            if (host.IsClosed || host.IsOnline)
                return;
            if (await OnlineProxyAsync(dashboard, ct).ConfigureAwait(false))
                return;
            await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
        }
        throw new FatalException("online proxy failed");
    }

    /// <summary>
    /// <c>--filesystem=ROOT</c>: up to 30 attempts, 3 s apart: read <c>/codis3/&lt;product&gt;/topom</c> from the
    /// filesystem coordinator (absent → retry) and online through its <c>admin_addr</c>.
    /// </summary>
    /// <exception cref="FatalException">Every attempt failed.</exception>
    public async Task WithFileSystemAsync(string root, CancellationToken ct)
    {
        var fs = new FileSystemReader(root);
        string path = CoordinatorPaths.Topom(host.Config.ProductName);
        for (int i = 0; i < 30; i++)
        {
            if (host.IsClosed || host.IsOnline)
                return;
            try
            {
                byte[]? data = fs.Read(path);
                TopomModel? t = data is null ? null : CodisJson.Decode<TopomModel>(data);
                if (t is null)
                    logger.LogWarning("load topom failed: {Path} does not exist in {Root} (is the dashboard running?)", path, root);
                else if (await OnlineProxyAsync(t.AdminAddr, ct).ConfigureAwait(false))
                    return;
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                logger.LogWarning("load & decode topom failed: {Error}", e.Message);
            }
            await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
        }
        throw new FatalException("online proxy failed");
    }

    /// <summary><c>--fillslots=FILE</c>: fill the slots, then start.</summary>
    /// <exception cref="FatalException">Filling or starting failed.</exception>
    public void WithFillSlots(IReadOnlyList<Slot> slots)
    {
        try
        {
            host.FillSlots(slots);
        }
        catch (ApiException e)
        {
            throw new FatalException("fill slots failed, " + e.Message);
        }
        try
        {
            host.Start();
        }
        catch (ApiException e)
        {
            throw new FatalException("start proxy failed, " + e.Message);
        }
    }

    /// <summary>Reads and decodes a <c>--fillslots</c> file.</summary>
    /// <exception cref="FatalException">Unreadable file or not a JSON array of Slot.</exception>
    public static Slot[] LoadSlotsFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FatalException($"load slots from file {file} failed, {e.Message}");
        }
        try
        {
            return CodisJson.Decode<Slot[]>(text) ?? throw new FatalException($"decode slots from json failed, {file} holds null, expected an array of Slot");
        }
        catch (JsonException e)
        {
            throw new FatalException($"decode slots from json failed, {file}: {e.Message}");
        }
    }

    private async Task<bool> OnlineProxyAsync(string dashboard, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = TimeSpan.FromMinutes(1) };
        TopomModel? t;
        try
        {
            string body = await CallAsync(http, HttpMethod.Get, $"http://{dashboard}/api/topom/model", ct).ConfigureAwait(false);
            t = CodisJson.Decode<TopomModel>(body);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            logger.LogWarning("rpc fetch model failed: {Error}", e.Message);
            return false;
        }
        if (t is null || t.ProductName != host.Config.ProductName)
            throw new FatalException("unexcepted product name, got model =\n" + CodisJson.Encode(t));
        string xauth = CodisAuth.DashboardXAuth(host.Config.ProductName);
        try
        {
            await CallAsync(http, HttpMethod.Put, $"http://{dashboard}/api/topom/proxy/online/{xauth}/{host.Model.AdminAddr}", ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("rpc online proxy failed: {Error}", e.Message);
            return false;
        }
        logger.LogWarning("rpc online proxy seems OK");
        return true;
    }

    /// <summary>Codis's <c>rpc.apiRequestJson</c>: 200 → body; 800/1500 → <c>[Remote Error] Cause</c>; else the status.</summary>
    private static async Task<string> CallAsync(HttpClient http, HttpMethod method, string url, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(method, url);
        using HttpResponseMessage resp = await http.SendAsync(req, ct).ConfigureAwait(false);
        string body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        int code = (int)resp.StatusCode;
        if (code == 200)
            return body;
        if (code is 800 or 1500)
        {
            string cause = body;
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.TryGetProperty("Cause", out JsonElement c))
                    cause = c.GetString() ?? "";
            }
            catch (JsonException)
            {
                // Keep the raw body as the cause.
            }
            throw new HttpRequestException("[Remote Error] " + cause);
        }
        throw new HttpRequestException($"[{code}] {resp.ReasonPhrase} - {url}");
    }
}

/// <summary>
/// Read access to Codis's filesystem coordinator (coordinator.md §7.3): node <c>/a/b</c> is the file
/// <c>ROOT/data/a/b</c>, and every operation holds an exclusive non-blocking lock on <c>ROOT/data.lck</c>.
/// </summary>
public sealed class FileSystemReader(string root)
{
    private readonly string _root = Path.GetFullPath(root);

    /// <summary>The node's bytes, or null when it does not exist.</summary>
    /// <exception cref="IOException">The lock is held by another process, or the file cannot be read.</exception>
    public byte[]? Read(string path)
    {
        Directory.CreateDirectory(_root);
        string lockFile = Path.Combine(_root, "data.lck");
        // On Unix, FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB), the lock Codis's fs client uses;
        // a held lock fails at once with an IOException, as in Go.
        using var lck = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        byte[] note = Encoding.UTF8.GetBytes(CodisJson.Encode(new LockNote(Environment.ProcessId, GoTime.Now())));
        lck.SetLength(0);
        lck.Write(note);
        lck.Flush();
        try
        {
            string file = Path.Combine(_root, "data", path.TrimStart('/'));
            return File.Exists(file) ? File.ReadAllBytes(file) : null;
        }
        finally
        {
            lck.SetLength(0);
        }
    }

    private sealed record LockNote(
        [property: System.Text.Json.Serialization.JsonPropertyName("pid")] int Pid,
        [property: System.Text.Json.Serialization.JsonPropertyName("now")] string Now);
}
