using System.Text;
using Codis.Core.Resp;
using Codis.Server.Migration;

namespace Codis.Server.Tests.Migration;

/// <summary>The connection-level messages, the ACK (spec server.md §6.6) and Redis 3.2's integer parsing.</summary>
public sealed class AsyncMessagesTests
{
    private static string Written(Action<ReplyWriter> write)
    {
        var w = new ReplyWriter();
        write(w);
        return Encoding.UTF8.GetString(w.WrittenSpan);
    }

    [Fact]
    public void WriteAuth_Password_TwoBulkArray() =>
        Assert.Equal("*2\r\n$23\r\nSLOTSRESTORE-ASYNC-AUTH\r\n$6\r\nsecret\r\n", Written(w => AsyncMessages.WriteAuth(w, "secret"u8)));

    [Fact]
    public void WriteSelect_Db_TwoBulkArray() =>
        Assert.Equal("*2\r\n$25\r\nSLOTSRESTORE-ASYNC-SELECT\r\n$2\r\n15\r\n", Written(w => AsyncMessages.WriteSelect(w, 15)));

    [Fact]
    public void WriteAck_SpecExamples_ExactBytes()
    {
        Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n$1\r\n1\r\n", Written(w => AsyncMessages.WriteAck(w, 0, "1"u8)));
        Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$2\r\n-1\r\n$37\r\nthe specified key already exists (zz)\r\n",
            Written(w => AsyncMessages.WriteAck(w, -1, "the specified key already exists (zz)"u8)));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("", 0L)]
    [InlineData("+5", 5L)]
    [InlineData("007", 7L)]
    [InlineData("-12", -12L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("12\0junk", 12L)]
    public void TryParseLong_StrtollAccepts_Value(string text, long expected)
    {
        Assert.True(LegacyArgs.TryParseLong(Encoding.UTF8.GetBytes(text), out long v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("abc")]
    public void TryParseLong_StrtollRefuses_False(string text) =>
        Assert.False(LegacyArgs.TryParseLong(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void CString_EmbeddedNul_CutThere() =>
        Assert.Equal("ab"u8.ToArray(), LegacyArgs.CString("ab\0cd"u8).ToArray());
}
