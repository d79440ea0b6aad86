using System.Text;
using Codis.Cluster.Redis;
using Codis.Dashboard.Topology;

namespace Codis.Dashboard.Slots;

/// <summary>What one <see cref="FunctionCopier.CopyAsync"/> did.</summary>
public enum FunctionCopyResult
{
    /// <summary>The source's libraries were restored on the target (REPLACE).</summary>
    Copied,

    /// <summary>The source has no library: nothing to copy.</summary>
    NoLibraries,

    /// <summary><see cref="FunctionCopy.Server"/> does not know FUNCTION (a Redis 3.2 codis-server): nothing copied.</summary>
    Unsupported,
}

/// <summary>The outcome of a copy: what happened, the server that lacks FUNCTION, the libraries and payload bytes copied.</summary>
public readonly record struct FunctionCopy(FunctionCopyResult Result, string Server, int Libraries, int Bytes);

/// <summary>
/// Copies Redis 7 function libraries from one group's master to another's (FUNCTION DUMP on the source,
/// FUNCTION RESTORE payload REPLACE on the target), so that FCALL keeps working on keys that move to the
/// target. Libraries of the target that the source lacks are kept; a library of both is replaced by the
/// source's. Connections are pooled per server (AUTH <c>product_auth</c>).
/// </summary>
public sealed class FunctionCopier(string productAuth) : IAsyncDisposable
{
    private readonly RedisPool _pool = new(productAuth);

    /// <summary>Copies the libraries of <paramref name="from"/> to <paramref name="dest"/> (both <c>host:port</c>).</summary>
    /// <exception cref="IOException">Connection failure or timeout (<paramref name="timeout"/> per server).</exception>
    /// <exception cref="RespErrorException">A server refused FUNCTION for another reason than not knowing it.</exception>
    public async Task<FunctionCopy> CopyAsync(string from, string dest, TimeSpan timeout, CancellationToken ct)
    {
        (int libraries, byte[]? payload, bool known) = await DumpAsync(from, timeout, ct).ConfigureAwait(false);
        if (!known)
            return new FunctionCopy(FunctionCopyResult.Unsupported, from, 0, 0);
        if (libraries == 0 || payload is null)
            return new FunctionCopy(FunctionCopyResult.NoLibraries, "", 0, 0);
        bool restored = await WithTimeoutAsync(dest, timeout, ct, async (c, t) =>
        {
            try
            {
                await c.SendAsync(t, "FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), payload, "REPLACE"u8.ToArray()).ConfigureAwait(false);
                await c.ReadAsync(t).ConfigureAwait(false);
                return true;
            }
            catch (RespErrorException e) when (IsUnknownCommand(e))
            {
                return false;
            }
        }).ConfigureAwait(false);
        return restored
            ? new FunctionCopy(FunctionCopyResult.Copied, "", libraries, payload.Length)
            : new FunctionCopy(FunctionCopyResult.Unsupported, dest, 0, 0);
    }

    /// <summary>FUNCTION LIST (how many libraries) then FUNCTION DUMP on <paramref name="addr"/>; known = false without FUNCTION.</summary>
    private Task<(int Libraries, byte[]? Payload, bool Known)> DumpAsync(string addr, TimeSpan timeout, CancellationToken ct) =>
        WithTimeoutAsync(addr, timeout, ct, async (c, t) =>
        {
            object? list;
            try
            {
                list = await c.CommandAsync(t, "FUNCTION", "LIST").ConfigureAwait(false);
            }
            catch (RespErrorException e) when (IsUnknownCommand(e))
            {
                return (0, (byte[]?)null, false);
            }
            int libraries = list is List<object?> l ? l.Count : 0;
            if (libraries == 0)
                return (0, null, true);
            byte[]? payload = await c.CommandBulkAsync(t, "FUNCTION", "DUMP").ConfigureAwait(false);
            return (libraries, payload, true);
        });

    /// <summary>
    /// A server without FUNCTION: Redis 3.2 (and codis-server 3.2) answer <c>ERR unknown command 'FUNCTION'</c>,
    /// Redis 7 adds the arguments; a server whose command table has FUNCTION without the subcommand says
    /// <c>unknown subcommand</c>.
    /// </summary>
    public static bool IsUnknownCommand(RespErrorException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Message.StartsWith("ERR unknown command", StringComparison.OrdinalIgnoreCase)
            || e.Message.StartsWith("ERR unknown subcommand", StringComparison.OrdinalIgnoreCase);
    }

    private async Task<T> WithTimeoutAsync<T>(string addr, TimeSpan timeout, CancellationToken ct, Func<RespClient, CancellationToken, Task<T>> use)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return await _pool.WithClientAsync(addr, c => use(c, cts.Token), cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IOException(new StringBuilder("read tcp ").Append(addr).Append(": i/o timeout").ToString());
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
