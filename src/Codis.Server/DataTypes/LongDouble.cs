using System.Numerics;
using System.Text;

namespace Codis.Server.DataTypes;

/// <summary>
/// An x87 80-bit <c>long double</c> (64-bit mantissa), emulated exactly so that INCRBYFLOAT and
/// HINCRBYFLOAT produce Redis's results digit for digit: Redis parses with <c>strtold</c>, adds in long
/// double and prints with <c>%.17Lf</c> minus trailing zeros. A <c>double</c> would differ in the last
/// digits (e.g. 10.5 + 0.1). Only the operations those commands need are provided; this is not a hot path.
/// </summary>
public readonly struct LongDouble
{
    private const int MantissaBits = 64;
    private const int MaxBinaryExponent = 16384;   // values reach 2^16384 and overflow to infinity
    private const int MinBinaryExponent = -16445;  // below the smallest subnormal

    // value = _mantissa * 2^_exponent, |_mantissa| < 2^64; infinity when _infinite (sign from _mantissa).
    private readonly BigInteger _mantissa;
    private readonly int _exponent;
    private readonly bool _infinite;

    private LongDouble(BigInteger mantissa, int exponent, bool infinite)
    {
        _mantissa = mantissa;
        _exponent = exponent;
        _infinite = infinite;
    }

    /// <summary>True for +/- infinity.</summary>
    public bool IsInfinity => _infinite;

    /// <summary>The value of a 64-bit integer (exact, as <c>(long double)ll</c>).</summary>
    public static LongDouble FromLong(long value) => new(value, 0, false);

    /// <summary>
    /// Redis's string2ld: the whole input must be a <c>strtold</c> number (decimal with optional exponent,
    /// or inf/infinity), no leading space, no NaN, no overflow or underflow to zero. Parsing stops at a
    /// NUL byte as the C code does.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out LongDouble value)
    {
        value = default;
        if (s.Length == 0 || s.Length >= 5 * 1024)
            return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i++;
        }
        ReadOnlySpan<byte> rest = s[i..];
        if (EqualsIgnoreCase(rest, "inf"u8) || EqualsIgnoreCase(rest, "infinity"u8))
        {
            value = new LongDouble(negative ? -1 : 1, 0, true);
            return true;
        }
        if (rest.Length > 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x')
            return TryParseHex(rest[2..], negative, out value);
        var digits = new StringBuilder();
        int fractionDigits = 0;
        bool seenDot = false, anyDigit = false;
        for (; i < s.Length; i++)
        {
            byte b = s[i];
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                anyDigit = true;
                digits.Append((char)b);
                if (seenDot)
                    fractionDigits++;
            }
            else if (b == (byte)'.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                break;
            }
        }
        if (!anyDigit)
            return false;
        long exp10 = 0;
        if (i < s.Length)
        {
            if (s[i] is not ((byte)'e' or (byte)'E'))
                return false;
            i++;
            bool expNegative = false;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
            {
                expNegative = s[i] == (byte)'-';
                i++;
            }
            if (i == s.Length)
                return false;
            for (; i < s.Length; i++)
            {
                byte b = s[i];
                if (b is < (byte)'0' or > (byte)'9')
                    return false;
                if (exp10 < 1_000_000)
                    exp10 = exp10 * 10 + (b - '0');
            }
            if (expNegative)
                exp10 = -exp10;
        }
        BigInteger n = BigInteger.Parse(digits.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        if (n.IsZero)
        {
            value = default;
            return true;
        }
        // Cheap range check before exact arithmetic: the decimal magnitude of the number.
        long magnitude = exp10 - fractionDigits + n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        if (magnitude > 4933)
            return false; // overflow: strtold returns HUGE_VALL with ERANGE, which Redis rejects
        if (magnitude < -4951)
            return false; // underflow to zero with ERANGE
        int e = (int)(exp10 - fractionDigits);
        BigInteger num = e >= 0 ? n * BigInteger.Pow(10, e) : n;
        BigInteger den = e >= 0 ? BigInteger.One : BigInteger.Pow(10, -e);
        value = Round(negative ? -num : num, den, 0);
        return !value._infinite && !(value._mantissa.IsZero);
    }

    // strtold's hexadecimal form: hex digits with an optional point, then an optional binary exponent.
    private static bool TryParseHex(ReadOnlySpan<byte> s, bool negative, out LongDouble value)
    {
        value = default;
        BigInteger m = BigInteger.Zero;
        long exp2 = 0;
        bool seenDot = false, anyDigit = false;
        int i = 0;
        for (; i < s.Length; i++)
        {
            int d = HexDigit(s[i]);
            if (d >= 0)
            {
                anyDigit = true;
                m = (m << 4) + d;
                if (seenDot)
                    exp2 -= 4;
            }
            else if (s[i] == (byte)'.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                break;
            }
        }
        if (!anyDigit)
            return false;
        if (i < s.Length)
        {
            if ((s[i] | 0x20) != (byte)'p' || ++i == s.Length)
                return false;
            bool expNegative = false;
            if (s[i] is (byte)'+' or (byte)'-')
            {
                expNegative = s[i] == (byte)'-';
                if (++i == s.Length)
                    return false;
            }
            long e = 0;
            for (; i < s.Length; i++)
            {
                if (s[i] is < (byte)'0' or > (byte)'9')
                    return false;
                if (e < 1_000_000)
                    e = e * 10 + (s[i] - '0');
            }
            exp2 += expNegative ? -e : e;
        }
        if (m.IsZero)
            return true;
        long magnitude = exp2 + (long)m.GetBitLength();
        if (magnitude > MaxBinaryExponent || magnitude < MinBinaryExponent)
            return false;
        value = Round(negative ? -m : m, BigInteger.One, (int)exp2);
        return !value._infinite && !value._mantissa.IsZero;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>The rounded sum, as the x87 unit computes it.</summary>
    public static LongDouble operator +(LongDouble a, LongDouble b)
    {
        if (a._infinite || b._infinite)
        {
            if (a._infinite && b._infinite && a._mantissa.Sign != b._mantissa.Sign)
                return new LongDouble(0, 0, true); // inf - inf = NaN: reported like infinity by callers
            return a._infinite ? a : b;
        }
        if (a._mantissa.IsZero)
            return b;
        if (b._mantissa.IsZero)
            return a;
        int e = Math.Min(a._exponent, b._exponent);
        BigInteger sum = (a._mantissa << (a._exponent - e)) + (b._mantissa << (b._exponent - e));
        return Round(sum, BigInteger.One, e);
    }

    /// <summary>
    /// <c>%.17Lf</c> with the trailing zeros (and a trailing dot) removed and "-0" written "0": Redis's
    /// LD_STR_HUMAN form, used for INCRBYFLOAT results.
    /// </summary>
    public string ToHumanString()
    {
        if (_infinite)
            return _mantissa.Sign < 0 ? "-inf" : "inf";
        bool negative = _mantissa.Sign < 0;
        BigInteger m = BigInteger.Abs(_mantissa);
        string text;
        if (_exponent >= 0)
        {
            text = (m << _exponent).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            BigInteger scaled = RoundHalfEven(m * BigInteger.Pow(10, 17), BigInteger.One << -_exponent);
            string digits = scaled.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(18, '0');
            string whole = digits[..^17];
            string fraction = digits[^17..].TrimEnd('0');
            text = fraction.Length == 0 ? whole : whole + "." + fraction;
        }
        if (negative && text != "0")
            text = "-" + text;
        return text;
    }

    // Rounds num/den * 2^exponent to a 64-bit mantissa (round half to even).
    private static LongDouble Round(BigInteger num, BigInteger den, int exponent)
    {
        if (num.IsZero)
            return default;
        bool negative = num.Sign < 0;
        num = BigInteger.Abs(num);
        long shift = MantissaBits - ((long)num.GetBitLength() - (long)den.GetBitLength());
        BigInteger q;
        while (true)
        {
            q = shift >= 0 ? (num << (int)shift) / den : num / (den << (int)-shift);
            long bits = (long)q.GetBitLength();
            if (bits > MantissaBits)
                shift--;
            else if (bits < MantissaBits)
                shift++;
            else
                break;
        }
        q = shift >= 0 ? RoundHalfEven(num << (int)shift, den) : RoundHalfEven(num, den << (int)-shift);
        if (q.GetBitLength() > MantissaBits)
        {
            q >>= 1;
            shift--;
        }
        long e = exponent - shift;
        if (e + MantissaBits > MaxBinaryExponent)
            return new LongDouble(negative ? -1 : 1, 0, true);
        if (e < MinBinaryExponent)
            return default;
        return new LongDouble(negative ? -q : q, (int)e, false);
    }

    private static BigInteger RoundHalfEven(BigInteger num, BigInteger den)
    {
        BigInteger q = BigInteger.DivRem(num, den, out BigInteger r);
        int cmp = (r * 2).CompareTo(den);
        if (cmp > 0 || (cmp == 0 && !q.IsEven))
            q += 1;
        return q;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lower)
    {
        if (value.Length != lower.Length)
            return false;
        for (int i = 0; i < value.Length; i++)
        {
            if ((value[i] | 0x20) != lower[i])
                return false;
        }
        return true;
    }
}
