using System.Text.Json.Serialization;
using Codis.Core.Json;

namespace Codis.Core.Topology;

// TEMPORARY: the proxy view of a slot is owned by the proxy-route branch (Topology/Slot.cs). This copy has
// the keys of coordinator.md §4.6 so that the host side builds and is tested before that branch is merged;
// it is deleted at the merge.

/// <summary>The proxy view of a slot, pushed by the dashboard (coordinator.md §4.6).</summary>
public sealed record Slot
{
    /// <summary>Slot 0..1023.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The proxy must hold requests for this slot until unlocked.</summary>
    [JsonPropertyName("locked"), OmitEmpty]
    public bool Locked { get; init; }

    /// <summary>Master serving the slot; empty = offline.</summary>
    [JsonPropertyName("backend_addr"), OmitEmpty]
    public string BackendAddr { get; init; } = "";

    /// <summary>Group of <see cref="BackendAddr"/>.</summary>
    [JsonPropertyName("backend_addr_group_id"), OmitEmpty]
    public int BackendAddrGroupId { get; init; }

    /// <summary>Master the slot is being migrated from.</summary>
    [JsonPropertyName("migrate_from"), OmitEmpty]
    public string MigrateFrom { get; init; } = "";

    /// <summary>Group of <see cref="MigrateFrom"/>.</summary>
    [JsonPropertyName("migrate_from_group_id"), OmitEmpty]
    public int MigrateFromGroupId { get; init; }

    /// <summary>0 = sync, 1 = semi-async.</summary>
    [JsonPropertyName("forward_method"), OmitEmpty]
    public int ForwardMethod { get; init; }

    /// <summary>Read replicas in priority buckets.</summary>
    [JsonPropertyName("replica_groups"), OmitEmpty]
    public IReadOnlyList<IReadOnlyList<string>>? ReplicaGroups { get; init; }
}
