using Codis.Core.Config;

namespace Codis.Core.Tests.Config;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("123", 123)]
    [InlineData("10b", 10)]
    [InlineData("1k", 1024)]
    [InlineData("128kb", 131072)]
    [InlineData("32mb", 33554432)]
    [InlineData("1024mb", 1073741824)]
    [InlineData("2g", 2147483648)]
    [InlineData("1tb", 1099511627776)]
    [InlineData("1pb", 1125899906842624)]
    [InlineData("1.5kb", 1536)]
    [InlineData("0.5k", 512)]
    [InlineData("  64 kb  ", 65536)]
    [InlineData("-1kb", -1024)]
    public void Parse_CodisSyntax(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text).Bytes);

    [Theory]
    [InlineData("", "invalid bytesize")]
    [InlineData("kb", "invalid bytesize")]
    [InlineData("12 k b", "invalid bytesize")]
    [InlineData("1KB", "invalid bytesize")]
    [InlineData("1.2.3", "invalid bytesize")]
    [InlineData("12qb", "invalid bytesize unit")]
    [InlineData("5xx", "invalid bytesize unit")]
    [InlineData("99999999999pb", "invalid bytesize")]
    public void Parse_Errors(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => ByteSize.Parse(text)).Message);

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1073741824, "1gb")]
    [InlineData(268435456, "256mb")]
    [InlineData(131072, "128kb")]
    [InlineData(65536, "64kb")]
    [InlineData(1536, "1536")]
    [InlineData(1000, "1000")]
    [InlineData(-2048, "-2kb")]
    [InlineData(1125899906842624, "1pb")]
    public void ToString_LargestExactUnit(long bytes, string text) => Assert.Equal(text, new ByteSize(bytes).ToString());
}
