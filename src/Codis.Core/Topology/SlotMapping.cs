using System.Text.Json.Serialization;
using Codis.Core.Json;

namespace Codis.Core.Topology;

/// <summary>The stored mapping of one slot to its group, <c>/codis3/&lt;p&gt;/slots/slot-%04d</c> (coordinator.md §4.1).</summary>
public sealed record SlotMapping
{
    /// <summary>Slot number 0..1023.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>Owning group; 0 = offline.</summary>
    [JsonPropertyName("group_id")]
    public int GroupId { get; init; }

    /// <summary>Pending or running migration; empty (<c>{}</c>) when none.</summary>
    [JsonPropertyName("action")]
    public SlotAction Action { get; init; } = new();
}

/// <summary>The migration action of a slot.</summary>
public sealed record SlotAction
{
    /// <summary>Queue order (max existing index + 1 at creation).</summary>
    [JsonPropertyName("index"), OmitEmpty]
    public int Index { get; init; }

    /// <summary><c>""</c>, <c>pending</c>, <c>preparing</c>, <c>prepared</c>, <c>migrating</c>, <c>finished</c> (<see cref="ActionState"/>).</summary>
    [JsonPropertyName("state"), OmitEmpty]
    public string State { get; init; } = "";

    /// <summary>Destination group.</summary>
    [JsonPropertyName("target_id"), OmitEmpty]
    public int TargetId { get; init; }
}

/// <summary>Action state names (coordinator.md §4.7).</summary>
public static class ActionState
{
    /// <summary>No action.</summary>
    public const string Nothing = "";

    /// <summary>Queued.</summary>
    public const string Pending = "pending";

    /// <summary>Slot migration: proxies being told.</summary>
    public const string Preparing = "preparing";

    /// <summary>Slot migration: proxies told.</summary>
    public const string Prepared = "prepared";

    /// <summary>Slot migration: keys moving.</summary>
    public const string Migrating = "migrating";

    /// <summary>Slot migration or promotion done.</summary>
    public const string Finished = "finished";

    /// <summary>Replica sync running.</summary>
    public const string Syncing = "syncing";

    /// <summary>Replica sync done.</summary>
    public const string Synced = "synced";

    /// <summary>Replica sync failed.</summary>
    public const string SyncedFailed = "synced_failed";
}
