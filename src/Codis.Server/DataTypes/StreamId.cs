using System.Buffers.Text;

namespace Codis.Server.DataTypes;

/// <summary>A stream entry ID: milliseconds and a sequence number, ordered as Redis's streamCompareID.</summary>
public readonly record struct StreamId(ulong Ms, ulong Seq) : IComparable<StreamId>
{
    /// <summary>0-0, the ID nothing is ever stored at.</summary>
    public static StreamId Zero => default;

    /// <summary>The largest ID (<c>+</c>).</summary>
    public static StreamId Max => new(ulong.MaxValue, ulong.MaxValue);

    /// <summary>True for 0-0.</summary>
    public bool IsZero => Ms == 0 && Seq == 0;

    /// <inheritdoc/>
    public int CompareTo(StreamId other) => Ms != other.Ms ? Ms.CompareTo(other.Ms) : Seq.CompareTo(other.Seq);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    /// <summary>The next ID (Redis's streamIncrID); false when this is the largest.</summary>
    public bool TryIncrement(out StreamId next)
    {
        if (Seq == ulong.MaxValue)
        {
            if (Ms == ulong.MaxValue)
            {
                next = this;
                return false;
            }
            next = new StreamId(Ms + 1, 0);
            return true;
        }
        next = new StreamId(Ms, Seq + 1);
        return true;
    }

    /// <summary>The previous ID (Redis's streamDecrID); false when this is 0-0.</summary>
    public bool TryDecrement(out StreamId previous)
    {
        if (Seq == 0)
        {
            if (Ms == 0)
            {
                previous = this;
                return false;
            }
            previous = new StreamId(Ms - 1, ulong.MaxValue);
            return true;
        }
        previous = new StreamId(Ms, Seq - 1);
        return true;
    }

    /// <summary>Writes "ms-seq" into <paramref name="destination"/> (at least 41 bytes) and returns the length.</summary>
    public int Format(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(Ms, destination, out int n);
        destination[n++] = (byte)'-';
        Utf8Formatter.TryFormat(Seq, destination[n..], out int m);
        return n + m;
    }

    /// <summary>"ms-seq" as bytes.</summary>
    public byte[] ToBytes()
    {
        Span<byte> buffer = stackalloc byte[48];
        return buffer[..Format(buffer)].ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() => Ms + "-" + Seq;

    /// <summary>
    /// Parses Redis's streamGenericParseIDOrReply forms: "ms" or "ms-seq", and <c>-</c>/<c>+</c> when
    /// <paramref name="allowSpecial"/>; a missing sequence takes <paramref name="missingSeq"/>.
    /// <paramref name="seqGiven"/> tells whether the sequence was explicit (and <paramref name="seqAuto"/>
    /// is set for "ms-*" when <paramref name="allowAutoSeq"/>).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, ulong missingSeq, bool allowSpecial, bool allowAutoSeq,
        out StreamId id, out bool seqGiven, out bool seqAuto)
    {
        id = default;
        seqGiven = false;
        seqAuto = false;
        if (s.Length > 127)
            return false;
        if (allowSpecial && s.Length == 1)
        {
            if (s[0] == '-')
            {
                id = Zero;
                return true;
            }
            if (s[0] == '+')
            {
                id = Max;
                return true;
            }
        }
        int dash = s.IndexOf((byte)'-');
        ReadOnlySpan<byte> msPart = dash < 0 ? s : s[..dash];
        if (!TryParseULong(msPart, out ulong ms))
            return false;
        ulong seq = missingSeq;
        if (dash >= 0)
        {
            ReadOnlySpan<byte> seqPart = s[(dash + 1)..];
            if (allowAutoSeq && seqPart.Length == 1 && seqPart[0] == '*')
            {
                seqAuto = true;
                seq = 0;
            }
            else if (!TryParseULong(seqPart, out seq))
            {
                return false;
            }
            seqGiven = true;
        }
        id = new StreamId(ms, seq);
        return true;
    }

    // Redis's string2ull: strtoull, which accepts a leading '+' or '-' and spaces; Redis rejects none of
    // those explicitly, but a '-' inside the ID is the separator, so only digits matter in practice.
    private static bool TryParseULong(ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
            return false;
        foreach (byte b in s)
        {
            if (b < '0' || b > '9')
                return false;
        }
        return Utf8Parser.TryParse(s, out value, out int consumed) && consumed == s.Length;
    }
}
