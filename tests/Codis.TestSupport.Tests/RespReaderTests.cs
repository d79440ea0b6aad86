using System.Text;

namespace Codis.TestSupport.Tests;

public class RespReaderTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    public static TheoryData<string> Frames() => new()
    {
        "+OK\r\n",
        "-ERR bad thing\r\n",
        ":-42\r\n",
        "$5\r\na\r\nbc\r\n",
        "$0\r\n\r\n",
        "$-1\r\n",
        "*-1\r\n",
        "*0\r\n",
        "*3\r\n$1\r\na\r\n:1\r\n*2\r\n$-1\r\n*1\r\n+x\r\n",
        "_\r\n",
        ",1.5\r\n",
        ",inf\r\n",
        "#t\r\n",
        "#f\r\n",
        "(3492890328409238509324850943850943825024385\r\n",
        "!21\r\nSYNTAX invalid syntax\r\n",
        "=15\r\ntxt:Some string\r\n",
        "%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n$1\r\nk\r\n*0\r\n",
        "~3\r\n+a\r\n+b\r\n:1\r\n",
        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
        "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n",
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void FrameLength_EveryStrictPrefix_MinusOne(string frame)
    {
        byte[] bytes = B(frame);
        for (int cut = 0; cut < bytes.Length; cut++)
            Assert.Equal(-1, RespReader.FrameLength(bytes.AsSpan(0, cut)));
        Assert.Equal(bytes.Length, RespReader.FrameLength(bytes));
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void FrameLength_FollowedByAnotherReply_LengthOfFirstOnly(string frame)
    {
        byte[] bytes = B(frame + "+NEXT\r\n");
        Assert.Equal(frame.Length, RespReader.FrameLength(bytes));
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Parse_Frame_RendersWithoutThrowing(string frame)
    {
        RespValue v = RespReader.Parse(B(frame));
        Assert.False(string.IsNullOrEmpty(RespRender.Render(v)));
    }

    [Theory]
    [InlineData("?x\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("*x\r\n")]
    [InlineData("$-2\r\n")]
    public void FrameLength_NotResp_ThrowsInvalidData(string frame)
    {
        Assert.Throws<InvalidDataException>(() => RespReader.FrameLength(B(frame)));
    }

    [Fact]
    public void Parse_NestedArray_Tree()
    {
        RespValue v = RespReader.Parse(B("*3\r\n$1\r\na\r\n:7\r\n*2\r\n$-1\r\n*-1\r\n"));
        Assert.Equal(RespType.Array, v.Type);
        Assert.Equal(3, v.Count);
        Assert.Equal("a", v[0].Text);
        Assert.Equal(7, v[1].Integer);
        Assert.True(v[2][0].IsNull);
        Assert.Equal(RespType.BulkString, v[2][0].Type);
        Assert.True(v[2][1].IsNull);
        Assert.Equal(RespType.Array, v[2][1].Type);
    }

    [Fact]
    public void Parse_Resp3Scalars_TypedValues()
    {
        Assert.Equal(RespType.Null, RespReader.Parse(B("_\r\n")).Type);
        Assert.True(RespReader.Parse(B("_\r\n")).IsNull);
        Assert.Equal("1.5", RespReader.Parse(B(",1.5\r\n")).Text);
        Assert.Equal(1, RespReader.Parse(B("#t\r\n")).Integer);
        Assert.Equal(0, RespReader.Parse(B("#f\r\n")).Integer);
        Assert.Equal("123", RespReader.Parse(B("(123\r\n")).Text);
        Assert.True(RespReader.Parse(B("!3\r\nERR\r\n")).IsError);
        Assert.Equal("txt:hi", RespReader.Parse(B("=6\r\ntxt:hi\r\n")).Text);
    }

    [Fact]
    public void Parse_Attribute_AttachedToFollowingValue()
    {
        RespValue v = RespReader.Parse(B("|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n"));
        Assert.Equal(RespType.BulkString, v.Type);
        Assert.Equal("v", v.Text);
        Assert.NotNull(v.Attributes);
        Assert.Equal("ttl", v.Attributes![0].Text);
        Assert.Equal(3600, v.Attributes[1].Integer);
    }

    [Fact]
    public void Parse_TrailingBytes_Throws()
    {
        Assert.Throws<InvalidDataException>(() => RespReader.Parse(B("+OK\r\n+OK\r\n")));
        Assert.Throws<InvalidDataException>(() => RespReader.Parse(B("+OK\r")));
    }

    [Fact]
    public void SplitAggregate_Array_RawElements()
    {
        List<byte[]>? parts = RespReader.SplitAggregate(B("*2\r\n$1\r\na\r\n*1\r\n:1\r\n"), out byte[] header);
        Assert.NotNull(parts);
        Assert.Equal("*2\r\n", Encoding.Latin1.GetString(header));
        Assert.Equal(["$1\r\na\r\n", "*1\r\n:1\r\n"], parts!.Select(p => Encoding.Latin1.GetString(p)));
        Assert.Null(RespReader.SplitAggregate(B("$1\r\na\r\n"), out _));
        Assert.Null(RespReader.SplitAggregate(B("*-1\r\n"), out _));
    }
}
