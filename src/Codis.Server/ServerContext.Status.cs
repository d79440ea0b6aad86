
namespace Codis.Server;

/// <summary>
/// State that INFO, LASTSAVE and the latency monitor report but that other layers own: persistence
/// (RDB/AOF) and replication fill these objects in; until they exist the defaults describe a master
/// without persistence, as a fresh Redis reports it.
/// </summary>
public sealed partial class ServerContext
{
    /// <summary>Persistence status (INFO persistence, LASTSAVE); the persistence layer updates it.</summary>
    public PersistenceStatus Persistence { get; } = new();

    /// <summary>Replication status (INFO replication); the replication layer updates it.</summary>
    public ReplicationStatus Replication { get; } = new();

    /// <summary>Latency spikes recorded above latency-monitor-threshold (LATENCY).</summary>
    public LatencyMonitor Latency { get; } = new();

    /// <summary>
    /// The save decision of the SHUTDOWN that stopped the server: true = SAVE, false = NOSAVE, null =
    /// as configured (save points). Persistence reads it in <see cref="ShuttingDown"/>.
    /// </summary>
    public bool? ShutdownSave { get; set; }

    /// <summary>
    /// Estimates a database's average remaining TTL in ms for INFO keyspace avg_ttl (Redis keeps it from
    /// the active expire cycle); null reports 0.
    /// </summary>
    public Func<Keyspace.Database, long>? AverageTtl { get; set; }

    /// <summary>Called after CONFIG SET with the canonical names changed (layers that cache config react here).</summary>
    public Action<string[]>? ConfigChanged { get; set; }

    /// <summary>Highest <see cref="UsedMemory"/> seen (INFO used_memory_peak).</summary>
    public long PeakMemory { get; private set; }

    /// <summary>Measures memory and keeps the peak up to date.</summary>
    public long SampleMemory()
    {
        long used = UsedMemory();
        if (used > PeakMemory)
            PeakMemory = used;
        return used;
    }

    /// <summary>Resets the statistics CONFIG RESETSTAT resets.</summary>
    public void ResetStats()
    {
        Stats.CommandsProcessed = 0;
        Stats.ConnectionsReceived = 0;
        Stats.RejectedConnections = 0;
        Stats.TotalForks = 0;
        Stats.ExpiredKeys = 0;
        Stats.EvictedKeys = 0;
        Stats.KeyspaceHits = 0;
        Stats.KeyspaceMisses = 0;
        Stats.NetInputBytes = 0;
        Stats.NetOutputBytes = 0;
        Stats.ErrorReplies = 0;
        foreach (Commands.CommandDef cmd in Commands.All)
            cmd.ResetStats();
        ErrorCounts.Clear();
        PeakMemory = 0;
    }

    /// <summary>Error replies by error code (INFO errorstats <c>errorstat_ERR:count=..</c>).</summary>
    public Dictionary<string, long> ErrorCounts { get; } = new(StringComparer.Ordinal);
}

/// <summary>What INFO persistence reports; persistence code sets these as it saves and loads.</summary>
public sealed class PersistenceStatus
{
    /// <summary>True while a dataset is being loaded (INFO loading:1; the proxy treats it as stale).</summary>
    public bool Loading { get; set; }

    /// <summary>Unix seconds of the last successful save (LASTSAVE, rdb_last_save_time); start time until then.</summary>
    public long LastSaveUnix { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>True while a background save runs.</summary>
    public bool BgsaveInProgress { get; set; }

    /// <summary>"ok" or "err".</summary>
    public string LastBgsaveStatus { get; set; } = "ok";

    /// <summary>Duration of the last background save in seconds (-1 = none yet).</summary>
    public long LastBgsaveTimeSec { get; set; } = -1;

    /// <summary>Seconds the running background save has taken (-1 = none running).</summary>
    public long CurrentBgsaveTimeSec { get; set; } = -1;

    /// <summary>Number of RDB saves since start.</summary>
    public long RdbSaves { get; set; }

    /// <summary>Keys loaded at the last load.</summary>
    public long LastLoadKeysLoaded { get; set; }

    /// <summary>Expired keys skipped at the last load.</summary>
    public long LastLoadKeysExpired { get; set; }

    /// <summary>True while an AOF rewrite runs.</summary>
    public bool AofRewriteInProgress { get; set; }

    /// <summary>True when an AOF rewrite waits to start.</summary>
    public bool AofRewriteScheduled { get; set; }

    /// <summary>Duration of the last AOF rewrite in seconds (-1 = none).</summary>
    public long AofLastRewriteTimeSec { get; set; } = -1;

    /// <summary>Seconds the running AOF rewrite has taken (-1 = none).</summary>
    public long AofCurrentRewriteTimeSec { get; set; } = -1;

    /// <summary>"ok" or "err".</summary>
    public string AofLastBgrewriteStatus { get; set; } = "ok";

    /// <summary>Number of AOF rewrites since start.</summary>
    public long AofRewrites { get; set; }

    /// <summary>"ok" or "err".</summary>
    public string AofLastWriteStatus { get; set; } = "ok";
}

/// <summary>What INFO replication reports; replication code sets these.</summary>
public sealed class ReplicationStatus
{
    /// <summary>Master host while this server is a replica ("" otherwise).</summary>
    public string MasterHost { get; set; } = "";

    /// <summary>Master port while this server is a replica.</summary>
    public int MasterPort { get; set; }

    /// <summary>True when the link to the master is up (master_link_status:up).</summary>
    public bool LinkUp { get; set; }

    /// <summary>Unix seconds when the link went down (for master_link_down_since_seconds); 0 = never up.</summary>
    public long LinkDownSinceUnix { get; set; }

    /// <summary>Unix seconds of the last data from the master.</summary>
    public long LastIoUnix { get; set; }

    /// <summary>True during the initial synchronisation.</summary>
    public bool SyncInProgress { get; set; }

    /// <summary>Bytes still to receive during a synchronisation.</summary>
    public long SyncLeftBytes { get; set; }

    /// <summary>Replication offset processed as a replica.</summary>
    public long ReplicaReplOffset { get; set; }

    /// <summary>The replication id (40 hex characters).</summary>
    public string ReplId { get; set; } = ServerInfo.NewRunId();

    /// <summary>The previous replication id.</summary>
    public string ReplId2 { get; set; } = new('0', 40);

    /// <summary>The master replication offset.</summary>
    public long MasterReplOffset { get; set; }

    /// <summary>Offset up to which ReplId2 is valid (-1 = none).</summary>
    public long SecondReplOffset { get; set; } = -1;

    /// <summary>True when a backlog exists.</summary>
    public bool BacklogActive { get; set; }

    /// <summary>Backlog size in bytes.</summary>
    public long BacklogSize { get; set; } = 1024 * 1024;

    /// <summary>First offset held by the backlog.</summary>
    public long BacklogFirstByteOffset { get; set; }

    /// <summary>Bytes held by the backlog.</summary>
    public long BacklogHistlen { get; set; }

    /// <summary>Connected replicas (slave0:ip=..,port=..,state=..,offset=..,lag=..).</summary>
    public List<ReplicaStatus> Replicas { get; } = [];
}

/// <summary>One connected replica as INFO replication lists it.</summary>
/// <param name="Ip">Its address.</param>
/// <param name="Port">Its listening port.</param>
/// <param name="State">wait_bgsave, send_bulk, online.</param>
/// <param name="Offset">Acknowledged offset.</param>
/// <param name="Lag">Seconds since its last ACK.</param>
public sealed record ReplicaStatus(string Ip, int Port, string State, long Offset, long Lag);

/// <summary>
/// Redis's latency monitor: for each event ("command", "fast-command", ...) the latest 160 spikes at
/// second resolution and the maximum ever seen.
/// </summary>
public sealed class LatencyMonitor
{
    private const int HistoryLength = 160;

    /// <summary>Samples per event name, oldest first.</summary>
    public Dictionary<string, LatencyEvent> Events { get; } = new(StringComparer.Ordinal);

    /// <summary>Records a spike of <paramref name="ms"/> milliseconds for <paramref name="eventName"/>.</summary>
    public void Add(string eventName, long unixSeconds, long ms)
    {
        if (!Events.TryGetValue(eventName, out LatencyEvent? ev))
            Events[eventName] = ev = new LatencyEvent();
        if (ms > ev.Max)
            ev.Max = ms;
        // Two spikes in the same second keep the larger, as Redis does.
        if (ev.Samples.Count > 0 && ev.Samples[^1].Time == unixSeconds)
        {
            if (ms > ev.Samples[^1].Latency)
                ev.Samples[^1] = (unixSeconds, ms);
            return;
        }
        ev.Samples.Add((unixSeconds, ms));
        if (ev.Samples.Count > HistoryLength)
            ev.Samples.RemoveAt(0);
    }

    /// <summary>Forgets the named events (all when none is given); returns how many were removed.</summary>
    public int Reset(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            int n = Events.Count;
            Events.Clear();
            return n;
        }
        int removed = 0;
        foreach (string name in names)
        {
            if (Events.Remove(name))
                removed++;
        }
        return removed;
    }
}

/// <summary>The history of one latency event.</summary>
public sealed class LatencyEvent
{
    /// <summary>Samples (unix seconds, milliseconds), oldest first.</summary>
    public List<(long Time, long Latency)> Samples { get; } = [];

    /// <summary>The largest latency ever recorded.</summary>
    public long Max { get; set; }
}
