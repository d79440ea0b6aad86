using System.Text.Json.Serialization;
using Codis.Core.Json;
using Codis.Core.Topology;

namespace Codis.Admin.Models;

/// <summary>
/// A product's configuration as <c>--config-dump</c> prints it and <c>--config-restore</c> reads it
/// (admin-cli.md §5): the slot mappings, groups and proxies; empty lists are left out.
/// </summary>
internal sealed record ConfigV3
{
    /// <summary>Slot mappings (all 1024 in a dump).</summary>
    [JsonPropertyName("slots"), OmitEmpty]
    public IReadOnlyList<SlotMapping> Slots { get; init; } = [];

    /// <summary>Groups sorted by id.</summary>
    [JsonPropertyName("group"), OmitEmpty]
    public IReadOnlyList<Group> Group { get; init; } = [];

    /// <summary>Proxies sorted by id.</summary>
    [JsonPropertyName("proxy"), OmitEmpty]
    public IReadOnlyList<ProxyModel> Proxy { get; init; } = [];
}

/// <summary>One entry of <c>--dashboard-list</c>.</summary>
internal sealed record DashboardEntry
{
    /// <summary>Product name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>The dashboard's admin address, or empty when no dashboard holds the lock.</summary>
    [JsonPropertyName("dashboard")]
    public string Dashboard { get; init; } = "";
}
