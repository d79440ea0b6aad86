using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

public class HyperLogLogTests
{
    /// <summary>The element sequences HyperLogLogVectors.py fed to redis-server.</summary>
    internal static IEnumerable<byte[]> Elements(string kind, int n)
    {
        for (int j = 0; j < n; j++)
        {
            switch (kind)
            {
                case "ascii":
                    yield return Encoding.ASCII.GetBytes("e" + j);
                    break;
                case "x":
                    yield return Encoding.ASCII.GetBytes("x" + j);
                    break;
                default:
                    var bytes = new byte[4 + j % 13];
                    BinaryPrimitives.WriteInt32LittleEndian(bytes, j);
                    for (int k = 0; k < j % 13; k++)
                        bytes[4 + k] = (byte)((j * 7 + k) & 0xff);
                    yield return bytes;
                    break;
            }
        }
    }

    // What PFADD key e1 e2 ... does to a missing key.
    private static byte[] PfAdd(byte[]? hll, IEnumerable<byte[]> elements, int sparseMaxBytes = HyperLogLog.DefaultSparseMaxBytes)
    {
        bool updated = hll is null;
        hll ??= HyperLogLog.CreateEmpty();
        foreach (var e in elements)
        {
            var r = HyperLogLog.Add(ref hll, e, sparseMaxBytes);
            Assert.NotEqual(HllAddResult.Corrupted, r);
            updated |= r == HllAddResult.Changed;
        }

        if (updated)
            HyperLogLog.InvalidateCache(hll);
        return hll;
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    public static TheoryData<string> VectorNames()
    {
        var data = new TheoryData<string>();
        foreach (var v in HyperLogLogVectors.All)
            data.Add(v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void PfAddThenCount_GeneratedElements_MatchesRedisBytesAndCount(string name)
    {
        var v = HyperLogLogVectors.All.Single(x => x.Name == name);
        var hll = PfAdd(null, Elements(v.Kind, v.N), v.SparseMaxBytes);

        if (v.HexBefore is not null)
            Assert.Equal(v.HexBefore, Hex(hll));
        Assert.Equal(v.Length, hll.Length);
        Assert.Equal(v.Sha256Before, Sha(hll));
        Assert.True(HyperLogLog.IsValid(hll));

        Assert.Equal(HllCountResult.Computed, HyperLogLog.Count(hll, updateCache: true, out long count));
        Assert.Equal(v.Count, count);
        if (v.HexAfter is not null)
            Assert.Equal(v.HexAfter, Hex(hll));
        Assert.Equal(v.Sha256After, Sha(hll));

        Assert.Equal(HllCountResult.Cached, HyperLogLog.Count(hll, updateCache: true, out long again));
        Assert.Equal(count, again);
    }

    [Fact]
    public void PfAdd_NoElementsOnMissingKey_MatchesRedis()
    {
        Assert.Equal(HyperLogLogVectors.EmptyAfterPfadd, Hex(PfAdd(null, [])));
    }

    [Fact]
    public void CreateEmpty_IsSparseXZeroWithValidZeroCache()
    {
        var hll = HyperLogLog.CreateEmpty();
        Assert.Equal("48594c4c010000000000000000000000" + "7fff", Hex(hll));
        Assert.Equal(HllCountResult.Cached, HyperLogLog.Count(hll, true, out long c));
        Assert.Equal(0, c);
    }

    [Fact]
    public void Add_Incremental_ReturnsRedisResultsAndBytes()
    {
        byte[][] elements = ["a"u8.ToArray(), "b"u8.ToArray(), "a"u8.ToArray(), [], "c"u8.ToArray(), [0x00, 0xff]];
        int[] expected = [1, 1, 0, 1, 1, 1];
        byte[]? hll = null;
        for (int i = 0; i < elements.Length; i++)
        {
            bool created = hll is null;
            hll ??= HyperLogLog.CreateEmpty();
            var r = HyperLogLog.Add(ref hll, elements[i]);
            if (created)
                HyperLogLog.InvalidateCache(hll);
            Assert.Equal(expected[i], created ? 1 : (int)r);
        }

        Assert.Equal(HyperLogLogVectors.IncrementalBefore, Hex(hll!));
        HyperLogLog.Count(hll!, true, out long count);
        Assert.Equal(5, count);
        Assert.Equal(HyperLogLogVectors.IncrementalAfter, Hex(hll!));

        Assert.Equal(HllAddResult.Changed, HyperLogLog.Add(ref hll!, "brand-new"u8));
        Assert.Equal(HyperLogLogVectors.RecountBefore, Hex(hll));
        Assert.Equal(HllCountResult.Computed, HyperLogLog.Count(hll, true, out count));
        Assert.Equal(6, count);
        Assert.Equal(HyperLogLogVectors.RecountAfter, Hex(hll));
    }

    [Fact]
    public void Count_WithoutUpdateCache_LeavesBytesUntouched()
    {
        var hll = PfAdd(null, Elements("ascii", 10));
        var before = (byte[])hll.Clone();
        Assert.Equal(HllCountResult.Computed, HyperLogLog.Count(hll, false, out long c));
        Assert.Equal(10, c);
        Assert.Equal(before, hll);
    }

    private static byte[] Generated(string name)
    {
        var v = HyperLogLogVectors.All.Single(x => x.Name == name);
        return PfAdd(null, Elements(v.Kind, v.N), v.SparseMaxBytes);
    }

    [Fact]
    public void Merge_AllSparse_StaysSparseLikeRedis70()
    {
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.Merge(null, [Generated("ascii100"), Generated("bin100")], 3000, out var m));
        Assert.Equal(HyperLogLogVectors.MergeSsLength, m!.Length);
        Assert.Equal(HyperLogLogVectors.MergeSsSha256, Sha(m));
        HyperLogLog.Count(m, true, out long c);
        Assert.Equal(HyperLogLogVectors.MergeSsCount, c);
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.CountUnion([Generated("ascii100"), null, Generated("bin100")], out long u));
        Assert.Equal(HyperLogLogVectors.MergeSsCount, u);
    }

    [Fact]
    public void Merge_OneDense_ProducesDenseLikeRedis()
    {
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.Merge(null, [Generated("ascii100"), Generated("ascii5000")], 3000, out var m));
        Assert.Equal(HyperLogLogVectors.MergeSdSha256, Sha(m!));
        HyperLogLog.Count(m!, true, out long c);
        Assert.Equal(HyperLogLogVectors.MergeSdCount, c);
    }

    [Fact]
    public void Merge_IntoExistingSparseDestination_MatchesRedis()
    {
        var dest = PfAdd(null, Enumerable.Range(0, 20).Select(i => Encoding.ASCII.GetBytes("y" + i)));
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.Merge(dest, [Generated("bin10"), Generated("ascii10")], 3000, out var m));
        Assert.Equal(HyperLogLogVectors.MergeIntoHex, Hex(m!));
        HyperLogLog.Count(m!, true, out long c);
        Assert.Equal(HyperLogLogVectors.MergeIntoCount, c);
    }

    [Fact]
    public void Merge_NoSources_IsEmptyWithStaleCache()
    {
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.Merge(null, [], 3000, out var m));
        Assert.Equal(HyperLogLogVectors.EmptyAfterPfadd, Hex(m!));
    }

    [Fact]
    public void Merge_ThreeInputsOneDense_MatchesRedis()
    {
        byte[][] inputs = [Generated("ascii1000"), Generated("bin1000"), Generated("ascii3000")];
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.Merge(null, inputs, 3000, out var m));
        Assert.Equal(HyperLogLogVectors.MergeBigSha256, Sha(m!));
        HyperLogLog.Count(m!, true, out long c);
        Assert.Equal(HyperLogLogVectors.MergeBigCount, c);
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.CountUnion(inputs, out long u));
        Assert.Equal(HyperLogLogVectors.MergeBigCount, u);
    }

    [Fact]
    public void Merge_SparseInputsOverflowingMaxBytes_PromotesWhileWriting()
    {
        Assert.Equal(HllMergeResult.Ok, HyperLogLog.Merge(null, [Generated("ascii1000"), Generated("bin1000")], 3000, out var m));
        Assert.Equal(HyperLogLogVectors.MergePromoteLength, m!.Length);
        Assert.Equal(HyperLogLogVectors.MergePromoteSha256, Sha(m));
        HyperLogLog.Count(m, true, out long c);
        Assert.Equal(HyperLogLogVectors.MergePromoteCount, c);
    }

    private static byte[] Sparse(long card, params byte[] data)
    {
        var v = new byte[16 + data.Length];
        "HYLL"u8.CopyTo(v);
        v[4] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(v.AsSpan(8), card);
        data.CopyTo(v, 16);
        return v;
    }

    private const long Stale = unchecked((long)0x8000000000000000UL);

    [Fact]
    public void Corrupted_RunsShortOfRegisterCount_DetectedByCountAndMerge_ButAddWorksLikeRedis()
    {
        var bad = Sparse(Stale, 0x7f, 0xfe); // XZERO of 16383
        Assert.True(HyperLogLog.IsValid(bad));
        Assert.Equal(HllCountResult.Corrupted, HyperLogLog.Count(bad, true, out _));
        Assert.Equal(HllMergeResult.Corrupted, HyperLogLog.Merge(null, [bad], 3000, out _));
        Assert.Equal(HllMergeResult.Corrupted, HyperLogLog.CountUnion([bad, Generated("ascii10")], out _));
        Assert.Equal(HllAddResult.Changed, HyperLogLog.Add(ref bad, "zz"u8));
        Assert.Equal(HyperLogLogVectors.Bad1AfterAdd, Hex(bad));
    }

    [Fact]
    public void Corrupted_TruncatedXZero_ReadsTerminatorLikeRedis()
    {
        var bad = Sparse(Stale, 0x7f);
        Assert.Equal(HllCountResult.Corrupted, HyperLogLog.Count(bad, true, out _));
        Assert.Equal(HllAddResult.Changed, HyperLogLog.Add(ref bad, "a"u8));
        Assert.Equal(HyperLogLogVectors.Bad6AfterAdd, Hex(bad));
    }

    [Fact]
    public void Corrupted_ValOverflow_DetectedAndAddMatchesRedis()
    {
        var bad = Sparse(Stale, 0x7f, 0xfe, 0x81);
        Assert.Equal(HllCountResult.Corrupted, HyperLogLog.Count(bad, true, out _));
        Assert.Equal(HllAddResult.Changed, HyperLogLog.Add(ref bad, "a"u8));
        Assert.Equal(HyperLogLogVectors.Bad7AfterAdd, Hex(bad));
    }

    [Fact]
    public void Corrupted_NoOpcodes_AddFailsButValidCacheStillAnswers()
    {
        var bad = Sparse(0);
        Assert.Equal(HllCountResult.Cached, HyperLogLog.Count(bad, true, out long c));
        Assert.Equal(0, c);
        Assert.Equal(HllAddResult.Corrupted, HyperLogLog.Add(ref bad, "a"u8));
    }

    [Fact]
    public void Count_ValidCache_ReturnsCachedValue()
    {
        Assert.Equal(HllCountResult.Cached, HyperLogLog.Count(Sparse(12345, 0x7f, 0xff), true, out long c));
        Assert.Equal(12345, c);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("HYLL\u0002\0\0\0\0\0\0\0\0\0\0\0", false)]
    [InlineData("HYLL\0\0\0\0\0\0\0\0\0\0\0\0", false)]
    [InlineData("HYLL\u0001\0\0\0\0\0\0\0\0\0\0", false)]
    [InlineData("HYLx\u0001\0\0\0\0\0\0\0\0\0\0\0", false)]
    [InlineData("HYLL\u0001\0\0\0\0\0\0\0\0\0\0\0", true)]
    public void IsValid_HeaderChecks_MatchRedis(string text, bool expected)
    {
        Assert.Equal(expected, HyperLogLog.IsValid(Encoding.Latin1.GetBytes(text)));
    }

    [Fact]
    public void IsValid_DenseOfExactSize_IsValid()
    {
        var dense = HyperLogLog.ToDense(HyperLogLog.CreateEmpty())!;
        Assert.Equal(HyperLogLog.DenseSize, dense.Length);
        Assert.True(HyperLogLog.IsValid(dense));
        Assert.False(HyperLogLog.IsValid(dense.AsSpan(0, dense.Length - 1)));
    }

    [Fact]
    public void Add_RegisterAbove32InSparse_PromotesToDense()
    {
        // No practical element reaches 33, so drive the register update directly.
        byte[] hll = HyperLogLog.CreateEmpty();
        Span<byte> registers = new byte[HyperLogLog.RegisterCount];
        registers[5] = 33;
        Assert.True(HyperLogLog.WriteRegisters(ref hll, registers, useDense: false));
        Assert.True(HyperLogLog.IsDense(hll));
        Assert.Equal(33, HyperLogLog.GetDense(hll.AsSpan(HyperLogLog.HeaderSize), 5));
    }

    [Fact]
    public void DenseRegisters_SetAndGetEveryIndex_RoundTrip()
    {
        var registers = new byte[HyperLogLog.DenseSize - HyperLogLog.HeaderSize];
        for (int i = 0; i < HyperLogLog.RegisterCount; i++)
            HyperLogLog.SetDense(registers, i, (i * 7) & 63);
        for (int i = 0; i < HyperLogLog.RegisterCount; i++)
            Assert.Equal((i * 7) & 63, HyperLogLog.GetDense(registers, i));
    }

    [Fact]
    public void SparseAndDense_SameElements_CountTheSame()
    {
        var sparse = Generated("ascii1000");
        var dense = HyperLogLog.ToDense(sparse)!;
        HyperLogLog.InvalidateCache(dense);
        HyperLogLog.Count(sparse, false, out long a);
        HyperLogLog.Count(dense, false, out long b);
        Assert.Equal(a, b);
        Assert.Equal(1008, a);
    }
}
