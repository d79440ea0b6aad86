using System.Text.Json;
using System.Text.Json.Serialization;
using Codis.Core.Json;
using Codis.Dashboard.Config;

namespace Codis.Dashboard.Topology;

/// <summary><c>GET /topom</c> (dashboard-api.md §5.1).</summary>
public sealed record Overview
{
    /// <summary>Build version.</summary>
    [JsonPropertyName("version")]
    public string Version { get; init; } = "";

    /// <summary>Build info.</summary>
    [JsonPropertyName("compile")]
    public string Compile { get; init; } = "";

    /// <summary>The configuration (product_auth never included).</summary>
    [JsonPropertyName("config"), OmitEmpty]
    public DashboardConfig? Config { get; init; }

    /// <summary>The dashboard model.</summary>
    [JsonPropertyName("model"), OmitEmpty]
    public TopomModel? Model { get; init; }

    /// <summary>The stats.</summary>
    [JsonPropertyName("stats"), OmitEmpty]
    public TopomStats? Stats { get; init; }
}

/// <summary><c>GET /api/topom/stats</c> (dashboard-api.md §5.2).</summary>
public sealed record TopomStats
{
    /// <summary>Dashboard closing.</summary>
    [JsonPropertyName("closed")]
    public bool Closed { get; init; }

    /// <summary>The stored mappings.</summary>
    [JsonPropertyName("slots")]
    public IReadOnlyList<SlotMapping> Slots { get; init; } = [];

    /// <summary>Groups and their servers' last poll.</summary>
    [JsonPropertyName("group")]
    public GroupStats Group { get; init; } = new();

    /// <summary>Proxies and their last poll.</summary>
    [JsonPropertyName("proxy")]
    public ProxyStatsSection Proxy { get; init; } = new();

    /// <summary>The slot-action executor's state.</summary>
    [JsonPropertyName("slot_action")]
    public SlotActionStats SlotAction { get; init; } = new();

    /// <summary>Sentinels.</summary>
    [JsonPropertyName("sentinels")]
    public SentinelStats Sentinels { get; init; } = new();
}

/// <summary><c>stats.group</c>.</summary>
public sealed record GroupStats
{
    /// <summary>Groups sorted by id.</summary>
    [JsonPropertyName("models")]
    public IReadOnlyList<Group> Models { get; init; } = [];

    /// <summary>addr → last poll, for servers that are in a group.</summary>
    [JsonPropertyName("stats")]
    public SortedDictionary<string, RedisStats> Stats { get; init; } = new(StringComparer.Ordinal);
}

/// <summary><c>stats.proxy</c>.</summary>
public sealed record ProxyStatsSection
{
    /// <summary>Proxies sorted by id.</summary>
    [JsonPropertyName("models")]
    public IReadOnlyList<ProxyModel> Models { get; init; } = [];

    /// <summary>token → last poll.</summary>
    [JsonPropertyName("stats")]
    public SortedDictionary<string, ProxyStats> Stats { get; init; } = new(StringComparer.Ordinal);
}

/// <summary><c>stats.slot_action</c>.</summary>
public sealed record SlotActionStats
{
    /// <summary>µs between executor calls.</summary>
    [JsonPropertyName("interval")]
    public int Interval { get; init; }

    /// <summary>Actions paused.</summary>
    [JsonPropertyName("disabled")]
    public bool Disabled { get; init; }

    /// <summary>Last executor progress.</summary>
    [JsonPropertyName("progress")]
    public SlotActionProgress Progress { get; init; } = new();

    /// <summary>Executor calls in flight.</summary>
    [JsonPropertyName("executor")]
    public int Executor { get; init; }
}

/// <summary><c>stats.slot_action.progress</c>.</summary>
public sealed record SlotActionProgress
{
    /// <summary><c>""</c>, <c>[OK] Slot[%04d]@DB[%d]=%d</c> or <c>[ERROR] Slot[%04d]: ...</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = "";
}

/// <summary><c>stats.sentinels</c>.</summary>
public sealed record SentinelStats
{
    /// <summary>The stored sentinel record.</summary>
    [JsonPropertyName("model")]
    public Sentinel Model { get; init; } = new();

    /// <summary>addr → last poll.</summary>
    [JsonPropertyName("stats")]
    public SortedDictionary<string, RedisStats> Stats { get; init; } = new(StringComparer.Ordinal);

    /// <summary>gid (decimal string) → master addr last reported by the sentinels.</summary>
    [JsonPropertyName("masters")]
    public SortedDictionary<string, string> Masters { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>The body of an error (<c>{Cause, Stack}</c>).</summary>
public sealed record RemoteError
{
    /// <summary>The error text.</summary>
    [JsonPropertyName("Cause")]
    public string Cause { get; init; } = "";

    /// <summary>Always null here.</summary>
    [JsonPropertyName("Stack")]
    public object? Stack { get; init; }
}

/// <summary>The last poll of a codis-server or sentinel (dashboard-api.md §5.2 <c>RedisStats</c>).</summary>
public sealed record RedisStats
{
    /// <summary>INFO fields.</summary>
    [JsonPropertyName("stats"), OmitEmpty]
    public SortedDictionary<string, string>? Stats { get; init; }

    /// <summary>Poll error.</summary>
    [JsonPropertyName("error"), OmitEmpty]
    public RemoteError? Error { get; init; }

    /// <summary>Sentinels only: this product's masters with their replicas.</summary>
    [JsonPropertyName("sentinel"), OmitEmpty]
    public SortedDictionary<string, SentinelGroup>? Sentinel { get; init; }

    /// <summary>Time of the poll, unix seconds.</summary>
    [JsonPropertyName("unixtime")]
    public long UnixTime { get; init; }

    /// <summary>The poll did not finish within 1 s.</summary>
    [JsonPropertyName("timeout"), OmitEmpty]
    public bool Timeout { get; init; }
}

/// <summary>The last poll of a proxy (<c>ProxyStats</c>).</summary>
public sealed record ProxyStats
{
    /// <summary>The proxy's <c>Stats</c> as it sent them.</summary>
    [JsonPropertyName("stats"), OmitEmpty]
    public JsonElement? Stats { get; init; }

    /// <summary>Poll error.</summary>
    [JsonPropertyName("error"), OmitEmpty]
    public RemoteError? Error { get; init; }

    /// <summary>Time of the poll, unix seconds.</summary>
    [JsonPropertyName("unixtime")]
    public long UnixTime { get; init; }

    /// <summary>The poll did not finish within 1 s.</summary>
    [JsonPropertyName("timeout"), OmitEmpty]
    public bool Timeout { get; init; }

    /// <summary>The proxy's <c>online</c> flag (false when unknown).</summary>
    [JsonIgnore]
    public bool Online => Flag("online");

    /// <summary>The proxy's <c>closed</c> flag (false when unknown).</summary>
    [JsonIgnore]
    public bool Closed => Flag("closed");

    private bool Flag(string name) =>
        Stats is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.True;
}
