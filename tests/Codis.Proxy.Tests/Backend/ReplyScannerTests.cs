using System.Text;
using Codis.Proxy.Backend;

namespace Codis.Proxy.Tests.Backend;

public sealed class ReplyScannerTests
{
    [Theory]
    [InlineData("+OK\r\n")]
    [InlineData("-ERR x\r\n")]
    [InlineData(":12\r\n")]
    [InlineData("$-1\r\n")]
    [InlineData("$5\r\na\r\nbc\r\n")]
    [InlineData("*-1\r\n")]
    [InlineData("*0\r\n")]
    [InlineData("*3\r\n$1\r\na\r\n*2\r\n:1\r\n+x\r\n$-1\r\n")]
    public void Scan_EverySplitOffset_WholeReplyOnlyWhenComplete(string reply)
    {
        var bytes = Encoding.ASCII.GetBytes(reply + "+NEXT\r\n");
        var length = reply.Length;
        for (var split = 0; split < length; split++)
        {
            Assert.Equal(0, ReplyScanner.Scan(bytes.AsSpan(0, split), out _));
        }
        Assert.Equal(length, ReplyScanner.Scan(bytes, out _));
    }

    [Theory]
    [InlineData("x\r\n")]
    [InlineData("$a\r\n")]
    [InlineData("$1\r\nab\r\n")]
    [InlineData("+OK\rx")]
    public void Scan_NotResp_MinusOne(string reply)
    {
        Assert.Equal(-1, ReplyScanner.Scan(Encoding.ASCII.GetBytes(reply), out _));
    }

    [Fact]
    public void Helpers_ValuesAndTypeNames_AsCodisReportsThem()
    {
        Assert.Equal("<bulkbytes>", ReplyScanner.TypeName((byte)'$'));
        Assert.Equal(5, ReplyScanner.ValueLength("$5\r\nhello\r\n"u8));
        Assert.Equal(2, ReplyScanner.ValueLength(":10\r\n"u8));
        Assert.Equal("hello", Encoding.ASCII.GetString(ReplyScanner.BulkValue("$5\r\nhello\r\n"u8)));
        Assert.Equal(3, ReplyScanner.HeaderNumber("*3\r\n"u8));
    }
}
