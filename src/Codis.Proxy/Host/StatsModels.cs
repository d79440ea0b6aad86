using System.Text.Json.Serialization;
using Codis.Core.Json;
using Codis.Core.Topology;
using Codis.Proxy.Config;

namespace Codis.Proxy.Host;

/// <summary>Bits of the stats flags (<c>/api/proxy/stats/:xauth/:flags</c>, proxy.md §2).</summary>
[Flags]
public enum StatsFlags : uint
{
    /// <summary>Counters only.</summary>
    None = 0,

    /// <summary>The per-command table <c>ops.cmd</c>.</summary>
    Cmds = 1,

    /// <summary>The slots (overview only).</summary>
    Slots = 2,

    /// <summary>The <c>runtime</c> object.</summary>
    Runtime = 4,

    /// <summary>Everything (<c>GET /proxy</c>, <c>GET /proxy/stats</c>).</summary>
    Full = uint.MaxValue,
}

/// <summary>The overview of <c>GET /proxy</c> (proxy.md §3.1).</summary>
public sealed record ProxyOverview
{
    /// <summary>Build version.</summary>
    [JsonPropertyName("version")]
    public string Version { get; init; } = "";

    /// <summary>Build information.</summary>
    [JsonPropertyName("compile")]
    public string Compile { get; init; } = "";

    /// <summary>The configuration (secrets never included).</summary>
    [JsonPropertyName("config"), OmitEmpty]
    public ProxyConfig? Config { get; init; }

    /// <summary>The proxy model.</summary>
    [JsonPropertyName("model"), OmitEmpty]
    public ProxyModel? Model { get; init; }

    /// <summary>The stats.</summary>
    [JsonPropertyName("stats"), OmitEmpty]
    public ProxyStatsJson? Stats { get; init; }

    /// <summary>The slots, with the Slots flag.</summary>
    [JsonPropertyName("slots"), OmitEmpty]
    public IReadOnlyList<Slot>? Slots { get; init; }
}

/// <summary>The stats JSON (proxy.md §3.2), key for key.</summary>
public sealed record ProxyStatsJson
{
    /// <summary>Started.</summary>
    [JsonPropertyName("online")]
    public bool Online { get; init; }

    /// <summary>Closing.</summary>
    [JsonPropertyName("closed")]
    public bool Closed { get; init; }

    /// <summary>Sentinel state.</summary>
    [JsonPropertyName("sentinels")]
    public SentinelStats Sentinels { get; init; } = new();

    /// <summary>Request counters.</summary>
    [JsonPropertyName("ops")]
    public OpsStats Ops { get; init; } = new();

    /// <summary>Session counters.</summary>
    [JsonPropertyName("sessions")]
    public SessionStats Sessions { get; init; } = new();

    /// <summary>Process resource usage.</summary>
    [JsonPropertyName("rusage")]
    public RusageStats Rusage { get; init; } = new();

    /// <summary>Backend settings.</summary>
    [JsonPropertyName("backend")]
    public BackendStats Backend { get; init; } = new();

    /// <summary>Runtime numbers, with the Runtime flag.</summary>
    [JsonPropertyName("runtime"), OmitEmpty]
    public RuntimeStats? Runtime { get; init; }
}

/// <summary><c>sentinels</c> of the stats.</summary>
public sealed record SentinelStats
{
    /// <summary>Sentinel list set by the dashboard.</summary>
    [JsonPropertyName("servers"), OmitEmpty]
    public IReadOnlyList<string>? Servers { get; init; }

    /// <summary>Masters last learned from sentinels, by group id.</summary>
    [JsonPropertyName("masters"), OmitEmpty]
    public IReadOnlyDictionary<string, string>? Masters { get; init; }

    /// <summary>Some slot was re-pointed by a sentinel switch.</summary>
    [JsonPropertyName("switched"), OmitEmpty]
    public bool Switched { get; init; }
}

/// <summary><c>ops</c> of the stats.</summary>
public sealed record OpsStats
{
    /// <summary>Requests decoded.</summary>
    [JsonPropertyName("total")]
    public long Total { get; init; }

    /// <summary>Failures.</summary>
    [JsonPropertyName("fails")]
    public long Fails { get; init; }

    /// <summary>Error replies.</summary>
    [JsonPropertyName("redis")]
    public RedisErrorStats Redis { get; init; } = new();

    /// <summary>Requests per second.</summary>
    [JsonPropertyName("qps")]
    public long Qps { get; init; }

    /// <summary>Per-command table, sorted by name, with the Cmds flag.</summary>
    [JsonPropertyName("cmd"), OmitEmpty]
    public IReadOnlyList<OpStats>? Cmd { get; init; }
}

/// <summary><c>ops.redis</c>.</summary>
public sealed record RedisErrorStats
{
    /// <summary>Error replies written to clients.</summary>
    [JsonPropertyName("errors")]
    public long Errors { get; init; }
}

/// <summary>One entry of <c>ops.cmd</c>.</summary>
public sealed record OpStats
{
    /// <summary>Upper-case command name.</summary>
    [JsonPropertyName("opstr")]
    public string OpStr { get; init; } = "";

    /// <summary>Calls.</summary>
    [JsonPropertyName("calls")]
    public long Calls { get; init; }

    /// <summary>Total microseconds.</summary>
    [JsonPropertyName("usecs")]
    public long Usecs { get; init; }

    /// <summary>Microseconds per call.</summary>
    [JsonPropertyName("usecs_percall")]
    public long UsecsPercall { get; init; }

    /// <summary>Failures.</summary>
    [JsonPropertyName("fails")]
    public long Fails { get; init; }

    /// <summary>Error replies.</summary>
    [JsonPropertyName("redis_errtype")]
    public long RedisErrType { get; init; }
}

/// <summary><c>sessions</c> of the stats.</summary>
public sealed record SessionStats
{
    /// <summary>Connections ever accepted.</summary>
    [JsonPropertyName("total")]
    public long Total { get; init; }

    /// <summary>Open sessions.</summary>
    [JsonPropertyName("alive")]
    public long Alive { get; init; }
}

/// <summary><c>rusage</c> of the stats.</summary>
public sealed record RusageStats
{
    /// <summary>Time of the last sample (Go time string).</summary>
    [JsonPropertyName("now")]
    public string Now { get; init; } = "";

    /// <summary>CPU used during the last sample / wall time.</summary>
    [JsonPropertyName("cpu")]
    public double Cpu { get; init; }

    /// <summary>Resident set size, bytes.</summary>
    [JsonPropertyName("mem")]
    public long Mem { get; init; }

    /// <summary>Raw numbers of <c>/proc/self/stat</c>.</summary>
    [JsonPropertyName("raw"), OmitEmpty]
    public RawUsage? Raw { get; init; }
}

/// <summary><c>rusage.raw</c>: cumulative CPU times in nanoseconds, sizes in bytes.</summary>
public sealed record RawUsage
{
    /// <summary>User CPU, ns.</summary>
    [JsonPropertyName("utime")]
    public long UTime { get; init; }

    /// <summary>System CPU, ns.</summary>
    [JsonPropertyName("stime")]
    public long STime { get; init; }

    /// <summary>Children's user CPU, ns.</summary>
    [JsonPropertyName("cutime")]
    public long CUTime { get; init; }

    /// <summary>Children's system CPU, ns.</summary>
    [JsonPropertyName("cstime")]
    public long CSTime { get; init; }

    /// <summary>Threads.</summary>
    [JsonPropertyName("num_threads")]
    public long NumThreads { get; init; }

    /// <summary>Virtual size, bytes.</summary>
    [JsonPropertyName("vm_size")]
    public long VmSize { get; init; }

    /// <summary>Resident size, bytes.</summary>
    [JsonPropertyName("vm_rss")]
    public long VmRss { get; init; }
}

/// <summary><c>backend</c> of the stats.</summary>
public sealed record BackendStats
{
    /// <summary>The <c>backend_primary_only</c> config.</summary>
    [JsonPropertyName("primary_only")]
    public bool PrimaryOnly { get; init; }
}

/// <summary>
/// <c>runtime</c> of the stats: Go runtime numbers in the original, filled here with the nearest .NET
/// equivalents (every key present).
/// </summary>
public sealed record RuntimeStats
{
    /// <summary>General memory numbers.</summary>
    [JsonPropertyName("general")]
    public RuntimeGeneral General { get; init; } = new();

    /// <summary>Heap numbers.</summary>
    [JsonPropertyName("heap")]
    public RuntimeHeap Heap { get; init; } = new();

    /// <summary>Garbage collector numbers.</summary>
    [JsonPropertyName("gc")]
    public RuntimeGc Gc { get; init; } = new();

    /// <summary>Processors available.</summary>
    [JsonPropertyName("num_procs")]
    public int NumProcs { get; init; }

    /// <summary>Thread-pool threads (Go: goroutines).</summary>
    [JsonPropertyName("num_goroutines")]
    public int NumGoroutines { get; init; }

    /// <summary>Always 0.</summary>
    [JsonPropertyName("num_cgo_call")]
    public long NumCgoCall { get; init; }

    /// <summary>Off-heap buffer bytes (0: buffers are pooled on the managed heap).</summary>
    [JsonPropertyName("mem_offheap")]
    public long MemOffheap { get; init; }
}

/// <summary><c>runtime.general</c>.</summary>
public sealed record RuntimeGeneral
{
    /// <summary>Bytes allocated and in use.</summary>
    [JsonPropertyName("alloc")]
    public long Alloc { get; init; }

    /// <summary>Bytes obtained from the system.</summary>
    [JsonPropertyName("sys")]
    public long Sys { get; init; }

    /// <summary>Always 0.</summary>
    [JsonPropertyName("lookups")]
    public long Lookups { get; init; }

    /// <summary>Total bytes ever allocated (Go counts objects).</summary>
    [JsonPropertyName("mallocs")]
    public long Mallocs { get; init; }

    /// <summary>Bytes freed (allocated minus in use).</summary>
    [JsonPropertyName("frees")]
    public long Frees { get; init; }
}

/// <summary><c>runtime.heap</c>.</summary>
public sealed record RuntimeHeap
{
    /// <summary>Heap bytes in use.</summary>
    [JsonPropertyName("alloc")]
    public long Alloc { get; init; }

    /// <summary>Committed heap bytes.</summary>
    [JsonPropertyName("sys")]
    public long Sys { get; init; }

    /// <summary>Committed but unused bytes.</summary>
    [JsonPropertyName("idle")]
    public long Idle { get; init; }

    /// <summary>Heap size after the last collection.</summary>
    [JsonPropertyName("inuse")]
    public long Inuse { get; init; }

    /// <summary>Objects pinned (the nearest count .NET exposes cheaply).</summary>
    [JsonPropertyName("objects")]
    public long Objects { get; init; }
}

/// <summary><c>runtime.gc</c>.</summary>
public sealed record RuntimeGc
{
    /// <summary>Collections so far.</summary>
    [JsonPropertyName("num")]
    public long Num { get; init; }

    /// <summary>Share of the process lifetime spent paused by the GC.</summary>
    [JsonPropertyName("cpu_fraction")]
    public double CpuFraction { get; init; }

    /// <summary>Total pause, ms.</summary>
    [JsonPropertyName("total_pausems")]
    public long TotalPauseMs { get; init; }
}
