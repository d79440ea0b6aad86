using System.Collections.Concurrent;
using Codis.Cluster.Redis;

namespace Codis.Dashboard.Topology;

/// <summary>
/// Connections reused by the stats loop (Codis keeps pools too): one idle connection per address. A connection
/// is taken out while in use, so a slow probe that outlives its round never shares it with the next one, and
/// dropped after any error. Addresses no longer polled are closed by <see cref="Retain"/>.
/// </summary>
public sealed class RedisPool(string auth) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RespClient> _idle = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="use"/> on a pooled (or new, authenticated) connection to <paramref name="addr"/>.</summary>
    public async Task<T> WithClientAsync<T>(string addr, Func<RespClient, Task<T>> use, CancellationToken ct)
    {
        if (!_idle.TryRemove(addr, out RespClient? c))
        {
            c = await RespClient.ConnectAsync(addr, ct).ConfigureAwait(false);
            if (auth.Length > 0)
            {
                try
                {
                    await c.CommandAsync(ct, "AUTH", auth).ConfigureAwait(false);
                }
                catch
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }
        T result;
        try
        {
            result = await use(c).ConfigureAwait(false);
        }
        catch
        {
            // The connection may hold half a reply: never reuse it.
            await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (!_idle.TryAdd(addr, c))
            await c.DisposeAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>Closes the idle connections of addresses not in <paramref name="addrs"/>.</summary>
    public async Task Retain(IReadOnlyCollection<string> addrs)
    {
        foreach (string addr in _idle.Keys)
        {
            if (!addrs.Contains(addr) && _idle.TryRemove(addr, out RespClient? c))
                await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (string addr in _idle.Keys)
        {
            if (_idle.TryRemove(addr, out RespClient? c))
                await c.DisposeAsync().ConfigureAwait(false);
        }
    }
}
