using System.Text;
using Codis.Proxy.Session;

namespace Codis.Proxy.Tests.Session;

public sealed class RequestDecoderTests
{
    private static string[] Args(Request r) =>
        Enumerable.Range(0, r.ArgCount).Select(i => Encoding.Latin1.GetString(r.Arg(i))).ToArray();

    [Theory]
    [InlineData("*2\r\n$3\r\nGET\r\n$1\r\na\r\n", new[] { "GET", "a" })]
    [InlineData("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\nx\r\ny\n\r\n", new[] { "SET", "", "x\r\ny\n" })]
    [InlineData("SET  inl 5\r\n", new[] { "SET", "inl", "5" })]
    [InlineData("PING\r\n", new[] { "PING" })]
    public void Decode_EverySplitOffset_SameRequest(string payload, string[] expected)
    {
        var bytes = Encoding.Latin1.GetBytes(payload);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var r = new Request();
            var first = RequestDecoder.Decode(bytes.AsSpan(0, split), r, out var consumed, out var needed, out _);
            if (split < bytes.Length)
            {
                Assert.Equal(DecodeResult.Incomplete, first);
                Assert.Equal(0, consumed);
                Assert.True(needed == 0 || needed > split);
            }
            var result = RequestDecoder.Decode(bytes, r, out consumed, out _, out _);
            Assert.Equal(DecodeResult.Complete, result);
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, Args(r));
        }
    }

    [Fact]
    public void Decode_Array_ClientBytesKept()
    {
        var bytes = "*2\r\n$3\r\nget\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n"u8.ToArray();
        var r = new Request();
        Assert.Equal(DecodeResult.Complete, RequestDecoder.Decode(bytes, r, out var consumed, out _, out _));
        Assert.Equal(20, consumed);
        Assert.Equal(bytes.AsSpan(0, 20).ToArray(), r.Bytes.ToArray());
    }

    [Fact]
    public void Decode_Inline_ReencodedAsMultibulk()
    {
        var r = new Request();
        Assert.Equal(DecodeResult.Complete, RequestDecoder.Decode("get  a\r\n"u8, r, out _, out _, out _));
        Assert.Equal("*2\r\n$3\r\nget\r\n$1\r\na\r\n", Encoding.ASCII.GetString(r.Bytes));
    }

    [Fact]
    public void Decode_EmptyInlineLine_Skipped()
    {
        Assert.Equal(DecodeResult.Empty, RequestDecoder.Decode("\r\nPING\r\n"u8, new Request(), out var consumed, out _, out _));
        Assert.Equal(2, consumed);
    }

    [Theory]
    [InlineData("*0\r\n", "bad array len")]
    [InlineData("*-1\r\n", "bad array len")]
    [InlineData("*1048577\r\n", "bad array len, too long")]
    [InlineData("*1\r\n:1\r\n", "bad multi-bulk content, should be bulkbytes")]
    [InlineData("*1\r\n!x\r\n", "bad resp type !")]
    [InlineData("*1\r\n$-2\r\n", "bad bulk bytes len")]
    [InlineData("*1\r\n$-1\r\n", "bad bulk bytes len")]
    [InlineData("*1\r\n$536870913\r\n", "bad bulk bytes len, too long")]
    [InlineData("*1\r\n$1\r\nab\r\n", "bad CRLF end")]
    [InlineData("*1\n", "bad CRLF end")]
    [InlineData("*x\r\n", "bad resp int")]
    [InlineData("*1\r\n$1x\r\n", "bad resp int")]
    [InlineData("GET a\n", "bad CRLF end")]
    [InlineData("  \r\n", "bad multi-bulk len")]
    public void Decode_Malformed_CodisError(string payload, string error)
    {
        var result = RequestDecoder.Decode(Encoding.Latin1.GetBytes(payload), new Request(), out _, out _, out var message);
        Assert.Equal(DecodeResult.Error, result);
        Assert.Equal(error, message);
    }

    [Fact]
    public void Decode_HugeBulkAnnounced_NeedsWholeBulk()
    {
        var r = new Request();
        Assert.Equal(DecodeResult.Incomplete, RequestDecoder.Decode("*2\r\n$3\r\nSET\r\n$1000000\r\nab"u8, r, out _, out var needed, out _));
        Assert.Equal(13 + 10 + 1_000_000 + 2, needed);
    }

    [Fact]
    public void Decode_InlineLongerThanLimit_Error()
    {
        var line = new byte[RequestDecoder.MaxInlineLength + 1];
        line.AsSpan().Fill((byte)'a');
        Assert.Equal(DecodeResult.Error, RequestDecoder.Decode(line, new Request(), out _, out _, out _));
    }
}
