using Codis.Core.Resp;
using static Codis.Core.Tests.Resp.ParserDriver;

namespace Codis.Core.Tests.Resp;

public class RequestParserErrorTests
{
    /// <summary>
    /// Malformed payloads and the exact reply Redis 7.0.15 sends before closing (captured from Debian's
    /// redis-server with a raw socket).
    /// </summary>
    public static TheoryData<string, string> Malformed() => new()
    {
        { "*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*01\r\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*-0\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*+1\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "* 1\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*99999999999999999999\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$+1\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$04\r\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$-0\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n" },
        { "*2\r\n$4\r\nECHO\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n" },
        // Redis turns the \r into a space when it formats the error; the raw byte \xc8 is sent as is.
        { "*1\r\n\r\n", "-ERR Protocol error: expected '$', got ' '\r\n" },
        { "*1\r\n\xc8\r\n", "-ERR Protocol error: expected '$', got '\xc8'\r\n" },
        { "\"a\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "echo \"a\"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "echo 'a'b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "echo 'abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "echo \"a\\\"\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "echo \"a\\\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "PING\r\necho \"\r\n", "+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_Malformed_ErrorReplyMatchesRedis(string payload, string redisReply)
    {
        byte[] bytes = Bytes(payload);
        var parser = new RequestParser();
        var args = new ArgList();
        var writer = new ReplyWriter();
        int start = 0;
        while (true)
        {
            ParseResult r = parser.TryParse(bytes, start, bytes.Length - start, args);
            Assert.NotEqual(ParseResult.Incomplete, r);
            if (r == ParseResult.Error)
                break;
            // The only request before an error in this table is PING.
            writer.Simple("PONG");
            start += parser.Consumed;
        }
        writer.Error([.. "ERR "u8, .. parser.ErrorBytes]);
        Assert.Equal(Bytes(redisReply), writer.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_MalformedSplitAtEveryOffset_SameOutcome(string payload, string redisReply)
    {
        _ = redisReply;
        byte[] bytes = Bytes(payload);
        List<Parsed> whole = Whole(bytes);
        Assert.Equal(ParseResult.Error, whole[^1].Result);
        for (int cut = 0; cut <= bytes.Length; cut++)
            Assert.Equal(whole, SplitAt(bytes, cut, compact: true));
        Assert.Equal(whole, ByteByByte(bytes, compact: false));
    }

    [Fact]
    public void TryParse_ExpectedDollar_ErrorTextNamesTheByte()
    {
        Assert.Equal([Parsed.Failure("Protocol error: expected '$', got 'x'")], Whole(Bytes("*1\r\nx\r\n")));
    }

    [Fact]
    public void TryParse_InlineLongerThanLimitWithoutNewline_TooBigInlineRequest()
    {
        byte[] atLimit = Bytes(new string('a', RequestParser.InlineMaxSize));
        Assert.Empty(Whole(atLimit));
        byte[] over = Bytes(new string('a', RequestParser.InlineMaxSize + 1));
        Assert.Equal([Parsed.Failure("Protocol error: too big inline request")], Whole(over));
    }

    [Fact]
    public void TryParse_CountLineLongerThanLimit_TooBigMbulkCountString()
    {
        byte[] atLimit = Bytes("*" + new string('1', RequestParser.InlineMaxSize - 1));
        Assert.Empty(Whole(atLimit));
        byte[] over = Bytes("*" + new string('1', RequestParser.InlineMaxSize));
        Assert.Equal([Parsed.Failure("Protocol error: too big mbulk count string")], Whole(over));
    }

    [Fact]
    public void TryParse_BulkCountLineLongerThanLimit_TooBigBulkCountString()
    {
        byte[] atLimit = Bytes("*1\r\n$" + new string('1', RequestParser.InlineMaxSize - 1));
        Assert.Empty(Whole(atLimit));
        byte[] over = Bytes("*1\r\n$" + new string('1', RequestParser.InlineMaxSize));
        Assert.Equal([Parsed.Failure("Protocol error: too big bulk count string")], Whole(over));
    }

    [Fact]
    public void TryParse_UnauthenticatedMoreThanTenArgs_Error()
    {
        Action<RequestParser> unauth = p => p.Unauthenticated = true;
        Assert.Empty(Whole(Bytes("*10\r\n"), unauth));
        Assert.Equal([Parsed.Failure("Protocol error: unauthenticated multibulk length")], Whole(Bytes("*11\r\n"), unauth));
        // Authenticated clients have no such limit.
        Assert.Empty(Whole(Bytes("*11\r\n")));
    }

    [Fact]
    public void TryParse_UnauthenticatedBulkOver16K_Error()
    {
        Action<RequestParser> unauth = p => p.Unauthenticated = true;
        Assert.Empty(Whole(Bytes("*1\r\n$16384\r\n"), unauth));
        Assert.Equal([Parsed.Failure("Protocol error: unauthenticated bulk length")], Whole(Bytes("*1\r\n$16385\r\n"), unauth));
        Assert.Empty(Whole(Bytes("*1\r\n$16385\r\n")));
    }

    [Fact]
    public void TryParse_BulkOverMaxBulkLength_InvalidBulkLength()
    {
        Action<RequestParser> small = p => p.MaxBulkLength = 10;
        Assert.Equal([Parsed.Request("0123456789")], Whole(Bytes("*1\r\n$10\r\n0123456789\r\n"), small));
        Assert.Equal([Parsed.Failure("Protocol error: invalid bulk length")], Whole(Bytes("*1\r\n$11\r\n"), small));
        Assert.Empty(Whole(Bytes("*1\r\n$536870912\r\n")));
    }

    [Fact]
    public void TryParse_AfterError_NextCallStartsFresh()
    {
        var parser = new RequestParser();
        var args = new ArgList();
        byte[] bad = Bytes("*2\r\n$3\r\nGET\r\nx\r\n");
        Assert.Equal(ParseResult.Error, parser.TryParse(bad, 0, bad.Length, args));
        byte[] good = Bytes("*1\r\n$4\r\nPING\r\n");
        Assert.Equal(ParseResult.Complete, parser.TryParse(good, 0, good.Length, args));
        Assert.Equal(Parsed.Request("PING"), ToParsed(args));
    }
}
