using System.Text.Json;
using System.Text.Json.Serialization;
using Codis.Cluster.Coordinator;
using Codis.Core.Json;
using Codis.Core.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Fe.Routing;

/// <summary>Where the product → dashboard map comes from (fe.md §1, "loader").</summary>
public interface IProductLoader
{
    /// <summary>Reads the map afresh: product name → dashboard admin address.</summary>
    /// <exception cref="ProductLoadException">The source cannot be read or decoded.</exception>
    Task<IReadOnlyDictionary<string, string>> LoadAsync(CancellationToken ct);
}

/// <summary>The product map could not be loaded; the message names the source and the reason.</summary>
public sealed class ProductLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// <c>--dashboard-list=FILE</c>: a JSON array <c>[{"name": ..., "dashboard": ...}]</c> (the output of
/// <c>codis-admin --dashboard-list</c>), read again on every reload so an edited file takes effect.
/// </summary>
public sealed class DashboardListLoader(string path) : IProductLoader
{
    /// <summary>The file, as given.</summary>
    public string Path { get; } = path;

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, string>> LoadAsync(CancellationToken ct)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(Path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProductLoadException($"read dashboard list {Path} failed, {e.Message}", e);
        }
        Entry?[]? list;
        try
        {
            list = CodisJson.Decode<Entry?[]>(text);
        }
        catch (JsonException e)
        {
            throw new ProductLoadException(
                $"decode dashboard list {Path} failed, expected a JSON array of {{\"name\": ..., \"dashboard\": ...}}: {e.Message}", e);
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Entry? e in list ?? [])
        {
            if (e is not null)
                map[e.Name ?? ""] = e.Dashboard ?? "";
        }
        return map;
    }

    /// <summary>One element of the list.</summary>
    private sealed record Entry(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("dashboard")] string? Dashboard);
}

/// <summary>
/// A coordinator: every child of <c>/codis3</c> whose lock <c>/codis3/&lt;name&gt;/topom</c> exists (a running
/// dashboard) maps to the lock's <c>admin_addr</c>. A product whose lock cannot be read or decoded is only logged
/// and skipped, so one broken product does not hide the others.
/// </summary>
public sealed class CoordinatorLoader(ICoordinator coordinator, ILogger logger) : IProductLoader
{
    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, string>> LoadAsync(CancellationToken ct)
    {
        IReadOnlyList<string> children;
        try
        {
            children = await coordinator.ListAsync("/codis3", must: false, ct).ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            throw new ProductLoadException($"list /codis3 on {coordinator.Name} {coordinator.Address} failed, {e.Message}", e);
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string child in children)
        {
            string product = child[(child.LastIndexOf('/') + 1)..];
            string path = CoordinatorPaths.Topom(product);
            byte[]? data;
            try
            {
                data = await coordinator.ReadAsync(path, must: false, ct).ConfigureAwait(false);
            }
            catch (CoordinatorException e)
            {
                logger.LogWarning("read topom of product {Product} failed: {Error}", product, e.Message);
                continue;
            }
            if (data is null)
                continue;
            try
            {
                TopomModel? model = CodisJson.Decode<TopomModel>(data);
                if (model is not null)
                    map[product] = model.AdminAddr;
            }
            catch (JsonException e)
            {
                logger.LogWarning("decode {Path} failed: {Error}", path, e.Message);
            }
        }
        return map;
    }
}
