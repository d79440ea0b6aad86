using System.Diagnostics;
using System.Globalization;

namespace Codis.Cluster.Hosting;

/// <summary>Go's <c>time.Time.String()</c> format, e.g. <c>2026-11-25 04:13:52.830588864 +0000 UTC m=+0.012477737</c>.</summary>
public static class GoTime
{
    private static readonly long StartStamp = Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks;

    /// <summary>Now, with the monotonic reading Go appends (seconds since the process started).</summary>
    public static string Now() => Format(DateTimeOffset.Now, TimeSpan.FromTicks(DateTime.UtcNow.Ticks - StartStamp));

    /// <summary>Formats a time with an optional monotonic reading.</summary>
    public static string Format(DateTimeOffset t, TimeSpan? monotonic = null)
    {
        string frac = t.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        TimeSpan off = t.Offset;
        string sign = off < TimeSpan.Zero ? "-" : "+";
        string offset = sign + Math.Abs(off.Hours).ToString("00", CultureInfo.InvariantCulture) + Math.Abs(off.Minutes).ToString("00", CultureInfo.InvariantCulture);
        string zone = off == TimeSpan.Zero ? "UTC" : offset;
        string s = t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (frac.Length > 0 ? "." + frac : "") + " " + offset + " " + zone;
        if (monotonic is { } m)
        {
            double secs = m.TotalSeconds;
            s += " m=" + (secs < 0 ? "-" : "+") + Math.Abs(secs).ToString("0.000000000", CultureInfo.InvariantCulture);
        }
        return s;
    }
}
