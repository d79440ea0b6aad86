using Codis.Server.Config;
using Codis.Server.Keyspace;

namespace Codis.Server;

/// <summary>
/// The state of one codis-server: databases, clients, configuration and statistics. Commands run one at
/// a time under <see cref="Lock"/>, exactly as Redis runs them on its single thread; network I/O and
/// request parsing happen outside it on any thread. See README "Execution model".
/// </summary>
public sealed partial class ServerContext
{
    private long _now;
    private long _clockBaseMs;
    private long _clockBaseTimestamp = long.MinValue / 2;   // forces a wall clock read on first use

    /// <summary>Creates the server state from a configuration.</summary>
    public ServerContext(ServerConfig config)
    {
        Config = config;
        Databases = new Database[config.Databases];
        for (int i = 0; i < Databases.Length; i++)
            Databases[i] = new Database(i, this);
        RunId = ServerInfo.NewRunId();
        StartTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Eviction = new EvictionClock(this);
        Replicator = new Replication.Replicator(this);
        UpdateClock();
    }

    /// <summary>Replication, master and replica side (SLAVEOF, PSYNC, the stream, WAIT).</summary>
    public Replication.Replicator Replicator { get; }

    /// <summary>Lua scripting (EVAL, SCRIPT): the Lua state is made on first use.</summary>
    public Scripting.ScriptEngine Scripts => _scripts ??= new Scripting.ScriptEngine(this);

    private Scripting.ScriptEngine? _scripts;

    /// <summary>The script engine if a script or SCRIPT command made it, else null (INFO does not make one).</summary>
    public Scripting.ScriptEngine? ScriptsIfStarted => _scripts;

    /// <summary>True while a script runs past lua-time-limit.</summary>
    public bool ScriptBusy => _scripts is { Busy: true };

    /// <summary>
    /// Called now and then by a script that runs past lua-time-limit, on the thread that runs it: the
    /// network layer answers other clients meanwhile (they get BUSY; SCRIPT KILL and SHUTDOWN NOSAVE work).
    /// </summary>
    public Action? ServeWhileBusy { get; set; }

    /// <summary>The lock under which every command runs.</summary>
    public Lock Lock { get; } = new();

    /// <summary>The configuration (mutable through CONFIG SET).</summary>
    public ServerConfig Config { get; }

    /// <summary>The numbered databases.</summary>
    public Database[] Databases { get; private set; }

    /// <summary>Counters reported by INFO.</summary>
    public ServerStats Stats { get; } = new();

    /// <summary>The LRU/LFU access clock.</summary>
    public EvictionClock Eviction { get; }

    /// <summary>40 hex characters identifying this run (INFO run_id).</summary>
    public string RunId { get; }

    /// <summary>Start time, unix ms.</summary>
    public long StartTimeMs { get; }

    /// <summary>The TCP port actually bound (after port 0 was resolved).</summary>
    public int Port { get; set; }

    /// <summary>Path of the config file the server was started with, or "".</summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>True when this server replicates from a master (set by the replication layer).</summary>
    public bool IsReplica { get; set; }

    /// <summary>Shared random source for commands (under the lock).</summary>
    public Random Random { get; } = new();

    /// <summary>The command clock: unix ms, fixed for the duration of one command as in Redis.</summary>
    public long Now => _now;

    /// <summary>Raised when the server should stop (SHUTDOWN, signals).</summary>
    public CancellationTokenSource Shutdown { get; } = new();

    /// <summary>The table of config parameters (CONFIG GET/SET/REWRITE).</summary>
    public Config.ConfigTable ConfigTable { get; init; } = null!;

    /// <summary>Runs before the server accepts clients (persistence loads data here).</summary>
    public event Action? Starting;

    /// <summary>Runs at shutdown under the lock (persistence saves here).</summary>
    public event Action? ShuttingDown;

    /// <summary>Raises <see cref="Starting"/>.</summary>
    public void OnStarting() => Starting?.Invoke();

    /// <summary>Raises <see cref="ShuttingDown"/>.</summary>
    public void OnShuttingDown() => ShuttingDown?.Invoke();

    /// <summary>Asks the main loop to stop (signals, SHUTDOWN).</summary>
    public void RequestShutdown(string reason)
    {
        Logging.ServerLog.Notice($"Received {reason} scheduling shutdown...");
        Shutdown.Cancel();
    }

    /// <summary>Advances the command clock.</summary>
    public void UpdateClock() => UpdateClock(System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>
    /// Advances the command clock to the moment <paramref name="timestamp"/> (a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp the caller already read, so that a command
    /// reads the clock once for both its time and its duration). The wall clock is read again at most
    /// once a second and the time in between derived from the monotonic counter: a wall clock read costs
    /// as much as a GET's whole key lookup here, and the two clocks drift apart by far less than a
    /// millisecond in a second.
    /// </summary>
    public void UpdateClock(long timestamp)
    {
        long elapsed = timestamp - _clockBaseTimestamp;
        if ((ulong)elapsed >= (ulong)System.Diagnostics.Stopwatch.Frequency)
        {
            _clockBaseTimestamp = timestamp;
            _clockBaseMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            elapsed = 0;
        }
        _now = _clockBaseMs + (elapsed * 1000 / System.Diagnostics.Stopwatch.Frequency);
    }

    /// <summary>Removes every key of every database.</summary>
    public void FlushAll()
    {
        foreach (Database db in Databases)
            db.Clear();
    }
}

/// <summary>Server-wide counters (INFO stats), updated under the server lock.</summary>
public sealed class ServerStats
{
    /// <summary>Commands executed.</summary>
    public long CommandsProcessed;

    /// <summary>Connections accepted.</summary>
    public long ConnectionsReceived;

    /// <summary>Connections refused because of maxclients.</summary>
    public long RejectedConnections;

    /// <summary>Background snapshots started: BGSAVE, AOF rewrite, replicas' full resync (Redis's forks).</summary>
    public long TotalForks;

    /// <summary>Keys removed by expiry.</summary>
    public long ExpiredKeys;

    /// <summary>Keys removed by maxmemory eviction.</summary>
    public long EvictedKeys;

    /// <summary>Successful key lookups.</summary>
    public long KeyspaceHits;

    /// <summary>Failed key lookups.</summary>
    public long KeyspaceMisses;

    /// <summary>Bytes read from clients.</summary>
    public long NetInputBytes;

    /// <summary>Bytes written to clients.</summary>
    public long NetOutputBytes;

    /// <summary>Errors replied to clients.</summary>
    public long ErrorReplies;

    /// <summary>Changes since the last save (INFO rdb_changes_since_last_save).</summary>
    public long Dirty;
}
