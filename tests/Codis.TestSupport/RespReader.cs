using System.Buffers.Text;

namespace Codis.TestSupport;

/// <summary>
/// Frames and parses RESP2/RESP3 replies. Framing (where does one reply end?) is kept apart from parsing
/// so a test can compare the raw bytes of a reply and still render it readably.
/// </summary>
public static class RespReader
{
    /// <summary>
    /// Length of the first complete reply in <paramref name="buffer"/>, or -1 when more bytes are needed.
    /// A RESP3 attribute (<c>|</c>) and the value it precedes count as one reply.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not RESP.</exception>
    public static int FrameLength(ReadOnlySpan<byte> buffer)
    {
        int pos = 0;
        return Skip(buffer, ref pos, 0) ? pos : -1;
    }

    /// <summary>Parses one complete reply (the whole of <paramref name="frame"/>).</summary>
    /// <exception cref="InvalidDataException">Not exactly one complete reply.</exception>
    public static RespValue Parse(ReadOnlySpan<byte> frame)
    {
        int length = FrameLength(frame);
        if (length < 0)
            throw new InvalidDataException($"incomplete reply: {RespRender.Escape(frame)}");
        if (length != frame.Length)
            throw new InvalidDataException($"{frame.Length - length} bytes after the reply: {RespRender.Escape(frame)}");
        int pos = 0;
        return ParseAt(frame, ref pos);
    }

    /// <summary>
    /// Splits an aggregate reply into its header (type line, with any attribute before it) and the raw bytes
    /// of each element; null when <paramref name="frame"/> is not a non-null aggregate.
    /// </summary>
    public static List<byte[]>? SplitAggregate(ReadOnlySpan<byte> frame, out byte[] header)
    {
        header = [];
        int pos = 0;
        if (frame.Length > 0 && frame[0] == (byte)'|')
        {
            // Keep the attribute with the header: it describes the aggregate as a whole.
            int lineEnd = LineEnd(frame, 1);
            long pairs = ParseLength(frame[1..lineEnd], frame);
            pos = lineEnd + 2;
            for (long i = 0; i < pairs * 2; i++)
            {
                if (!Skip(frame, ref pos, 1))
                    throw new InvalidDataException("incomplete attribute");
            }
        }
        if (pos >= frame.Length || frame[pos] is not ((byte)'*' or (byte)'~' or (byte)'>' or (byte)'%'))
            return null;
        int end = LineEnd(frame, pos + 1);
        long count = ParseLength(frame[(pos + 1)..end], frame);
        if (count < 0)
            return null;
        if (frame[pos] == (byte)'%')
            count *= 2;
        header = frame[..(end + 2)].ToArray();
        pos = end + 2;
        var elements = new List<byte[]>((int)count);
        for (long i = 0; i < count; i++)
        {
            int start = pos;
            if (!Skip(frame, ref pos, 1))
                throw new InvalidDataException("incomplete aggregate");
            elements.Add(frame[start..pos].ToArray());
        }
        return elements;
    }

    private static bool Skip(ReadOnlySpan<byte> b, ref int pos, int depth)
    {
        if (depth > 512)
            throw new InvalidDataException("reply nested deeper than 512 levels");
        if (pos >= b.Length)
            return false;
        byte type = b[pos];
        int rel = b[(pos + 1)..].IndexOf("\r\n"u8);
        if (rel < 0)
            return false;
        int lineEnd = pos + 1 + rel;
        ReadOnlySpan<byte> line = b[(pos + 1)..lineEnd];
        int next = lineEnd + 2;
        switch (type)
        {
            case (byte)'+' or (byte)'-' or (byte)':' or (byte)',' or (byte)'#' or (byte)'(' or (byte)'_':
                pos = next;
                return true;
            case (byte)'$' or (byte)'=' or (byte)'!':
                {
                    long len = ParseLength(line, b);
                    if (len < 0)
                    {
                        pos = next;
                        return true;
                    }
                    if (next + len + 2 > b.Length)
                        return false;
                    if (b[(int)(next + len)] != (byte)'\r' || b[(int)(next + len + 1)] != (byte)'\n')
                        throw new InvalidDataException($"bulk of {len} bytes not followed by CRLF: {RespRender.Escape(b)}");
                    pos = (int)(next + len + 2);
                    return true;
                }
            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
                {
                    long count = ParseLength(line, b);
                    if (type is (byte)'%' or (byte)'|')
                        count *= 2;
                    int p = next;
                    for (long i = 0; i < count; i++)
                    {
                        if (!Skip(b, ref p, depth + 1))
                            return false;
                    }
                    // An attribute is followed by the value it describes.
                    if (type == (byte)'|' && !Skip(b, ref p, depth + 1))
                        return false;
                    pos = p;
                    return true;
                }
            default:
                throw new InvalidDataException($"unknown RESP type byte 0x{type:x2} at offset {pos}: {RespRender.Escape(b)}");
        }
    }

    private static RespValue ParseAt(ReadOnlySpan<byte> b, ref int pos)
    {
        byte type = b[pos];
        int lineEnd = LineEnd(b, pos + 1);
        ReadOnlySpan<byte> line = b[(pos + 1)..lineEnd];
        pos = lineEnd + 2;
        switch (type)
        {
            case (byte)'+' or (byte)'-' or (byte)',' or (byte)'(':
                return new RespValue((RespType)type, line.ToArray(), 0, null, false);
            case (byte)':':
                if (!Utf8Parser.TryParse(line, out long n, out int used) || used != line.Length)
                    throw new InvalidDataException($"bad integer reply: {RespRender.Escape(line)}");
                return new RespValue(RespType.Integer, line.ToArray(), n, null, false);
            case (byte)'#':
                return new RespValue(RespType.Boolean, line.ToArray(), line.SequenceEqual("t"u8) ? 1 : 0, null, false);
            case (byte)'_':
                return new RespValue(RespType.Null, null, 0, null, true);
            case (byte)'$' or (byte)'=' or (byte)'!':
                {
                    long len = ParseLength(line, b);
                    if (len < 0)
                        return new RespValue((RespType)type, null, 0, null, true);
                    byte[] payload = b.Slice(pos, (int)len).ToArray();
                    pos += (int)len + 2;
                    return new RespValue((RespType)type, payload, 0, null, false);
                }
            case (byte)'|':
                {
                    long pairs = ParseLength(line, b);
                    var items = new RespValue[pairs * 2];
                    for (int i = 0; i < items.Length; i++)
                        items[i] = ParseAt(b, ref pos);
                    var attributes = new RespValue(RespType.Attribute, null, 0, items, false);
                    RespValue value = ParseAt(b, ref pos);
                    value.Attributes = attributes;
                    return value;
                }
            default:
                {
                    long count = ParseLength(line, b);
                    if (count < 0)
                        return new RespValue((RespType)type, null, 0, null, true);
                    if (type == (byte)'%')
                        count *= 2;
                    var items = new RespValue[count];
                    for (int i = 0; i < items.Length; i++)
                        items[i] = ParseAt(b, ref pos);
                    return new RespValue((RespType)type, null, 0, items, false);
                }
        }
    }

    private static int LineEnd(ReadOnlySpan<byte> b, int from)
    {
        int rel = b[from..].IndexOf("\r\n"u8);
        if (rel < 0)
            throw new InvalidDataException($"missing CRLF: {RespRender.Escape(b)}");
        return from + rel;
    }

    private static long ParseLength(ReadOnlySpan<byte> line, ReadOnlySpan<byte> whole)
    {
        if (!Utf8Parser.TryParse(line, out long n, out int used) || used != line.Length || n < -1 || n > int.MaxValue)
            throw new InvalidDataException($"bad length '{RespRender.Escape(line)}' in {RespRender.Escape(whole)}");
        return n;
    }
}
