using System.Buffers;

namespace Codis.Server.DataTypes;

public static partial class HyperLogLog
{
    // ---- dense: 6-bit registers packed LSB first ----

    internal static byte GetDense(ReadOnlySpan<byte> registers, int index)
    {
        int bit = index * Bits;
        int b = bit >> 3, shift = bit & 7;
        // Redis reads one byte past the last register (the sds terminator, always 0).
        int b1 = b + 1 < registers.Length ? registers[b + 1] : 0;
        return (byte)(((registers[b] >> shift) | (b1 << (8 - shift))) & RegisterMax);
    }

    internal static void SetDense(Span<byte> registers, int index, int value)
    {
        int bit = index * Bits;
        int b = bit >> 3, shift = bit & 7;
        registers[b] = (byte)((registers[b] & ~(RegisterMax << shift)) | (value << shift));
        if (b + 1 < registers.Length)
            registers[b + 1] = (byte)((registers[b + 1] & ~(RegisterMax >> (8 - shift))) | (value >> (8 - shift)));
    }

    private static int DenseSet(Span<byte> registers, int index, int count)
    {
        if (count <= GetDense(registers, index))
            return 0;
        SetDense(registers, index, count);
        return 1;
    }

    private static void DenseHistogram(ReadOnlySpan<byte> registers, Span<int> histogram)
    {
        for (int i = 0; i < RegisterCount; i++)
            histogram[GetDense(registers, i)]++;
    }

    // ---- sparse opcodes ----

    private static bool IsZero(byte op) => (op & 0xc0) == 0;

    private static bool IsXZero(byte op) => (op & 0xc0) == 0x40;

    private static int ZeroLength(byte op) => (op & 0x3f) + 1;

    // Reading past the end yields the 0 that terminates every sds string.
    private static int XZeroLength(ReadOnlySpan<byte> data, int p) =>
        (((data[p] & 0x3f) << 8) | (p + 1 < data.Length ? data[p + 1] : 0)) + 1;

    private static int ValValue(byte op) => ((op >> 2) & 0x1f) + 1;

    private static int ValLength(byte op) => (op & 0x3) + 1;

    private static byte Val(int value, int length) => (byte)(((value - 1) << 2 | (length - 1)) | 0x80);

    private static byte Zero(int length) => (byte)(length - 1);

    private static void SetXZero(Span<byte> at, int length)
    {
        int l = length - 1;
        at[0] = (byte)((l >> 8) | 0x40);
        at[1] = (byte)(l & 0xff);
    }

    /// <summary>Register histogram of sparse data; false when the runs do not cover exactly 16384 registers.</summary>
    private static bool SparseHistogram(ReadOnlySpan<byte> data, Span<int> histogram)
    {
        long idx = 0;
        int p = 0;
        while (p < data.Length)
        {
            byte op = data[p];
            if (IsZero(op))
            {
                int run = ZeroLength(op);
                idx += run;
                histogram[0] += run;
                p++;
            }
            else if (IsXZero(op))
            {
                int run = XZeroLength(data, p);
                idx += run;
                histogram[0] += run;
                p += 2;
            }
            else
            {
                int run = ValLength(op);
                if (run + idx > RegisterCount)
                    break;
                idx += run;
                histogram[ValValue(op)] += run;
                p++;
            }
        }

        return idx == RegisterCount;
    }

    private static byte[]? SparseToDense(byte[] hll)
    {
        var dense = new byte[DenseSize];
        hll.AsSpan(0, HeaderSize).CopyTo(dense);
        dense[4] = EncodingDense;
        var registers = dense.AsSpan(HeaderSize);
        var data = hll.AsSpan(HeaderSize);
        long idx = 0;
        int p = 0;
        while (p < data.Length)
        {
            byte op = data[p];
            if (IsZero(op))
            {
                idx += ZeroLength(op);
                p++;
            }
            else if (IsXZero(op))
            {
                idx += XZeroLength(data, p);
                p += 2;
            }
            else
            {
                int run = ValLength(op), value = ValValue(op);
                if (run + idx > RegisterCount)
                    break;
                for (int k = 0; k < run; k++)
                    SetDense(registers, (int)idx++, value);
                p++;
            }
        }

        return idx == RegisterCount ? dense : null;
    }

    /// <summary>
    /// Redis's <c>hllSparseSet</c>, step for step so the resulting bytes are identical: locate the
    /// opcode covering the register, split it into at most XZERO-VAL-XZERO, then merge adjacent equal
    /// VAL opcodes in a small window. Returns 1 (changed), 0 (unchanged) or -1 (corrupted).
    /// </summary>
    private static int SparseSet(ref byte[] hll, int index, int count, int sparseMaxBytes)
    {
        if (count > SparseValMaxValue)
            return Promote(ref hll, index, count);

        // Step 1: find the opcode covering 'index'. Offsets are absolute (header included).
        byte[] s = hll;
        int end = s.Length;
        int p = HeaderSize, prev = -1;
        long first = 0, span = 0;
        while (p < end)
        {
            int opLength = 1;
            byte op = s[p];
            if (IsZero(op))
            {
                span = ZeroLength(op);
            }
            else if (!IsXZero(op))
            {
                span = ValLength(op);
            }
            else
            {
                span = XZeroLength(s, p);
                opLength = 2;
            }

            if (index <= first + span - 1)
                break;
            prev = p;
            p += opLength;
            first += span;
        }

        if (span == 0 || p >= end)
            return -1;

        byte current = s[p];
        bool isZero = IsZero(current), isXZero = IsXZero(current), isVal = !isZero && !isXZero;
        long runLength = isZero ? ZeroLength(current) : isXZero ? XZeroLength(s, p) : ValLength(current);

        byte[]? rented = null;
        if (isVal)
        {
            // A: already at least as large. B: a VAL of one register, overwritten in place.
            if (ValValue(current) >= count)
                return 0;
            if (runLength == 1)
            {
                s[p] = Val(count, 1);
                return MergeAndFinish(ref hll, s, end, prev, rented);
            }
        }

        // C: a ZERO of one register becomes a VAL of one register.
        if (isZero && runLength == 1)
        {
            s[p] = Val(count, 1);
            return MergeAndFinish(ref hll, s, end, prev, rented);
        }

        // D: general case, split the opcode into up to three.
        Span<byte> seq = stackalloc byte[5];
        int n = 0;
        long last = first + span - 1;
        if (isZero || isXZero)
        {
            if (index != first)
                n += WriteZeros(seq[n..], index - first);
            seq[n++] = Val(count, 1);
            if (index != last)
                n += WriteZeros(seq[n..], last - index);
        }
        else
        {
            int currentValue = ValValue(current);
            if (index != first)
                seq[n++] = Val(currentValue, (int)(index - first));
            seq[n++] = Val(count, 1);
            if (index != last)
                seq[n++] = Val(currentValue, (int)(last - index));
        }

        // Step 3: substitute the sequence for the old opcode.
        int oldLength = isXZero ? 2 : 1;
        int delta = n - oldLength;
        if (delta > 0 && end + delta > sparseMaxBytes)
            return Promote(ref hll, index, count);
        int newEnd = end + delta;
        rented = ArrayPool<byte>.Shared.Rent(Math.Max(newEnd, p + n) + 1);
        var work = rented.AsSpan(0, Math.Max(newEnd, p + n) + 1);
        work.Clear();
        s.AsSpan(0, p).CopyTo(work);
        int tailStart = p + oldLength;
        if (tailStart < end)
            s.AsSpan(tailStart, end - tailStart).CopyTo(work[(p + n)..]);
        seq[..n].CopyTo(work[p..]);
        // sdsIncrLen writes the terminator, which may cut a sequence written past the old end.
        work[newEnd] = 0;
        return MergeAndFinish(ref hll, rented, newEnd, prev, rented);
    }

    private static int WriteZeros(Span<byte> at, long length)
    {
        if (length > SparseZeroMaxLength)
        {
            SetXZero(at, (int)length);
            return 2;
        }

        at[0] = Zero((int)length);
        return 1;
    }

    // Step 4 of hllSparseSet: merge adjacent VAL opcodes with the same value, scanning at most five
    // opcodes from the one before the change. Then store, and mark the cache stale.
    private static int MergeAndFinish(ref byte[] hll, byte[] s, int end, int prev, byte[]? rented)
    {
        try
        {
            int p = prev >= 0 ? prev : HeaderSize;
            int scan = 5;
            while (p < end && scan-- > 0)
            {
                byte op = s[p];
                if (IsXZero(op))
                {
                    p += 2;
                    continue;
                }

                if (IsZero(op))
                {
                    p++;
                    continue;
                }

                if (p + 1 < end && !IsZero(s[p + 1]) && !IsXZero(s[p + 1]))
                {
                    int v1 = ValValue(op), v2 = ValValue(s[p + 1]);
                    if (v1 == v2)
                    {
                        int length = ValLength(op) + ValLength(s[p + 1]);
                        if (length <= SparseValMaxLength)
                        {
                            s[p + 1] = Val(v1, length);
                            Array.Copy(s, p + 1, s, p, end - p - 1);
                            end--;
                            continue;
                        }
                    }
                }

                p++;
            }

            if (!ReferenceEquals(s, hll) || end != hll.Length)
                hll = s.AsSpan(0, end).ToArray();
            InvalidateCache(hll);
            return 1;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int Promote(ref byte[] hll, int index, int count)
    {
        byte[]? dense = SparseToDense(hll);
        if (dense is null)
            return -1;
        hll = dense;
        return DenseSet(dense.AsSpan(HeaderSize), index, count);
    }
}
