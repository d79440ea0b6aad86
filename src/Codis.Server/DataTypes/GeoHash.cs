using System.Globalization;
using System.Numerics;

namespace Codis.Server.DataTypes;

/// <summary>A geohash cell: interleaved bits (latitude on even bits, longitude on odd) and its precision.</summary>
/// <param name="Bits">The interleaved bits, <c>2 * Step</c> of them.</param>
/// <param name="Step">Bits per coordinate (1..32); 0 with zero bits is the "no cell" value.</param>
public readonly record struct GeoHashBits(ulong Bits, int Step)
{
    /// <summary>True for the "no cell" value (Redis's HASHISZERO).</summary>
    public bool IsZero => Bits == 0 && Step == 0;
}

/// <summary>The bounds of a geohash cell.</summary>
/// <param name="LongitudeMin">West edge.</param>
/// <param name="LongitudeMax">East edge.</param>
/// <param name="LatitudeMin">South edge.</param>
/// <param name="LatitudeMax">North edge.</param>
public readonly record struct GeoHashArea(double LongitudeMin, double LongitudeMax, double LatitudeMin, double LatitudeMax);

/// <summary>
/// Redis's geohash arithmetic (geohash.c, geohash_helper.c of Redis 7.0): GEO members are sorted-set
/// members whose score is a 52-bit interleaved geohash (26 bits per coordinate) over longitude
/// [-180, 180] and latitude [-85.05112878, 85.05112878] (the Web Mercator limits). Every formula keeps
/// Redis's operation order so that decoded positions, distances and search areas match to the bit.
/// </summary>
public static class GeoHash
{
    /// <summary>Bits per coordinate of a stored score.</summary>
    public const int StepMax = 26;

    /// <summary>Smallest longitude accepted.</summary>
    public const double LongitudeMin = -180;

    /// <summary>Largest longitude accepted.</summary>
    public const double LongitudeMax = 180;

    /// <summary>Smallest latitude accepted (Web Mercator limit).</summary>
    public const double LatitudeMin = -85.05112878;

    /// <summary>Largest latitude accepted (Web Mercator limit).</summary>
    public const double LatitudeMax = 85.05112878;

    /// <summary>Earth's quadratic mean radius for WGS-84, the radius Redis's haversine uses.</summary>
    public const double EarthRadiusMeters = 6372797.560856;

    private const double MercatorMax = 20037726.37;
    private const double DegToRad = Math.PI / 180.0;

    /// <summary>True when the pair is inside the range GEOADD and the searches accept.</summary>
    public static bool IsValid(double longitude, double latitude) =>
        !(longitude < LongitudeMin || longitude > LongitudeMax || latitude < LatitudeMin || latitude > LatitudeMax);

    /// <summary>
    /// Encodes a position at <paramref name="step"/> bits per coordinate over the given ranges; false
    /// (and a zero hash) outside the GEO limits or the ranges, as geohashEncode.
    /// </summary>
    public static bool Encode(double longitude, double latitude, int step, out GeoHashBits hash,
        double longMin = LongitudeMin, double longMax = LongitudeMax, double latMin = LatitudeMin, double latMax = LatitudeMax)
    {
        hash = default;
        if (step is > 32 or 0 || !IsValid(longitude, latitude))
            return false;
        if (latitude < latMin || latitude > latMax || longitude < longMin || longitude > longMax)
            return false;
        double latOffset = (latitude - latMin) / (latMax - latMin);
        double longOffset = (longitude - longMin) / (longMax - longMin);
        latOffset *= 1UL << step;
        longOffset *= 1UL << step;
        // C converts the doubles to uint32_t by truncation; the offsets are never negative here.
        hash = new GeoHashBits(Interleave((uint)latOffset, (uint)longOffset), step);
        return true;
    }

    /// <summary>The sorted-set score of a position: the 26-step hash aligned to 52 bits.</summary>
    public static ulong Score(double longitude, double latitude)
    {
        Encode(longitude, latitude, StepMax, out GeoHashBits hash);
        return Align52(hash);
    }

    /// <summary>A hash shifted left so that its bits occupy the top of a 52-bit score.</summary>
    public static ulong Align52(GeoHashBits hash) => hash.Bits << (52 - hash.Step * 2);

    /// <summary>The cell of <paramref name="hash"/> over the GEO ranges; false for the zero hash.</summary>
    public static bool Decode(GeoHashBits hash, out GeoHashArea area)
    {
        area = default;
        if (hash.IsZero)
            return false;
        ulong separated = Deinterleave(hash.Bits);
        uint lat = (uint)separated, lon = (uint)(separated >> 32);
        double latScale = LatitudeMax - LatitudeMin, longScale = LongitudeMax - LongitudeMin;
        double cells = 1UL << hash.Step;
        area = new GeoHashArea(
            LongitudeMin + (lon * 1.0 / cells) * longScale,
            LongitudeMin + ((lon + 1UL) * 1.0 / cells) * longScale,
            LatitudeMin + (lat * 1.0 / cells) * latScale,
            LatitudeMin + ((lat + 1UL) * 1.0 / cells) * latScale);
        return true;
    }

    /// <summary>
    /// The position a score stands for: the centre of its 26-step cell, clamped to the GEO limits
    /// (Redis's decodeGeohash). False when it cannot be decoded (score 0 is still a valid cell).
    /// </summary>
    public static bool DecodeScore(double score, out double longitude, out double latitude)
    {
        longitude = latitude = 0;
        ulong bits = CToUInt64(score);
        if (!Decode(new GeoHashBits(bits, StepMax), out GeoHashArea area))
            return false;
        longitude = Math.Clamp((area.LongitudeMin + area.LongitudeMax) / 2, LongitudeMin, LongitudeMax);
        latitude = Math.Clamp((area.LatitudeMin + area.LatitudeMax) / 2, LatitudeMin, LatitudeMax);
        return true;
    }

    /// <summary>
    /// C's <c>(uint64_t)</c> cast of a double as x86-64 compilers emit it (cvttsd2si, with 2^63 subtracted
    /// and the top bit restored for large values), so that non-GEO scores decode to what Redis shows:
    /// negatives wrap, values at or above 2^64 become 0.
    /// </summary>
    public static ulong CToUInt64(double value)
    {
        const double TwoTo63 = 9223372036854775808.0;
        if (!(value >= TwoTo63))
            return (ulong)Truncate(value);
        return (ulong)Truncate(value - TwoTo63) ^ 0x8000000000000000UL;
    }

    // cvttsd2si: truncation, with the "integer indefinite" value for NaN and anything out of range.
    private static long Truncate(double value) =>
        value >= -9223372036854775808.0 && value < 9223372036854775808.0 ? (long)value : long.MinValue;

    /// <summary>GEOHASH's 11-character standard geohash (latitude range [-90, 90]) of a score; null when undecodable.</summary>
    public static string? ToGeohashString(double score)
    {
        if (!DecodeScore(score, out double lon, out double lat))
            return null;
        const string alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
        Encode(lon, lat, StepMax, out GeoHashBits hash, -180, 180, -90, 90);
        Span<char> text = stackalloc char[11];
        for (int i = 0; i < 11; i++)
        {
            // 52 bits make 10 full characters; the 11th is always '0' as in Redis.
            int index = i == 10 ? 0 : (int)((hash.Bits >> (52 - (i + 1) * 5)) & 0x1f);
            text[i] = alphabet[index];
        }
        return new string(text);
    }

    /// <summary>Haversine distance in meters, Redis's formula and operation order.</summary>
    public static double Distance(double lon1, double lat1, double lon2, double lat2)
    {
        double lon1r = lon1 * DegToRad, lon2r = lon2 * DegToRad;
        double v = Math.Sin((lon2r - lon1r) / 2);
        // Same longitude: the great circle is the meridian.
        if (v == 0.0)
            return LatitudeDistance(lat1, lat2);
        double lat1r = lat1 * DegToRad, lat2r = lat2 * DegToRad;
        double u = Math.Sin((lat2r - lat1r) / 2);
        double a = u * u + Math.Cos(lat1r) * Math.Cos(lat2r) * v * v;
        return 2.0 * EarthRadiusMeters * Math.Asin(Math.Sqrt(a));
    }

    /// <summary>Distance along a meridian between two latitudes.</summary>
    public static double LatitudeDistance(double lat1, double lat2) =>
        EarthRadiusMeters * Math.Abs(lat2 * DegToRad - lat1 * DegToRad);

    /// <summary>The eight cells around <paramref name="hash"/>, same step (Redis's geohashNeighbors).</summary>
    public static GeoHashNeighbors Neighbors(GeoHashBits hash) => new()
    {
        North = Move(hash, 0, 1),
        South = Move(hash, 0, -1),
        East = Move(hash, 1, 0),
        West = Move(hash, -1, 0),
        NorthEast = Move(hash, 1, 1),
        NorthWest = Move(hash, -1, 1),
        SouthEast = Move(hash, 1, -1),
        SouthWest = Move(hash, -1, -1),
    };

    // Steps the longitude (odd bits) by dx and the latitude (even bits) by dy, wrapping within the step.
    private static GeoHashBits Move(GeoHashBits hash, int dx, int dy)
    {
        ulong bits = hash.Bits;
        int shift = 64 - hash.Step * 2;
        if (dx != 0)
            bits = Step(bits, 0xaaaaaaaaaaaaaaaaUL, shift, dx);
        if (dy != 0)
            bits = Step(bits, 0x5555555555555555UL, shift, dy);
        return hash with { Bits = bits };
    }

    // Adds or subtracts one to the coordinate held in the bits of `mask`: the other coordinate's bits are
    // filled with ones (or left zero) so that the carry or borrow ripples across them.
    private static ulong Step(ulong bits, ulong mask, int shift, int direction)
    {
        ulong mine = bits & mask, other = bits & ~mask;
        ulong fill = ~mask >> shift;
        if (direction > 0)
        {
            mine += fill + 1;
        }
        else
        {
            mine |= fill;
            mine -= fill + 1;
        }

        mine &= mask >> shift;
        return mine | other;
    }

    /// <summary>Spreads the bits of <paramref name="even"/> on even positions and <paramref name="odd"/> on odd ones.</summary>
    public static ulong Interleave(uint even, uint odd)
    {
        ulong result = 0;
        for (int i = 0; i < 32; i++)
        {
            result |= (ulong)((even >> i) & 1) << (2 * i);
            result |= (ulong)((odd >> i) & 1) << (2 * i + 1);
        }

        return result;
    }

    /// <summary>The inverse of <see cref="Interleave"/>: even bits in the low half, odd bits in the high half.</summary>
    public static ulong Deinterleave(ulong bits)
    {
        ulong even = 0, odd = 0;
        for (int i = 0; i < 32; i++)
        {
            even |= ((bits >> (2 * i)) & 1) << i;
            odd |= ((bits >> (2 * i + 1)) & 1) << i;
        }

        return even | (odd << 32);
    }

    /// <summary>
    /// geohashEstimateStepsByRadius: the precision whose cells are about the search size, one or two
    /// steps coarser near the poles, framed to 1..26.
    /// </summary>
    public static int EstimateSteps(double rangeMeters, double latitude)
    {
        if (rangeMeters == 0)
            return 26;
        int step = 1;
        while (rangeMeters < MercatorMax)
        {
            rangeMeters *= 2;
            step++;
        }

        step -= 2;
        if (latitude > 66 || latitude < -66)
        {
            step--;
            if (latitude > 80 || latitude < -80)
                step--;
        }

        return Math.Clamp(step, 1, 26);
    }

    /// <summary>
    /// <c>%.4f</c> as Redis's fixedpoint_d2string writes distances: the value times 10^4 rounded to the
    /// nearest integer (ties to even), then printed with four decimals.
    /// </summary>
    public static string FormatDistance(double meters)
    {
        if (meters == 0)
            return "0.0000";
        long scaled = (long)Math.Round(meters * 10000.0, MidpointRounding.ToEven);
        bool negative = scaled < 0;
        ulong value = negative ? (ulong)(-(scaled + 1)) + 1 : (ulong)scaled;
        string digits = value.ToString(CultureInfo.InvariantCulture).PadLeft(5, '0');
        string text = digits[..^4] + "." + digits[^4..];
        return negative ? "-" + text : text;
    }

    /// <summary>
    /// Redis's "human" long double form of a double (<c>%.17Lf</c>, trailing zeros and dot removed, "-0"
    /// written "0"), the way GEOPOS and WITHCOORD print coordinates.
    /// </summary>
    public static string FormatCoordinate(double value)
    {
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        string text = FormatFixed(value, 17);
        if (text.Contains('.'))
            text = text.TrimEnd('0').TrimEnd('.');
        return text == "-0" ? "0" : text;
    }

    /// <summary>
    /// C's <c>%.Nf</c>: the exact binary value rounded half to even at <paramref name="decimals"/> places,
    /// "inf"/"-inf" for infinities (used by the "invalid longitude,latitude pair" error).
    /// </summary>
    public static string FormatFixed(double value, int decimals)
    {
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        if (double.IsNaN(value))
            return "nan";
        bool negative = double.IsNegative(value);
        long raw = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)((raw >> 52) & 0x7FF);
        long fraction = raw & 0xFFFFFFFFFFFFFL;
        BigInteger mantissa = exponent == 0 ? fraction : fraction | (1L << 52);
        int shift = (exponent == 0 ? 1 : exponent) - 1075;
        BigInteger pow = BigInteger.Pow(10, decimals);
        BigInteger scaled;
        if (shift >= 0)
        {
            scaled = (mantissa << shift) * pow;
        }
        else
        {
            BigInteger den = BigInteger.One << -shift;
            scaled = BigInteger.DivRem(mantissa * pow, den, out BigInteger rest);
            BigInteger twice = rest * 2;
            if (twice > den || (twice == den && !scaled.IsEven))
                scaled += 1;
        }

        string digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        string text = decimals == 0 ? digits : digits[..^decimals] + "." + digits[^decimals..];
        return negative ? "-" + text : text;
    }
}

/// <summary>The eight cells around a geohash cell; a <see cref="GeoHashBits.IsZero"/> entry is not searched.</summary>
public struct GeoHashNeighbors
{
    /// <summary>North.</summary>
    public GeoHashBits North;

    /// <summary>South.</summary>
    public GeoHashBits South;

    /// <summary>East.</summary>
    public GeoHashBits East;

    /// <summary>West.</summary>
    public GeoHashBits West;

    /// <summary>North-east.</summary>
    public GeoHashBits NorthEast;

    /// <summary>North-west.</summary>
    public GeoHashBits NorthWest;

    /// <summary>South-east.</summary>
    public GeoHashBits SouthEast;

    /// <summary>South-west.</summary>
    public GeoHashBits SouthWest;
}
