using System.Buffers.Binary;

namespace Codis.Server.Persistence;

/// <summary>
/// Redis 7's listpack blob (RDB types 16, 17, 18, 20): strict parsing, and building with the encodings
/// Redis 7 chooses (used to produce test payloads and, later, RDB 10 output).
/// </summary>
public static class Listpack
{
    private const int HeaderSize = 6;
    private const byte End = 0xFF;

    /// <summary>
    /// Parses a listpack, appending every element to <paramref name="entries"/> (integers as decimal text).
    /// Returns false when the blob is malformed (sizes, counts, back-lengths and the end marker are checked).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> lp, List<byte[]> entries)
    {
        if (lp.Length < HeaderSize + 1 || BinaryPrimitives.ReadUInt32LittleEndian(lp) != (uint)lp.Length || lp[^1] != End)
            return false;
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(lp[4..]);
        int limit = lp.Length - 1;
        int pos = HeaderSize;
        int count = 0;
        Span<byte> backlen = stackalloc byte[5];
        while (pos < limit)
        {
            byte b = lp[pos];
            int header;
            long stringLength = -1;
            long value = 0;
            if (b < 0x80)
            {
                header = 1;
                value = b;
            }
            else if ((b & 0xC0) == 0x80)
            {
                header = 1;
                stringLength = b & 0x3F;
            }
            else if ((b & 0xE0) == 0xC0)
            {
                header = 2;
                if (pos + 2 > limit)
                    return false;
                value = ((b & 0x1F) << 8) | lp[pos + 1];
                if (value >= 1 << 12)
                    value -= 1 << 13;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                header = 2;
                if (pos + 2 > limit)
                    return false;
                stringLength = ((b & 0x0F) << 8) | lp[pos + 1];
            }
            else if (b == 0xF0)
            {
                header = 5;
                if (pos + 5 > limit)
                    return false;
                stringLength = BinaryPrimitives.ReadUInt32LittleEndian(lp[(pos + 1)..]);
            }
            else
            {
                int size = b switch { 0xF1 => 2, 0xF2 => 3, 0xF3 => 4, 0xF4 => 8, _ => -1 };
                if (size < 0 || pos + 1 + size > limit)
                    return false;
                header = 1 + size;
                ReadOnlySpan<byte> d = lp.Slice(pos + 1, size);
                value = size switch
                {
                    2 => BinaryPrimitives.ReadInt16LittleEndian(d),
                    3 => (d[0] | (d[1] << 8) | (d[2] << 16)) << 8 >> 8,
                    4 => BinaryPrimitives.ReadInt32LittleEndian(d),
                    _ => BinaryPrimitives.ReadInt64LittleEndian(d),
                };
            }

            if (stringLength > limit - pos - header)
                return false;
            int entrySize = header + (int)Math.Max(stringLength, 0);
            int backlenSize = EncodeBacklen(entrySize, backlen);
            if (backlenSize > limit - pos - entrySize
                || !lp.Slice(pos + entrySize, backlenSize).SequenceEqual(backlen[..backlenSize]))
                return false;
            entries.Add(stringLength >= 0 ? lp.Slice(pos + header, (int)stringLength).ToArray() : RdbText.FormatLong(value));
            pos += entrySize + backlenSize;
            count++;
        }
        return headerCount == ushort.MaxValue || headerCount == count;
    }

    /// <summary>Builds a listpack of <paramref name="elements"/> with Redis 7's encodings.</summary>
    public static byte[] Build(IEnumerable<byte[]> elements)
    {
        var buffer = new List<byte>(64) { 0, 0, 0, 0, 0, 0 };
        Span<byte> backlen = stackalloc byte[5];
        Span<byte> scratch = stackalloc byte[9];
        int count = 0;
        foreach (byte[] e in elements)
        {
            int start = buffer.Count;
            if (e.Length <= 20 && RdbText.TryParseCanonicalLong(e, out long v))
            {
                int n;
                if (v is >= 0 and <= 127)
                {
                    scratch[0] = (byte)v;
                    n = 1;
                }
                else if (v is >= -4096 and <= 4095)
                {
                    long u = v < 0 ? v + 8192 : v;
                    scratch[0] = (byte)(0xC0 | (u >> 8));
                    scratch[1] = (byte)u;
                    n = 2;
                }
                else if (v is >= short.MinValue and <= short.MaxValue)
                {
                    scratch[0] = 0xF1;
                    BinaryPrimitives.WriteInt16LittleEndian(scratch[1..], (short)v);
                    n = 3;
                }
                else if (v is >= -(1 << 23) and <= (1 << 23) - 1)
                {
                    scratch[0] = 0xF2;
                    scratch[1] = (byte)v;
                    scratch[2] = (byte)(v >> 8);
                    scratch[3] = (byte)(v >> 16);
                    n = 4;
                }
                else if (v is >= int.MinValue and <= int.MaxValue)
                {
                    scratch[0] = 0xF3;
                    BinaryPrimitives.WriteInt32LittleEndian(scratch[1..], (int)v);
                    n = 5;
                }
                else
                {
                    scratch[0] = 0xF4;
                    BinaryPrimitives.WriteInt64LittleEndian(scratch[1..], v);
                    n = 9;
                }
                buffer.AddRange(scratch[..n]);
            }
            else if (e.Length < 64)
            {
                buffer.Add((byte)(0x80 | e.Length));
                buffer.AddRange(e);
            }
            else if (e.Length < 4096)
            {
                buffer.Add((byte)(0xE0 | (e.Length >> 8)));
                buffer.Add((byte)e.Length);
                buffer.AddRange(e);
            }
            else
            {
                buffer.Add(0xF0);
                BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)e.Length);
                buffer.AddRange(scratch[..4]);
                buffer.AddRange(e);
            }
            int size = EncodeBacklen(buffer.Count - start, backlen);
            buffer.AddRange(backlen[..size]);
            count++;
        }
        buffer.Add(End);
        byte[] lp = buffer.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(lp, (uint)lp.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(lp.AsSpan(4), (ushort)Math.Min(count, ushort.MaxValue));
        return lp;
    }

    // The entry size, stored after the entry so the list can be walked backwards: 7 bits per byte, the
    // lowest 7 bits last, every byte but the first flagged with 0x80.
    private static int EncodeBacklen(int length, Span<byte> buffer)
    {
        if (length <= 127)
        {
            buffer[0] = (byte)length;
            return 1;
        }
        if (length < 16383)
        {
            buffer[0] = (byte)(length >> 7);
            buffer[1] = (byte)((length & 127) | 128);
            return 2;
        }
        if (length < 2097151)
        {
            buffer[0] = (byte)(length >> 14);
            buffer[1] = (byte)(((length >> 7) & 127) | 128);
            buffer[2] = (byte)((length & 127) | 128);
            return 3;
        }
        if (length < 268435455)
        {
            buffer[0] = (byte)(length >> 21);
            buffer[1] = (byte)(((length >> 14) & 127) | 128);
            buffer[2] = (byte)(((length >> 7) & 127) | 128);
            buffer[3] = (byte)((length & 127) | 128);
            return 4;
        }
        buffer[0] = (byte)(length >> 28);
        buffer[1] = (byte)(((length >> 21) & 127) | 128);
        buffer[2] = (byte)(((length >> 14) & 127) | 128);
        buffer[3] = (byte)(((length >> 7) & 127) | 128);
        buffer[4] = (byte)((length & 127) | 128);
        return 5;
    }
}
