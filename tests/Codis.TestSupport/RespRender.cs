using System.Globalization;
using System.Text;

namespace Codis.TestSupport;

/// <summary>Renders replies the way redis-cli prints them, for assertion messages.</summary>
public static class RespRender
{
    /// <summary>Renders raw reply bytes; falls back to the escaped bytes when they are not one whole reply.</summary>
    public static string Render(ReadOnlySpan<byte> raw)
    {
        try
        {
            return Render(RespReader.Parse(raw));
        }
        catch (InvalidDataException)
        {
            return "<not one reply> " + Escape(raw);
        }
    }

    /// <summary>Renders a parsed reply like redis-cli (nested arrays indented under their index).</summary>
    public static string Render(RespValue value)
    {
        var sb = new StringBuilder();
        Append(sb, value, 0);
        return sb.ToString();
    }

    /// <summary>A double-quoted, C-escaped form of any bytes (redis-cli's sdscatrepr).</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2).Append('"');
        foreach (byte c in bytes)
        {
            switch (c)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case 7: sb.Append("\\a"); break;
                case 8: sb.Append("\\b"); break;
                default:
                    if (c is >= 0x20 and < 0x7f)
                        sb.Append((char)c);
                    else
                        sb.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A command as redis-cli would echo it: each argument quoted.</summary>
    public static string Command(IEnumerable<byte[]> args) => string.Join(" ", args.Select(a => Escape(a)));

    private static void Append(StringBuilder sb, RespValue v, int indent)
    {
        if (v.Attributes is { } attributes)
        {
            sb.Append("(attributes) ");
            Append(sb, new RespValue(RespType.Map, null, 0, attributes.Children, false), indent + 13);
            sb.Append('\n').Append(' ', indent);
        }
        if (v.IsNull)
        {
            sb.Append("(nil)");
            return;
        }
        switch (v.Type)
        {
            case RespType.SimpleString:
                sb.Append(Encoding.UTF8.GetString(v.Bytes!));
                return;
            case RespType.Error or RespType.BlobError:
                sb.Append("(error) ").Append(Encoding.UTF8.GetString(v.Bytes!));
                return;
            case RespType.Integer:
                sb.Append("(integer) ").Append(v.Integer.ToString(CultureInfo.InvariantCulture));
                return;
            case RespType.Double:
                sb.Append("(double) ").Append(Encoding.ASCII.GetString(v.Bytes!));
                return;
            case RespType.Boolean:
                sb.Append(v.Integer != 0 ? "(true)" : "(false)");
                return;
            case RespType.BigNumber:
                sb.Append("(big number) ").Append(Encoding.ASCII.GetString(v.Bytes!));
                return;
            case RespType.VerbatimString:
                sb.Append("(verbatim) ").Append(Escape(v.Bytes!));
                return;
            case RespType.BulkString:
                sb.Append(Escape(v.Bytes!));
                return;
        }
        IReadOnlyList<RespValue> items = v.Children!;
        bool isMap = v.Type is RespType.Map or RespType.Attribute;
        if (items.Count == 0)
        {
            sb.Append(v.Type switch
            {
                RespType.Map => "(empty hash)",
                RespType.Set => "(empty set)",
                _ => "(empty array)",
            });
            return;
        }
        int entries = isMap ? items.Count / 2 : items.Count;
        int width = entries.ToString(CultureInfo.InvariantCulture).Length;
        string suffix = v.Type switch
        {
            RespType.Map or RespType.Attribute => "# ",
            RespType.Set => "~ ",
            RespType.Push => "> ",
            _ => ") ",
        };
        for (int i = 0; i < entries; i++)
        {
            if (i > 0)
                sb.Append('\n').Append(' ', indent);
            string label = (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width) + suffix;
            sb.Append(label);
            if (isMap)
            {
                int before = sb.Length;
                Append(sb, items[2 * i], indent + label.Length);
                sb.Append(" => ");
                int keyWidth = sb.Length - before;
                Append(sb, items[(2 * i) + 1], indent + label.Length + keyWidth);
            }
            else
            {
                Append(sb, items[i], indent + label.Length);
            }
        }
    }
}
