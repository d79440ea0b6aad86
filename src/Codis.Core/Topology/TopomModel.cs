using System.Text.Json.Serialization;

namespace Codis.Core.Topology;

/// <summary>
/// The dashboard's identity and lock, <c>/codis3/&lt;p&gt;/topom</c> (coordinator.md §4.4); its
/// <see cref="AdminAddr"/> is how proxies find the dashboard.
/// </summary>
public sealed record TopomModel
{
    /// <summary>Dashboard token.</summary>
    [JsonPropertyName("token")]
    public string Token { get; init; } = "";

    /// <summary>Start time (Go time string).</summary>
    [JsonPropertyName("start_time")]
    public string StartTime { get; init; } = "";

    /// <summary>Advertised dashboard address.</summary>
    [JsonPropertyName("admin_addr")]
    public string AdminAddr { get; init; } = "";

    /// <summary>Product name.</summary>
    [JsonPropertyName("product_name")]
    public string ProductName { get; init; } = "";

    /// <summary>OS process id.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; init; }

    /// <summary>Working directory.</summary>
    [JsonPropertyName("pwd")]
    public string Pwd { get; init; } = "";

    /// <summary>Output of <c>uname -a</c>.</summary>
    [JsonPropertyName("sys")]
    public string Sys { get; init; } = "";
}
