using System.Globalization;
using System.Numerics;

namespace Codis.Server.DataTypes;

/// <summary>
/// Parses scores the way Redis 7.0 does, which is C's <c>strtod</c> plus two different sets of checks:
/// <see cref="TryParseScore"/> for ZADD / ZINCRBY / weights (Redis <c>string2d</c>) and
/// <see cref="TryParseRangeBound"/> for ZRANGEBYSCORE / ZCOUNT bounds (Redis <c>zslParseRange</c>).
/// </summary>
public static class ScoreParser
{
    /// <summary>
    /// Parses a score argument: the whole argument must be a number (decimal, hexadecimal <c>0x1p3</c>,
    /// <c>inf</c>, <c>infinity</c>, optionally signed). Empty input, leading white space, trailing bytes,
    /// NaN, and overflow or underflow to zero are rejected ("value is not a valid float").
    /// </summary>
    public static bool TryParseScore(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || IsCSpace(text[0]))
            return false;
        value = Strtod(text, out int consumed, out bool rangeError);
        if (consumed != text.Length || double.IsNaN(value))
            return false;
        return !(rangeError && (double.IsInfinity(value) || value == 0));
    }

    /// <summary>
    /// Parses one bound of a score range: <c>(</c> makes it exclusive, the rest goes through
    /// <c>strtod</c> which, unlike <see cref="TryParseScore"/>, skips leading white space, accepts
    /// overflow to infinity, stops at an embedded NUL and reads an empty remainder as 0. NaN is rejected.
    /// </summary>
    public static bool TryParseRangeBound(ReadOnlySpan<byte> text, out double value, out bool exclusive)
    {
        exclusive = false;
        if (!text.IsEmpty && text[0] == (byte)'(')
        {
            exclusive = true;
            text = text[1..];
        }

        // C sees the argument as a NUL-terminated string, so anything after a NUL does not exist.
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            text = text[..nul];
        value = Strtod(text, out int consumed, out _);
        return consumed == text.Length && !double.IsNaN(value);
    }

    /// <summary>
    /// glibc <c>strtod</c> in the C locale: returns the value of the longest numeric prefix (after
    /// optional white space), how many bytes it used (0 when there is no number), and whether the
    /// result overflowed or underflowed to zero (<c>ERANGE</c>).
    /// </summary>
    public static double Strtod(ReadOnlySpan<byte> text, out int consumed, out bool rangeError)
    {
        consumed = 0;
        rangeError = false;
        int i = 0;
        while (i < text.Length && IsCSpace(text[i]))
            i++;
        bool negative = false;
        if (i < text.Length && (text[i] == (byte)'+' || text[i] == (byte)'-'))
        {
            negative = text[i] == (byte)'-';
            i++;
        }

        double magnitude;
        int end;
        if (StartsWithIgnoreCase(text[i..], "infinity"u8))
        {
            magnitude = double.PositiveInfinity;
            end = i + 8;
        }
        else if (StartsWithIgnoreCase(text[i..], "inf"u8))
        {
            magnitude = double.PositiveInfinity;
            end = i + 3;
        }
        else if (StartsWithIgnoreCase(text[i..], "nan"u8))
        {
            end = i + 3;
            // "nan(n-char-sequence)" is consumed whole when the parenthesis closes.
            if (end < text.Length && text[end] == (byte)'(')
            {
                int j = end + 1;
                while (j < text.Length && (IsAsciiAlnum(text[j]) || text[j] == (byte)'_'))
                    j++;
                if (j < text.Length && text[j] == (byte)')')
                    end = j + 1;
            }

            consumed = end;
            return double.NaN;
        }
        else if (i + 1 < text.Length && text[i] == (byte)'0' && (text[i + 1] | 0x20) == (byte)'x'
                 && TryParseHex(text, i + 2, out magnitude, out end, out rangeError))
        {
        }
        else if (!TryParseDecimal(text, i, out magnitude, out end, out rangeError))
        {
            return 0;
        }

        consumed = end;
        return negative ? -magnitude : magnitude;
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> text, int start, out double value, out int end, out bool rangeError)
    {
        value = 0;
        rangeError = false;
        int i = start;
        bool anyDigit = false, nonZeroDigit = false;
        while (i < text.Length && IsDigit(text[i]))
        {
            nonZeroDigit |= text[i] != (byte)'0';
            anyDigit = true;
            i++;
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            while (i < text.Length && IsDigit(text[i]))
            {
                nonZeroDigit |= text[i] != (byte)'0';
                anyDigit = true;
                i++;
            }
        }

        end = i;
        if (!anyDigit)
            return false;
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            int j = i + 1;
            if (j < text.Length && (text[j] == (byte)'+' || text[j] == (byte)'-'))
                j++;
            if (j < text.Length && IsDigit(text[j]))
            {
                while (j < text.Length && IsDigit(text[j]))
                    j++;
                end = j;
            }
        }

        // .NET's parser is correctly rounded like glibc's and returns infinity on overflow. A very long
        // exponent can make it reject the text, so clamp by meaning rather than failing.
        var literal = text[start..end];
        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            value = nonZeroDigit && ExponentIsPositive(literal) ? double.PositiveInfinity : 0;
        if (!nonZeroDigit)
            value = 0;
        rangeError = double.IsInfinity(value) || (value == 0 && nonZeroDigit);
        return true;
    }

    private static bool ExponentIsPositive(ReadOnlySpan<byte> literal)
    {
        int e = literal.IndexOfAny((byte)'e', (byte)'E');
        return e < 0 || e + 1 >= literal.Length || literal[e + 1] != (byte)'-';
    }

    private static bool TryParseHex(ReadOnlySpan<byte> text, int start, out double value, out int end, out bool rangeError)
    {
        value = 0;
        end = start;
        rangeError = false;
        BigInteger mantissa = BigInteger.Zero;
        long exponent = 0;
        bool anyDigit = false;
        int i = start;
        while (i < text.Length && HexValue(text[i]) >= 0)
        {
            mantissa = (mantissa << 4) + HexValue(text[i]);
            anyDigit = true;
            i++;
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            while (i < text.Length && HexValue(text[i]) >= 0)
            {
                mantissa = (mantissa << 4) + HexValue(text[i]);
                exponent -= 4;
                anyDigit = true;
                i++;
            }
        }

        // "0x" with no hex digit: strtod takes the "0" alone, which the decimal path reproduces.
        if (!anyDigit)
            return false;
        end = i;
        if (i < text.Length && (text[i] | 0x20) == (byte)'p')
        {
            int j = i + 1;
            bool negativeExp = false;
            if (j < text.Length && (text[j] == (byte)'+' || text[j] == (byte)'-'))
            {
                negativeExp = text[j] == (byte)'-';
                j++;
            }

            if (j < text.Length && IsDigit(text[j]))
            {
                long exp = 0;
                while (j < text.Length && IsDigit(text[j]))
                {
                    if (exp < 100_000)
                        exp = exp * 10 + (text[j] - '0');
                    j++;
                }

                exponent += negativeExp ? -exp : exp;
                end = j;
            }
        }

        value = ScaleExact(mantissa, exponent);
        rangeError = double.IsInfinity(value) || (value == 0 && !mantissa.IsZero);
        return true;
    }

    // mantissa * 2^exponent rounded once to nearest-even, including into the subnormal range.
    private static double ScaleExact(BigInteger mantissa, long exponent)
    {
        if (mantissa.IsZero)
            return 0;
        long bits = (long)mantissa.GetBitLength();
        long topExponent = bits - 1 + exponent; // value is in [2^top, 2^(top+1))
        if (topExponent > 1023)
            return double.PositiveInfinity;
        // Keep 53 significant bits, or fewer when the result is subnormal (lowest bit weight 2^-1074).
        long lowestKeptWeight = Math.Max(topExponent - 52, -1074);
        long shift = lowestKeptWeight - exponent;
        BigInteger kept;
        if (shift > 0)
        {
            kept = mantissa >> (int)Math.Min(shift, int.MaxValue);
            BigInteger remainder = mantissa - (kept << (int)shift);
            BigInteger half = BigInteger.One << (int)(shift - 1);
            int cmp = remainder.CompareTo(half);
            if (cmp > 0 || (cmp == 0 && !kept.IsEven))
                kept += 1;
        }
        else
        {
            kept = mantissa << (int)-shift;
        }

        double result = Math.ScaleB((double)kept, (int)lowestKeptWeight);
        return result;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsAsciiAlnum(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    internal static bool IsCSpace(byte b) => b == (byte)' ' || (b >= (byte)'\t' && b <= (byte)'\r');

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerPrefix)
    {
        if (text.Length < lowerPrefix.Length)
            return false;
        for (int i = 0; i < lowerPrefix.Length; i++)
        {
            if ((text[i] | 0x20) != lowerPrefix[i])
                return false;
        }

        return true;
    }
}
