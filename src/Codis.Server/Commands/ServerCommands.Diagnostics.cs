using System.Globalization;
using System.Text;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class ServerCommands
{
    private static readonly SubCommand[] SlowlogSubs =
    [
        new("get", -2, Admin | CommandFlags.Random | Loading | Stale, SlowlogGet),
        new("len", 2, Admin | CommandFlags.Random | Loading | Stale, c => c.Reply.Integer(c.Server.SlowLog.Entries.Count)),
        new("reset", 2, Admin | Loading | Stale, c => { c.Server.SlowLog.Reset(); c.Reply.Ok(); }),
        new("help", 2, Loading | Stale, c => Help(c, "SLOWLOG",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.")),
    ];

    private static readonly SubCommand[] LatencySubs =
    [
        new("latest", 2, Admin | NoScript | Loading | Stale, LatencyLatest),
        new("history", 3, Admin | NoScript | Loading | Stale, LatencyHistory),
        new("reset", -2, Admin | NoScript | Loading | Stale, LatencyReset),
        new("doctor", 2, Admin | NoScript | Loading | Stale, LatencyDoctor),
        new("graph", 3, Admin | NoScript | Loading | Stale, LatencyGraph),
        new("histogram", -2, Admin | NoScript | Loading | Stale, c => c.Reply.Map(0)),
        new("help", 2, Loading | Stale, c => Help(c, "LATENCY",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.")),
    ];

    private static readonly SubCommand[] MemorySubs =
    [
        new("usage", -3, ReadOnly, MemoryUsage),
        new("stats", 2, ReadOnly, MemoryStats),
        new("doctor", 2, ReadOnly, MemoryDoctor),
        new("malloc-stats", 2, ReadOnly, c => c.Reply.Bulk("Stats not supported for the current allocator"u8)),
        new("purge", 2, ReadOnly, c => { GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true); c.Reply.Ok(); }),
        new("help", 2, Loading | Stale, c => Help(c, "MEMORY",
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).")),
    ];

    private static void SlowlogGet(CommandContext c)
    {
        long count = 10;
        if (c.Count == 3)
        {
            count = c.Long(2, "ERR count should be greater than or equal to -1");
            if (count < -1)
            {
                c.Error("ERR count should be greater than or equal to -1");
                return;
            }
            if (count == -1)
                count = long.MaxValue;
        }
        else if (c.Count > 3)
        {
            WrongSubcommandArity(c);
            return;
        }
        LinkedList<SlowLogEntry> entries = c.Server.SlowLog.Entries;
        long n = Math.Min(count, entries.Count);
        c.Reply.Array(n);
        foreach (SlowLogEntry e in entries)
        {
            if (n-- == 0)
                break;
            c.Reply.Array(6);
            c.Reply.Integer(e.Id);
            c.Reply.Integer(e.Timestamp);
            c.Reply.Integer(e.Micros);
            c.Reply.Array(e.Args.Length);
            foreach (byte[] a in e.Args)
                c.Reply.Bulk(a);
            c.Reply.Bulk(e.Address);
            c.Reply.Bulk(e.Name);
        }
    }

    private static void LatencyLatest(CommandContext c)
    {
        Dictionary<string, LatencyEvent> events = c.Server.Latency.Events;
        c.Reply.Array(events.Count);
        foreach ((string name, LatencyEvent ev) in events)
        {
            (long time, long latency) = ev.Samples[^1];
            c.Reply.Array(4);
            c.Reply.Bulk(name);
            c.Reply.Integer(time);
            c.Reply.Integer(latency);
            c.Reply.Integer(ev.Max);
        }
    }

    private static void LatencyHistory(CommandContext c)
    {
        if (!c.Server.Latency.Events.TryGetValue(c.ArgString(2), out LatencyEvent? ev))
        {
            c.Reply.Array(0);
            return;
        }
        c.Reply.Array(ev.Samples.Count);
        foreach ((long time, long latency) in ev.Samples)
        {
            c.Reply.Array(2);
            c.Reply.Integer(time);
            c.Reply.Integer(latency);
        }
    }

    private static void LatencyReset(CommandContext c)
    {
        var names = new List<string>();
        for (int i = 2; i < c.Count; i++)
            names.Add(c.ArgString(i));
        c.Reply.Integer(c.Server.Latency.Reset(names));
    }

    private static void LatencyGraph(CommandContext c)
    {
        string name = c.ArgString(2);
        if (!c.Server.Latency.Events.TryGetValue(name, out LatencyEvent? ev))
        {
            c.Error($"ERR No samples available for event '{name}'");
            return;
        }
        // A compact text rendering (Redis draws a sparkline; the samples are what matter).
        var b = new StringBuilder();
        long latest = ev.Samples[^1].Latency;
        b.Append(CultureInfo.InvariantCulture, $"{name} - high {ev.Max} ms, low {ev.Samples.Min(s => s.Latency)} ms (all time high {ev.Max} ms)\n");
        b.Append(new string('-', 80)).Append('\n');
        foreach ((long time, long latency) in ev.Samples)
            b.Append(CultureInfo.InvariantCulture, $"{time} {latency} ms\n");
        b.Append(CultureInfo.InvariantCulture, $"latest {latest} ms\n");
        c.Reply.Bulk(b.ToString());
    }

    private static void LatencyDoctor(CommandContext c)
    {
        Dictionary<string, LatencyEvent> events = c.Server.Latency.Events;
        if (events.Count == 0)
        {
            c.Reply.Bulk("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep better tonight.\n");
            return;
        }
        var b = new StringBuilder("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        int i = 1;
        foreach ((string name, LatencyEvent ev) in events)
        {
            double avg = ev.Samples.Average(s => s.Latency);
            b.Append(CultureInfo.InvariantCulture, $"{i++}. {name}: {ev.Samples.Count} latency spikes (average {avg:0}ms, mean deviation 0ms, period 0 sec). Worst all time event {ev.Max}ms.\n");
        }
        b.Append("\nI have a few advices for you:\n\n- Check your slow log (SLOWLOG GET) for commands that take long; the latency-monitor-threshold is ")
            .Append(c.Server.Config.LatencyMonitorThreshold.ToString(CultureInfo.InvariantCulture)).Append(" milliseconds.\n");
        c.Reply.Bulk(b.ToString());
    }

    private static void MemoryUsage(CommandContext c)
    {
        if (c.Count == 5 && c.Is(3, "SAMPLES"u8))
        {
            long samples = c.Long(4);
            if (samples < 0)
            {
                c.Error(Errors.Syntax);
                return;
            }
        }
        else if (c.Count != 3)
        {
            c.Error(Errors.Syntax);
            return;
        }
        object? value = c.Db.Lookup(c[2], countStats: false);
        if (value is null)
        {
            c.Reply.Null();
            return;
        }
        c.Reply.Integer(RedisObject.MemoryUsage(c[2], value));
    }

    private static void MemoryStats(CommandContext c)
    {
        ServerContext s = c.Server;
        long used = s.SampleMemory();
        long keys = 0;
        var dbs = new List<Database>();
        foreach (Database db in s.Databases)
        {
            keys += db.Count;
            if (db.Count > 0)
                dbs.Add(db);
        }
        var w = c.Reply;
        w.Map(17 + dbs.Count);
        w.Bulk("peak.allocated"u8);
        w.Integer(Math.Max(used, s.PeakMemory));
        w.Bulk("total.allocated"u8);
        w.Integer(used);
        w.Bulk("startup.allocated"u8);
        w.Integer(0);
        w.Bulk("replication.backlog"u8);
        w.Integer(0);
        w.Bulk("clients.slaves"u8);
        w.Integer(0);
        w.Bulk("clients.normal"u8);
        w.Integer(s.Clients.Values.Sum(x => (long)x.Output.Length + x.QueryBufferLength));
        w.Bulk("cluster.links"u8);
        w.Integer(0);
        w.Bulk("aof.buffer"u8);
        w.Integer(0);
        w.Bulk("lua.caches"u8);
        w.Integer(0);
        w.Bulk("functions.caches"u8);
        w.Integer(0);
        foreach (Database db in dbs)
        {
            w.Bulk($"db.{db.Id}");
            w.Map(2);
            w.Bulk("overhead.hashtable.main"u8);
            w.Integer(db.Count * 24L);
            w.Bulk("overhead.hashtable.expires"u8);
            w.Integer(db.ExpiresCount * 24L);
        }
        w.Bulk("overhead.total"u8);
        w.Integer(0);
        w.Bulk("keys.count"u8);
        w.Integer(keys);
        w.Bulk("keys.bytes-per-key"u8);
        w.Integer(keys == 0 ? 0 : used / keys);
        w.Bulk("dataset.bytes"u8);
        w.Integer(used);
        w.Bulk("dataset.percentage"u8);
        w.Double(100);
        w.Bulk("peak.percentage"u8);
        w.Double(s.PeakMemory == 0 ? 100 : used * 100.0 / Math.Max(used, s.PeakMemory));
        w.Bulk("fragmentation"u8);
        w.Double(1);
    }

    private static void MemoryDoctor(CommandContext c)
    {
        long keys = c.Server.Databases.Sum(d => (long)d.Count);
        if (c.Server.UsedMemory() < 5 * 1024 * 1024 || keys == 0)
        {
            c.Reply.Bulk("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.");
            return;
        }
        c.Reply.Bulk("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
    }

    private static void Debug(CommandContext c)
    {
        if (!LocalOptionAllows(c, c.Server.Config.EnableDebugCommand))
        {
            c.Error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
            return;
        }
        if (c.Is(1, "HELP"u8) && c.Count == 2)
        {
            Help(c, "DEBUG",
                "OBJECT <key>",
                "    Show low level info about `key` and associated value.",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys named key:<num>. If <prefix> is specified then",
                "    it is used instead of the 'key' prefix. These are not propagated to",
                "    replicas. Cluster slots are not respected so keys not belonging to the",
                "    current node can be created in cluster mode.",
                "RELOAD [option ...]",
                "    Save the RDB on disk and reload it back to memory.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.");
        }
        else if (c.Is(1, "SLEEP"u8) && c.Count == 3)
        {
            double seconds = c.Double(2);
            // As Redis: the whole server stops (we hold the command lock).
            if (seconds > 0)
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
            c.Reply.Ok();
        }
        else if (c.Is(1, "OBJECT"u8) && c.Count == 3)
        {
            DebugObject(c);
        }
        else if (c.Is(1, "SET-ACTIVE-EXPIRE"u8) && c.Count == 3)
        {
            c.Server.ActiveExpireEnabled = c.Long(2) != 0;
            c.Reply.Ok();
        }
        else if (c.Is(1, "RELOAD"u8))
        {
            bool noSave = false;
            for (int i = 2; i < c.Count; i++)
            {
                if (c.Is(i, "NOSAVE"u8))
                {
                    noSave = true;
                }
                else
                {
                    c.Error("ERR DEBUG RELOAD only supports the NOSAVE option");
                    return;
                }
            }
            if (c.Server.Persister is not { } persister)
                c.Error("ERR persistence is not enabled in this server");
            else if (persister.DebugReload(noSave) is { } error)
                c.Error(error);
            else
                c.Reply.Ok();
        }
        else if (c.Is(1, "POPULATE"u8) && c.Count >= 3 && c.Count <= 5)
        {
            DebugPopulate(c);
        }
        else
        {
            string sub = Encoding.UTF8.GetString(c[1][..Math.Min(c[1].Length, 128)]);
            c.Error($"ERR unknown subcommand or wrong number of arguments for '{sub}'. Try DEBUG HELP.");
        }
    }

    private static void DebugObject(CommandContext c)
    {
        object? value = c.Db.Lookup(c[2], countStats: false);
        if (value is null)
        {
            c.Error(Errors.NoSuchKey);
            return;
        }
        long size = RedisObject.MemoryUsage(c[2], value);
        ref DbEntry entry = ref c.Db.Peek(c[2]);
        long idle = System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry) ? 0 : Math.Max(0, (c.Now / 1000 & 0xFFFFFF) - entry.Access);
        c.Reply.Simple($"Value at:0x{value.GetHashCode():x12} refcount:1 encoding:{RedisObject.EncodingOf(value)} serializedlength:{size} lru:{(c.Now / 1000) & 0xFFFFFF} lru_seconds_idle:{idle}");
    }

    private static void DebugPopulate(CommandContext c)
    {
        long count = c.Long(2, "ERR count is not an integer or out of range");
        if (count < 0)
        {
            c.Error("ERR count is not an integer or out of range");
            return;
        }
        string prefix = c.Count >= 4 ? c.ArgString(3) : "key";
        long size = 0;
        bool sized = false;
        if (c.Count == 5)
        {
            size = c.Long(4, "ERR size is not an integer or out of range");
            sized = true;
        }
        for (long i = 0; i < count; i++)
        {
            byte[] key = Encoding.UTF8.GetBytes($"{prefix}:{i}");
            if (c.Db.Exists(key))
                continue;
            byte[] value = Encoding.ASCII.GetBytes($"value:{i}");
            if (sized)
            {
                byte[] v = new byte[Math.Max(0, size)];
                value.AsSpan(0, Math.Min(value.Length, v.Length)).CopyTo(v);
                value = v;
            }
            c.Db.Add(key, value);
        }
        c.Reply.Ok();
    }
}
