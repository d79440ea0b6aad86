using System.Text.Json.Serialization;
using Codis.Core.Json;

namespace Codis.Core.Topology;

/// <summary>A group of codis-servers, <c>/codis3/&lt;p&gt;/group/group-%04d</c> (coordinator.md §4.2).</summary>
public sealed record Group
{
    /// <summary>Group id 1..9999.</summary>
    [JsonPropertyName("id")]
    public int Id { get; init; }

    /// <summary>The servers; <c>Servers[0]</c> is always the master.</summary>
    [JsonPropertyName("servers")]
    public IReadOnlyList<GroupServer> Servers { get; init; } = [];

    /// <summary>Promotion in progress; empty (<c>{}</c>) when idle.</summary>
    [JsonPropertyName("promoting")]
    public GroupPromoting Promoting { get; init; } = new();

    /// <summary>Proxies may hold a stale view of this group.</summary>
    [JsonPropertyName("out_of_sync")]
    public bool OutOfSync { get; init; }
}

/// <summary>One server of a group.</summary>
public sealed record GroupServer
{
    /// <summary><c>host:port</c> of the codis-server.</summary>
    [JsonPropertyName("server")]
    public string Server { get; init; } = "";

    /// <summary>Free text used for replica-read locality.</summary>
    [JsonPropertyName("datacenter")]
    public string DataCenter { get; init; } = "";

    /// <summary>Replica-sync action; empty (<c>{}</c>) when none.</summary>
    [JsonPropertyName("action")]
    public ServerAction Action { get; init; } = new();

    /// <summary>This server may serve reads for the group's slots.</summary>
    [JsonPropertyName("replica_group")]
    public bool ReplicaGroup { get; init; }
}

/// <summary>The replica-sync action of a server.</summary>
public sealed record ServerAction
{
    /// <summary>Queue order.</summary>
    [JsonPropertyName("index"), OmitEmpty]
    public int Index { get; init; }

    /// <summary><c>""</c>, <c>pending</c>, <c>syncing</c>, <c>synced</c>, <c>synced_failed</c>.</summary>
    [JsonPropertyName("state"), OmitEmpty]
    public string State { get; init; } = "";
}

/// <summary>The promotion state of a group.</summary>
public sealed record GroupPromoting
{
    /// <summary>Index of the server being promoted.</summary>
    [JsonPropertyName("index"), OmitEmpty]
    public int Index { get; init; }

    /// <summary><c>""</c>, <c>preparing</c>, <c>prepared</c>, <c>finished</c>.</summary>
    [JsonPropertyName("state"), OmitEmpty]
    public string State { get; init; } = "";
}
