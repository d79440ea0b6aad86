namespace Codis.Dashboard.Config;

public sealed partial record DashboardConfig
{
    /// <summary>
    /// The default configuration file, printed by <c>--default-config</c> (followed by a newline). Same keys,
    /// order and values as Codis 3.2's <c>config/dashboard.toml</c>, plus <c>proxy_offline_grace</c> and <c>auto_repoint_replicas</c>; a test
    /// checks it against <see cref="Default"/>.
    /// </summary>
    public const string DefaultToml = """

        ##################################################
        #                                                #
        #                  Codis-Dashboard               #
        #                                                #
        ##################################################

        # Set Coordinator, only accept "zookeeper" & "etcd" & "filesystem".
        # for zookeeper/etcd, coorinator_auth accept "user:password"
        # Quick Start
        coordinator_name = "filesystem"
        coordinator_addr = "/tmp/codis"
        #coordinator_name = "zookeeper"
        #coordinator_addr = "127.0.0.1:2181"
        #coordinator_auth = ""

        # Set Codis Product Name/Auth.
        product_name = "codis-demo"
        product_auth = ""

        # Set bind address for admin(rpc), tcp only.
        admin_addr = "0.0.0.0:18080"

        # Set arguments for data migration (only accept 'sync' & 'semi-async').
        migration_method = "semi-async"
        migration_parallel_slots = 100
        migration_async_maxbulks = 200
        migration_async_maxbytes = "32mb"
        migration_async_numkeys = 500
        migration_timeout = "30s"

        # Set configs for redis sentinel.
        sentinel_client_timeout = "10s"
        sentinel_quorum = 2
        sentinel_parallel_syncs = 1
        sentinel_down_after = "30s"
        sentinel_failover_timeout = "5m"
        sentinel_notification_script = ""
        sentinel_client_reconfig_script = ""

        # A proxy that stays unreachable longer than this is skipped by slot pushes (it stays
        # registered, and is filled and started again as soon as it answers); "0" = never skip,
        # so that a dead proxy blocks every migration step until it is removed (Codis 3.2).
        proxy_offline_grace = "30s"

        # After a promotion (by the dashboard or by the sentinels) queue a replica-sync action for
        # every other server of the group, and for the old master once it answers again, so the
        # group heals on its own; false = only the operator's sync actions re-point servers (Codis 3.2).
        auto_repoint_replicas = true

        """;
}
