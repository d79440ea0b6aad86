using System.Text.Json;
using System.Text.Json.Serialization;
using Codis.Core.Topology;

namespace Codis.Admin.Models;

/// <summary>
/// The parts of the dashboard's <c>Stats</c> (dashboard-api.md §5.2) that codis-admin reads: the group and
/// proxy models and their last polls. Unknown keys are ignored.
/// </summary>
internal sealed record DashboardStats
{
    /// <summary><c>group</c>: models sorted by id, and stats by server address.</summary>
    [JsonPropertyName("group")]
    public GroupStats Group { get; init; } = new();

    /// <summary><c>proxy</c>: models sorted by id, and stats by token.</summary>
    [JsonPropertyName("proxy")]
    public ProxyStatsSet Proxy { get; init; } = new();
}

/// <summary><c>stats.group</c>.</summary>
internal sealed record GroupStats
{
    /// <summary>The groups, sorted by id.</summary>
    [JsonPropertyName("models")]
    public IReadOnlyList<Group> Models { get; init; } = [];

    /// <summary>Last poll of each server, by address.</summary>
    [JsonPropertyName("stats")]
    public IReadOnlyDictionary<string, RedisStats?> Stats { get; init; } = new Dictionary<string, RedisStats?>();
}

/// <summary><c>stats.proxy</c>.</summary>
internal sealed record ProxyStatsSet
{
    /// <summary>The proxies, sorted by id.</summary>
    [JsonPropertyName("models")]
    public IReadOnlyList<ProxyModel> Models { get; init; } = [];

    /// <summary>Last poll of each proxy, by token.</summary>
    [JsonPropertyName("stats")]
    public IReadOnlyDictionary<string, ProxyStatsEntry?> Stats { get; init; } = new Dictionary<string, ProxyStatsEntry?>();
}

/// <summary>A codis-server poll: <c>INFO</c> fields, or an error, or a timeout.</summary>
internal sealed record RedisStats
{
    /// <summary>The <c>INFO</c> fields (plus <c>master_addr</c>); null when the poll gave none.</summary>
    [JsonPropertyName("stats")]
    public Dictionary<string, string>? Stats { get; init; }

    /// <summary>The poll error (<c>{Cause, Stack}</c>), or null.</summary>
    [JsonPropertyName("error")]
    public JsonElement? Error { get; init; }

    /// <summary>The poll did not finish in time.</summary>
    [JsonPropertyName("timeout")]
    public bool Timeout { get; init; }
}

/// <summary>A proxy poll.</summary>
internal sealed record ProxyStatsEntry
{
    /// <summary>The proxy's stats; null when the poll gave none.</summary>
    [JsonPropertyName("stats")]
    public JsonElement? Stats { get; init; }

    /// <summary>The poll error, or null.</summary>
    [JsonPropertyName("error")]
    public JsonElement? Error { get; init; }

    /// <summary>The poll did not finish in time.</summary>
    [JsonPropertyName("timeout")]
    public bool Timeout { get; init; }
}
