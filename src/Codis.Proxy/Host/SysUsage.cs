using System.Diagnostics;
using System.Globalization;

namespace Codis.Proxy.Host;

/// <summary>
/// Samples <c>/proc/self/stat</c> once a second for the <c>rusage</c> stats (proxy.md §3.2): CPU share over the
/// last second, resident memory, and the raw counters.
/// </summary>
public sealed class SysUsage : IDisposable
{
    private static readonly long PageSize = Environment.SystemPageSize;

    // USER_HZ is 100 on every Linux the proxy targets.
    private const long NanosPerTick = 10_000_000;

    private readonly Timer _timer;
    private RawUsage? _last;
    private long _lastStamp;
    private volatile RusageStats _current = new();

    /// <summary>Starts sampling (first sample now).</summary>
    public SysUsage()
    {
        Sample();
        _timer = new Timer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The last sample.</summary>
    public RusageStats Current => _current;

    /// <inheritdoc/>
    public void Dispose() => _timer.Dispose();

    /// <summary>Reads <c>/proc/self/stat</c>; null where it does not exist.</summary>
    public static RawUsage? ReadRaw()
    {
        string text;
        try
        {
            text = File.ReadAllText("/proc/self/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may contain spaces: split after its end.
        int close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        string[] f = text[(close + 2)..].Split(' ');
        // f[0] is field 3 (state); field n is f[n - 3].
        static long At(string[] f, int field) =>
            f.Length > field - 3 && long.TryParse(f[field - 3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : 0;
        return new RawUsage
        {
            UTime = At(f, 14) * NanosPerTick,
            STime = At(f, 15) * NanosPerTick,
            CUTime = At(f, 16) * NanosPerTick,
            CSTime = At(f, 17) * NanosPerTick,
            NumThreads = At(f, 20),
            VmSize = At(f, 23),
            VmRss = At(f, 24) * PageSize,
        };
    }

    private void Sample()
    {
        RawUsage? raw = ReadRaw();
        long stamp = Stopwatch.GetTimestamp();
        double cpu = 0;
        if (raw is not null && _last is not null)
        {
            double wallNs = Stopwatch.GetElapsedTime(_lastStamp, stamp).TotalMilliseconds * 1e6;
            long used = raw.UTime + raw.STime - _last.UTime - _last.STime;
            if (wallNs > 0)
                cpu = used / wallNs;
        }
        _last = raw;
        _lastStamp = stamp;
        _current = new RusageStats
        {
            Now = GoTime.Now(),
            Cpu = cpu,
            Mem = raw?.VmRss ?? Environment.WorkingSet,
            Raw = raw,
        };
    }
}
