using Codis.Cluster.Logging;
using Codis.Cluster.Rpc;

namespace Codis.Admin;

/// <summary>
/// What every command needs: standard output, the log (standard error; <c>-v</c> = DEBUG, each RPC is
/// logged) and the HTTP client with Codis's timeouts.
/// </summary>
internal sealed class AdminContext(TextWriter output, CodisLog log, ApiClient api)
{
    /// <summary>The log source printed in every line.</summary>
    public const string Source = "codis-admin";

    /// <summary>Standard output: the JSON and status lines.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>The log.</summary>
    public CodisLog Log { get; } = log;

    /// <summary>The admin API client.</summary>
    public ApiClient Api { get; } = api;

    /// <summary>Writes a DEBUG line (shown with <c>-v</c>).</summary>
    public void Debug(string message) => Log.Write(CodisLogLevel.Debug, Source, message);

    /// <summary>Writes one line to standard output.</summary>
    public void Print(string line) => Out.WriteLine(line);

    /// <summary>
    /// Runs one RPC: logs <c>call rpc &lt;op&gt; to &lt;target&gt;</c> and <c>call rpc &lt;op&gt; OK</c> at DEBUG;
    /// a failure becomes <c>call rpc &lt;op&gt; to &lt;target&gt; failed</c> (or <paramref name="failure"/>)
    /// with the remote cause.
    /// </summary>
    /// <exception cref="AdminFailure">The call failed.</exception>
    public async Task<T> CallAsync<T>(string op, string target, Func<ApiClient, Task<T>> call, string? failure = null)
    {
        Debug($"call rpc {op} to {target}");
        T result;
        try
        {
            result = await call(Api).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            throw new AdminFailure(failure ?? $"call rpc {op} to {target} failed", e.Message, e);
        }
        Debug($"call rpc {op} OK");
        return result;
    }

    /// <summary><see cref="CallAsync{T}"/> for a call whose reply is ignored (<c>"OK"</c>).</summary>
    /// <exception cref="AdminFailure">The call failed.</exception>
    public Task CallAsync(string op, string target, Func<ApiClient, Task> call, string? failure = null) =>
        CallAsync<bool>(op, target, async api =>
        {
            await call(api).ConfigureAwait(false);
            return true;
        }, failure);
}
