using System.Globalization;
using System.Text;

namespace Codis.Core.Config;

/// <summary>
/// A duration written the Codis way (<c>pkg/utils/timesize</c>): a number with one optional unit
/// (<c>ns</c>, <c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>); without a unit the number is seconds.
/// Kept in nanoseconds, as Go's <c>time.Duration</c>, so values round-trip exactly.
/// </summary>
/// <param name="Nanoseconds">The length in nanoseconds.</param>
[System.Text.Json.Serialization.JsonConverter(typeof(DurationJsonConverter))]
public readonly record struct Duration(long Nanoseconds)
{
    private const long Microsecond = 1000;
    private const long Millisecond = 1000 * Microsecond;
    private const long Second = 1000 * Millisecond;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;

    /// <summary>Zero.</summary>
    public static Duration Zero => default;

    /// <summary>True for a zero duration (Codis's "disabled").</summary>
    public bool IsZero => Nanoseconds == 0;

    /// <summary>The duration as a <see cref="TimeSpan"/> (100 ns resolution).</summary>
    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Nanoseconds / 100);

    /// <summary>A duration of whole seconds.</summary>
    public static Duration FromSeconds(long seconds) => new(seconds * Second);

    /// <summary>A duration of whole milliseconds.</summary>
    public static Duration FromMilliseconds(long ms) => new(ms * Millisecond);

    /// <summary>Parses <c>[spaces] number [spaces] [unit] [spaces]</c>.</summary>
    /// <exception cref="FormatException"><c>invalid timesize</c>, or the unit error of the duration parser.</exception>
    public static Duration Parse(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim(' ');
        int i = 0;
        if (i < s.Length && s[i] == '-')
            i++;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            i++;
        ReadOnlySpan<char> number = s[..i];
        ReadOnlySpan<char> unit = s[i..].TrimStart(' ');
        if (number.Length == 0 || (number.Length == 1 && number[0] == '-'))
            throw new FormatException("invalid timesize");
        foreach (char c in unit)
        {
            if (!char.IsAsciiLetterLower(c))
                throw new FormatException("invalid timesize");
        }
        if (unit.Length == 0)
        {
            if (!number.Contains('.'))
            {
                if (!long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
                    || n > long.MaxValue / Second || n < long.MinValue / Second)
                {
                    throw new FormatException("invalid timesize");
                }
                return new Duration(n * Second);
            }
            return new Duration(Scale(number, Second, text));
        }
        long scale = unit switch
        {
            "ns" => 1,
            "us" => Microsecond,
            "ms" => Millisecond,
            "s" => Second,
            "m" => Minute,
            "h" => Hour,
            _ => throw new FormatException($"time: unknown unit \"{unit}\" in duration \"{number}{unit}\""),
        };
        return new Duration(Scale(number, scale, text));
    }

    private static long Scale(ReadOnlySpan<char> number, long scale, string text)
    {
        if (number.IndexOf('.') != number.LastIndexOf('.') || number.EndsWith("-.") || number.SequenceEqual("."))
            throw new FormatException($"time: invalid duration \"{text.Trim()}\"");
        if (!double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double f))
            throw new FormatException("invalid timesize");
        double v = Math.Round(f * scale);
        if (v >= 9.2233720368547758E18 || v < -9.2233720368547758E18)
            throw new FormatException($"time: invalid duration \"{text.Trim()}\"");
        return (long)v;
    }

    /// <summary>The Codis text form: <c>"0"</c>, the largest exact unit (<c>"30m"</c>, <c>"5s"</c>), else Go's duration text.</summary>
    public override string ToString()
    {
        long d = Nanoseconds;
        if (d == 0)
            return "0";
        long abs = d == long.MinValue ? long.MaxValue : Math.Abs(d);
        string Fmt(long unit, string name) => (d / unit).ToString(CultureInfo.InvariantCulture) + name;
        return abs % Hour == 0 ? Fmt(Hour, "h")
            : abs % Minute == 0 ? Fmt(Minute, "m")
            : abs % Second == 0 ? Fmt(Second, "s")
            : abs % Millisecond == 0 ? Fmt(Millisecond, "ms")
            : abs % Microsecond == 0 ? Fmt(Microsecond, "us")
            : GoString(d);
    }

    /// <summary>Go's <c>time.Duration.String()</c> (e.g. <c>1.5µs</c>, <c>1m0.000000001s</c>).</summary>
    internal static string GoString(long d)
    {
        if (d == 0)
            return "0s";
        var sb = new StringBuilder();
        ulong u = d < 0 ? (ulong)(-(d + 1)) + 1 : (ulong)d;
        if (u < (ulong)Second)
        {
            (ulong unit, string name) = u < (ulong)Microsecond ? (1UL, "ns") : u < (ulong)Millisecond ? ((ulong)Microsecond, "µs") : ((ulong)Millisecond, "ms");
            sb.Append(Fraction(u, unit)).Append(name);
        }
        else
        {
            ulong hours = u / (ulong)Hour;
            ulong rest = u % (ulong)Hour;
            ulong minutes = rest / (ulong)Minute;
            rest %= (ulong)Minute;
            if (hours > 0)
                sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
            if (hours > 0 || minutes > 0)
                sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
            sb.Append(Fraction(rest, (ulong)Second)).Append('s');
        }
        return d < 0 ? "-" + sb : sb.ToString();
    }

    private static string Fraction(ulong v, ulong unit)
    {
        string whole = (v / unit).ToString(CultureInfo.InvariantCulture);
        ulong frac = v % unit;
        if (frac == 0)
            return whole;
        int digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole + "." + frac.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }
}
