using System.Globalization;

namespace Codis.Server.Config;

/// <summary>Redis's memory-size syntax: a number with an optional unit (k/kb/m/mb/g/gb, case-insensitive).</summary>
public static class MemorySize
{
    /// <summary>
    /// Parses "100", "1k" (1000), "1kb" (1024), "5mb", "2GB". As in Redis, single-letter units are powers
    /// of 1000 and two-letter ones powers of 1024.
    /// </summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string s = text.Trim().ToLowerInvariant();
        long mul = 1;
        (string Suffix, long Mul)[] units = [("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024L * 1024 * 1024), ("k", 1000), ("m", 1000 * 1000), ("g", 1000L * 1000 * 1000), ("b", 1)];
        foreach ((string suffix, long m) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s[..^suffix.Length];
                mul = m;
                break;
            }
        }
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
            return false;
        try
        {
            bytes = checked(n * mul);
        }
        catch (OverflowException)
        {
            return false;
        }
        return true;
    }
}
