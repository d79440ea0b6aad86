using System.Buffers.Text;

namespace Codis.Proxy.Backend;

/// <summary>
/// Finds where one RESP2 reply ends without decoding it (replies are forwarded as bytes): simple strings,
/// errors, integers, bulk strings and nested arrays, counted with one "elements still expected" number
/// instead of recursion.
/// </summary>
internal static class ReplyScanner
{
    /// <summary>Largest bulk a backend may send (Redis's limit); anything larger is a broken stream.</summary>
    public const long MaxBulk = 512L * 1024 * 1024;

    /// <summary>
    /// Length of the first complete reply in <paramref name="input"/>; 0 when more bytes are needed
    /// (<paramref name="needed"/> then says how many bytes the input must hold at least, when known);
    /// -1 when the bytes are not RESP.
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> input, out long needed)
    {
        needed = 0;
        var pos = 0;
        long expected = 1;
        while (expected > 0)
        {
            if (pos >= input.Length)
            {
                return 0;
            }
            var rest = input[pos..];
            var cr = rest.IndexOf((byte)'\r');
            if (cr < 0 || cr + 1 >= rest.Length)
            {
                return 0;
            }
            if (rest[cr + 1] != (byte)'\n')
            {
                return -1;
            }
            var type = rest[0];
            var lineEnd = pos + cr + 2;
            expected--;
            switch (type)
            {
                case (byte)'+':
                case (byte)'-':
                case (byte)':':
                    pos = lineEnd;
                    break;
                case (byte)'$':
                    {
                        if (!Utf8Parser.TryParse(rest[1..cr], out long n, out var used) || used != cr - 1 || n < -1 || n > MaxBulk)
                        {
                            return -1;
                        }
                        if (n < 0)
                        {
                            pos = lineEnd;
                            break;
                        }
                        long end = lineEnd + n + 2;
                        if (end > input.Length)
                        {
                            needed = end;
                            return 0;
                        }
                        if (input[(int)end - 2] != (byte)'\r' || input[(int)end - 1] != (byte)'\n')
                        {
                            return -1;
                        }
                        pos = (int)end;
                        break;
                    }
                case (byte)'*':
                    {
                        if (!Utf8Parser.TryParse(rest[1..cr], out long n, out var used) || used != cr - 1 || n < -1 || n > int.MaxValue)
                        {
                            return -1;
                        }
                        if (n > 0)
                        {
                            expected += n;
                        }
                        pos = lineEnd;
                        break;
                    }
                default:
                    return -1;
            }
        }
        return pos;
    }

    /// <summary>Codis's name of a reply type in merge errors: &lt;string&gt;, &lt;error&gt;, &lt;int&gt;, &lt;bulkbytes&gt;, &lt;array&gt;.</summary>
    public static string TypeName(byte first) => first switch
    {
        (byte)'+' => "<string>",
        (byte)'-' => "<error>",
        (byte)':' => "<int>",
        (byte)'$' => "<bulkbytes>",
        (byte)'*' => "<array>",
        _ => "<unknown>",
    };

    /// <summary>The text of a one-line reply (+, -, :), without type byte and CRLF.</summary>
    public static ReadOnlySpan<byte> LineValue(ReadOnlySpan<byte> reply) =>
        reply.Length >= 3 ? reply[1..^2] : [];

    /// <summary>The header number of a $ or * reply.</summary>
    public static long HeaderNumber(ReadOnlySpan<byte> reply)
    {
        var cr = reply.IndexOf((byte)'\r');
        return cr > 1 && Utf8Parser.TryParse(reply[1..cr], out long n, out _) ? n : 0;
    }

    /// <summary>Bytes of the header line (type byte to CRLF included).</summary>
    public static int HeaderLength(ReadOnlySpan<byte> reply) => reply.IndexOf((byte)'\n') + 1;

    /// <summary>The value of a bulk reply (empty for a null bulk).</summary>
    public static ReadOnlySpan<byte> BulkValue(ReadOnlySpan<byte> reply)
    {
        var n = HeaderNumber(reply);
        if (n <= 0)
        {
            return [];
        }
        var h = HeaderLength(reply);
        return reply.Slice(h, (int)n);
    }

    /// <summary>Codis's "len(resp.Value)" for a reply: line text or bulk length; arrays have none.</summary>
    public static int ValueLength(ReadOnlySpan<byte> reply) => reply.Length == 0 ? 0 : reply[0] switch
    {
        (byte)'+' or (byte)'-' or (byte)':' => reply.Length - 3,
        (byte)'$' => (int)Math.Max(0, HeaderNumber(reply)),
        _ => 0,
    };
}
