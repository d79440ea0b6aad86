using System.Text;
using Codis.Core.Resp;

namespace Codis.Core.Tests.Resp;

public class ReplyWriterTests
{
    private static string Written(ReplyWriter w) => Encoding.Latin1.GetString(w.WrittenSpan);

    private static string Write(Action<ReplyWriter> write, int protocol = 2, int initialSize = 4)
    {
        var w = new ReplyWriter(initialSize) { Protocol = protocol };
        write(w);
        return Written(w);
    }

    [Fact]
    public void Ok_Always_WritesPlusOk() => Assert.Equal("+OK\r\n", Write(w => w.Ok()));

    [Fact]
    public void Simple_BytesAndText_WritesSimpleString()
    {
        Assert.Equal("+PONG\r\n", Write(w => w.Simple("PONG"u8)));
        Assert.Equal("+QUEUED\r\n", Write(w => w.Simple("QUEUED")));
        Assert.Equal("+\r\n", Write(w => w.Simple("")));
    }

    [Fact]
    public void Error_TextWithNewlines_ReplacedBySpaces()
    {
        Assert.Equal("-ERR bad\r\n", Write(w => w.Error("ERR bad")));
        Assert.Equal("-ERR a  b c\r\n", Write(w => w.Error("ERR a\r\nb\nc")));
        Assert.Equal("-ERR a  b\r\n", Write(w => w.Error("ERR a\r\nb"u8)));
        Assert.Equal("-WRONGTYPE x\r\n", Write(w => w.Error("WRONGTYPE x"u8)));
    }

    [Fact]
    public void Error_NonAsciiText_Utf8Encoded()
    {
        var w = new ReplyWriter(4);
        w.Error("ERR é");
        Assert.Equal("-ERR \u00e9\r\n"u8.ToArray(), w.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(0L, ":0\r\n")]
    [InlineData(-1L, ":-1\r\n")]
    [InlineData(1234567890123L, ":1234567890123\r\n")]
    [InlineData(long.MaxValue, ":9223372036854775807\r\n")]
    [InlineData(long.MinValue, ":-9223372036854775808\r\n")]
    public void Integer_Value_WritesColonLine(long value, string expected)
    {
        Assert.Equal(expected, Write(w => w.Integer(value)));
        Assert.Equal(expected, Write(w => w.Integer(value), protocol: 3));
    }

    [Fact]
    public void Bulk_BinaryValue_LengthPrefixedAndBinarySafe()
    {
        Assert.Equal("$5\r\na\r\n\0\xff\r\n", Write(w => w.Bulk(new byte[] { (byte)'a', 13, 10, 0, 0xff })));
        Assert.Equal("$0\r\n\r\n", Write(w => w.Bulk(ReadOnlySpan<byte>.Empty)));
        Assert.Equal("$0\r\n\r\n", Write(w => w.Bulk("")));
        Assert.Equal("$2\r\n\u00c3\u00a9\r\n", Write(w => w.Bulk("é")));
    }

    [Fact]
    public void BulkInteger_Value_DecimalBulk()
    {
        Assert.Equal("$2\r\n42\r\n", Write(w => w.BulkInteger(42)));
        Assert.Equal("$20\r\n-9223372036854775808\r\n", Write(w => w.BulkInteger(long.MinValue)));
    }

    [Fact]
    public void Null_Resp2AndResp3_DollarMinusOneOrUnderscore()
    {
        Assert.Equal("$-1\r\n", Write(w => w.Null()));
        Assert.Equal("*-1\r\n", Write(w => w.NullArray()));
        Assert.Equal("_\r\n", Write(w => w.Null(), protocol: 3));
        Assert.Equal("_\r\n", Write(w => w.NullArray(), protocol: 3));
    }

    [Fact]
    public void AggregateHeaders_Resp2_AllArrays()
    {
        Assert.Equal("*3\r\n", Write(w => w.Array(3)));
        Assert.Equal("*0\r\n", Write(w => w.Array(0)));
        Assert.Equal("*4\r\n", Write(w => w.Map(2)));
        Assert.Equal("*2\r\n", Write(w => w.Set(2)));
        Assert.Equal("*3\r\n", Write(w => w.Push(3)));
    }

    [Fact]
    public void AggregateHeaders_Resp3_TypedHeaders()
    {
        Assert.Equal("*3\r\n", Write(w => w.Array(3), protocol: 3));
        Assert.Equal("%2\r\n", Write(w => w.Map(2), protocol: 3));
        Assert.Equal("~2\r\n", Write(w => w.Set(2), protocol: 3));
        Assert.Equal(">3\r\n", Write(w => w.Push(3), protocol: 3));
    }

    [Fact]
    public void Boolean_Resp2AndResp3_IntegerOrHash()
    {
        Assert.Equal(":1\r\n", Write(w => w.Boolean(true)));
        Assert.Equal(":0\r\n", Write(w => w.Boolean(false)));
        Assert.Equal("#t\r\n", Write(w => w.Boolean(true), protocol: 3));
        Assert.Equal("#f\r\n", Write(w => w.Boolean(false), protocol: 3));
    }

    [Fact]
    public void Double_Resp2_BulkOfPrintfG17()
    {
        Assert.Equal("$3\r\n1.5\r\n", Write(w => w.Double(1.5)));
        Assert.Equal("$19\r\n0.10000000000000001\r\n", Write(w => w.Double(0.1)));
        Assert.Equal("$3\r\ninf\r\n", Write(w => w.Double(double.PositiveInfinity)));
        Assert.Equal("$4\r\n-inf\r\n", Write(w => w.Double(double.NegativeInfinity)));
    }

    [Fact]
    public void Double_Resp3_CommaLine()
    {
        Assert.Equal(",1.5\r\n", Write(w => w.Double(1.5), protocol: 3));
        Assert.Equal(",3\r\n", Write(w => w.Double(3.0), protocol: 3));
        Assert.Equal(",inf\r\n", Write(w => w.Double(double.PositiveInfinity), protocol: 3));
        Assert.Equal(",-inf\r\n", Write(w => w.Double(double.NegativeInfinity), protocol: 3));
    }

    /// <summary>Expected strings from python3 <c>'%.17g' % x</c> on this machine (glibc printf).</summary>
    public static TheoryData<double, string> PrintfCases() => new()
    {
        { 1.5, "1.5" },
        { 0.1, "0.10000000000000001" },
        { 1e20, "1e+20" },
        { 1e-5, "1.0000000000000001e-05" },
        { 3.0, "3" },
        { -0.0, "-0" },
        { 0.0, "0" },
        { 123456789012345678, "1.2345678901234568e+17" },
        { double.MaxValue, "1.7976931348623157e+308" },
        { double.Epsilon, "4.9406564584124654e-324" },
        { 2.2250738585072014e-308, "2.2250738585072014e-308" },
        { 1e16, "10000000000000000" },
        { 1e17, "1e+17" },
        { 1e-4, "0.0001" },
        { 0.0001234, "0.00012339999999999999" },
        { -2.5, "-2.5" },
        { 100.0, "100" },
        { 1.0 / 3, "0.33333333333333331" },
        { 12345678901234567890.0, "1.2345678901234567e+19" },
        { 1e100, "1e+100" },
        { -1e-300, "-1e-300" },
        { 0.30000000000000004, "0.30000000000000004" },
        { 9007199254740993.0, "9007199254740992" },
        { double.PositiveInfinity, "inf" },
        { double.NegativeInfinity, "-inf" },
        { double.NaN, "nan" },
    };

    [Theory]
    [MemberData(nameof(PrintfCases))]
    public void FormatDouble_Value_MatchesCPrintfG17(double value, string expected)
    {
        Assert.Equal(expected, ReplyWriter.FormatDouble(value));
        Span<byte> buffer = stackalloc byte[64];
        int n = ReplyWriter.FormatDouble(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..n]));
    }

    [Theory]
    [InlineData(1.5, 6, "1.5")]
    [InlineData(0.1, 6, "0.1")]
    [InlineData(1234567.0, 6, "1.23457e+06")]
    [InlineData(123456.0, 6, "123456")]
    [InlineData(0.0001, 1, "0.0001")]
    [InlineData(0.00001, 1, "1e-05")]
    [InlineData(9.5, 1, "1e+01")]
    public void PrintfG_OtherPrecisions_MatchesC(double value, int precision, string expected)
    {
        Assert.Equal(expected, ReplyWriter.PrintfG(value, precision));
    }

    [Fact]
    public void DeferredArray_CountKnownLater_HeaderBeforeBody()
    {
        string s = Write(w =>
        {
            int h = w.BeginDeferredArray();
            w.Bulk("a");
            w.Integer(2);
            w.EndDeferredArray(h, 2);
        });
        Assert.Equal("*2\r\n$1\r\na\r\n:2\r\n", s);
    }

    [Fact]
    public void DeferredArray_Empty_OnlyHeader()
    {
        Assert.Equal("+x\r\n*0\r\n", Write(w =>
        {
            w.Simple("x");
            int h = w.BeginDeferredArray();
            w.EndDeferredArray(h, 0);
        }));
    }

    [Fact]
    public void DeferredArray_Nested_BothHeadersInPlace()
    {
        string s = Write(w =>
        {
            int outer = w.BeginDeferredArray();
            int inner = w.BeginDeferredArray();
            w.Integer(1);
            w.EndDeferredArray(inner, 1);
            w.Bulk("z");
            w.EndDeferredArray(outer, 2);
        });
        Assert.Equal("*2\r\n*1\r\n:1\r\n$1\r\nz\r\n", s);
    }

    [Fact]
    public void DeferredArray_LargeBodyAndCount_GrowsBufferAndKeepsBody()
    {
        var expected = new StringBuilder("*100000\r\n");
        for (int i = 0; i < 100_000; i++)
            expected.Append(":").Append(i).Append("\r\n");
        string s = Write(w =>
        {
            int h = w.BeginDeferredArray();
            for (int i = 0; i < 100_000; i++)
                w.Integer(i);
            w.EndDeferredArray(h, 100_000);
        });
        Assert.Equal(expected.ToString(), s);
    }

    [Fact]
    public void DeferredArray_KindArgument_UsesGivenType()
    {
        Assert.Equal("~1\r\n:1\r\n", Write(w =>
        {
            int h = w.BeginDeferredArray();
            w.Integer(1);
            w.EndDeferredArray(h, 1, (byte)'~');
        }));
    }

    [Fact]
    public void DeferredMap_Resp2AndResp3_DoubledCountOrPercent()
    {
        static void Body(ReplyWriter w)
        {
            int h = w.BeginDeferredArray();
            w.Bulk("k");
            w.Bulk("v");
            w.EndDeferredMap(h, 1);
        }
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", Write(Body));
        Assert.Equal("%1\r\n$1\r\nk\r\n$1\r\nv\r\n", Write(Body, protocol: 3));
    }

    [Fact]
    public void WriteRaw_BeyondInitialSize_Grows()
    {
        var w = new ReplyWriter(2);
        byte[] big = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        w.WriteRaw(big);
        w.WriteRaw("+x\r\n"u8);
        Assert.Equal(5004, w.Length);
        Assert.Equal(big, w.WrittenSpan[..5000].ToArray());
        Assert.Equal(w.WrittenSpan.ToArray(), w.WrittenMemory.ToArray());
        Assert.Equal(w.WrittenSpan.ToArray(), w.Buffer.AsSpan(0, w.Length).ToArray());
    }

    [Fact]
    public void Truncate_AfterPartialReply_DropsTail()
    {
        var w = new ReplyWriter();
        w.Ok();
        int mark = w.Length;
        w.Array(2);
        w.Bulk("half");
        w.Truncate(mark);
        w.Error("ERR aborted");
        Assert.Equal("+OK\r\n-ERR aborted\r\n", Written(w));
    }

    [Fact]
    public void Clear_OversizedBuffer_EmptiesAndShrinks()
    {
        var w = new ReplyWriter();
        w.WriteRaw(new byte[2 << 20]);
        w.Clear();
        Assert.Equal(0, w.Length);
        Assert.True(w.Buffer.Length <= 1 << 20);
        w.Ok();
        Assert.Equal("+OK\r\n", Written(w));
    }

    [Fact]
    public void Clear_SmallBuffer_KeepsBuffer()
    {
        var w = new ReplyWriter();
        w.Ok();
        byte[] before = w.Buffer;
        w.Clear();
        Assert.Same(before, w.Buffer);
        Assert.Empty(w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Protocol_Default_Is2()
    {
        Assert.Equal(2, new ReplyWriter().Protocol);
    }
}
