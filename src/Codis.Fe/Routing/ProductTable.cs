using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace Codis.Fe.Routing;

/// <summary>
/// The product → dashboard map that forwarding uses (fe.md §2). Like Codis's FE it is (re)loaded only by
/// <see cref="ListAsync"/> (the <c>/list</c> route), at most once every <see cref="ReloadInterval"/>; until the
/// first list every product is unknown. A failed load leaves the map empty (Codis's behaviour: a source that
/// cannot be read must not keep forwarding to dashboards it no longer lists).
/// </summary>
public sealed class ProductTable(IProductLoader loader, ILogger logger, TimeProvider? time = null)
{
    /// <summary>How old the map may be before <c>/list</c> reloads it.</summary>
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile FrozenDictionary<string, string> _routes = FrozenDictionary<string, string>.Empty;
    private long _loadedAt = long.MinValue;

    /// <summary>The dashboard address of <paramref name="product"/>, or null when unknown (or not loaded yet).</summary>
    public string? Find(string? product) =>
        product is not null && _routes.TryGetValue(product, out string? addr) ? addr : null;

    /// <summary>Reloads the map when it is older than <see cref="ReloadInterval"/>, then returns the product names, sorted.</summary>
    public async Task<string[]> ListAsync(CancellationToken ct)
    {
        await _reload.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            long now = _time.GetTimestamp();
            if (_loadedAt == long.MinValue || _time.GetElapsedTime(_loadedAt, now) >= ReloadInterval)
            {
                _routes = await LoadAsync(ct).ConfigureAwait(false);
                _loadedAt = _time.GetTimestamp();
            }
        }
        finally
        {
            _reload.Release();
        }
        string[] names = [.. _routes.Keys];
        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    private async Task<FrozenDictionary<string, string>> LoadAsync(CancellationToken ct)
    {
        try
        {
            IReadOnlyDictionary<string, string> loaded = await loader.LoadAsync(ct).ConfigureAwait(false);
            var routes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string name, string addr) in loaded)
            {
                // fe.md §1: entries with an empty name or address are ignored.
                if (name.Length > 0 && addr.Length > 0)
                    routes[name] = addr;
            }
            return routes.ToFrozenDictionary(StringComparer.Ordinal);
        }
        catch (ProductLoadException e)
        {
            logger.LogWarning("reload reverse proxy failed: {Error}", e.Message);
            return FrozenDictionary<string, string>.Empty;
        }
    }
}
