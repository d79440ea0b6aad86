using System.Globalization;
using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

public class ScoreParserTests
{
    // Outcomes recorded from redis-server 7.0.15: ZADD z <arg> m (and ZSCORE), ZCOUNT z <arg> +inf.
    [Theory]
    [InlineData("31", true, "1", true)]
    [InlineData("312e35", true, "1.5", true)]
    [InlineData("2d322e356533", true, "-2500", true)]
    [InlineData("696e66", true, "inf", true)]
    [InlineData("2b696e66", true, "inf", true)]
    [InlineData("2d696e66", true, "-inf", true)]
    [InlineData("496e66696e697479", true, "inf", true)]
    [InlineData("2d494e46", true, "-inf", true)]
    [InlineData("6e616e", false, null, false)]
    [InlineData("4e614e", false, null, false)]
    [InlineData("", false, null, true)]
    [InlineData("2031", false, null, true)]
    [InlineData("3120", false, null, false)]
    [InlineData("3165353030", false, null, true)]
    [InlineData("2d3165353030", false, null, true)]
    [InlineData("31652d353030", false, null, true)]
    [InlineData("34652d333230", true, "3.999955468730732e-320", true)]
    [InlineData("30783130", true, "16", true)]
    [InlineData("3078317033", true, "8", true)]
    [InlineData("3078", false, null, false)]
    [InlineData("30782e38", true, "0.5", true)]
    [InlineData("2e35", true, "0.5", true)]
    [InlineData("352e", true, "5", true)]
    [InlineData("2e", false, null, false)]
    [InlineData("3165", false, null, false)]
    [InlineData("31652b", false, null, false)]
    [InlineData("2b", false, null, false)]
    [InlineData("2d", false, null, false)]
    [InlineData("310032", false, null, true)]
    [InlineData("00", false, null, true)]
    [InlineData("28", false, null, true)]
    [InlineData("2831", false, null, true)]
    [InlineData("282831", false, null, false)]
    [InlineData("282031", false, null, true)]
    [InlineData("302e31", true, "0.10000000000000001", true)]
    [InlineData("3165333038", true, "1e+308", true)]
    [InlineData("312e3739373639333133343836323331353965333038", false, null, true)]
    [InlineData("3030303132", true, "12", true)]
    [InlineData("2d30", true, "0", true)]
    [InlineData("696e6678", false, null, false)]
    [InlineData("696e66696e6974", false, null, false)]
    [InlineData("6e616e2831323329", false, null, false)]
    [InlineData("0931", false, null, true)]
    [InlineData("313233343536373839303132333435363738393031323334353637383930", true, "1.2345678901234568e+29", true)]
    [InlineData("322e32323530373338353835303732303131652d333038", true, "2.2250738585072009e-308", true)]
    public void Parse_ArgumentsSeenByRedis_SameAcceptanceAndValue(string hex, bool scoreOk, string? redisScore, bool rangeOk)
    {
        byte[] arg = Convert.FromHexString(hex);
        Assert.Equal(scoreOk, ScoreParser.TryParseScore(arg, out double score));
        if (redisScore is not null)
            Assert.Equal(Parse(redisScore), score);
        Assert.Equal(rangeOk, ScoreParser.TryParseRangeBound(arg, out double bound, out _));
        if (scoreOk)
            Assert.Equal(score, bound);
    }

    private static double Parse(string redisReply) => redisReply switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(redisReply, CultureInfo.InvariantCulture),
    };

    [Theory]
    [InlineData("(1.5", 1.5, true)]
    [InlineData("1.5", 1.5, false)]
    [InlineData("(-inf", double.NegativeInfinity, true)]
    [InlineData("+inf", double.PositiveInfinity, false)]
    [InlineData("(", 0.0, true)]
    public void TryParseRangeBound_Prefix_SetsExclusive(string text, double value, bool exclusive)
    {
        Assert.True(ScoreParser.TryParseRangeBound(System.Text.Encoding.ASCII.GetBytes(text), out double v, out bool ex));
        Assert.Equal(value, v);
        Assert.Equal(exclusive, ex);
    }

    [Fact]
    public void Strtod_HexWithExponentAndSubnormal_RoundsOnce()
    {
        Assert.Equal(double.Epsilon, ScoreParser.Strtod("0x1p-1074"u8, out int n, out _));
        Assert.Equal(9, n);
        Assert.Equal(0.0, ScoreParser.Strtod("0x1p-1076"u8, out _, out bool underflow));
        Assert.True(underflow);
        Assert.Equal(double.MaxValue, ScoreParser.Strtod("0x1.fffffffffffffp1023"u8, out _, out bool overflow));
        Assert.False(overflow);
        Assert.Equal(-255.5, ScoreParser.Strtod("-0xFF.8"u8, out _, out _));
    }

    [Fact]
    public void ScoreRange_Parse_InvalidBoundRejected()
    {
        Assert.False(ScoreRange.TryParse("1"u8, "x"u8, out _));
        Assert.True(ScoreRange.TryParse("(1"u8, "+inf"u8, out var r));
        Assert.Equal(new ScoreRange(1, double.PositiveInfinity, true, false), r);
        Assert.True(new ScoreRange(2, 1).IsEmpty);
        Assert.True(new ScoreRange(1, 1, true).IsEmpty);
        Assert.False(new ScoreRange(1, 1).IsEmpty);
    }
}
