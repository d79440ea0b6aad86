namespace Codis.Server.DataTypes;

/// <summary>
/// A member interval as ZRANGEBYLEX / ZLEXCOUNT / ZREMRANGEBYLEX take it: <c>[a</c> inclusive,
/// <c>(a</c> exclusive, <c>-</c> below everything, <c>+</c> above everything. The bounds are views of
/// the argument bytes, so the range lives only as long as the command.
/// </summary>
public readonly ref struct LexRange
{
    private readonly ReadOnlySpan<byte> _min;
    private readonly ReadOnlySpan<byte> _max;
    private readonly Bound _minKind;
    private readonly Bound _maxKind;

    private enum Bound : byte
    {
        Value,
        NegativeInfinity,
        PositiveInfinity,
    }

    private LexRange(ReadOnlySpan<byte> min, Bound minKind, bool minExclusive, ReadOnlySpan<byte> max, Bound maxKind, bool maxExclusive)
    {
        _min = min;
        _max = max;
        _minKind = minKind;
        _maxKind = maxKind;
        MinExclusive = minExclusive;
        MaxExclusive = maxExclusive;
    }

    /// <summary>True when the lower end excludes its value (always true for <c>-</c> and <c>+</c>).</summary>
    public bool MinExclusive { get; }

    /// <summary>True when the upper end excludes its value (always true for <c>-</c> and <c>+</c>).</summary>
    public bool MaxExclusive { get; }

    /// <summary>
    /// Parses the two bound arguments with Redis's <c>zslParseLexRange</c> rules; false means the reply
    /// "min or max not valid string range item".
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out LexRange range)
    {
        range = default;
        if (!TryParseItem(min, out var minValue, out var minKind, out bool minEx)
            || !TryParseItem(max, out var maxValue, out var maxKind, out bool maxEx))
            return false;
        range = new LexRange(minValue, minKind, minEx, maxValue, maxKind, maxEx);
        return true;
    }

    private static bool TryParseItem(ReadOnlySpan<byte> item, out ReadOnlySpan<byte> value, out Bound kind, out bool exclusive)
    {
        value = default;
        kind = Bound.Value;
        exclusive = true;
        if (item.IsEmpty)
            return false;
        switch (item[0])
        {
            case (byte)'+':
            case (byte)'-':
                // Redis tests c[1] != '\0' on the NUL-terminated argument.
                if (item.Length > 1 && item[1] != 0)
                    return false;
                kind = item[0] == (byte)'+' ? Bound.PositiveInfinity : Bound.NegativeInfinity;
                return true;
            case (byte)'(':
                value = item[1..];
                return true;
            case (byte)'[':
                value = item[1..];
                exclusive = false;
                return true;
            default:
                return false;
        }
    }

    /// <summary>True when no member can satisfy both ends.</summary>
    public bool IsEmpty
    {
        get
        {
            int cmp = Compare(_min, _minKind, _max, _maxKind);
            return cmp > 0 || (cmp == 0 && (MinExclusive || MaxExclusive));
        }
    }

    /// <summary>True when <paramref name="member"/> is not below the lower end.</summary>
    public bool IsAboveMin(ReadOnlySpan<byte> member)
    {
        int cmp = Compare(member, Bound.Value, _min, _minKind);
        return MinExclusive ? cmp > 0 : cmp >= 0;
    }

    /// <summary>True when <paramref name="member"/> is not above the upper end.</summary>
    public bool IsBelowMax(ReadOnlySpan<byte> member)
    {
        int cmp = Compare(member, Bound.Value, _max, _maxKind);
        return MaxExclusive ? cmp < 0 : cmp <= 0;
    }

    /// <summary>True when <paramref name="member"/> lies inside the range.</summary>
    public bool Contains(ReadOnlySpan<byte> member) => IsAboveMin(member) && IsBelowMax(member);

    // zslLexCmp: the two sentinels compare equal to themselves and beyond every string.
    private static int Compare(ReadOnlySpan<byte> a, Bound aKind, ReadOnlySpan<byte> b, Bound bKind)
    {
        if (aKind != Bound.Value && aKind == bKind)
            return 0;
        if (aKind == Bound.NegativeInfinity || bKind == Bound.PositiveInfinity)
            return -1;
        if (aKind == Bound.PositiveInfinity || bKind == Bound.NegativeInfinity)
            return 1;
        return a.SequenceCompareTo(b);
    }
}
