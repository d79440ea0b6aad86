using System.Globalization;
using Codis.Proxy.Host;

namespace Codis.Proxy.Metrics;

/// <summary>The fields reported to InfluxDB and StatsD (proxy.md §13), in the spec's order.</summary>
public static class MetricFields
{
    /// <summary>Reads the fields from the current stats.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Read(ProxyStatsJson stats, RuntimeStats runtime) =>
    [
        new("ops_total", stats.Ops.Total),
        new("ops_fails", stats.Ops.Fails),
        new("ops_redis_errors", stats.Ops.Redis.Errors),
        new("ops_qps", stats.Ops.Qps),
        new("sessions_total", stats.Sessions.Total),
        new("sessions_alive", stats.Sessions.Alive),
        new("rusage_mem", stats.Rusage.Mem),
        new("rusage_cpu", stats.Rusage.Cpu),
        new("runtime_gc_num", runtime.Gc.Num),
        new("runtime_gc_total_pausems", runtime.Gc.TotalPauseMs),
        new("runtime_num_procs", runtime.NumProcs),
        new("runtime_num_goroutines", runtime.NumGoroutines),
        new("runtime_num_cgo_call", runtime.NumCgoCall),
        new("runtime_num_mem_offheap", runtime.MemOffheap),
    ];

    /// <summary>A number as InfluxDB/StatsD text: integers without a decimal point, others round-trip.</summary>
    public static string Number(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e15 ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture);
}
