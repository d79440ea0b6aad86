using System.Text.Json.Serialization;
using Codis.Core.Config;

namespace Codis.Proxy.Config;

/// <summary>
/// The codis-proxy configuration (config.md §3): every TOML key with its default. Properties are declared in
/// the order of the proxy's config JSON (<c>GET /proxy</c>); the secrets are never written to JSON.
/// </summary>
public sealed partial record ProxyConfig
{
    /// <summary>Network of the client listener: tcp, tcp4, tcp6, unix or unixpacket.</summary>
    [JsonPropertyName("proto_type")]
    public string ProtoType { get; init; } = "tcp4";

    /// <summary>Client listener address.</summary>
    [JsonPropertyName("proxy_addr")]
    public string ProxyAddr { get; init; } = "0.0.0.0:19000";

    /// <summary>Admin HTTP listener address (always tcp).</summary>
    [JsonPropertyName("admin_addr")]
    public string AdminAddr { get; init; } = "0.0.0.0:11080";

    /// <summary>Jodis coordinator: zookeeper or etcd.</summary>
    [JsonPropertyName("jodis_name")]
    public string JodisName { get; init; } = "";

    /// <summary>Jodis coordinator address list; empty = jodis off.</summary>
    [JsonPropertyName("jodis_addr")]
    public string JodisAddr { get; init; } = "";

    /// <summary>Jodis coordinator <c>user:password</c> (shown in JSON, as Codis does).</summary>
    [JsonPropertyName("jodis_auth")]
    public string JodisAuth { get; init; } = "";

    /// <summary>Jodis session timeout / TTL.</summary>
    [JsonPropertyName("jodis_timeout")]
    public Duration JodisTimeout { get; init; } = Duration.FromSeconds(20);

    /// <summary>Register under the Codis 2 path layout.</summary>
    [JsonPropertyName("jodis_compatible")]
    public bool JodisCompatible { get; init; }

    /// <summary>Product (cluster) name.</summary>
    [JsonPropertyName("product_name")]
    public string ProductName { get; init; } = "codis-demo";

    /// <summary>Password sent to codis-servers and part of the xauth.</summary>
    [JsonIgnore]
    public string ProductAuth { get; init; } = "";

    /// <summary>Password clients must send with AUTH.</summary>
    [JsonIgnore]
    public string SessionAuth { get; init; } = "";

    /// <summary>Data center of this proxy (replica locality).</summary>
    [JsonPropertyName("proxy_datacenter")]
    public string ProxyDataCenter { get; init; } = "";

    /// <summary>Maximum number of open client sessions.</summary>
    [JsonPropertyName("proxy_max_clients")]
    public long ProxyMaxClients { get; init; } = 1000;

    /// <summary>Off-heap buffer cap (an implementation detail of the Go proxy).</summary>
    [JsonPropertyName("proxy_max_offheap_size")]
    public ByteSize ProxyMaxOffheapSize { get; init; } = new(1024L << 20);

    /// <summary>Go GC tuning; ignored here.</summary>
    [JsonPropertyName("proxy_heap_placeholder")]
    public ByteSize ProxyHeapPlaceholder { get; init; } = new(256L << 20);

    /// <summary>Backend keep-alive PING period; 0 disables.</summary>
    [JsonPropertyName("backend_ping_period")]
    public Duration BackendPingPeriod { get; init; } = Duration.FromSeconds(5);

    /// <summary>Backend socket receive buffer.</summary>
    [JsonPropertyName("backend_recv_bufsize")]
    public ByteSize BackendRecvBufsize { get; init; } = new(128L << 10);

    /// <summary>Backend read deadline.</summary>
    [JsonPropertyName("backend_recv_timeout")]
    public Duration BackendRecvTimeout { get; init; } = Duration.FromSeconds(30);

    /// <summary>Backend socket send buffer.</summary>
    [JsonPropertyName("backend_send_bufsize")]
    public ByteSize BackendSendBufsize { get; init; } = new(128L << 10);

    /// <summary>Backend write deadline.</summary>
    [JsonPropertyName("backend_send_timeout")]
    public Duration BackendSendTimeout { get; init; } = Duration.FromSeconds(30);

    /// <summary>In-flight requests per backend connection.</summary>
    [JsonPropertyName("backend_max_pipeline")]
    public long BackendMaxPipeline { get; init; } = 20480;

    /// <summary>Never read from replicas.</summary>
    [JsonPropertyName("backend_primary_only")]
    public bool BackendPrimaryOnly { get; init; }

    /// <summary>Connections per database to each primary (values below 1 act as 1).</summary>
    [JsonPropertyName("backend_primary_parallel")]
    public long BackendPrimaryParallel { get; init; } = 1;

    /// <summary>Connections per database to each replica (values below 1 act as 1).</summary>
    [JsonPropertyName("backend_replica_parallel")]
    public long BackendReplicaParallel { get; init; } = 1;

    /// <summary>Backend TCP keep-alive period; 0 = off.</summary>
    [JsonPropertyName("backend_keepalive_period")]
    public Duration BackendKeepAlivePeriod { get; init; } = Duration.FromSeconds(75);

    /// <summary>Number of databases of the backends.</summary>
    [JsonPropertyName("backend_number_databases")]
    public long BackendNumberDatabases { get; init; } = 16;

    /// <summary>Client socket receive buffer.</summary>
    [JsonPropertyName("session_recv_bufsize")]
    public ByteSize SessionRecvBufsize { get; init; } = new(128L << 10);

    /// <summary>Idle client timeout; 0 = none.</summary>
    [JsonPropertyName("session_recv_timeout")]
    public Duration SessionRecvTimeout { get; init; } = Duration.FromSeconds(30 * 60);

    /// <summary>Client socket send buffer.</summary>
    [JsonPropertyName("session_send_bufsize")]
    public ByteSize SessionSendBufsize { get; init; } = new(64L << 10);

    /// <summary>Client write deadline.</summary>
    [JsonPropertyName("session_send_timeout")]
    public Duration SessionSendTimeout { get; init; } = Duration.FromSeconds(30);

    /// <summary>Maximum unanswered requests per client.</summary>
    [JsonPropertyName("session_max_pipeline")]
    public long SessionMaxPipeline { get; init; } = 10000;

    /// <summary>Client TCP keep-alive period; 0 = off.</summary>
    [JsonPropertyName("session_keepalive_period")]
    public Duration SessionKeepAlivePeriod { get; init; } = Duration.FromSeconds(75);

    /// <summary>Close a session after a proxy-generated error reply.</summary>
    [JsonPropertyName("session_break_on_failure")]
    public bool SessionBreakOnFailure { get; init; }

    /// <summary>JSON metrics sink URL.</summary>
    [JsonPropertyName("metrics_report_server")]
    public string MetricsReportServer { get; init; } = "";

    /// <summary>JSON metrics period.</summary>
    [JsonPropertyName("metrics_report_period")]
    public Duration MetricsReportPeriod { get; init; } = Duration.FromSeconds(1);

    /// <summary>InfluxDB URL.</summary>
    [JsonPropertyName("metrics_report_influxdb_server")]
    public string MetricsReportInfluxdbServer { get; init; } = "";

    /// <summary>InfluxDB period.</summary>
    [JsonPropertyName("metrics_report_influxdb_period")]
    public Duration MetricsReportInfluxdbPeriod { get; init; } = Duration.FromSeconds(1);

    /// <summary>InfluxDB user.</summary>
    [JsonPropertyName("metrics_report_influxdb_username")]
    public string MetricsReportInfluxdbUsername { get; init; } = "";

    /// <summary>InfluxDB password; never in JSON.</summary>
    [JsonIgnore]
    public string MetricsReportInfluxdbPassword { get; init; } = "";

    /// <summary>InfluxDB database.</summary>
    [JsonPropertyName("metrics_report_influxdb_database")]
    public string MetricsReportInfluxdbDatabase { get; init; } = "";

    /// <summary>StatsD <c>host:port</c> (UDP).</summary>
    [JsonPropertyName("metrics_report_statsd_server")]
    public string MetricsReportStatsdServer { get; init; } = "";

    /// <summary>StatsD period.</summary>
    [JsonPropertyName("metrics_report_statsd_period")]
    public Duration MetricsReportStatsdPeriod { get; init; } = Duration.FromSeconds(1);

    /// <summary>StatsD metric name prefix.</summary>
    [JsonPropertyName("metrics_report_statsd_prefix")]
    public string MetricsReportStatsdPrefix { get; init; } = "";

    /// <summary>Advertised proxy host when the bound IP is unspecified (<c>--host-proxy</c>; not a TOML key).</summary>
    [JsonIgnore]
    public string HostProxy { get; init; } = "";

    /// <summary>Advertised admin host when the bound IP is unspecified (<c>--host-admin</c>; not a TOML key).</summary>
    [JsonIgnore]
    public string HostAdmin { get; init; } = "";
}
