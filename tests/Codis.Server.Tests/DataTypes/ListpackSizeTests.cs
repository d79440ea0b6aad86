using System.Text;
using Codis.Server.DataTypes;
using Codis.Server.Persistence;

namespace Codis.Server.Tests.DataTypes;

public sealed class ListpackSizeTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("127")]
    [InlineData("128")]
    [InlineData("-1")]
    [InlineData("4095")]
    [InlineData("-4096")]
    [InlineData("4096")]
    [InlineData("32767")]
    [InlineData("-32769")]
    [InlineData("8388607")]
    [InlineData("8388608")]
    [InlineData("2147483647")]
    [InlineData("-2147483649")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775808")]
    [InlineData("01")]
    [InlineData("-0")]
    [InlineData("+1")]
    [InlineData("")]
    [InlineData("field")]
    public void String_ShortElements_MatchesBuiltListpack(string element) => AssertSize(Encoding.ASCII.GetBytes(element));

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(127)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(16376)]
    [InlineData(16377)]
    [InlineData(20000)]
    public void String_LongElements_MatchesBuiltListpack(int length) => AssertSize(Enumerable.Repeat((byte)'x', length).ToArray());

    // The bytes one element adds to a listpack, as Listpack.Build (Redis's encodings) lays it out.
    private static void AssertSize(byte[] element)
    {
        int built = Listpack.Build([element]).Length;
        Assert.Equal(built - ListpackSize.Empty, ListpackSize.String(element));
    }
}
