using System.Buffers;
using System.Buffers.Binary;

namespace Codis.Server.DataTypes;

/// <summary>What <see cref="HyperLogLog.Add"/> did to the value.</summary>
public enum HllAddResult
{
    /// <summary>No register grew (PFADD counts 0 for this element).</summary>
    Unchanged = 0,

    /// <summary>A register grew; the cached cardinality is now marked invalid.</summary>
    Changed = 1,

    /// <summary>The sparse data is corrupted: reply "INVALIDOBJ Corrupted HLL object detected".</summary>
    Corrupted = -1,
}

/// <summary>How <see cref="HyperLogLog.Count"/> obtained the cardinality.</summary>
public enum HllCountResult
{
    /// <summary>The cached cardinality in the header was valid and was returned.</summary>
    Cached,

    /// <summary>It was computed; when asked, the header cache was refreshed (the value changed).</summary>
    Computed,

    /// <summary>The sparse data is corrupted: reply "INVALIDOBJ Corrupted HLL object detected".</summary>
    Corrupted,
}

/// <summary>Outcome of a multi-value operation (PFMERGE, PFCOUNT of several keys).</summary>
public enum HllMergeResult
{
    /// <summary>The operation succeeded.</summary>
    Ok,

    /// <summary>An input fails <see cref="HyperLogLog.IsValid"/>: "WRONGTYPE Key is not a valid HyperLogLog string value."</summary>
    NotHyperLogLog,

    /// <summary>An input's sparse data is corrupted: "INVALIDOBJ Corrupted HLL object detected".</summary>
    Corrupted,
}

/// <summary>
/// Redis 7.0's HyperLogLog, operating on the string value of the key so the bytes are identical to
/// Redis's (GET, DUMP, replication): a 16-byte header ("HYLL", encoding, 3 unused bytes, cached
/// cardinality little-endian whose top bit marks it stale) followed by either the dense form (16384
/// 6-bit registers, LSB first) or the sparse run-length form (ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy,
/// VAL 1vvvvvxx). Values are mutated in place: callers must own the array they pass.
/// </summary>
public static partial class HyperLogLog
{
    /// <summary>Number of registers (2^14).</summary>
    public const int RegisterCount = 1 << P;

    /// <summary>Header size in bytes.</summary>
    public const int HeaderSize = 16;

    /// <summary>Exact byte length of a dense value.</summary>
    public const int DenseSize = HeaderSize + (RegisterCount * Bits + 7) / 8;

    /// <summary>Default of the <c>hll-sparse-max-bytes</c> setting.</summary>
    public const int DefaultSparseMaxBytes = 3000;

    /// <summary>Error reply for corrupted sparse data.</summary>
    public static ReadOnlySpan<byte> CorruptedError => "INVALIDOBJ Corrupted HLL object detected"u8;

    /// <summary>Error reply for a string that is not a HyperLogLog.</summary>
    public static ReadOnlySpan<byte> WrongTypeError => "WRONGTYPE Key is not a valid HyperLogLog string value."u8;

    internal const byte EncodingDense = 0;
    internal const byte EncodingSparse = 1;
    private const int P = 14;
    private const int Q = 64 - P;
    private const int Bits = 6;
    private const int RegisterMax = (1 << Bits) - 1;
    private const int SparseValMaxValue = 32;
    private const int SparseValMaxLength = 4;
    private const int SparseZeroMaxLength = 64;
    private const int SparseXZeroMaxLength = 16384;
    private const double AlphaInf = 0.721347520444481703680;

    /// <summary>
    /// Redis's <c>isHLLObjectOrReply</c>: at least a header, the "HYLL" magic, a known encoding, and the
    /// exact size when dense. Sparse corruption is only found when the data is used.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value) =>
        value.Length >= HeaderSize
        && value.StartsWith("HYLL"u8)
        && value[4] <= EncodingSparse
        && (value[4] != EncodingDense || value.Length == DenseSize);

    /// <summary>True when the value uses the dense encoding.</summary>
    public static bool IsDense(ReadOnlySpan<byte> value) => value[4] == EncodingDense;

    /// <summary>
    /// An empty sparse HyperLogLog exactly as Redis's <c>createHLLObject</c> builds it (cached
    /// cardinality 0, valid). PFADD and PFMERGE then mark the cache stale (<see cref="InvalidateCache"/>)
    /// before storing a new key, so a new key's stored bytes have the stale bit set.
    /// </summary>
    public static byte[] CreateEmpty()
    {
        int runs = (RegisterCount + SparseXZeroMaxLength - 1) / SparseXZeroMaxLength;
        var value = new byte[HeaderSize + runs * 2];
        "HYLL"u8.CopyTo(value);
        value[4] = EncodingSparse;
        int remaining = RegisterCount, p = HeaderSize;
        while (remaining > 0)
        {
            int run = Math.Min(remaining, SparseXZeroMaxLength);
            SetXZero(value.AsSpan(p), run);
            p += 2;
            remaining -= run;
        }

        return value;
    }

    /// <summary>Marks the cached cardinality stale (only the top bit of the last cache byte changes).</summary>
    public static void InvalidateCache(Span<byte> value) => value[15] |= 0x80;

    /// <summary>True when the header holds a usable cardinality.</summary>
    public static bool IsCacheValid(ReadOnlySpan<byte> value) => (value[15] & 0x80) == 0;

    /// <summary>
    /// Adds one element (PFADD). The array may be replaced (sparse growth, promotion to dense when a
    /// register exceeds 32 or the value would exceed <paramref name="sparseMaxBytes"/>).
    /// <paramref name="hll"/> must satisfy <see cref="IsValid"/>.
    /// </summary>
    public static HllAddResult Add(ref byte[] hll, ReadOnlySpan<byte> element, int sparseMaxBytes = DefaultSparseMaxBytes)
    {
        int count = PatternLength(element, out int index);
        int result = hll[4] == EncodingDense
            ? DenseSet(hll.AsSpan(HeaderSize), index, count)
            : SparseSet(ref hll, index, count, sparseMaxBytes);
        if (result == 1)
            InvalidateCache(hll);
        return (HllAddResult)result;
    }

    /// <summary>
    /// PFCOUNT of one key: the cached cardinality when valid, otherwise the estimate, stored back into
    /// the header when <paramref name="updateCache"/> (Redis then treats the key as modified).
    /// </summary>
    public static HllCountResult Count(byte[] hll, bool updateCache, out long cardinality)
    {
        if (IsCacheValid(hll))
        {
            cardinality = (long)BinaryPrimitives.ReadUInt64LittleEndian(hll.AsSpan(8));
            return HllCountResult.Cached;
        }

        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        if (hll[4] == EncodingDense)
        {
            DenseHistogram(hll.AsSpan(HeaderSize), histogram);
        }
        else if (!SparseHistogram(hll.AsSpan(HeaderSize), histogram))
        {
            cardinality = 0;
            return HllCountResult.Corrupted;
        }

        ulong estimate = Estimate(histogram);
        cardinality = (long)estimate;
        if (updateCache)
            BinaryPrimitives.WriteUInt64LittleEndian(hll.AsSpan(8), estimate);
        return HllCountResult.Computed;
    }

    /// <summary>The estimate for raw registers, one byte each (PFCOUNT of several keys).</summary>
    public static long CountRegisters(ReadOnlySpan<byte> registers)
    {
        if (registers.Length != RegisterCount)
            throw new ArgumentException("Expected one byte per register.", nameof(registers));
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        foreach (byte r in registers)
            histogram[r & 63]++;
        return (long)Estimate(histogram);
    }

    /// <summary>
    /// Folds <paramref name="hll"/> into <paramref name="maxRegisters"/> (one byte per register) keeping
    /// the maximum, as Redis's <c>hllMerge</c>; false when the sparse data is corrupted.
    /// </summary>
    public static bool TryMergeInto(ReadOnlySpan<byte> hll, Span<byte> maxRegisters)
    {
        if (maxRegisters.Length != RegisterCount)
            throw new ArgumentException("Expected one byte per register.", nameof(maxRegisters));
        var data = hll[HeaderSize..];
        if (hll[4] == EncodingDense)
        {
            for (int i = 0; i < RegisterCount; i++)
            {
                byte v = GetDense(data, i);
                if (v > maxRegisters[i])
                    maxRegisters[i] = v;
            }

            return true;
        }

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
                for (int k = 0; k < run; k++, idx++)
                {
                    if (value > maxRegisters[(int)idx])
                        maxRegisters[(int)idx] = (byte)value;
                }

                p++;
            }
        }

        return idx == RegisterCount;
    }

    /// <summary>
    /// PFCOUNT of several keys: the estimate of the union (nulls are missing keys); the headers are not
    /// touched.
    /// </summary>
    public static HllMergeResult CountUnion(ReadOnlySpan<byte[]?> hlls, out long cardinality)
    {
        cardinality = 0;
        byte[] max = ArrayPool<byte>.Shared.Rent(RegisterCount);
        try
        {
            var registers = max.AsSpan(0, RegisterCount);
            registers.Clear();
            foreach (byte[]? hll in hlls)
            {
                if (hll is null)
                    continue;
                if (!IsValid(hll))
                    return HllMergeResult.NotHyperLogLog;
                if (!TryMergeInto(hll, registers))
                    return HllMergeResult.Corrupted;
            }

            cardinality = CountRegisters(registers);
            return HllMergeResult.Ok;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(max);
        }
    }

    /// <summary>
    /// PFMERGE as Redis 7.0 does it: the destination (when present) is one of the inputs; the result is
    /// dense when any input is dense, otherwise it stays sparse (and may be promoted while being
    /// written); its cache is marked stale. <paramref name="result"/> is the value to store.
    /// </summary>
    public static HllMergeResult Merge(byte[]? destination, ReadOnlySpan<byte[]?> sources, int sparseMaxBytes, out byte[]? result)
    {
        result = null;
        byte[] max = ArrayPool<byte>.Shared.Rent(RegisterCount);
        try
        {
            var registers = max.AsSpan(0, RegisterCount);
            registers.Clear();
            bool useDense = false;
            for (int i = -1; i < sources.Length; i++)
            {
                byte[]? hll = i < 0 ? destination : sources[i];
                if (hll is null)
                    continue;
                if (!IsValid(hll))
                    return HllMergeResult.NotHyperLogLog;
                useDense |= hll[4] == EncodingDense;
                if (!TryMergeInto(hll, registers))
                    return HllMergeResult.Corrupted;
            }

            byte[] target = destination ?? CreateEmpty();
            if (!WriteRegisters(ref target, registers, useDense, sparseMaxBytes))
                return HllMergeResult.Corrupted;
            result = target;
            return HllMergeResult.Ok;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(max);
        }
    }

    /// <summary>
    /// Raises the registers of <paramref name="hll"/> to <paramref name="maxRegisters"/>, converting to
    /// dense first when <paramref name="useDense"/>, then marks the cache stale (the tail of PFMERGE).
    /// </summary>
    public static bool WriteRegisters(ref byte[] hll, ReadOnlySpan<byte> maxRegisters, bool useDense, int sparseMaxBytes = DefaultSparseMaxBytes)
    {
        if (useDense && hll[4] == EncodingSparse)
        {
            byte[]? dense = SparseToDense(hll);
            if (dense is null)
                return false;
            hll = dense;
        }

        for (int j = 0; j < RegisterCount; j++)
        {
            if (maxRegisters[j] == 0)
                continue;
            if (hll[4] == EncodingDense)
                DenseSet(hll.AsSpan(HeaderSize), j, maxRegisters[j]);
            else if (SparseSet(ref hll, j, maxRegisters[j], sparseMaxBytes) < 0)
                return false;
        }

        InvalidateCache(hll);
        return true;
    }

    /// <summary>
    /// Converts a sparse value to dense (the header, cache included, is kept); null when the sparse data
    /// is corrupted. A dense value is returned as is.
    /// </summary>
    public static byte[]? ToDense(byte[] hll) => hll[4] == EncodingDense ? hll : SparseToDense(hll);

    /// <summary>MurmurHash2, 64-bit version A, as in Redis (little-endian reads).</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> key, uint seed)
    {
        const ulong m = 0xc6a4a7935bd1e995UL;
        const int r = 47;
        ulong h = seed ^ ((ulong)key.Length * m);
        int blocks = key.Length & ~7;
        for (int i = 0; i < blocks; i += 8)
        {
            ulong k = BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(i, 8));
            k *= m;
            k ^= k >> r;
            k *= m;
            h ^= k;
            h *= m;
        }

        var tail = key[blocks..];
        if (tail.Length > 0)
        {
            for (int i = tail.Length - 1; i >= 0; i--)
                h ^= (ulong)tail[i] << (8 * i);
            h *= m;
        }

        h ^= h >> r;
        h *= m;
        h ^= h >> r;
        return h;
    }

    /// <summary>Redis's <c>hllPatLen</c>: the register index and the run length of zeros plus one.</summary>
    internal static int PatternLength(ReadOnlySpan<byte> element, out int index)
    {
        ulong hash = MurmurHash64A(element, 0xadc83b19);
        index = (int)(hash & (RegisterCount - 1));
        hash >>= P;
        hash |= 1UL << Q;
        return System.Numerics.BitOperations.TrailingZeroCount(hash) + 1;
    }

    // Ertl, "New cardinality estimation algorithms for HyperLogLog sketches", as Redis's hllCount.
    private static ulong Estimate(ReadOnlySpan<int> histogram)
    {
        const double m = RegisterCount;
        double z = m * Tau((m - histogram[Q + 1]) / m);
        for (int j = Q; j >= 1; j--)
        {
            z += histogram[j];
            z *= 0.5;
        }

        z += m * Sigma(histogram[0] / m);
        double e = AlphaInf * m * m / z;
        return (ulong)Math.Round(e, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1.0)
            return double.PositiveInfinity;
        double zPrime, y = 1, z = x;
        do
        {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        }
        while (zPrime != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0)
            return 0.0;
        double zPrime, y = 1.0, z = 1 - x;
        do
        {
            x = Math.Sqrt(x);
            zPrime = z;
            y *= 0.5;
            // Math.Pow, not a product, to match the C library call bit for bit.
            z -= Math.Pow(1 - x, 2) * y;
        }
        while (zPrime != z);
        return z / 3;
    }
}
