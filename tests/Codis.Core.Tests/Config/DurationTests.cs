using Codis.Core.Config;

namespace Codis.Core.Tests.Config;

public sealed class DurationTests
{
    private const long S = 1_000_000_000;

    [Theory]
    [InlineData("30s", 30 * S)]
    [InlineData("30", 30 * S)]
    [InlineData("1.5", 1_500_000_000)]
    [InlineData("30m", 1800 * S)]
    [InlineData("2h", 7200 * S)]
    [InlineData("250ms", 250_000_000)]
    [InlineData("10us", 10_000)]
    [InlineData("7ns", 7)]
    [InlineData("1.5s", 1_500_000_000)]
    [InlineData(" 5 s ", 5 * S)]
    [InlineData("0", 0)]
    [InlineData("-1s", -S)]
    public void Parse_CodisSyntax(string text, long ns) => Assert.Equal(ns, Duration.Parse(text).Nanoseconds);

    [Theory]
    [InlineData("", "invalid timesize")]
    [InlineData("s", "invalid timesize")]
    [InlineData("1h30m", "invalid timesize")]
    [InlineData("5S", "invalid timesize")]
    [InlineData("5d", "time: unknown unit \"d\" in duration \"5d\"")]
    public void Parse_Errors(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => Duration.Parse(text)).Message);

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1800 * S, "30m")]
    [InlineData(20 * S, "20s")]
    [InlineData(3600 * S, "1h")]
    [InlineData(75 * S, "75s")]
    [InlineData(1_500_000_000, "1500ms")]
    [InlineData(10_000, "10us")]
    [InlineData(1_500, "1.5µs")]
    [InlineData(7, "7ns")]
    [InlineData(60 * S + 1, "1m0.000000001s")]
    [InlineData(-5 * S, "-5s")]
    public void ToString_LargestExactUnit(long ns, string text) => Assert.Equal(text, new Duration(ns).ToString());

    [Fact]
    public void ToTimeSpan_Converts() => Assert.Equal(TimeSpan.FromMilliseconds(250), Duration.Parse("250ms").ToTimeSpan());
}
