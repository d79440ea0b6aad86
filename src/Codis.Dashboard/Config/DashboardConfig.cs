using System.Text.Json.Serialization;
using Codis.Core.Config;

namespace Codis.Dashboard.Config;

/// <summary>
/// The codis-dashboard configuration (config.md §2): every TOML key with its default. Properties are declared
/// in the order of the <c>config</c> member of <c>GET /topom</c>; <c>product_auth</c> is never written to JSON.
/// </summary>
public sealed partial record DashboardConfig
{
    /// <summary>Coordinator backend: zookeeper/zk, etcd, filesystem/fs.</summary>
    [JsonPropertyName("coordinator_name")]
    public string CoordinatorName { get; init; } = "filesystem";

    /// <summary>Coordinator address list, or the filesystem root.</summary>
    [JsonPropertyName("coordinator_addr")]
    public string CoordinatorAddr { get; init; } = "/tmp/codis";

    /// <summary>Coordinator <c>user:password</c> (zk/etcd); shown in JSON as Codis does.</summary>
    [JsonPropertyName("coordinator_auth")]
    public string CoordinatorAuth { get; init; } = "";

    /// <summary>Admin HTTP listener address (tcp).</summary>
    [JsonPropertyName("admin_addr")]
    public string AdminAddr { get; init; } = "0.0.0.0:18080";

    /// <summary>Product (cluster) name.</summary>
    [JsonPropertyName("product_name")]
    public string ProductName { get; init; } = "codis-demo";

    /// <summary>codis-server password, part of the proxy xauth; never in JSON.</summary>
    [JsonIgnore]
    public string ProductAuth { get; init; } = "";

    /// <summary><c>sync</c> or <c>semi-async</c> (case-insensitive).</summary>
    [JsonPropertyName("migration_method")]
    public string MigrationMethod { get; init; } = "semi-async";

    /// <summary>Slots migrated in parallel (across disjoint group pairs).</summary>
    [JsonPropertyName("migration_parallel_slots")]
    public long MigrationParallelSlots { get; init; } = 100;

    /// <summary>SLOTSMGRTTAGSLOT-ASYNC maxbulks.</summary>
    [JsonPropertyName("migration_async_maxbulks")]
    public long MigrationAsyncMaxBulks { get; init; } = 200;

    /// <summary>SLOTSMGRTTAGSLOT-ASYNC maxbytes.</summary>
    [JsonPropertyName("migration_async_maxbytes")]
    public ByteSize MigrationAsyncMaxBytes { get; init; } = new(32L << 20);

    /// <summary>SLOTSMGRTTAGSLOT-ASYNC numkeys.</summary>
    [JsonPropertyName("migration_async_numkeys")]
    public long MigrationAsyncNumKeys { get; init; } = 500;

    /// <summary>Migration command timeout.</summary>
    [JsonPropertyName("migration_timeout")]
    public Duration MigrationTimeout { get; init; } = Duration.FromSeconds(30);

    /// <summary>Timeout of sentinel commands.</summary>
    [JsonPropertyName("sentinel_client_timeout")]
    public Duration SentinelClientTimeout { get; init; } = Duration.FromSeconds(10);

    /// <summary>Quorum given to sentinels for each group.</summary>
    [JsonPropertyName("sentinel_quorum")]
    public long SentinelQuorum { get; init; } = 2;

    /// <summary>parallel-syncs given to sentinels.</summary>
    [JsonPropertyName("sentinel_parallel_syncs")]
    public long SentinelParallelSyncs { get; init; } = 1;

    /// <summary>down-after-milliseconds given to sentinels.</summary>
    [JsonPropertyName("sentinel_down_after")]
    public Duration SentinelDownAfter { get; init; } = Duration.FromSeconds(30);

    /// <summary>failover-timeout given to sentinels.</summary>
    [JsonPropertyName("sentinel_failover_timeout")]
    public Duration SentinelFailoverTimeout { get; init; } = Duration.FromSeconds(5 * 60);

    /// <summary>notification-script given to sentinels.</summary>
    [JsonPropertyName("sentinel_notification_script")]
    public string SentinelNotificationScript { get; init; } = "";

    /// <summary>client-reconfig-script given to sentinels.</summary>
    [JsonPropertyName("sentinel_client_reconfig_script")]
    public string SentinelClientReconfigScript { get; init; } = "";

    /// <summary>
    /// Beyond Codis: how long a proxy may stay unreachable before pushes skip it (it stays registered and is
    /// re-initialised when it answers again). 0 = never skip (Codis's behaviour: a dead proxy blocks every push).
    /// </summary>
    [JsonPropertyName("proxy_offline_grace")]
    public Duration ProxyOfflineGrace { get; init; } = Duration.FromSeconds(30);

    /// <summary>
    /// Beyond Codis: after a promotion (manual or by the sentinels) the group's other servers, and the old master
    /// once it answers again, get a replica-sync action towards the new master automatically (ha.md §5).
    /// </summary>
    [JsonPropertyName("auto_repoint_replicas")]
    public bool AutoRepointReplicas { get; init; } = true;

    /// <summary>Advertised admin host when the bound IP is unspecified (<c>--host-admin</c>; not a TOML key).</summary>
    [JsonIgnore]
    public string HostAdmin { get; init; } = "";

    /// <summary><c>migration_method</c> as the proxies' <c>forward_method</c>: sync → 0, semi-async → 1.</summary>
    [JsonIgnore]
    public int ForwardMethod => MigrationMethod.Equals("sync", StringComparison.OrdinalIgnoreCase) ? 0 : 1;
}
