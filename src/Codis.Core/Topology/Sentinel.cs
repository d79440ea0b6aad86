using System.Text.Json.Serialization;
using Codis.Core.Json;

namespace Codis.Core.Topology;

/// <summary>The sentinel list, <c>/codis3/&lt;p&gt;/sentinel</c> and the body of <c>PUT /api/proxy/sentinels</c> (coordinator.md §4.5).</summary>
public sealed record Sentinel
{
    /// <summary>redis-sentinel <c>host:port</c> list.</summary>
    [JsonPropertyName("servers"), OmitEmpty]
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>Sentinels or proxies not yet told about the current groups or sentinel list.</summary>
    [JsonPropertyName("out_of_sync")]
    public bool OutOfSync { get; init; }
}
