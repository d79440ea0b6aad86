using System.Text;

namespace Codis.TestSupport.Tests;

public class RespRenderTests
{
    private static string R(string raw) => RespRender.Render(Encoding.Latin1.GetBytes(raw));

    [Theory]
    [InlineData("+OK\r\n", "OK")]
    [InlineData("-ERR no\r\n", "(error) ERR no")]
    [InlineData(":5\r\n", "(integer) 5")]
    [InlineData("$-1\r\n", "(nil)")]
    [InlineData("*-1\r\n", "(nil)")]
    [InlineData("_\r\n", "(nil)")]
    [InlineData("*0\r\n", "(empty array)")]
    [InlineData("%0\r\n", "(empty hash)")]
    [InlineData("~0\r\n", "(empty set)")]
    [InlineData("$4\r\na\"\n\xff\r\n", "\"a\\\"\\n\\xff\"")]
    [InlineData(",1.5\r\n", "(double) 1.5")]
    [InlineData("#t\r\n", "(true)")]
    [InlineData("(12\r\n", "(big number) 12")]
    public void Render_Scalar_LikeRedisCli(string raw, string expected)
    {
        Assert.Equal(expected, R(raw));
    }

    [Fact]
    public void Render_NestedArray_IndentedUnderIndex()
    {
        string expected = "1) \"a\"\n2) 1) (integer) 1\n   2) (nil)\n3) OK";
        Assert.Equal(expected, R("*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n+OK\r\n"));
    }

    [Fact]
    public void Render_TenElements_LabelsRightAligned()
    {
        var sb = new StringBuilder("*10\r\n");
        for (int i = 0; i < 10; i++)
            sb.Append(":").Append(i).Append("\r\n");
        string[] lines = R(sb.ToString()).Split('\n');
        Assert.Equal(" 1) (integer) 0", lines[0]);
        Assert.Equal("10) (integer) 9", lines[9]);
    }

    [Fact]
    public void Render_Map_KeyArrowValue()
    {
        Assert.Equal("1# \"k\" => (integer) 1\n2# \"j\" => (nil)", R("%2\r\n$1\r\nk\r\n:1\r\n$1\r\nj\r\n_\r\n"));
    }

    [Fact]
    public void Render_NotAReply_ShowsEscapedBytes()
    {
        Assert.Equal("<not one reply> \"+OK\\r\"", R("+OK\r"));
    }

    [Fact]
    public void Escape_ControlBytes_CStyle()
    {
        Assert.Equal("\"\\\\\\r\\t\\a\\b\\x00\"", RespRender.Escape([(byte)'\\', 13, 9, 7, 8, 0]));
    }
}
