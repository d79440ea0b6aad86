using System.Globalization;

namespace Codis.Server.Config;

/// <summary>One configuration parameter: its redis.conf name, aliases and how to read and write it.</summary>
/// <param name="Name">The canonical name (CONFIG GET reports it).</param>
/// <param name="Aliases">Older names accepted as well (e.g. the <c>*-ziplist-*</c> forms).</param>
/// <param name="Get">The current value as text.</param>
/// <param name="Set">Applies a value given as the directive's arguments; returns an error text or null.</param>
/// <param name="Mutable">False when the parameter can only be set at start-up (CONFIG SET refuses it).</param>
public sealed record ConfigParam(string Name, string[] Aliases, Func<string> Get, Func<string[], string?> Set, bool Mutable = true)
{
    /// <summary>How CONFIG REWRITE writes the value.</summary>
    public ConfigKind Kind { get; init; } = ConfigKind.Plain;

    /// <summary>
    /// A protected config (dir, dbfilename): CONFIG SET refuses it unless enable-protected-configs
    /// allows it, as in Redis 7.
    /// </summary>
    public bool Protected { get; init; }
}

/// <summary>How a parameter's value is written by CONFIG REWRITE.</summary>
public enum ConfigKind
{
    /// <summary>As is (numbers, yes/no, enums, word lists).</summary>
    Plain,

    /// <summary>A string, always quoted like Redis's sdscatrepr.</summary>
    Quoted,

    /// <summary>A byte count, written as <c>Ngb</c>/<c>Nmb</c>/<c>Nkb</c> when exact.</summary>
    Memory,

    /// <summary>The save points: one <c>save seconds changes</c> line each, or <c>save ""</c>.</summary>
    Save,
}

/// <summary>
/// The table of every parameter codis-server understands, with Redis's names, value syntax and error
/// texts, shared by the config-file reader, the command line, CONFIG GET/SET and CONFIG REWRITE.
/// </summary>
public sealed class ConfigTable
{
    private readonly Dictionary<string, ConfigParam> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ConfigParam> _all = [];

    /// <summary>Builds the table over <paramref name="c"/>.</summary>
    public ConfigTable(ServerConfig c)
    {
        Config = c;
        Int("port", v => c.Port = v, () => c.Port, 0, 65535, mutable: false);
        Add(new ConfigParam("bind", [], () => string.Join(' ', c.Bind), a => { c.Bind = a; return null; }, Mutable: false));
        Str("requirepass", v => c.RequirePass = v, () => c.RequirePass);
        Str("masterauth", v => c.MasterAuth = v, () => c.MasterAuth);
        Add(new ConfigParam("replicaof", ["slaveof"], () => c.ReplicaOf, a =>
        {
            if (a.Length != 2)
                return "wrong number of arguments";
            if (!int.TryParse(a[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
                return "Invalid master port";
            // "no one" in a config file means master, as Redis reads it.
            c.ReplicaOf = a[0].Equals("no", StringComparison.OrdinalIgnoreCase) && a[1].Equals("one", StringComparison.OrdinalIgnoreCase) ? "" : a[0] + " " + a[1];
            return null;
        }, Mutable: false));
        Int("databases", v => c.Databases = v, () => c.Databases, 1, 1_000_000, mutable: false);
        Add(new ConfigParam("dir", [], () => Path.GetFullPath(c.Dir), SetDir) { Kind = ConfigKind.Quoted, Protected = true });
        Add(new ConfigParam("dbfilename", [], () => c.DbFilename, a => { c.DbFilename = string.Join(' ', a); return null; }) { Kind = ConfigKind.Quoted, Protected = true });
        Add(new ConfigParam("maxclients", [], () => c.MaxClients.ToString(CultureInfo.InvariantCulture), a =>
        {
            if (a.Length != 1)
                return "wrong number of arguments";
            if (!long.TryParse(a[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                return "argument couldn't be parsed into an integer";
            if (v < 1 || v > uint.MaxValue)
                return $"argument must be between 1 and {uint.MaxValue} inclusive";
            c.MaxClients = (int)Math.Min(v, int.MaxValue);
            return null;
        }));
        Long("timeout", v => c.Timeout = v, () => c.Timeout, 0, int.MaxValue);
        Add(new ConfigParam("enable-protected-configs", [], () => c.EnableProtectedConfigs, a => SetLocalOption(a, v => c.EnableProtectedConfigs = v), Mutable: false));
        Add(new ConfigParam("enable-debug-command", [], () => c.EnableDebugCommand, a => SetLocalOption(a, v => c.EnableDebugCommand = v), Mutable: false));
        Int("tcp-keepalive", v => c.TcpKeepAlive = v, () => c.TcpKeepAlive, 0, int.MaxValue);
        Int("tcp-backlog", v => c.TcpBacklog = v, () => c.TcpBacklog, 0, int.MaxValue, mutable: false);
        Memory("maxmemory", v => c.MaxMemory = v, () => c.MaxMemory);
        Enum("maxmemory-policy", v => c.MaxMemoryPolicy = v, () => c.MaxMemoryPolicy,
            "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction");
        Int("maxmemory-samples", v => c.MaxMemorySamples = v, () => c.MaxMemorySamples, 1, int.MaxValue);
        Int("lfu-log-factor", v => c.LfuLogFactor = v, () => c.LfuLogFactor, 0, int.MaxValue);
        Int("lfu-decay-time", v => c.LfuDecayTime = v, () => c.LfuDecayTime, 0, int.MaxValue);
        Int("hz", v => c.Hz = Math.Clamp(v, 1, 500), () => c.Hz, 0, int.MaxValue);
        Int("active-expire-effort", v => c.ActiveExpireEffort = v, () => c.ActiveExpireEffort, 1, 10);
        Add(new ConfigParam("notify-keyspace-events", [], () => c.NotifyKeyspaceEvents, SetNotify) { Kind = ConfigKind.Quoted });
        Memory("proto-max-bulk-len", v => c.ProtoMaxBulkLen = v, () => c.ProtoMaxBulkLen, min: 1024 * 1024);
        Memory("client-query-buffer-limit", v => c.ClientQueryBufferLimit = v, () => c.ClientQueryBufferLimit, min: 1024 * 1024);
        Long("slowlog-log-slower-than", v => c.SlowlogLogSlowerThan = v, () => c.SlowlogLogSlowerThan, -1, long.MaxValue);
        Int("slowlog-max-len", v => c.SlowlogMaxLen = v, () => c.SlowlogMaxLen, 0, int.MaxValue);
        Long("latency-monitor-threshold", v => c.LatencyMonitorThreshold = v, () => c.LatencyMonitorThreshold, 0, long.MaxValue);
        Enum("loglevel", v => c.LogLevel = v, () => c.LogLevel, "debug", "verbose", "notice", "warning", "nothing");
        Str("logfile", v => c.LogFile = v, () => c.LogFile, mutable: false);
        Str("pidfile", v => c.PidFile = v, () => c.PidFile, mutable: false);
        Bool("daemonize", v => c.Daemonize = v, () => c.Daemonize, mutable: false);
        Int("hash-max-listpack-entries", v => c.HashMaxListpackEntries = v, () => c.HashMaxListpackEntries, 0, int.MaxValue, "hash-max-ziplist-entries");
        Int("hash-max-listpack-value", v => c.HashMaxListpackValue = v, () => c.HashMaxListpackValue, 0, int.MaxValue, "hash-max-ziplist-value");
        Int("list-max-listpack-size", v => c.ListMaxListpackSize = v, () => c.ListMaxListpackSize, int.MinValue, int.MaxValue, "list-max-ziplist-size");
        Int("list-compress-depth", v => c.ListCompressDepth = v, () => c.ListCompressDepth, 0, int.MaxValue);
        Int("set-max-intset-entries", v => c.SetMaxIntsetEntries = v, () => c.SetMaxIntsetEntries, 0, int.MaxValue);
        Int("zset-max-listpack-entries", v => c.ZsetMaxListpackEntries = v, () => c.ZsetMaxListpackEntries, 0, int.MaxValue, "zset-max-ziplist-entries");
        Int("zset-max-listpack-value", v => c.ZsetMaxListpackValue = v, () => c.ZsetMaxListpackValue, 0, int.MaxValue, "zset-max-ziplist-value");
        Int("hll-sparse-max-bytes", v => c.HllSparseMaxBytes = v, () => c.HllSparseMaxBytes, 0, int.MaxValue);
        Memory("stream-node-max-bytes", v => c.StreamNodeMaxBytes = v, () => c.StreamNodeMaxBytes);
        Long("stream-node-max-entries", v => c.StreamNodeMaxEntries = v, () => c.StreamNodeMaxEntries, 0, long.MaxValue);
        Add(new ConfigParam("save", [], GetSave, SetSave) { Kind = ConfigKind.Save });
        Bool("appendonly", v => c.AppendOnly = v, () => c.AppendOnly);
        Str("appendfilename", v => c.AppendFilename = v, () => c.AppendFilename, mutable: false);
        Enum("appendfsync", v => c.AppendFsync = v, () => c.AppendFsync, "always", "everysec", "no");
        Bool("rdbcompression", v => c.RdbCompression = v, () => c.RdbCompression);
        Bool("rdbchecksum", v => c.RdbChecksum = v, () => c.RdbChecksum);
        Int("rdb-key-save-delay", v => c.RdbKeySaveDelay = v, () => c.RdbKeySaveDelay, int.MinValue, int.MaxValue);
        Bool("repl-diskless-sync", v => c.ReplDisklessSync = v, () => c.ReplDisklessSync);
        Int("repl-diskless-sync-delay", v => c.ReplDisklessSyncDelay = v, () => c.ReplDisklessSyncDelay, 0, int.MaxValue);
        Int("repl-diskless-sync-max-replicas", v => c.ReplDisklessSyncMaxReplicas = v, () => c.ReplDisklessSyncMaxReplicas, 0, int.MaxValue);
        Bool("replica-read-only", v => c.ReplicaReadOnly = v, () => c.ReplicaReadOnly, aliases: "slave-read-only");
        Bool("replica-serve-stale-data", v => c.ReplicaServeStaleData = v, () => c.ReplicaServeStaleData, aliases: "slave-serve-stale-data");
        Int("replica-priority", v => c.ReplicaPriority = v, () => c.ReplicaPriority, 0, int.MaxValue, "slave-priority");
        Int("min-replicas-to-write", v => c.MinReplicasToWrite = v, () => c.MinReplicasToWrite, 0, int.MaxValue, "min-slaves-to-write");
        Int("min-replicas-max-lag", v => c.MinReplicasMaxLag = v, () => c.MinReplicasMaxLag, 0, int.MaxValue, "min-slaves-max-lag");
        Long("lua-time-limit", v => c.LuaTimeLimit = v, () => c.LuaTimeLimit, 0, long.MaxValue, "busy-reply-threshold");
        Bool("lazyfree-lazy-eviction", v => c.LazyfreeLazyEviction = v, () => c.LazyfreeLazyEviction);
        Bool("protected-mode", v => c.ProtectedMode = v, () => c.ProtectedMode);
        foreach (string passive in PassiveNames)
            AddPassive(passive);
    }

    /// <summary>Redis's defaults of the passive directives (CONFIG GET reports them until set).</summary>
    private static readonly Dictionary<string, string> s_passiveDefaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["supervised"] = "no",
        ["always-show-logo"] = "no",
        ["set-proc-title"] = "yes",
        ["proc-title-template"] = "{title} {listen-addr} {server-mode}",
        ["syslog-enabled"] = "no",
        ["syslog-ident"] = "redis",
        ["syslog-facility"] = "local0",
        ["crash-log-enabled"] = "yes",
        ["crash-memcheck-enabled"] = "yes",
        ["stop-writes-on-bgsave-error"] = "yes",
        ["rdb-del-sync-files"] = "no",
        ["sanitize-dump-payload"] = "no",
        ["repl-diskless-load"] = "disabled",
        ["repl-ping-replica-period"] = "10",
        ["repl-timeout"] = "60",
        ["repl-disable-tcp-nodelay"] = "no",
        ["repl-backlog-size"] = "1048576",
        ["repl-backlog-ttl"] = "3600",
        ["replica-announced"] = "yes",
        ["replica-lazy-flush"] = "no",
        ["lazyfree-lazy-expire"] = "no",
        ["lazyfree-lazy-server-del"] = "no",
        ["lazyfree-lazy-user-del"] = "no",
        ["lazyfree-lazy-user-flush"] = "no",
        ["oom-score-adj"] = "no",
        ["oom-score-adj-values"] = "0 200 800",
        ["disable-thp"] = "yes",
        ["no-appendfsync-on-rewrite"] = "no",
        ["auto-aof-rewrite-percentage"] = "100",
        ["auto-aof-rewrite-min-size"] = "67108864",
        ["aof-load-truncated"] = "yes",
        ["aof-use-rdb-preamble"] = "yes",
        ["aof-timestamp-enabled"] = "no",
        ["aof-rewrite-incremental-fsync"] = "yes",
        ["rdb-save-incremental-fsync"] = "yes",
        ["appenddirname"] = "appendonlydir",
        ["activerehashing"] = "yes",
        ["client-output-buffer-limit"] = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ["dynamic-hz"] = "yes",
        ["jemalloc-bg-thread"] = "yes",
        ["activedefrag"] = "no",
        ["io-threads"] = "1",
        ["io-threads-do-reads"] = "no",
        ["unixsocket"] = "",
        ["unixsocketperm"] = "0",
        ["tls-port"] = "0",
        ["cluster-enabled"] = "no",
        ["cluster-config-file"] = "nodes.conf",
        ["maxmemory-eviction-tenacity"] = "10",
        ["maxmemory-clients"] = "0",
        ["latency-tracking"] = "yes",
        ["latency-tracking-info-percentiles"] = "50 99 99.9",
        ["enable-module-command"] = "no",
        ["acllog-max-len"] = "128",
        ["acl-pubsub-default"] = "resetchannels",
        ["replica-ignore-maxmemory"] = "yes",
        ["slave-ignore-maxmemory"] = "yes",
        ["active-defrag-threshold-lower"] = "10",
        ["active-defrag-threshold-upper"] = "100",
        ["active-defrag-cycle-min"] = "1",
        ["active-defrag-cycle-max"] = "25",
        ["active-defrag-ignore-bytes"] = "104857600",
        ["active-defrag-max-scan-fields"] = "1000",
        ["tracking-table-max-keys"] = "1000000",
        ["shutdown-timeout"] = "10",
        ["shutdown-on-sigint"] = "default",
        ["shutdown-on-sigterm"] = "default",
        ["replica-announce-ip"] = "",
        ["replica-announce-port"] = "0",
        ["slave-announce-ip"] = "",
        ["slave-announce-port"] = "0",
    };

    /// <summary>Passive directives Redis only accepts at start-up (CONFIG SET: "can't set immutable config").</summary>
    private static readonly HashSet<string> s_immutablePassive = new(StringComparer.OrdinalIgnoreCase)
    {
        "supervised", "always-show-logo", "syslog-enabled", "syslog-ident", "syslog-facility", "appenddirname",
        "io-threads", "io-threads-do-reads", "unixsocket", "unixsocketperm", "cluster-enabled", "cluster-config-file",
        "enable-module-command", "disable-thp",
    };

    /// <summary>
    /// Directives of redis.conf that are accepted and reported but change nothing here (they tune
    /// things this implementation does differently or does not have).
    /// </summary>
    private static readonly string[] PassiveNames =
    [
        "supervised", "always-show-logo", "set-proc-title", "proc-title-template", "syslog-enabled", "syslog-ident",
        "syslog-facility", "crash-log-enabled", "crash-memcheck-enabled", "stop-writes-on-bgsave-error",
        "rdb-del-sync-files", "sanitize-dump-payload", "repl-diskless-load", "repl-ping-replica-period", "repl-timeout",
        "repl-disable-tcp-nodelay", "repl-backlog-size", "repl-backlog-ttl",
        "replica-announced", "replica-lazy-flush", "lazyfree-lazy-expire",
        "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "oom-score-adj",
        "oom-score-adj-values", "disable-thp", "no-appendfsync-on-rewrite", "auto-aof-rewrite-percentage",
        "auto-aof-rewrite-min-size", "aof-load-truncated", "aof-use-rdb-preamble", "aof-timestamp-enabled",
        "aof-rewrite-incremental-fsync", "rdb-save-incremental-fsync", "appenddirname", "activerehashing",
        "client-output-buffer-limit", "dynamic-hz", "jemalloc-bg-thread", "activedefrag", "io-threads",
        "io-threads-do-reads", "unixsocket", "unixsocketperm", "tls-port", "cluster-enabled",
        "cluster-config-file", "maxmemory-eviction-tenacity", "maxmemory-clients", "lazyfree-lazy-eviction-x",
        "latency-tracking", "latency-tracking-info-percentiles", "enable-module-command", "acllog-max-len", "acl-pubsub-default", "replica-ignore-maxmemory",
        "slave-ignore-maxmemory", "active-defrag-threshold-lower", "active-defrag-threshold-upper",
        "active-defrag-cycle-min", "active-defrag-cycle-max", "active-defrag-ignore-bytes",
        "active-defrag-max-scan-fields", "lua-replicate-commands", "tracking-table-max-keys", "locale-collate",
        "shutdown-timeout", "shutdown-on-sigint", "shutdown-on-sigterm", "replica-announce-ip",
        "replica-announce-port", "slave-announce-ip", "slave-announce-port",
    ];

    /// <summary>The configuration this table edits.</summary>
    public ServerConfig Config { get; }

    /// <summary>Every parameter, in registration order.</summary>
    public IReadOnlyList<ConfigParam> All => _all;

    /// <summary>The parameter named <paramref name="name"/> (or one of its aliases).</summary>
    public ConfigParam? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Applies one directive; returns an error text or null.</summary>
    public string? Apply(string name, string[] args)
    {
        ConfigParam? p = Find(name);
        if (p is null)
            return "Bad directive or wrong number of arguments";
        string? error = p.Set(args);
        if (error is null)
            Config.Changed.Add(p.Name);
        return error;
    }

    private void Add(ConfigParam p)
    {
        _all.Add(p);
        _byName[p.Name] = p;
        foreach (string a in p.Aliases)
            _byName[a] = p;
    }

    private void AddPassive(string name)
    {
        if (_byName.ContainsKey(name))
            return;
        string fallback = s_passiveDefaults.GetValueOrDefault(name, "");
        Add(new ConfigParam(name, [], () => Config.Passive.GetValueOrDefault(name, fallback),
            a => { Config.Passive[name] = string.Join(' ', a); return null; }, !s_immutablePassive.Contains(name)));
    }

    private void Str(string name, Action<string> set, Func<string> get, bool mutable = true) =>
        Add(new ConfigParam(name, [], get, a => { set(a.Length == 0 ? "" : string.Join(' ', a)); return null; }, mutable) { Kind = ConfigKind.Quoted });

    private static string? SetLocalOption(string[] a, Action<string> set)
    {
        if (a.Length != 1)
            return "wrong number of arguments";
        string v = a[0].ToLowerInvariant();
        if (v is not ("yes" or "no" or "local"))
            return "argument(s) must be one of the following: no, yes, local";
        set(v);
        return null;
    }

    private void Bool(string name, Action<bool> set, Func<bool> get, bool mutable = true, params string[] aliases) =>
        Add(new ConfigParam(name, aliases, () => get() ? "yes" : "no", a =>
        {
            if (a.Length != 1)
                return "wrong number of arguments";
            string v = a[0].ToLowerInvariant();
            if (v is not ("yes" or "no"))
                return "argument must be 'yes' or 'no'";
            set(v == "yes");
            return null;
        }, mutable));

    private void Int(string name, Action<int> set, Func<int> get, int min, int max, params string[] aliases) =>
        Int(name, set, get, min, max, true, aliases);

    private void Int(string name, Action<int> set, Func<int> get, int min, int max, bool mutable, params string[] aliases) =>
        Add(new ConfigParam(name, aliases, () => get().ToString(CultureInfo.InvariantCulture), a =>
        {
            if (a.Length != 1)
                return "wrong number of arguments";
            if (!long.TryParse(a[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                return "argument couldn't be parsed into an integer";
            if (v < min || v > max)
                return $"argument must be between {min} and {max} inclusive";
            set((int)v);
            return null;
        }, mutable));

    private void Long(string name, Action<long> set, Func<long> get, long min, long max, params string[] aliases) =>
        Add(new ConfigParam(name, aliases, () => get().ToString(CultureInfo.InvariantCulture), a =>
        {
            if (a.Length != 1)
                return "wrong number of arguments";
            if (!long.TryParse(a[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                return "argument couldn't be parsed into an integer";
            if (v < min || v > max)
                return $"argument must be between {min} and {max} inclusive";
            set(v);
            return null;
        }));

    private void Memory(string name, Action<long> set, Func<long> get, long min = 0) =>
        Add(new ConfigParam(name, [], () => get().ToString(CultureInfo.InvariantCulture), a =>
        {
            if (a.Length != 1)
                return "wrong number of arguments";
            if (!MemorySize.TryParse(a[0], out long v))
                return "argument must be a memory value";
            if (v < min)
                return $"argument must be between {min} and {long.MaxValue} inclusive";
            set(v);
            return null;
        })
        { Kind = ConfigKind.Memory });

    private void Enum(string name, Action<string> set, Func<string> get, params string[] values) =>
        Add(new ConfigParam(name, [], get, a =>
        {
            if (a.Length != 1)
                return "wrong number of arguments";
            string v = a[0].ToLowerInvariant();
            if (Array.IndexOf(values, v) < 0)
                return "argument(s) must be one of the following: " + string.Join(", ", values);
            set(v);
            return null;
        }));

    private string? SetDir(string[] a)
    {
        if (a.Length != 1)
            return "wrong number of arguments";
        if (!Directory.Exists(a[0]))
            return $"No such file or directory: '{a[0]}'";
        Config.Dir = a[0];
        return null;
    }

    private string? SetNotify(string[] a)
    {
        string text = a.Length == 0 ? "" : a[0];
        if (!NotifyFlagsText.TryParse(text, out NotifyFlags flags))
            return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        Config.NotifyKeyspaceEvents = NotifyFlagsText.Format(flags);
        return null;
    }

    private string GetSave() =>
        string.Join(' ', Config.SavePoints.Select(p => $"{p.Seconds} {p.Changes}"));

    private string? SetSave(string[] a)
    {
        // "save ''" or "save" alone clears the points; otherwise pairs of seconds and changes.
        if (a.Length == 0 || (a.Length == 1 && a[0].Length == 0))
        {
            Config.SavePoints = [];
            return null;
        }
        string[] parts = a.Length == 1 ? a[0].Split(' ', StringSplitOptions.RemoveEmptyEntries) : a;
        if (parts.Length % 2 != 0)
            return "Invalid save parameters";
        var points = new List<(long, long)>();
        for (int i = 0; i < parts.Length; i += 2)
        {
            if (!long.TryParse(parts[i], CultureInfo.InvariantCulture, out long s) || !long.TryParse(parts[i + 1], CultureInfo.InvariantCulture, out long ch) || s < 1 || ch < 0)
                return "Invalid save parameters";
            points.Add((s, ch));
        }
        // In a config file each "save" line adds a point; CONFIG SET replaces them all.
        Config.SavePoints = points;
        return null;
    }
}
