using System.Globalization;
using System.Text;

namespace Codis.Core.Config;

/// <summary>
/// A small TOML reader, sufficient for Codis's configuration files: <c>key = value</c> lines, comments,
/// basic and literal strings, integers, floats, booleans, arrays (also across lines) and <c>[table]</c>
/// headers (keys inside a table are returned as <c>table.key</c>). Multi-line strings, dates and inline
/// tables are rejected with an error naming the line.
/// </summary>
public static class TomlReader
{
    /// <summary>Parses a whole document into its keys in file order.</summary>
    /// <exception cref="TomlException">A syntax error or a duplicate key; the message names the line.</exception>
    public static IReadOnlyList<KeyValuePair<string, TomlValue>> Parse(string text)
    {
        var result = new List<KeyValuePair<string, TomlValue>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursor = new Cursor(text);
        string table = "";
        while (true)
        {
            cursor.SkipBlankAndComments();
            if (cursor.AtEnd)
                break;
            int line = cursor.Line;
            if (cursor.Peek == '[')
            {
                table = ReadTableHeader(ref cursor);
                if (!seen.Add("[" + table + "]"))
                    throw new TomlException($"table [{table}] defined twice", line);
                cursor.ExpectEndOfLine();
                continue;
            }
            string key = ReadKey(ref cursor);
            cursor.SkipSpaces();
            if (cursor.AtEnd || cursor.Peek != '=')
                throw new TomlException($"expected '=' after key '{key}'", line);
            cursor.Advance();
            cursor.SkipSpaces();
            TomlValue value = ReadValue(ref cursor, line);
            cursor.ExpectEndOfLine();
            string full = table.Length == 0 ? key : table + "." + key;
            if (!seen.Add(full))
                throw new TomlException($"key '{full}' is defined twice", line);
            result.Add(new(full, value));
        }
        return result;
    }

    private static string ReadTableHeader(ref Cursor c)
    {
        int line = c.Line;
        c.Advance(); // [
        if (!c.AtEnd && c.Peek == '[')
            throw new TomlException("arrays of tables ([[...]]) are not supported", line);
        var name = new StringBuilder();
        while (true)
        {
            c.SkipSpaces();
            name.Append(ReadKey(ref c));
            c.SkipSpaces();
            if (c.AtEnd || c.Peek == '\n')
                throw new TomlException("unterminated table header, expected ']'", line);
            if (c.Peek == ']')
            {
                c.Advance();
                return name.ToString();
            }
            if (c.Peek != '.')
                throw new TomlException($"unexpected '{c.Peek}' in table header", line);
            c.Advance();
            name.Append('.');
        }
    }

    private static string ReadKey(ref Cursor c)
    {
        int line = c.Line;
        if (c.AtEnd)
            throw new TomlException("expected a key", line);
        if (c.Peek == '"')
            return ReadBasicString(ref c, line);
        if (c.Peek == '\'')
            return ReadLiteralString(ref c, line);
        int start = c.Position;
        while (!c.AtEnd && (char.IsAsciiLetterOrDigit(c.Peek) || c.Peek is '_' or '-'))
            c.Advance();
        if (c.Position == start)
            throw new TomlException($"expected a key, found '{Printable(c.Peek)}'", line);
        return c.Slice(start);
    }

    private static TomlValue ReadValue(ref Cursor c, int line)
    {
        if (c.AtEnd || c.Peek is '\n' or '#')
            throw new TomlException("missing value after '='", line);
        char ch = c.Peek;
        if (ch == '"')
        {
            if (c.LookingAt("\"\"\""))
                throw new TomlException("multi-line strings are not supported", line);
            return new TomlValue(TomlKind.String, line, Text: ReadBasicString(ref c, line));
        }
        if (ch == '\'')
        {
            if (c.LookingAt("'''"))
                throw new TomlException("multi-line strings are not supported", line);
            return new TomlValue(TomlKind.String, line, Text: ReadLiteralString(ref c, line));
        }
        if (ch == '[')
            return ReadArray(ref c, line);
        if (ch == '{')
            throw new TomlException("inline tables are not supported", line);
        int start = c.Position;
        while (!c.AtEnd && c.Peek is not (' ' or '\t' or '\r' or '\n' or '#' or ',' or ']'))
            c.Advance();
        string word = c.Slice(start);
        if (word == "true")
            return new TomlValue(TomlKind.Boolean, line, Boolean: true);
        if (word == "false")
            return new TomlValue(TomlKind.Boolean, line, Boolean: false);
        return ParseNumber(word, line);
    }

    private static TomlValue ParseNumber(string word, int line)
    {
        if (word.Length > 0 && (char.IsAsciiDigit(word[0]) || word[0] is '+' or '-'))
        {
            if (word.Contains("__", StringComparison.Ordinal) || word.StartsWith('_') || word.EndsWith('_'))
                throw new TomlException($"invalid number '{word}'", line);
            string digits = word.Replace("_", "", StringComparison.Ordinal);
            if (digits.StartsWith("0x", StringComparison.Ordinal)
                && long.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long hex))
            {
                return new TomlValue(TomlKind.Integer, line, Integer: hex);
            }
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                return new TomlValue(TomlKind.Integer, line, Integer: n);
            if (digits.AsSpan().IndexOfAny('.', 'e', 'E') >= 0
                && double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double f))
            {
                return new TomlValue(TomlKind.Float, line, Float: f);
            }
            if (digits.AsSpan().TrimStart("+-").IndexOfAnyExceptInRange('0', '9') < 0)
                throw new TomlException($"integer '{word}' is out of range", line);
        }
        if (word is "inf" or "+inf" or "-inf" or "nan" or "+nan" or "-nan")
            return new TomlValue(TomlKind.Float, line, Float: word.Contains("nan", StringComparison.Ordinal) ? double.NaN
                : word[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity);
        throw new TomlException($"invalid value '{word}' (strings must be quoted)", line);
    }

    private static TomlValue ReadArray(ref Cursor c, int line)
    {
        c.Advance(); // [
        var items = new List<TomlValue>();
        while (true)
        {
            c.SkipBlankAndComments();
            if (c.AtEnd)
                throw new TomlException("unterminated array, expected ']'", line);
            if (c.Peek == ']')
            {
                c.Advance();
                break;
            }
            TomlValue item = ReadValue(ref c, c.Line);
            if (items.Count > 0 && items[0].Kind != item.Kind)
                throw new TomlException($"array mixes {items[0].TypeName} and {item.TypeName} values", item.Line);
            items.Add(item);
            c.SkipBlankAndComments();
            if (c.AtEnd)
                throw new TomlException("unterminated array, expected ']'", line);
            if (c.Peek == ',')
            {
                c.Advance();
                continue;
            }
            if (c.Peek != ']')
                throw new TomlException($"expected ',' or ']' in array, found '{Printable(c.Peek)}'", c.Line);
        }
        return new TomlValue(TomlKind.Array, line, Items: items);
    }

    private static string ReadBasicString(ref Cursor c, int line)
    {
        c.Advance(); // "
        var sb = new StringBuilder();
        while (true)
        {
            if (c.AtEnd || c.Peek == '\n')
                throw new TomlException("unterminated string, expected '\"'", line);
            char ch = c.Peek;
            c.Advance();
            if (ch == '"')
                return sb.ToString();
            if (ch != '\\')
            {
                if (char.IsControl(ch) && ch != '\t')
                    throw new TomlException($"control character U+{(int)ch:X4} in string", line);
                sb.Append(ch);
                continue;
            }
            if (c.AtEnd)
                throw new TomlException("unterminated string, expected '\"'", line);
            char e = c.Peek;
            c.Advance();
            switch (e)
            {
                case 'b': sb.Append('\b'); break;
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'f': sb.Append('\f'); break;
                case 'r': sb.Append('\r'); break;
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'u':
                case 'U':
                    int len = e == 'u' ? 4 : 8;
                    string hex = c.Take(len);
                    if (hex.Length != len || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int cp)
                        || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    {
                        throw new TomlException($"invalid unicode escape '\\{e}{hex}'", line);
                    }
                    sb.Append(char.ConvertFromUtf32(cp));
                    break;
                default:
                    throw new TomlException($"invalid escape sequence '\\{Printable(e)}' in string", line);
            }
        }
    }

    private static string ReadLiteralString(ref Cursor c, int line)
    {
        c.Advance(); // '
        int start = c.Position;
        while (!c.AtEnd && c.Peek is not ('\'' or '\n'))
            c.Advance();
        if (c.AtEnd || c.Peek == '\n')
            throw new TomlException("unterminated string, expected \"'\"", line);
        string s = c.Slice(start);
        c.Advance();
        return s;
    }

    private static string Printable(char c) => c == '\n' ? "end of line" : char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();

    /// <summary>A position in the text with its line number.</summary>
    private struct Cursor(string text)
    {
        private readonly string _text = text;

        public int Position { get; private set; }

        public int Line { get; private set; } = 1;

        public readonly bool AtEnd => Position >= _text.Length;

        public readonly char Peek => _text[Position];

        public void Advance()
        {
            if (_text[Position] == '\n')
                Line++;
            Position++;
        }

        public readonly bool LookingAt(string s) => string.CompareOrdinal(_text, Position, s, 0, s.Length) == 0;

        public readonly string Slice(int start) => _text[start..Position];

        public string Take(int n)
        {
            int end = Math.Min(_text.Length, Position + n);
            string s = _text[Position..end];
            Position = end;
            return s;
        }

        public void SkipSpaces()
        {
            while (!AtEnd && Peek is ' ' or '\t')
                Position++;
        }

        public void SkipBlankAndComments()
        {
            while (!AtEnd)
            {
                char ch = Peek;
                if (ch is ' ' or '\t' or '\r' or '\n')
                {
                    Advance();
                }
                else if (ch == '#')
                {
                    while (!AtEnd && Peek != '\n')
                        Position++;
                }
                else
                {
                    break;
                }
            }
        }

        /// <summary>After a value: only spaces, a comment, then a newline or the end.</summary>
        public void ExpectEndOfLine()
        {
            SkipSpaces();
            if (!AtEnd && Peek == '#')
            {
                while (!AtEnd && Peek != '\n')
                    Position++;
            }
            if (!AtEnd && Peek == '\r')
                Position++;
            if (AtEnd)
                return;
            if (Peek != '\n')
                throw new TomlException($"unexpected '{Printable(Peek)}' after value (one key = value per line)", Line);
            Advance();
        }
    }
}
