using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Codis.Server.Clients;
using Codis.Server.Keyspace;

namespace Codis.Server.Commands;

public static partial class ServerCommands
{
    private static readonly string[] s_defaultSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

    private static readonly string[] s_allSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"];

    private static void Info(CommandContext c)
    {
        // As Redis 7: several sections may be named; "default", "all", "everything" expand; unknown
        // names add nothing; the output keeps Redis's section order.
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        if (c.Count == 1)
            wanted.UnionWith(s_defaultSections);
        for (int i = 1; i < c.Count; i++)
        {
            string s = c.ArgString(i).ToLowerInvariant();
            if (s == "default")
                wanted.UnionWith(s_defaultSections);
            else if (s is "all" or "everything")
                wanted.UnionWith(s_allSections);
            else
                wanted.Add(s);
        }
        c.Reply.Bulk(BuildInfo(c.Server, wanted));
    }

    /// <summary>The text of INFO for the given (lower-case) section names, in Redis's order.</summary>
    public static string BuildInfo(ServerContext s, IReadOnlySet<string> sections)
    {
        var b = new StringBuilder();
        foreach (string name in s_allSections)
        {
            if (!sections.Contains(name))
                continue;
            if (b.Length > 0)
                b.Append("\r\n");
            switch (name)
            {
                case "server": InfoServer(s, b); break;
                case "clients": InfoClients(s, b); break;
                case "memory": InfoMemory(s, b); break;
                case "persistence": InfoPersistence(s, b); break;
                case "stats": InfoStats(s, b); break;
                case "replication": InfoReplication(s, b); break;
                case "cpu": InfoCpu(b); break;
                case "modules": b.Append("# Modules\r\n"); break;
                case "commandstats": InfoCommandStats(s, b); break;
                case "errorstats": InfoErrorStats(s, b); break;
                case "latencystats": b.Append("# Latencystats\r\n"); break;
                case "cluster": b.Append("# Cluster\r\ncluster_enabled:0\r\n"); break;
                case "keyspace": InfoKeyspace(s, b); break;
            }
        }
        return b.ToString();
    }

    private static StringBuilder Line(this StringBuilder b, string key, string value) => b.Append(key).Append(':').Append(value).Append("\r\n");

    private static StringBuilder Line(this StringBuilder b, string key, long value) => b.Line(key, Num(value));

    private static void InfoServer(ServerContext s, StringBuilder b)
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long uptime = (nowMs - s.StartTimeMs) / 1000;
        string arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        };
        b.Append("# Server\r\n")
            .Line("redis_version", ServerInfo.RedisVersion)
            .Line("redis_git_sha1", "00000000")
            .Line("redis_git_dirty", 0)
            .Line("redis_build_id", "0")
            .Line("redis_mode", "standalone")
            .Line("os", $"{OsName()} {Environment.OSVersion.Version} {arch}")
            .Line("arch_bits", IntPtr.Size * 8)
            .Line("monotonic_clock", "POSIX clock_gettime")
            .Line("multiplexing_api", "epoll")
            .Line("atomicvar_api", "c11-builtin")
            .Line("gcc_version", "0.0.0")
            .Line("process_id", Environment.ProcessId)
            .Line("process_supervised", "no")
            .Line("run_id", s.RunId)
            .Line("tcp_port", s.Port)
            .Line("server_time_usec", (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10)
            .Line("uptime_in_seconds", uptime)
            .Line("uptime_in_days", uptime / 86400)
            .Line("hz", s.Config.Hz)
            .Line("configured_hz", s.Config.Hz)
            .Line("lru_clock", nowMs / 1000 & ((1 << 24) - 1))
            .Line("executable", Environment.ProcessPath ?? "")
            .Line("config_file", s.ConfigFile)
            .Line("io_threads_active", 0)
            .Line("codis_version", ServerInfo.CodisVersion);
    }

    private static string OsName() => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "Linux"
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "Darwin" : "Windows";

    private static void InfoClients(ServerContext s, StringBuilder b)
    {
        int replicas = 0;
        long maxIn = 0, maxOut = 0;
        foreach (Client x in s.Clients.Values)
        {
            if (x.IsReplica)
                replicas++;
            maxIn = Math.Max(maxIn, x.QueryBufferLength);
            maxOut = Math.Max(maxOut, x.Output.Length);
        }
        b.Append("# Clients\r\n")
            .Line("connected_clients", s.Clients.Count - replicas)
            .Line("cluster_connections", 0)
            .Line("maxclients", s.Config.MaxClients)
            .Line("client_recent_max_input_buffer", maxIn)
            .Line("client_recent_max_output_buffer", maxOut)
            .Line("blocked_clients", s.BlockedClients)
            .Line("tracking_clients", 0)
            .Line("clients_in_timeout_table", 0);
    }

    private static void InfoMemory(ServerContext s, StringBuilder b)
    {
        long used = s.SampleMemory();
        long rss;
        using (var p = Process.GetCurrentProcess())
            rss = p.WorkingSet64;
        long peak = Math.Max(s.PeakMemory, used);
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        b.Append("# Memory\r\n")
            .Line("used_memory", used)
            .Line("used_memory_human", HumanBytes(used))
            .Line("used_memory_rss", rss)
            .Line("used_memory_rss_human", HumanBytes(rss))
            .Line("used_memory_peak", peak)
            .Line("used_memory_peak_human", HumanBytes(peak))
            .Line("used_memory_peak_perc", (peak == 0 ? 100.0 : used * 100.0 / peak).ToString("0.00", CultureInfo.InvariantCulture) + "%")
            .Line("used_memory_overhead", 0)
            .Line("used_memory_startup", 0)
            .Line("used_memory_dataset", used)
            .Line("used_memory_dataset_perc", "100.00%")
            .Line("total_system_memory", total)
            .Line("total_system_memory_human", HumanBytes(total))
            .Line("used_memory_lua", s.ScriptsIfStarted?.MemoryBytes ?? 0)
            .Line("used_memory_lua_human", HumanBytes(s.ScriptsIfStarted?.MemoryBytes ?? 0))
            .Line("used_memory_scripts", 0)
            .Line("used_memory_scripts_human", "0B")
            .Line("number_of_cached_scripts", s.ScriptsIfStarted?.CachedScripts ?? 0)
            .Line("number_of_functions", s.ScriptsIfStarted?.FunctionCount ?? 0)
            .Line("number_of_libraries", s.ScriptsIfStarted?.LibraryCount ?? 0)
            .Line("used_memory_vm_functions", s.ScriptsIfStarted?.FunctionsMemoryBytes ?? 0)
            .Line("used_memory_functions", s.ScriptsIfStarted?.LibrariesCodeBytes ?? 0)
            .Line("maxmemory", s.Config.MaxMemory)
            .Line("maxmemory_human", HumanBytes(s.Config.MaxMemory))
            .Line("maxmemory_policy", s.Config.MaxMemoryPolicy)
            .Line("mem_fragmentation_ratio", (used == 0 ? 0 : (double)rss / used).ToString("0.00", CultureInfo.InvariantCulture))
            .Line("mem_fragmentation_bytes", rss - used)
            .Line("mem_not_counted_for_evict", 0)
            .Line("mem_replication_backlog", 0)
            .Line("mem_clients_slaves", 0)
            .Line("mem_clients_normal", 0)
            .Line("mem_aof_buffer", 0)
            .Line("mem_allocator", "dotnet-gc")
            .Line("active_defrag_running", 0)
            .Line("lazyfree_pending_objects", 0)
            .Line("lazyfreed_objects", 0);
    }

    /// <summary>Redis's bytesToHuman: B, K, M, G, T, P with two decimals.</summary>
    public static string HumanBytes(long n)
    {
        double d = n;
        string[] units = ["K", "M", "G", "T", "P"];
        if (n < 1024)
            return Num(n) + "B";
        int u = -1;
        while (d >= 1024 && u < units.Length - 1)
        {
            d /= 1024;
            u++;
        }
        return d.ToString("0.00", CultureInfo.InvariantCulture) + units[u];
    }

    private static void InfoPersistence(ServerContext s, StringBuilder b)
    {
        PersistenceStatus p = s.Persistence;
        b.Append("# Persistence\r\n")
            .Line("loading", p.Loading ? 1 : 0)
            .Line("async_loading", 0)
            .Line("current_cow_peak", 0)
            .Line("current_cow_size", 0)
            .Line("current_cow_size_age", 0)
            .Line("current_fork_perc", "0.00")
            .Line("current_save_keys_processed", 0)
            .Line("current_save_keys_total", 0)
            .Line("rdb_changes_since_last_save", s.Stats.Dirty)
            .Line("rdb_bgsave_in_progress", p.BgsaveInProgress ? 1 : 0)
            .Line("rdb_last_save_time", p.LastSaveUnix)
            .Line("rdb_last_bgsave_status", p.LastBgsaveStatus)
            .Line("rdb_last_bgsave_time_sec", p.LastBgsaveTimeSec)
            .Line("rdb_current_bgsave_time_sec", p.CurrentBgsaveTimeSec)
            .Line("rdb_saves", p.RdbSaves)
            .Line("rdb_last_cow_size", 0)
            .Line("rdb_last_load_keys_expired", p.LastLoadKeysExpired)
            .Line("rdb_last_load_keys_loaded", p.LastLoadKeysLoaded)
            .Line("aof_enabled", s.Config.AppendOnly ? 1 : 0)
            .Line("aof_rewrite_in_progress", p.AofRewriteInProgress ? 1 : 0)
            .Line("aof_rewrite_scheduled", p.AofRewriteScheduled ? 1 : 0)
            .Line("aof_last_rewrite_time_sec", p.AofLastRewriteTimeSec)
            .Line("aof_current_rewrite_time_sec", p.AofCurrentRewriteTimeSec)
            .Line("aof_last_bgrewrite_status", p.AofLastBgrewriteStatus)
            .Line("aof_rewrites", p.AofRewrites)
            .Line("aof_rewrites_consecutive_failures", 0)
            .Line("aof_last_write_status", p.AofLastWriteStatus)
            .Line("aof_last_cow_size", 0)
            .Line("module_fork_in_progress", 0)
            .Line("module_fork_last_cow_size", 0);
        if (s.Config.AppendOnly && s.Persister is { } persister)
        {
            b.Line("aof_current_size", persister.AofCurrentSize)
                .Line("aof_base_size", persister.AofBaseSize)
                .Line("aof_pending_rewrite", p.AofRewriteScheduled ? 1 : 0)
                .Line("aof_buffer_length", 0)
                .Line("aof_pending_bio_fsync", 0)
                .Line("aof_delayed_fsync", 0);
        }
    }

    private static void InfoStats(ServerContext s, StringBuilder b)
    {
        ServerStats st = s.Stats;
        b.Append("# Stats\r\n")
            .Line("total_connections_received", st.ConnectionsReceived)
            .Line("total_commands_processed", st.CommandsProcessed)
            .Line("instantaneous_ops_per_sec", s.InstantaneousOps)
            .Line("total_net_input_bytes", st.NetInputBytes)
            .Line("total_net_output_bytes", st.NetOutputBytes)
            .Line("total_net_repl_input_bytes", 0)
            .Line("total_net_repl_output_bytes", 0)
            .Line("instantaneous_input_kbps", "0.00")
            .Line("instantaneous_output_kbps", "0.00")
            .Line("instantaneous_input_repl_kbps", "0.00")
            .Line("instantaneous_output_repl_kbps", "0.00")
            .Line("rejected_connections", st.RejectedConnections)
            .Line("sync_full", s.Replicator.SyncFull)
            .Line("sync_partial_ok", s.Replicator.SyncPartialOk)
            .Line("sync_partial_err", s.Replicator.SyncPartialErr)
            .Line("expired_keys", st.ExpiredKeys)
            .Line("expired_stale_perc", "0.00")
            .Line("expired_time_cap_reached_count", 0)
            .Line("expire_cycle_cpu_milliseconds", 0)
            .Line("evicted_keys", st.EvictedKeys)
            .Line("evicted_clients", 0)
            .Line("total_eviction_exceeded_time", 0)
            .Line("current_eviction_exceeded_time", 0)
            .Line("keyspace_hits", st.KeyspaceHits)
            .Line("keyspace_misses", st.KeyspaceMisses)
            .Line("pubsub_channels", s.ChannelCount)
            .Line("pubsub_patterns", s.PatternCount)
            .Line("pubsubshard_channels", 0)
            .Line("latest_fork_usec", 0)
            .Line("total_forks", st.TotalForks)
            .Line("migrate_cached_sockets", 0)
            .Line("slave_expires_tracked_keys", 0)
            .Line("active_defrag_hits", 0)
            .Line("active_defrag_misses", 0)
            .Line("active_defrag_key_hits", 0)
            .Line("active_defrag_key_misses", 0)
            .Line("total_active_defrag_time", 0)
            .Line("current_active_defrag_time", 0)
            .Line("tracking_total_keys", 0)
            .Line("tracking_total_items", 0)
            .Line("tracking_total_prefixes", 0)
            .Line("unexpected_error_replies", 0)
            .Line("total_error_replies", st.ErrorReplies)
            .Line("dump_payload_sanitizations", 0)
            .Line("total_reads_processed", 0)
            .Line("total_writes_processed", 0)
            .Line("io_threaded_reads_processed", 0)
            .Line("io_threaded_writes_processed", 0)
            .Line("reply_buffer_shrinks", 0)
            .Line("reply_buffer_expands", 0);
    }

    private static void InfoReplication(ServerContext s, StringBuilder b)
    {
        s.Replicator.RefreshStatus();
        ReplicationStatus r = s.Replication;
        long nowSec = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        b.Append("# Replication\r\n");
        if (s.IsReplica)
        {
            b.Line("role", "slave")
                .Line("master_host", r.MasterHost)
                .Line("master_port", r.MasterPort)
                .Line("master_link_status", r.LinkUp ? "up" : "down")
                .Line("master_last_io_seconds_ago", r.LinkUp && r.LastIoUnix > 0 ? nowSec - r.LastIoUnix : -1)
                .Line("master_sync_in_progress", r.SyncInProgress ? 1 : 0)
                .Line("slave_read_repl_offset", r.ReplicaReplOffset)
                .Line("slave_repl_offset", r.ReplicaReplOffset);
            if (r.SyncInProgress)
            {
                b.Line("master_sync_total_bytes", -1)
                    .Line("master_sync_read_bytes", 0)
                    .Line("master_sync_left_bytes", r.SyncLeftBytes)
                    .Line("master_sync_perc", "0.00")
                    .Line("master_sync_last_io_seconds_ago", r.LastIoUnix > 0 ? nowSec - r.LastIoUnix : 0);
            }
            if (!r.LinkUp)
                b.Line("master_link_down_since_seconds", r.LinkDownSinceUnix > 0 ? nowSec - r.LinkDownSinceUnix : -1);
            b.Line("slave_priority", s.Config.ReplicaPriority)
                .Line("slave_read_only", s.Config.ReplicaReadOnly ? 1 : 0)
                .Line("replica_announced", 1);
        }
        else
        {
            b.Line("role", "master");
        }
        b.Line("connected_slaves", r.Replicas.Count);
        if (s.Config.MinReplicasToWrite > 0 && s.Config.MinReplicasMaxLag > 0)
            b.Line("min_slaves_good_slaves", s.Replicator.GoodReplicas());
        for (int i = 0; i < r.Replicas.Count; i++)
        {
            ReplicaStatus x = r.Replicas[i];
            b.Line($"slave{i}", $"ip={x.Ip},port={x.Port},state={x.State},offset={x.Offset},lag={x.Lag}");
        }
        if (!s.IsReplica)
            b.Line("master_failover_state", "no-failover");
        b.Line("master_replid", r.ReplId)
            .Line("master_replid2", r.ReplId2)
            .Line("master_repl_offset", r.MasterReplOffset)
            .Line("second_repl_offset", r.SecondReplOffset)
            .Line("repl_backlog_active", r.BacklogActive ? 1 : 0)
            .Line("repl_backlog_size", r.BacklogSize)
            .Line("repl_backlog_first_byte_offset", r.BacklogFirstByteOffset)
            .Line("repl_backlog_histlen", r.BacklogHistlen);
    }

    private static void InfoCpu(StringBuilder b)
    {
        using var p = Process.GetCurrentProcess();
        string sys = p.PrivilegedProcessorTime.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
        string user = p.UserProcessorTime.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
        b.Append("# CPU\r\n")
            .Line("used_cpu_sys", sys)
            .Line("used_cpu_user", user)
            .Line("used_cpu_sys_children", "0.000000")
            .Line("used_cpu_user_children", "0.000000")
            .Line("used_cpu_sys_main_thread", sys)
            .Line("used_cpu_user_main_thread", user);
    }

    private static void InfoCommandStats(ServerContext s, StringBuilder b)
    {
        b.Append("# Commandstats\r\n");
        foreach (CommandDef cmd in s.Commands.All.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            if (cmd.Calls == 0 && cmd.FailedCalls == 0 && cmd.RejectedCalls == 0)
                continue;
            double perCall = cmd.Calls == 0 ? 0 : (double)cmd.Microseconds / cmd.Calls;
            b.Line("cmdstat_" + cmd.Name,
                $"calls={cmd.Calls},usec={cmd.Microseconds},usec_per_call={perCall.ToString("0.00", CultureInfo.InvariantCulture)},rejected_calls={cmd.RejectedCalls},failed_calls={cmd.FailedCalls}");
        }
    }

    private static void InfoErrorStats(ServerContext s, StringBuilder b)
    {
        b.Append("# Errorstats\r\n");
        foreach (KeyValuePair<string, long> e in s.ErrorCounts.OrderBy(x => x.Key, StringComparer.Ordinal))
            b.Line("errorstat_" + e.Key, "count=" + Num(e.Value));
    }

    private static void InfoKeyspace(ServerContext s, StringBuilder b)
    {
        b.Append("# Keyspace\r\n");
        foreach (Database db in s.Databases)
        {
            if (db.Count == 0)
                continue;
            b.Line("db" + Num(db.Id), $"keys={db.Count},expires={db.ExpiresCount},avg_ttl={AverageTtl(s, db)}");
        }
    }

    /// <summary>Average remaining TTL in ms over (a sample of) the keys with an expiry, 0 when none.</summary>
    private static long AverageTtl(ServerContext s, Database db)
    {
        if (db.ExpiresCount == 0)
            return 0;
        return s.AverageTtl?.Invoke(db) ?? 0;
    }
}
