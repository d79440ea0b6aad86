using System.Text;
using Codis.Core.Resp;
using static Codis.Core.Tests.Resp.ParserDriver;

namespace Codis.Core.Tests.Resp;

public class RequestParserTests
{
    /// <summary>Valid payloads (latin-1 text) and the requests Redis 7 reads from them.</summary>
    public static TheoryData<string, Parsed[]> ValidPayloads() => new()
    {
        { "*1\r\n$4\r\nPING\r\n", [Parsed.Request("PING")] },
        { "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nxy\r\n", [Parsed.Request("SET", "k", "v\r\nxy")] },
        { "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [Parsed.Request("ECHO", "")] },
        { "*2\r\n$4\r\nECHO\r\n$3\r\n\0\xff*\r\n", [Parsed.Request("ECHO", "\0\xff*")] },
        { "*2\r\n$4\r\nECHO\r\n$4\r\n$1\r\n\r\n", [Parsed.Request("ECHO", "$1\r\n")] },
        { "*0\r\n", [Parsed.Empty] },
        { "*-1\r\n", [Parsed.Empty] },
        { "*-42\r\n", [Parsed.Empty] },
        // Redis does not check the two bytes after a bulk; it skips them.
        { "*1\r\n$4\r\nPINGxx", [Parsed.Request("PING")] },
        { "PING\r\n", [Parsed.Request("PING")] },
        { "PING\n", [Parsed.Request("PING")] },
        { "\r\n", [Parsed.Empty] },
        { "\n", [Parsed.Empty] },
        { "  \t \r\n", [Parsed.Empty] },
        { "  set   k\t v  \r\n", [Parsed.Request("set", "k", "v")] },
        { "set k \"a\\x41\\n\\q\"\r\n", [Parsed.Request("set", "k", "aA\nq")] },
        { "echo \"\\r\\t\\b\\a\\\\\\\"\"\n", [Parsed.Request("echo", "\r\t\b\a\\\"")] },
        { "echo \"\\xFf\\x00\"\r\n", [Parsed.Request("echo", "\xff\0")] },
        { "echo \"\\x4g\"\r\n", [Parsed.Request("echo", "x4g")] },
        { "echo \"\\x4\"\r\n", [Parsed.Request("echo", "x4")] },
        { "echo 'a\\'b'\r\n", [Parsed.Request("echo", "a'b")] },
        { "echo 'a\\nb\\x41'\r\n", [Parsed.Request("echo", "a\\nb\\x41")] },
        { "echo 'a\"b' \"c'd\"\r\n", [Parsed.Request("echo", "a\"b", "c'd")] },
        { "echo \"\" ''\r\n", [Parsed.Request("echo", "", "")] },
        { "echo a\"b c\"\r\n", [Parsed.Request("echo", "ab c")] },
        { "echo a'b c'\r\n", [Parsed.Request("echo", "ab c")] },
        { "echo \"a\"\tb\r\n", [Parsed.Request("echo", "a", "b")] },
        // A closing quote may be followed by \v or \f (isspace), which do not end an unquoted token.
        { "echo \"a\"\vx\r\n", [Parsed.Request("echo", "a", "x")] },
        { "echo a\vb\r\n", [Parsed.Request("echo", "a\vb")] },
        { "\v\f echo x\r\n", [Parsed.Request("echo", "x")] },
        { "echo a\rb\r\n", [Parsed.Request("echo", "a", "b")] },
        { "echo *1\r\n", [Parsed.Request("echo", "*1")] },
        { "$1\r\n", [Parsed.Request("$1")] },
        {
            "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n\r\n*0\r\nGET k\n*1\r\n$4\r\nQUIT\r\n",
            [Parsed.Request("PING"), Parsed.Request("ECHO", "hi"), Parsed.Empty, Parsed.Empty, Parsed.Request("GET", "k"), Parsed.Request("QUIT")]
        },
        {
            "*1\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n*1\r\n$1\r\nc\r\n",
            [Parsed.Request("a"), Parsed.Request("b"), Parsed.Request("c")]
        },
        { ManyArgs(20), [Parsed.Request(Enumerable.Range(0, 20).Select(i => "arg" + i).ToArray())] },
        { "*2\r\n$3\r\nGET\r\n$300\r\n" + new string('k', 300) + "\r\n", [Parsed.Request("GET", new string('k', 300))] },
        { "SET k " + new string('v', 300) + "\r\n", [Parsed.Request("SET", "k", new string('v', 300))] },
    };

    private static string ManyArgs(int n)
    {
        var sb = new StringBuilder($"*{n}\r\n");
        for (int i = 0; i < n; i++)
            sb.Append($"${("arg" + i).Length}\r\narg{i}\r\n");
        return sb.ToString();
    }

    [Theory]
    [MemberData(nameof(ValidPayloads))]
    public void TryParse_WholePayload_ParsesAllRequests(string payload, Parsed[] expected)
    {
        Assert.Equal(expected, Whole(Bytes(payload)));
    }

    [Theory]
    [MemberData(nameof(ValidPayloads))]
    public void TryParse_SplitAtEveryOffset_SameRequests(string payload, Parsed[] expected)
    {
        byte[] bytes = Bytes(payload);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(expected, SplitAt(bytes, cut, compact: true));
            Assert.Equal(expected, SplitAt(bytes, cut, compact: false));
        }
    }

    [Theory]
    [MemberData(nameof(ValidPayloads))]
    public void TryParse_ByteByByte_SameRequests(string payload, Parsed[] expected)
    {
        Assert.Equal(expected, ByteByByte(Bytes(payload), compact: true));
        Assert.Equal(expected, ByteByByte(Bytes(payload), compact: false));
    }

    [Theory]
    [MemberData(nameof(ValidPayloads))]
    public void TryParse_StrictPrefixOfFirstRequest_IncompleteThenComplete(string payload, Parsed[] expected)
    {
        byte[] bytes = Bytes(payload);
        int firstLength = FirstRequestLength(bytes);
        for (int cut = 0; cut < firstLength; cut++)
        {
            var parser = new RequestParser();
            var args = new ArgList();
            // The prefix lies at offset 3 of one buffer, the grown input at offset 7 of another: the parser
            // must keep its progress relative to the request's start, not to a buffer.
            var first = new byte[3 + cut];
            bytes.AsSpan(0, cut).CopyTo(first.AsSpan(3));
            Assert.Equal(ParseResult.Incomplete, parser.TryParse(first, 3, cut, args));
            Assert.Equal(0, parser.Consumed);

            var second = new byte[7 + bytes.Length];
            bytes.CopyTo(second.AsSpan(7));
            ParseResult r = parser.TryParse(second, 7, bytes.Length, args);
            Assert.Equal(expected[0].Result, r);
            Assert.Equal(firstLength, parser.Consumed);
            if (r == ParseResult.Complete)
                Assert.Equal(expected[0], ToParsed(args));
        }
    }

    private static int FirstRequestLength(byte[] bytes)
    {
        var parser = new RequestParser();
        ParseResult r = parser.TryParse(bytes, 0, bytes.Length, new ArgList());
        Assert.True(r is ParseResult.Complete or ParseResult.Empty);
        return parser.Consumed;
    }

    [Fact]
    public void TryParse_Multibulk_ArgsAreViewsIntoCallerBuffer()
    {
        byte[] buffer = Bytes("junk*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        var parser = new RequestParser();
        var args = new ArgList();
        Assert.Equal(ParseResult.Complete, parser.TryParse(buffer, 4, buffer.Length - 4, args));
        Assert.Same(buffer, args.Buffer);
        Assert.Equal(2, args.Count);
        Assert.Equal(3, args.Length(0));
        Assert.Equal("k"u8.ToArray(), args.ToArray(1));
        Assert.Equal(buffer.Length - 4, parser.Consumed);
    }

    [Fact]
    public void TryParse_Inline_ArgsOwnedByParserNotInput()
    {
        byte[] buffer = Bytes("GET \"a\\x41\"\r\n");
        var parser = new RequestParser();
        var args = new ArgList();
        Assert.Equal(ParseResult.Complete, parser.TryParse(buffer, 0, buffer.Length, args));
        Assert.NotSame(buffer, args.Buffer);
        buffer.AsSpan().Clear();
        Assert.Equal("aA"u8.ToArray(), args.ToArray(1));
    }

    [Fact]
    public void TryParse_EmptyInput_Incomplete()
    {
        var parser = new RequestParser();
        Assert.Equal(ParseResult.Incomplete, parser.TryParse([], 0, 0, new ArgList()));
        Assert.Equal(0, parser.Consumed);
    }

    [Fact]
    public void TryParse_PartialBulk_NeededBytesIsWholeRequestLength()
    {
        byte[] buffer = Bytes("*1\r\n$10\r\nab");
        var parser = new RequestParser();
        Assert.Equal(ParseResult.Incomplete, parser.TryParse(buffer, 0, buffer.Length, new ArgList()));
        Assert.Equal(4 + 5 + 10 + 2, parser.NeededBytes);
    }

    [Fact]
    public void TryParse_LargeInlineLineWithinLimit_Complete()
    {
        string value = new('v', RequestParser.InlineMaxSize);
        Assert.Equal([Parsed.Request("SET", "k", value)], Whole(Bytes("SET k " + value + "\r\n")));
    }

    [Fact]
    public void Reset_AfterPartialMultibulk_ForgetsProgress()
    {
        var parser = new RequestParser();
        var args = new ArgList();
        byte[] partial = Bytes("*2\r\n$3\r\nGET\r\n");
        Assert.Equal(ParseResult.Incomplete, parser.TryParse(partial, 0, partial.Length, args));
        parser.Reset();
        byte[] fresh = Bytes("PING\r\n");
        Assert.Equal(ParseResult.Complete, parser.TryParse(fresh, 0, fresh.Length, args));
        Assert.Equal(Parsed.Request("PING"), ToParsed(args));
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("7", true, 7L)]
    [InlineData("-1", true, -1L)]
    [InlineData("123", true, 123L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("-9223372036854775809", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData("-", false, 0L)]
    [InlineData("+1", false, 0L)]
    [InlineData("01", false, 0L)]
    [InlineData("-0", false, 0L)]
    [InlineData("-01", false, 0L)]
    [InlineData("00", false, 0L)]
    [InlineData(" 1", false, 0L)]
    [InlineData("1 ", false, 0L)]
    [InlineData("1a", false, 0L)]
    [InlineData("1.0", false, 0L)]
    [InlineData("000000000000000000001", false, 0L)]
    public void TryParseLong_Text_BehavesLikeString2ll(string text, bool ok, long expected)
    {
        Assert.Equal(ok, RequestParser.TryParseLong(Bytes(text), out long value));
        if (ok)
            Assert.Equal(expected, value);
    }
}
