using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

/// <summary>
/// The geohash arithmetic against values Redis 7.0 itself returns (GEOADD scores, GEOPOS, GEOHASH,
/// GEODIST of the same points).
/// </summary>
public sealed class GeoHashTests
{
    [Theory]
    [InlineData(13.361389, 38.115556, 3479099956230698UL)]
    [InlineData(15.087269, 37.502669, 3479447370796909UL)]
    [InlineData(180, 85.05112878, 13510798882111488UL)]
    [InlineData(-180, -85.05112878, 0UL)]
    public void Score_KnownPositions_RedisScores(double lon, double lat, ulong expected)
    {
        Assert.Equal(expected, GeoHash.Score(lon, lat));
    }

    [Theory]
    [InlineData(3479099956230698.0, "13.36138933897018433", "38.11555639549629859")]
    [InlineData(13510798882111488.0, "180", "85.0511287799999991")]
    [InlineData(0.0, "-179.99999731779098511", "-85.05112751263942528")]
    [InlineData(1e30, "-179.99999731779098511", "-85.05112751263942528")]
    public void DecodeScore_CellCentreClamped_RedisPositions(double score, string lon, string lat)
    {
        Assert.True(GeoHash.DecodeScore(score, out double x, out double y));
        Assert.Equal(lon, GeoHash.FormatCoordinate(x));
        Assert.Equal(lat, GeoHash.FormatCoordinate(y));
    }

    [Theory]
    [InlineData(3479099956230698.0, "sqc8b49rny0")]
    [InlineData(3479447370796909.0, "sqdtr74hyu0")]
    [InlineData(13510798882111488.0, "bp05b5048p0")]
    [InlineData(0.0, "00bh0hbj200")]
    public void ToGeohashString_KnownScores_RedisGeohash(double score, string expected)
    {
        Assert.Equal(expected, GeoHash.ToGeohashString(score));
    }

    [Fact]
    public void Distance_PalermoCatania_RedisDistance()
    {
        GeoHash.DecodeScore(3479099956230698.0, out double lon1, out double lat1);
        GeoHash.DecodeScore(3479447370796909.0, out double lon2, out double lat2);
        Assert.Equal("166274.1516", GeoHash.FormatDistance(GeoHash.Distance(lon1, lat1, lon2, lat2)));
        Assert.Equal("0.0000", GeoHash.FormatDistance(GeoHash.Distance(lon1, lat1, lon1, lat1)));
    }

    [Fact]
    public void InterleaveDeinterleave_RandomValues_RoundTrip()
    {
        var rnd = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            uint a = (uint)rnd.NextInt64(0, 1L << 32), b = (uint)rnd.NextInt64(0, 1L << 32);
            ulong mixed = GeoHash.Interleave(a, b);
            Assert.Equal(a, (uint)GeoHash.Deinterleave(mixed));
            Assert.Equal(b, (uint)(GeoHash.Deinterleave(mixed) >> 32));
        }

        Assert.Equal(0b01UL, GeoHash.Interleave(1, 0));
        Assert.Equal(0b10UL, GeoHash.Interleave(0, 1));
    }

    [Fact]
    public void EncodeDecode_RandomPositions_InsideTheirCell()
    {
        var rnd = new Random(11);
        for (int i = 0; i < 2000; i++)
        {
            double lon = -180 + rnd.NextDouble() * 360, lat = GeoHash.LatitudeMin + rnd.NextDouble() * 2 * GeoHash.LatitudeMax;
            Assert.True(GeoHash.Encode(lon, lat, GeoHash.StepMax, out GeoHashBits hash));
            Assert.True(GeoHash.Decode(hash, out GeoHashArea area));
            Assert.InRange(lon, area.LongitudeMin, area.LongitudeMax);
            Assert.InRange(lat, area.LatitudeMin, area.LatitudeMax);
            Assert.True(GeoHash.DecodeScore(GeoHash.Align52(hash), out double x, out double y));
            Assert.True(Math.Abs(x - lon) < 1e-5 && Math.Abs(y - lat) < 1e-5);
        }
    }

    [Theory]
    [InlineData(180.0000001, 0)]
    [InlineData(0, 85.05112879)]
    [InlineData(0, -90)]
    [InlineData(double.PositiveInfinity, 0)]
    public void Encode_OutsideLimits_Refused(double lon, double lat)
    {
        Assert.False(GeoHash.IsValid(lon, lat));
        Assert.False(GeoHash.Encode(lon, lat, GeoHash.StepMax, out _));
    }

    [Fact]
    public void Neighbors_MiddleCell_AdjacentCells()
    {
        GeoHash.Encode(10, 10, 10, out GeoHashBits hash);
        GeoHashNeighbors n = GeoHash.Neighbors(hash);
        GeoHash.Decode(hash, out GeoHashArea centre);
        GeoHash.Decode(n.North, out GeoHashArea north);
        GeoHash.Decode(n.East, out GeoHashArea east);
        GeoHash.Decode(n.SouthWest, out GeoHashArea southWest);
        Assert.Equal(centre.LatitudeMax, north.LatitudeMin, 9);
        Assert.Equal(centre.LongitudeMax, east.LongitudeMin, 9);
        Assert.Equal(centre.LongitudeMin, southWest.LongitudeMax, 9);
        Assert.Equal(centre.LatitudeMin, southWest.LatitudeMax, 9);
    }

    [Theory]
    [InlineData(0.0, "0.0000")]
    [InlineData(1.23456, "1.2346")]
    [InlineData(0.99999, "1.0000")]
    [InlineData(0.00004, "0.0000")]
    [InlineData(12345678.9, "12345678.9000")]
    public void FormatDistance_FourDecimals_Rounded(double value, string expected)
    {
        Assert.Equal(expected, GeoHash.FormatDistance(value));
    }

    [Theory]
    [InlineData(1.0, 6, "1.000000")]
    [InlineData(200.5, 6, "200.500000")]
    [InlineData(0.0078125, 6, "0.007812")]
    [InlineData(-1e-20, 17, "-0.00000000000000000")]
    public void FormatFixed_ExactValue_LikePrintf(double value, int decimals, string expected)
    {
        Assert.Equal(expected, GeoHash.FormatFixed(value, decimals));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(-1e-20, "0")]
    [InlineData(-0.0, "0")]
    [InlineData(12.5, "12.5")]
    public void FormatCoordinate_HumanForm_TrimsZeros(double value, string expected)
    {
        Assert.Equal(expected, GeoHash.FormatCoordinate(value));
    }

    [Theory]
    [InlineData(0, 26)]
    [InlineData(1000, 14)]
    [InlineData(5000000, 2)]
    public void EstimateSteps_Radius_RedisPrecision(double meters, int expected)
    {
        Assert.Equal(expected, GeoHash.EstimateSteps(meters, 0));
    }
}
