using System.Buffers.Text;
using Codis.Core.Resp;

namespace Codis.Server.Persistence;

/// <summary>Number/text conversions with Redis's exact rules, shared by the RDB writer and reader.</summary>
internal static class RdbText
{
    // 2^52 - 1 and 2^52: inside this open interval Redis prints integral doubles as integers.
    private const double IntegralMin = -4503599627370495;
    private const double IntegralMax = 4503599627370496;

    /// <summary>
    /// Redis's <c>string2ll</c>: the whole input is the canonical decimal form of a 64-bit integer
    /// (no sign other than a leading '-', no leading zeros, no "-0", no spaces).
    /// </summary>
    public static bool TryParseCanonicalLong(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
            return false;
        if (s.Length == 1 && s[0] == (byte)'0')
            return true;
        int i = 0;
        bool negative = false;
        if (s[0] == (byte)'-')
        {
            negative = true;
            i = 1;
            if (s.Length == 1)
                return false;
        }
        if (s[i] < (byte)'1' || s[i] > (byte)'9')
            return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d > 9)
                return false;
            if (v > (ulong.MaxValue - d) / 10)
                return false;
            v = v * 10 + d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
                return false;
            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue)
                return false;
            value = (long)v;
        }
        return true;
    }

    /// <summary>The decimal text of <paramref name="value"/>.</summary>
    public static byte[] FormatLong(long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, buffer, out int written);
        return buffer[..written].ToArray();
    }

    /// <summary>
    /// Redis 3.2's <c>d2string</c>, used for ziplist zset scores: "inf"/"-inf", "0"/"-0", integral values
    /// below 2^52 as integers, anything else as <c>%.17g</c>.
    /// </summary>
    public static string FormatScore(double value)
    {
        if (double.IsPositiveInfinity(value))
            return "inf";
        if (double.IsNegativeInfinity(value))
            return "-inf";
        if (value == 0)
            return double.IsNegative(value) ? "-0" : "0";
        return FormatFinite(value);
    }

    /// <summary>
    /// The text of Redis 3.2's <c>rdbSaveDoubleValue</c> for a finite value (negative zero prints as "0").
    /// </summary>
    public static string FormatFinite(double value)
    {
        if (value > IntegralMin && value < IntegralMax && value == Math.Truncate(value))
            return ((long)value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ReplyWriter.PrintfG17(value);
    }
}
