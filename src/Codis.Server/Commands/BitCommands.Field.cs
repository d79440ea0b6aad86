using Codis.Server.Config;
using Codis.Server.DataTypes;

namespace Codis.Server.Commands;

public static partial class BitCommands
{
    private const string BitFieldTypeError = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    private enum FieldOp
    {
        Get,
        Set,
        IncrBy,
    }

    private enum Overflow
    {
        Wrap,
        Sat,
        Fail,
    }

    private readonly record struct FieldCommand(FieldOp Op, long Offset, long Value, Overflow Overflow, int Bits, bool Signed);

    private static void BitField(CommandContext c) => BitFieldGeneric(c, readOnlyCommand: false);

    private static void BitFieldRo(CommandContext c) => BitFieldGeneric(c, readOnlyCommand: true);

    private static void BitFieldGeneric(CommandContext c, bool readOnlyCommand)
    {
        var ops = new List<FieldCommand>();
        Overflow overflow = Overflow.Wrap;
        bool readOnly = true;
        long highestWrite = 0;
        for (int j = 2; j < c.Count; j++)
        {
            int remaining = c.Count - j - 1;
            FieldOp op;
            if (c.Is(j, "GET"u8) && remaining >= 2)
            {
                op = FieldOp.Get;
            }
            else if (c.Is(j, "SET"u8) && remaining >= 3)
            {
                op = FieldOp.Set;
            }
            else if (c.Is(j, "INCRBY"u8) && remaining >= 3)
            {
                op = FieldOp.IncrBy;
            }
            else if (c.Is(j, "OVERFLOW"u8) && remaining >= 1)
            {
                j++;
                if (c.Is(j, "WRAP"u8))
                    overflow = Overflow.Wrap;
                else if (c.Is(j, "SAT"u8))
                    overflow = Overflow.Sat;
                else if (c.Is(j, "FAIL"u8))
                    overflow = Overflow.Fail;
                else
                    Errors.Throw("ERR Invalid OVERFLOW type specified");
                continue;
            }
            else
            {
                Errors.ThrowSyntax();
                return;
            }
            (bool signed, int bits) = FieldType(c[j + 1]);
            long offset = BitOffset(c, j + 2, bits);
            long value = 0;
            if (op != FieldOp.Get)
            {
                readOnly = false;
                highestWrite = Math.Max(highestWrite, offset + bits - 1);
                value = c.Long(j + 3);
            }
            ops.Add(new FieldCommand(op, offset, value, overflow, bits, signed));
            j += op == FieldOp.Get ? 2 : 3;
        }

        MutableString? target = null;
        bool dirty = false;
        ReadOnlySpan<byte> readSource = default;
        if (readOnly)
        {
            StringValue.TryRead(c, c[1], out readSource);
        }
        else
        {
            if (readOnlyCommand)
                Errors.Throw("ERR BITFIELD_RO only supports the GET subcommand");
            target = StringForBits(c, highestWrite, out dirty);
        }

        c.Reply.Array(ops.Count);
        int changes = 0;
        Span<byte> window = stackalloc byte[9];
        foreach (FieldCommand f in ops)
        {
            if (f.Op == FieldOp.Get)
            {
                // Reads go through a zero-padded copy so fields past the end read as zeros.
                ReadOnlySpan<byte> src = target is not null ? target.Span : readSource;
                long first = f.Offset >> 3;
                window.Clear();
                for (int i = 0; i < 9 && first + i < src.Length; i++)
                    window[i] = src[(int)(first + i)];
                long inner = f.Offset - (first << 3);
                c.Reply.Integer(f.Signed ? GetSigned(window, inner, f.Bits) : (long)GetUnsigned(window, inner, f.Bits));
                continue;
            }
            Span<byte> p = target!.Span;
            long reply;
            ulong newValue, oldValue;
            bool failed;
            if (f.Signed)
            {
                long old = GetSigned(p, f.Offset, f.Bits);
                oldValue = (ulong)old;
                long wrapped;
                int of;
                if (f.Op == FieldOp.IncrBy)
                {
                    of = SignedOverflow(old, f.Value, f.Bits, f.Overflow, out wrapped);
                    newValue = (ulong)(of != 0 ? wrapped : unchecked(old + f.Value));
                    reply = (long)newValue;
                }
                else
                {
                    of = SignedOverflow(f.Value, 0, f.Bits, f.Overflow, out wrapped);
                    newValue = (ulong)(of != 0 ? wrapped : f.Value);
                    reply = old;
                }
                failed = of != 0 && f.Overflow == Overflow.Fail;
            }
            else
            {
                ulong old = GetUnsigned(p, f.Offset, f.Bits);
                oldValue = old;
                ulong wrapped;
                int of;
                if (f.Op == FieldOp.IncrBy)
                {
                    of = UnsignedOverflow(old, f.Value, f.Bits, f.Overflow, out wrapped);
                    newValue = of != 0 ? wrapped : unchecked(old + (ulong)f.Value);
                    reply = (long)newValue;
                }
                else
                {
                    of = UnsignedOverflow((ulong)f.Value, 0, f.Bits, f.Overflow, out wrapped);
                    newValue = of != 0 ? wrapped : (ulong)f.Value;
                    reply = (long)old;
                }
                failed = of != 0 && f.Overflow == Overflow.Fail;
            }
            if (failed)
            {
                c.Reply.Null();
            }
            else
            {
                c.Reply.Integer(reply);
                SetUnsigned(p, f.Offset, f.Bits, newValue);
                // Like SETBIT, only a real change (or a created or grown string) counts as a write.
                if (dirty || oldValue != newValue)
                    changes++;
            }
        }
        if (changes > 0)
        {
            c.KeyModified(c[1], changes);
            c.Notify(NotifyFlags.String, "setbit", c[1]);
        }
    }

    /// <summary>Parses i1..i64 / u1..u63 (lower case only, as Redis).</summary>
    private static (bool Signed, int Bits) FieldType(ReadOnlySpan<byte> p)
    {
        if (p.Length == 0 || p[0] is not ((byte)'i' or (byte)'u'))
            Errors.Throw(BitFieldTypeError);
        bool signed = p[0] == (byte)'i';
        if (!CommandContext.TryParseLong(p[1..], out long bits) || bits < 1 || (signed && bits > 64) || (!signed && bits > 63))
            Errors.Throw(BitFieldTypeError);
        return (signed, (int)bits);
    }

    private static ulong GetUnsigned(ReadOnlySpan<byte> p, long offset, int bits)
    {
        ulong value = 0;
        for (int j = 0; j < bits; j++, offset++)
        {
            int bit = (p[(int)(offset >> 3)] >> (7 - (int)(offset & 7))) & 1;
            value = (value << 1) | (uint)bit;
        }
        return value;
    }

    private static long GetSigned(ReadOnlySpan<byte> p, long offset, int bits)
    {
        ulong value = GetUnsigned(p, offset, bits);
        if (bits < 64 && (value & (1UL << (bits - 1))) != 0)
            value |= ulong.MaxValue << bits;
        return (long)value;
    }

    private static void SetUnsigned(Span<byte> p, long offset, int bits, ulong value)
    {
        for (int j = 0; j < bits; j++, offset++)
        {
            int bit = (int)((value >> (bits - 1 - j)) & 1);
            int index = (int)(offset >> 3);
            int shift = 7 - (int)(offset & 7);
            p[index] = (byte)((p[index] & ~(1 << shift)) | (bit << shift));
        }
    }

    // Redis's checkUnsignedBitfieldOverflow: 1 above the range, -1 below, 0 fits; limit is the value to
    // store under WRAP or SAT.
    private static int UnsignedOverflow(ulong value, long incr, int bits, Overflow owtype, out ulong limit)
    {
        limit = 0;
        ulong max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        long maxIncr = unchecked((long)(max - value));
        long minIncr = unchecked(-(long)value);
        if (value > max || (incr > 0 && incr > maxIncr))
        {
            if (owtype == Overflow.Wrap)
                limit = WrapUnsigned(value, incr, bits);
            else if (owtype == Overflow.Sat)
                limit = max;
            return 1;
        }
        if (incr < 0 && incr < minIncr)
        {
            if (owtype == Overflow.Wrap)
                limit = WrapUnsigned(value, incr, bits);
            else if (owtype == Overflow.Sat)
                limit = 0;
            return owtype == Overflow.Wrap ? 1 : -1;
        }
        return 0;
    }

    private static ulong WrapUnsigned(ulong value, long incr, int bits)
    {
        ulong mask = ulong.MaxValue << bits;
        return unchecked(value + (ulong)incr) & ~mask;
    }

    // Redis's checkSignedBitfieldOverflow.
    private static int SignedOverflow(long value, long incr, int bits, Overflow owtype, out long limit)
    {
        limit = 0;
        long max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxIncr = unchecked((long)((ulong)max - (ulong)value));
        long minIncr = unchecked(min - value);
        if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr))
        {
            if (owtype == Overflow.Wrap)
                limit = WrapSigned(value, incr, bits);
            else if (owtype == Overflow.Sat)
                limit = max;
            return 1;
        }
        if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr))
        {
            if (owtype == Overflow.Wrap)
                limit = WrapSigned(value, incr, bits);
            else if (owtype == Overflow.Sat)
                limit = min;
            return owtype == Overflow.Wrap ? 1 : -1;
        }
        return 0;
    }

    private static long WrapSigned(long value, long incr, int bits)
    {
        ulong result = unchecked((ulong)value + (ulong)incr);
        if (bits < 64)
        {
            ulong mask = ulong.MaxValue << bits;
            if ((result & (1UL << (bits - 1))) != 0)
                result |= mask;
            else
                result &= ~mask;
        }
        return (long)result;
    }
}
