using System.Text.Json.Serialization;
using Codis.Core.Json;

namespace Codis.Core.Topology;

/// <summary>
/// A proxy's identity, <c>/codis3/&lt;p&gt;/proxy/proxy-&lt;token&gt;</c> and <c>GET /api/proxy/model</c>
/// (coordinator.md §4.3). Named <c>ProxyModel</c> rather than Go's <c>Proxy</c> so that it does not clash with
/// the <c>Codis.Proxy</c> namespace.
/// </summary>
public sealed record ProxyModel
{
    /// <summary>Assigned by the dashboard (max existing id + 1); absent in the proxy's own model.</summary>
    [JsonPropertyName("id"), OmitEmpty]
    public int Id { get; init; }

    /// <summary>The proxy token (md5 hex).</summary>
    [JsonPropertyName("token")]
    public string Token { get; init; } = "";

    /// <summary>Process start time in Go's <c>time.Time.String()</c> format.</summary>
    [JsonPropertyName("start_time")]
    public string StartTime { get; init; } = "";

    /// <summary>Advertised admin <c>host:port</c>.</summary>
    [JsonPropertyName("admin_addr")]
    public string AdminAddr { get; init; } = "";

    /// <summary><c>tcp</c>, <c>tcp4</c>, <c>tcp6</c>, <c>unix</c> or <c>unixpacket</c>.</summary>
    [JsonPropertyName("proto_type")]
    public string ProtoType { get; init; } = "";

    /// <summary>Advertised client address.</summary>
    [JsonPropertyName("proxy_addr")]
    public string ProxyAddr { get; init; } = "";

    /// <summary>Jodis node path when jodis is enabled.</summary>
    [JsonPropertyName("jodis_path"), OmitEmpty]
    public string JodisPath { get; init; } = "";

    /// <summary>Product name.</summary>
    [JsonPropertyName("product_name")]
    public string ProductName { get; init; } = "";

    /// <summary>OS process id.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; init; }

    /// <summary>Working directory.</summary>
    [JsonPropertyName("pwd")]
    public string Pwd { get; init; } = "";

    /// <summary>Output of <c>uname -a</c>, trimmed.</summary>
    [JsonPropertyName("sys")]
    public string Sys { get; init; } = "";

    /// <summary>OS host name.</summary>
    [JsonPropertyName("hostname")]
    public string Hostname { get; init; } = "";

    /// <summary>The <c>proxy_datacenter</c> config.</summary>
    [JsonPropertyName("datacenter")]
    public string DataCenter { get; init; } = "";
}
