using Codis.Core.Config;

namespace Codis.Core.Tests.Config;

public sealed class TomlReaderTests
{
    private static TomlValue One(string toml) => Assert.Single(TomlReader.Parse(toml)).Value;

    [Fact]
    public void Parse_KeysInFileOrder_WithLines()
    {
        var pairs = TomlReader.Parse("# head\n\nb = 1\na = \"x\" # tail\n  c = true\n");
        Assert.Equal(["b", "a", "c"], pairs.Select(p => p.Key));
        Assert.Equal([3, 4, 5], pairs.Select(p => p.Value.Line));
    }

    [Theory]
    [InlineData("k = \"a\\tb\\\"c\\\\d\\u00e9\"", "a\tb\"c\\d\u00e9")]
    [InlineData("k = 'C:\\path\\no\\escape'", "C:\\path\\no\\escape")]
    [InlineData("k = \"\"", "")]
    [InlineData("k = \"# not a comment\"", "# not a comment")]
    [InlineData("\"quoted key\" = \"v\"", "v")]
    public void Parse_Strings(string toml, string expected) => Assert.Equal(expected, One(toml).Text);

    [Theory]
    [InlineData("k = 42", 42)]
    [InlineData("k = -7", -7)]
    [InlineData("k = +3", 3)]
    [InlineData("k = 1_000_000", 1000000)]
    [InlineData("k = 0x1F", 31)]
    public void Parse_Integers(string toml, long expected)
    {
        TomlValue v = One(toml);
        Assert.Equal(TomlKind.Integer, v.Kind);
        Assert.Equal(expected, v.Integer);
    }

    [Fact]
    public void Parse_FloatsAndBooleans()
    {
        Assert.Equal(1.5, One("k = 1.5").Float);
        Assert.Equal(TomlKind.Float, One("k = 1e3").Kind);
        Assert.True(One("k = true").Boolean);
        Assert.False(One("k = false").Boolean);
    }

    [Fact]
    public void Parse_ArrayOfStrings_AcrossLinesWithCommentsAndTrailingComma()
    {
        TomlValue v = One("servers = [\n  \"a:1\", # first\n  \"b:2\",\n]\n");
        Assert.Equal(TomlKind.Array, v.Kind);
        Assert.Equal(["a:1", "b:2"], v.Items!.Select(i => i.Text));
        Assert.Empty(One("k = []").Items!);
    }

    [Fact]
    public void Parse_Table_PrefixesKeys()
    {
        var pairs = TomlReader.Parse("top = 1\n[section]\nkey = 2\n");
        Assert.Equal(["top", "section.key"], pairs.Select(p => p.Key));
    }

    [Fact]
    public void Parse_CrLfLineEndings()
    {
        var pairs = TomlReader.Parse("a = 1\r\nb = \"x\"\r\n");
        Assert.Equal(2, pairs.Count);
        Assert.Equal("x", pairs[1].Value.Text);
    }

    [Theory]
    [InlineData("a = 1\nb = \n", 2, "missing value after '='")]
    [InlineData("a = 1\na = 2\n", 2, "key 'a' is defined twice")]
    [InlineData("\n\nproduct_name = codis\n", 3, "invalid value 'codis' (strings must be quoted)")]
    [InlineData("a = \"unterminated\n", 1, "unterminated string")]
    [InlineData("a = 1 2\n", 1, "unexpected '2' after value")]
    [InlineData("a 1\n", 1, "expected '=' after key 'a'")]
    [InlineData("a = [1, \"x\"]\n", 1, "array mixes integer and string values")]
    [InlineData("a = [\"x\"\n", 1, "unterminated array")]
    [InlineData("a = \"\\q\"\n", 1, "invalid escape sequence '\\q'")]
    [InlineData("a = \"\"\"x\"\"\"\n", 1, "multi-line strings are not supported")]
    [InlineData("a = {b = 1}\n", 1, "inline tables are not supported")]
    [InlineData("[[t]]\n", 1, "arrays of tables")]
    [InlineData("a = 99999999999999999999\n", 1, "out of range")]
    [InlineData("= 1\n", 1, "expected a key")]
    public void Parse_Errors_NameTheLine(string toml, int line, string message)
    {
        var e = Assert.Throws<TomlException>(() => TomlReader.Parse(toml));
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
