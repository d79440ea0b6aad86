namespace Codis.Server.DataTypes;

/// <summary>
/// A score interval as ZRANGEBYSCORE / ZCOUNT / ZREMRANGEBYSCORE take it: each end inclusive or
/// exclusive (the <c>(</c> prefix), possibly infinite.
/// </summary>
public readonly record struct ScoreRange(double Min, double Max, bool MinExclusive = false, bool MaxExclusive = false)
{
    /// <summary>Every score, <c>-inf +inf</c>.</summary>
    public static ScoreRange All => new(double.NegativeInfinity, double.PositiveInfinity);

    /// <summary>
    /// Parses the two bound arguments with Redis's <c>zslParseRange</c> rules; false means the reply
    /// "min or max is not a float".
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ScoreRange range)
    {
        range = default;
        if (!ScoreParser.TryParseRangeBound(min, out double lo, out bool loEx)
            || !ScoreParser.TryParseRangeBound(max, out double hi, out bool hiEx))
            return false;
        range = new ScoreRange(lo, hi, loEx, hiEx);
        return true;
    }

    /// <summary>True when no score can satisfy both ends.</summary>
    public bool IsEmpty => Min > Max || (Min == Max && (MinExclusive || MaxExclusive));

    /// <summary>True when <paramref name="score"/> is not below the lower end.</summary>
    public bool IsAboveMin(double score) => MinExclusive ? score > Min : score >= Min;

    /// <summary>True when <paramref name="score"/> is not above the upper end.</summary>
    public bool IsBelowMax(double score) => MaxExclusive ? score < Max : score <= Max;

    /// <summary>True when <paramref name="score"/> lies inside the range.</summary>
    public bool Contains(double score) => IsAboveMin(score) && IsBelowMax(score);
}
