using System.Numerics;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>Bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD) with Redis 7.0 semantics.</summary>
public static partial class BitCommands
{
    private const string BitOffsetError = "ERR bit offset is not an integer or out of range";

    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("setbit", 4, Write | DenyOom, 1, 1, 1, SetBit);
        t.Add("getbit", 3, ReadOnly | Fast, 1, 1, 1, GetBit);
        t.Add("bitcount", -2, ReadOnly, 1, 1, 1, BitCount);
        t.Add("bitpos", -3, ReadOnly, 1, 1, 1, BitPos);
        t.Add("bitop", -4, Write | DenyOom, 2, -1, 1, BitOp);
        t.Add("bitfield", -2, Write | DenyOom, 1, 1, 1, BitField);
        t.Add("bitfield_ro", -2, ReadOnly | Fast, 1, 1, 1, BitFieldRo);
    }

    /// <summary>
    /// Redis's getBitOffsetFromArgument: a bit offset, or with <paramref name="bits"/> &gt; 0 also the
    /// <c>#N</c> form (N fields of that width); limited to proto-max-bulk-len bytes.
    /// </summary>
    private static long BitOffset(CommandContext c, int arg, int bits = 0)
    {
        ReadOnlySpan<byte> p = c[arg];
        bool useHash = bits > 0 && p.Length > 0 && p[0] == (byte)'#';
        if (!CommandContext.TryParseLong(useHash ? p[1..] : p, out long offset))
            Errors.Throw(BitOffsetError);
        if (useHash)
            offset = unchecked(offset * bits);
        if (offset < 0 || (offset >> 3) >= c.Server.Config.ProtoMaxBulkLen || (offset >> 3) >= Array.MaxLength)
            Errors.Throw(BitOffsetError);
        return offset;
    }

    /// <summary>
    /// Redis's lookupStringForBitCommand: the string at the key, created or zero-padded so that bit
    /// <paramref name="maxBit"/> exists. <paramref name="dirty"/> tells whether it was created or grown.
    /// </summary>
    private static MutableString StringForBits(CommandContext c, long maxBit, out bool dirty)
    {
        int bytes = (int)(maxBit >> 3) + 1;
        MutableString? s = StringValue.ForUpdate(c, c[1]);
        if (s is null)
        {
            s = new MutableString(bytes);
            c.Db.Add(c[1], s);
            dirty = true;
            return s;
        }
        dirty = s.GrowZero(bytes);
        return s;
    }

    private static void SetBit(CommandContext c)
    {
        long offset = BitOffset(c, 2);
        if (!CommandContext.TryParseLong(c[3], out long on) || (on & ~1L) != 0)
            Errors.Throw("ERR bit is not an integer or out of range");
        MutableString s = StringForBits(c, offset, out bool dirty);
        Span<byte> p = s.Span;
        int index = (int)(offset >> 3);
        int bit = 7 - (int)(offset & 7);
        int old = (p[index] >> bit) & 1;
        if (dirty || old != on)
        {
            p[index] = (byte)((p[index] & ~(1 << bit)) | ((int)on << bit));
            c.KeyModified(c[1]);
            c.Notify(NotifyFlags.String, "setbit", c[1]);
        }
        c.Reply.Integer(old);
    }

    private static void GetBit(CommandContext c)
    {
        long offset = BitOffset(c, 2);
        if (!StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> s))
        {
            c.Reply.Integer(0);
            return;
        }
        long index = offset >> 3;
        int value = index < s.Length ? (s[(int)index] >> (7 - (int)(offset & 7))) & 1 : 0;
        c.Reply.Integer(value);
    }

    private static void BitCount(CommandContext c)
    {
        if (!StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> p))
        {
            c.Reply.Integer(0);
            return;
        }
        long start, end;
        int firstMask = 0, lastMask = 0;
        if (c.Count is 4 or 5)
        {
            long total = p.Length;
            start = c.Long(2);
            end = c.Long(3);
            bool isBit = false;
            if (c.Count == 5)
            {
                if (c.Is(4, "BIT"u8))
                    isBit = true;
                else if (!c.Is(4, "BYTE"u8))
                    Errors.ThrowSyntax();
            }
            if (isBit)
                total <<= 3;
            if (start < 0 && end < 0 && start > end)
            {
                c.Reply.Integer(0);
                return;
            }
            if (start < 0)
                start = total + start;
            if (end < 0)
                end = total + end;
            if (start < 0)
                start = 0;
            if (end < 0)
                end = 0;
            if (end >= total)
                end = total - 1;
            if (isBit && start <= end)
            {
                // Bits of the edge bytes that are outside the range, to subtract afterwards.
                firstMask = ~((1 << (8 - (int)(start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int)(end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        }
        else if (c.Count == 2)
        {
            start = 0;
            end = p.Length - 1;
        }
        else
        {
            Errors.ThrowSyntax();
            return;
        }
        if (start > end)
        {
            c.Reply.Integer(0);
            return;
        }
        long count = PopCount(p.Slice((int)start, (int)(end - start + 1)));
        if (firstMask != 0)
            count -= BitOperations.PopCount((uint)(p[(int)start] & firstMask));
        if (lastMask != 0)
            count -= BitOperations.PopCount((uint)(p[(int)end] & lastMask));
        c.Reply.Integer(count);
    }

    private static long PopCount(ReadOnlySpan<byte> s)
    {
        long count = 0;
        int i = 0;
        for (; i + 8 <= s.Length; i += 8)
            count += BitOperations.PopCount(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(s[i..]));
        for (; i < s.Length; i++)
            count += BitOperations.PopCount(s[i]);
        return count;
    }

    private static void BitPos(CommandContext c)
    {
        long bit = c.Long(2);
        if (bit is not (0 or 1))
            Errors.Throw("ERR The bit argument must be 1 or 0.");
        if (!StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> p))
        {
            c.Reply.Integer(bit == 1 ? -1 : 0);
            return;
        }
        long start, end;
        bool endGiven = false;
        int firstMask = 0, lastMask = 0;
        if (c.Count is 4 or 5 or 6)
        {
            long total = p.Length;
            start = c.Long(3);
            bool isBit = false;
            if (c.Count == 6)
            {
                if (c.Is(5, "BIT"u8))
                    isBit = true;
                else if (!c.Is(5, "BYTE"u8))
                    Errors.ThrowSyntax();
            }
            if (c.Count >= 5)
            {
                end = c.Long(4);
                endGiven = true;
            }
            else
            {
                end = isBit ? (total << 3) + 7 : total - 1;
            }
            if (isBit)
                total <<= 3;
            if (start < 0)
                start = total + start;
            if (end < 0)
                end = total + end;
            if (start < 0)
                start = 0;
            if (end < 0)
                end = 0;
            if (end >= total)
                end = total - 1;
            if (isBit && start <= end)
            {
                firstMask = ~((1 << (8 - (int)(start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int)(end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        }
        else if (c.Count == 3)
        {
            start = 0;
            end = p.Length - 1;
        }
        else
        {
            Errors.ThrowSyntax();
            return;
        }
        if (start > end)
        {
            c.Reply.Integer(-1);
            return;
        }
        long bytes = end - start + 1;
        long pos = FindBitInRange(p, ref start, ref bytes, end, (int)bit, firstMask, lastMask);
        // With an explicit end, the bits right of the range are not zero padding: no clear bit found.
        if (endGiven && bit == 0 && pos == bytes << 3)
        {
            c.Reply.Integer(-1);
            return;
        }
        if (pos != -1)
            pos += start << 3;
        c.Reply.Integer(pos);
    }

    // Redis's bitpos search over [start, end] with partial edge bytes; start and bytes are left as the
    // part where the answer was found, which the caller uses to adjust the position.
    private static long FindBitInRange(ReadOnlySpan<byte> p, ref long start, ref long bytes, long end, int bit, int firstMask, int lastMask)
    {
        Span<byte> one = stackalloc byte[1];
        long pos;
        if (firstMask != 0)
        {
            int tmp = bit == 1 ? p[(int)start] & ~firstMask : p[(int)start] | firstMask;
            if (lastMask != 0 && bytes == 1)
                tmp = bit == 1 ? tmp & ~lastMask : tmp | lastMask;
            one[0] = (byte)tmp;
            pos = FirstBit(one, bit);
            if (bytes == 1 || (pos != -1 && pos != 8))
                return pos;
            start++;
            bytes--;
        }
        long current = bytes - (lastMask != 0 ? 1 : 0);
        if (current > 0)
        {
            pos = FirstBit(p.Slice((int)start, (int)current), bit);
            if (bytes == current || (pos != -1 && pos != current << 3))
                return pos;
            start += current;
            bytes -= current;
        }
        one[0] = (byte)(bit == 1 ? p[(int)end] & ~lastMask : p[(int)end] | lastMask);
        return FirstBit(one, bit);
    }

    /// <summary>
    /// Redis's redisBitpos: the first bit equal to <paramref name="bit"/>; when looking for a clear bit in
    /// all-ones data, the position right after the data (the string is seen as zero padded); -1 when
    /// looking for a set bit in all-zeros data.
    /// </summary>
    private static long FirstBit(ReadOnlySpan<byte> s, int bit)
    {
        byte skip = bit == 1 ? (byte)0 : (byte)0xFF;
        int i = bit == 1 ? s.IndexOfAnyExcept((byte)0) : s.IndexOfAnyExcept((byte)0xFF);
        if (i < 0)
            return bit == 1 ? -1 : (long)s.Length << 3;
        int b = s[i] ^ skip; // the bits we look for are now the set bits
        return ((long)i << 3) + BitOperations.LeadingZeroCount((uint)b) - 24;
    }

    private static void BitOp(CommandContext c)
    {
        int op;
        if (c.Is(1, "AND"u8))
            op = 0;
        else if (c.Is(1, "OR"u8))
            op = 1;
        else if (c.Is(1, "XOR"u8))
            op = 2;
        else if (c.Is(1, "NOT"u8))
            op = 3;
        else
        {
            Errors.ThrowSyntax();
            return;
        }
        if (op == 3 && c.Count != 4)
            Errors.Throw("ERR BITOP NOT must be called with a single source key.");
        int keys = c.Count - 3;
        var sources = new byte[]?[keys];
        int maxLen = 0;
        for (int j = 0; j < keys; j++)
        {
            // Copies, because the destination may be one of the sources.
            if (StringValue.TryRead(c, c[j + 3], out ReadOnlySpan<byte> s))
            {
                sources[j] = s.ToArray();
                maxLen = Math.Max(maxLen, s.Length);
            }
        }
        if (maxLen == 0)
        {
            if (c.Db.Delete(c[2]))
            {
                c.KeyModified(c[2]);
                c.Notify(NotifyFlags.Generic, "del", c[2]);
            }
            c.Reply.Integer(0);
            return;
        }
        var result = new MutableString(maxLen);
        Span<byte> r = result.Span;
        ReadOnlySpan<byte> first = sources[0];
        first.CopyTo(r);
        if (op == 3)
        {
            for (int i = 0; i < maxLen; i++)
                r[i] = (byte)~r[i];
        }
        for (int j = 1; j < keys; j++)
        {
            ReadOnlySpan<byte> s = sources[j];
            for (int i = 0; i < maxLen; i++)
            {
                byte b = i < s.Length ? s[i] : (byte)0;
                r[i] = op switch
                {
                    0 => (byte)(r[i] & b),
                    1 => (byte)(r[i] | b),
                    _ => (byte)(r[i] ^ b),
                };
            }
        }
        c.Db.Set(c[2], result);
        c.KeyModified(c[2]);
        c.Notify(NotifyFlags.String, "set", c[2]);
        c.Reply.Integer(maxLen);
    }
}
