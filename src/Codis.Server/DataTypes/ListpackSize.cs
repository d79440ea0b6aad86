namespace Codis.Server.DataTypes;

/// <summary>
/// The bytes Redis 7's listpack spends on one element, without building it: the encoding chosen as
/// listpack.c chooses it (a string that is a canonical 64-bit integer is stored as an integer), plus the
/// back-length that lets the listpack be walked backwards.
/// </summary>
public static class ListpackSize
{
    /// <summary>The header (total bytes, element count) and the end marker of an empty listpack.</summary>
    public const long Empty = 6 + 1;

    /// <summary>The largest listpack Redis lets a stream node grow to (STREAM_LISTPACK_MAX_SIZE).</summary>
    public const long MaxStreamNode = 1L << 30;

    /// <summary>The size of the integer element <paramref name="v"/>.</summary>
    public static long Integer(long v)
    {
        long encoded = v switch
        {
            >= 0 and <= 127 => 1,
            >= -4096 and <= 4095 => 2,
            >= short.MinValue and <= short.MaxValue => 3,
            >= -8388608 and <= 8388607 => 4,
            >= int.MinValue and <= int.MaxValue => 5,
            _ => 9,
        };
        return encoded + 1;
    }

    /// <summary>The size of the element <paramref name="s"/> (an integer when it reads as one).</summary>
    public static long String(ReadOnlySpan<byte> s)
    {
        if (TryParseInteger(s, out long v))
            return Integer(v);
        long encoded = s.Length < 64 ? 1 + s.Length : s.Length < 4096 ? 2 + s.Length : 5L + s.Length;
        return encoded + Backlen(encoded);
    }

    private static long Backlen(long encoded) => encoded switch
    {
        <= 127 => 1,
        < 16383 => 2,
        < 2097151 => 3,
        < 268435455 => 4,
        _ => 5,
    };

    // lpStringToInt64: no sign other than a leading '-', no leading zeros, no "-0", within 64 bits.
    private static bool TryParseInteger(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
            return false;
        if (s.Length == 1 && s[0] == (byte)'0')
            return true;
        bool negative = s[0] == (byte)'-';
        int i = negative ? 1 : 0;
        if (i >= s.Length || s[i] < (byte)'1' || s[i] > (byte)'9')
            return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d > 9 || v > (ulong.MaxValue - d) / 10)
                return false;
            v = v * 10 + d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
                return false;
            value = unchecked(-(long)v);
            return true;
        }
        if (v > long.MaxValue)
            return false;
        value = (long)v;
        return true;
    }
}
