using System.Runtime;
using Codis.Proxy.Stats;

namespace Codis.Proxy.Host;

public sealed partial class ProxyHost
{
    /// <summary>Build version reported by <c>--version</c> and the overview.</summary>
    public static string Version => "release3.2-dotnet @" + (typeof(ProxyHost).Assembly.GetName().Version?.ToString() ?? "0.0.0");

    /// <summary>Build information reported by <c>--version</c> and the overview.</summary>
    public static string Compile => ".NET " + Environment.Version + " " + System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    /// <summary>The stats JSON object for <paramref name="flags"/> (proxy.md §3.2).</summary>
    public ProxyStatsJson GetStats(StatsFlags flags)
    {
        bool online, closed;
        string[]? servers;
        Dictionary<int, string>? masters;
        lock (_lock)
        {
            online = _online && !_closed;
            closed = _closed;
            servers = closed ? null : _sentinelServers;
            masters = closed ? null : _sentinelMasters;
        }
        ProxyStats s = Stats;
        IReadOnlyList<OpStats>? cmds = null;
        if (flags.HasFlag(StatsFlags.Cmds))
        {
            var list = new List<OpStats>();
            foreach (CommandStats c in s.GetCommandStats())
            {
                list.Add(new OpStats
                {
                    OpStr = c.OpStr,
                    Calls = c.Calls,
                    Usecs = c.Usecs,
                    UsecsPercall = c.UsecsPerCall,
                    Fails = c.Fails,
                    RedisErrType = c.RedisErrType,
                });
            }
            list.Sort((a, b) => string.CompareOrdinal(a.OpStr, b.OpStr));
            cmds = list;
        }
        return new ProxyStatsJson
        {
            Online = online,
            Closed = closed,
            Sentinels = new SentinelStats
            {
                Servers = servers,
                Masters = masters?.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value),
                Switched = Router.HasSwitchedSlots(),
            },
            Ops = new OpsStats
            {
                Total = s.OpsTotal,
                Fails = s.OpsFails,
                Redis = new RedisErrorStats { Errors = s.OpsRedisErrors },
                Qps = s.Qps,
                Cmd = cmds,
            },
            Sessions = new SessionStats { Total = s.SessionsTotal, Alive = s.SessionsAlive },
            Rusage = _usage?.Current ?? new RusageStats(),
            Backend = new BackendStats { PrimaryOnly = Config.BackendPrimaryOnly },
            Runtime = flags.HasFlag(StatsFlags.Runtime) ? ReadRuntime() : null,
        };
    }

    /// <summary>The overview of <c>GET /proxy</c> for <paramref name="flags"/>.</summary>
    public ProxyOverview GetOverview(StatsFlags flags) => new()
    {
        Version = Version,
        Compile = Compile,
        Config = Config,
        Model = Model,
        Stats = GetStats(flags),
        Slots = flags.HasFlag(StatsFlags.Slots) ? Slots() : null,
    };

    /// <summary>The nearest .NET equivalents of Go's runtime numbers.</summary>
    public static RuntimeStats ReadRuntime()
    {
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        long inUse = GC.GetTotalMemory(false);
        long allocated = GC.GetTotalAllocatedBytes();
        TimeSpan paused = GC.GetTotalPauseDuration();
        TimeSpan uptime = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;
        return new RuntimeStats
        {
            General = new RuntimeGeneral
            {
                Alloc = inUse,
                Sys = gc.TotalCommittedBytes,
                Mallocs = allocated,
                Frees = Math.Max(0, allocated - inUse),
            },
            Heap = new RuntimeHeap
            {
                Alloc = inUse,
                Sys = gc.TotalCommittedBytes,
                Idle = Math.Max(0, gc.TotalCommittedBytes - gc.HeapSizeBytes),
                Inuse = gc.HeapSizeBytes,
                Objects = gc.PinnedObjectsCount,
            },
            Gc = new RuntimeGc
            {
                Num = GC.CollectionCount(0),
                CpuFraction = uptime > TimeSpan.Zero ? paused / uptime : 0,
                TotalPauseMs = (long)paused.TotalMilliseconds,
            },
            NumProcs = Environment.ProcessorCount,
            NumGoroutines = ThreadPool.ThreadCount,
            NumCgoCall = 0,
            MemOffheap = 0,
        };
    }

    /// <summary>A full collection (<c>PUT /api/proxy/forcegc</c>).</summary>
    public static void ForceGc()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
