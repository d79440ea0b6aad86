namespace Codis.Server.Config;

/// <summary>
/// The live configuration of one codis-server. Values are changed at start-up from the config file and
/// command line, and later by CONFIG SET (under the server lock); <see cref="ConfigTable"/> maps the
/// redis.conf names onto these properties.
/// </summary>
public sealed class ServerConfig
{
    /// <summary>TCP port (0 = choose a free one).</summary>
    public int Port { get; set; } = 6379;

    /// <summary>Addresses to listen on.</summary>
    public string[] Bind { get; set; } = ["*", "-::*"];

    /// <summary>Password clients must AUTH with ("" = none).</summary>
    public string RequirePass { get; set; } = "";

    /// <summary>Password this server uses with its master (replication).</summary>
    public string MasterAuth { get; set; } = "";

    /// <summary>replicaof / slaveof: "host port" while this server is a replica, else "".</summary>
    public string ReplicaOf { get; set; } = "";

    /// <summary>Number of databases.</summary>
    public int Databases { get; set; } = 16;

    /// <summary>Working directory for persistence files.</summary>
    public string Dir { get; set; } = ".";

    /// <summary>RDB file name.</summary>
    public string DbFilename { get; set; } = "dump.rdb";

    /// <summary>Maximum number of simultaneous clients.</summary>
    public int MaxClients { get; set; } = 10000;

    /// <summary>Idle seconds after which a client is closed (0 = never).</summary>
    public long Timeout { get; set; }

    /// <summary>TCP keepalive interval in seconds (0 = off).</summary>
    public int TcpKeepAlive { get; set; } = 300;

    /// <summary>Listen backlog.</summary>
    public int TcpBacklog { get; set; } = 511;

    /// <summary>Memory limit in bytes (0 = none).</summary>
    public long MaxMemory { get; set; }

    /// <summary>Eviction policy name.</summary>
    public string MaxMemoryPolicy { get; set; } = "noeviction";

    /// <summary>Keys sampled per eviction.</summary>
    public int MaxMemorySamples { get; set; } = 5;

    /// <summary>LFU logarithmic factor.</summary>
    public int LfuLogFactor { get; set; } = 10;

    /// <summary>LFU decay time in minutes.</summary>
    public int LfuDecayTime { get; set; } = 1;

    /// <summary>Server cron frequency.</summary>
    public int Hz { get; set; } = 10;

    /// <summary>Active expire effort 1..10.</summary>
    public int ActiveExpireEffort { get; set; } = 1;

    /// <summary>Keyspace notification flags as configured (text form kept for CONFIG GET).</summary>
    public string NotifyKeyspaceEvents { get; set; } = "";

    /// <summary>Largest accepted bulk argument.</summary>
    public long ProtoMaxBulkLen { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest query buffer per client.</summary>
    public long ClientQueryBufferLimit { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Slow log threshold in microseconds (negative = off).</summary>
    public long SlowlogLogSlowerThan { get; set; } = 10000;

    /// <summary>Slow log length.</summary>
    public int SlowlogMaxLen { get; set; } = 128;

    /// <summary>Latency monitor threshold in milliseconds (0 = off).</summary>
    public long LatencyMonitorThreshold { get; set; }

    /// <summary>Log level (debug, verbose, notice, warning, nothing).</summary>
    public string LogLevel { get; set; } = "notice";

    /// <summary>Log file ("" = standard output).</summary>
    public string LogFile { get; set; } = "";

    /// <summary>Pid file ("" = none).</summary>
    public string PidFile { get; set; } = "";

    /// <summary>Whether to daemonize (accepted and ignored: we always run in the foreground).</summary>
    public bool Daemonize { get; set; }

    /// <summary>Hash listpack thresholds.</summary>
    public int HashMaxListpackEntries { get; set; } = 512;

    /// <summary>Hash listpack value size threshold.</summary>
    public int HashMaxListpackValue { get; set; } = 64;

    /// <summary>List node size (negative = bytes class, positive = entries).</summary>
    public int ListMaxListpackSize { get; set; } = -2;

    /// <summary>List compression depth.</summary>
    public int ListCompressDepth { get; set; }

    /// <summary>Set intset threshold.</summary>
    public int SetMaxIntsetEntries { get; set; } = 512;

    /// <summary>Sorted set listpack thresholds.</summary>
    public int ZsetMaxListpackEntries { get; set; } = 128;

    /// <summary>Sorted set listpack value size threshold.</summary>
    public int ZsetMaxListpackValue { get; set; } = 64;

    /// <summary>HyperLogLog sparse representation limit.</summary>
    public int HllSparseMaxBytes { get; set; } = 3000;

    /// <summary>Stream node limits.</summary>
    public long StreamNodeMaxBytes { get; set; } = 4096;

    /// <summary>Stream node entries.</summary>
    public long StreamNodeMaxEntries { get; set; } = 100;

    /// <summary>
    /// A full resync of a replica that can take it streams the snapshot straight to its socket (EOF-marked)
    /// rather than as a sized payload (repl-diskless-sync).
    /// </summary>
    public bool ReplDisklessSync { get; set; } = true;

    /// <summary>
    /// A pause per key written by a background snapshot (BGSAVE, a replica's full resync, the AOF rewrite):
    /// microseconds, or nanoseconds when negative; 0 for none (rdb-key-save-delay, a testing knob as in Redis).
    /// The pause is taken between batches, outside the server lock, so clients are not slowed.
    /// </summary>
    public int RdbKeySaveDelay { get; set; }

    /// <summary>Seconds a diskless full resync waits for more replicas to share its snapshot (repl-diskless-sync-delay).</summary>
    public int ReplDisklessSyncDelay { get; set; } = 5;

    /// <summary>Replicas waiting that start the shared snapshot before the delay ends, 0: none (repl-diskless-sync-max-replicas).</summary>
    public int ReplDisklessSyncMaxReplicas { get; set; }

    /// <summary>Save points (seconds, changes).</summary>
    public List<(long Seconds, long Changes)> SavePoints { get; set; } = [(3600, 1), (300, 100), (60, 10000)];

    /// <summary>Append-only file enabled.</summary>
    public bool AppendOnly { get; set; }

    /// <summary>AOF file name.</summary>
    public string AppendFilename { get; set; } = "appendonly.aof";

    /// <summary>AOF fsync policy.</summary>
    public string AppendFsync { get; set; } = "everysec";

    /// <summary>RDB compression.</summary>
    public bool RdbCompression { get; set; } = true;

    /// <summary>RDB checksum.</summary>
    public bool RdbChecksum { get; set; } = true;

    /// <summary>Replicas refuse writes.</summary>
    public bool ReplicaReadOnly { get; set; } = true;

    /// <summary>Replica serves data while its link is down.</summary>
    public bool ReplicaServeStaleData { get; set; } = true;

    /// <summary>Replica priority for sentinel.</summary>
    public int ReplicaPriority { get; set; } = 100;

    /// <summary>A master refuses writes with fewer good replicas than this (0: never).</summary>
    public int MinReplicasToWrite { get; set; }

    /// <summary>A replica is good while its last ACK is at most this many seconds old (0: the check is off).</summary>
    public int MinReplicasMaxLag { get; set; } = 10;

    /// <summary>Lua time limit in ms.</summary>
    public long LuaTimeLimit { get; set; } = 5000;

    /// <summary>Whether lazy freeing applies to eviction etc. (accepted, no effect here).</summary>
    public bool LazyfreeLazyEviction { get; set; }

    /// <summary>Redis's "protected-mode": accepted for compatibility.</summary>
    public bool ProtectedMode { get; set; } = true;

    /// <summary>enable-protected-configs: no, yes or local (CONFIG SET of dir/dbfilename).</summary>
    public string EnableProtectedConfigs { get; set; } = "no";

    /// <summary>enable-debug-command: no, yes or local (DEBUG).</summary>
    public string EnableDebugCommand { get; set; } = "no";

    /// <summary>The original text of every directive that is stored but has no behaviour here.</summary>
    public Dictionary<string, string> Passive { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Which config names were set explicitly (for CONFIG REWRITE).</summary>
    public HashSet<string> Changed { get; } = new(StringComparer.OrdinalIgnoreCase);
}
