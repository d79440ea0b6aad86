using Codis.Server.Persistence;
using static Codis.Server.Tests.Persistence.PayloadTestData;

namespace Codis.Server.Tests.Persistence;

/// <summary>Every kind and size class survives Create → TryParse, in the encoding Redis 3.2 would pick.</summary>
public sealed class RdbRoundTripTests
{
    private static readonly string[] IntegerTexts =
    [
        "0", "1", "12", "13", "-1", "127", "-128", "128", "-129", "255", "32767", "-32768", "32768", "-32769",
        "8388607", "-8388608", "8388608", "-8388609", "2147483647", "-2147483648", "2147483648", "-2147483649",
        "9223372036854775807", "-9223372036854775808",
        // Not canonical 64-bit integers: stored as strings.
        "9223372036854775808", "-9223372036854775809", "-0", "007", "+1", " 1", "1 ", "1.0", "12345678901234567890123456789012",
    ];

    private static RdbType TypeOf(RdbValue value) => (RdbType)DumpPayload.Create(value)[0];

    [Fact]
    public void String_EveryIntegerWidthAndNearMiss_RoundTrips()
    {
        foreach (string s in IntegerTexts)
            RoundTrip(Str(s));
        RoundTrip(Str(""));
    }

    [Theory]
    [InlineData("127", "C07F")]
    [InlineData("-128", "C080")]
    [InlineData("128", "C18000")]
    [InlineData("-32768", "C10080")]
    [InlineData("32768", "C200800000")]
    [InlineData("-2147483648", "C200000080")]
    [InlineData("2147483648", "0A32313437343833363438")]
    [InlineData("-0", "022D30")]
    [InlineData("01", "023031")]
    [InlineData("", "00")]
    public void WriteString_IntegerCandidates_UseRedisEncoding(string text, string hex)
    {
        var writer = new RdbWriter();
        writer.WriteString(B(text));
        Assert.Equal(hex, Convert.ToHexString(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(63, "3F")]
    [InlineData(64, "4040")]
    [InlineData(16383, "7FFF")]
    [InlineData(16384, "8000004000")]
    [InlineData(4294967295, "80FFFFFFFF")]
    [InlineData(4294967296, "810000000100000000")]
    public void WriteLength_Boundaries_UseRedisEncoding(ulong length, string hex)
    {
        var writer = new RdbWriter();
        writer.WriteLength(length);
        Assert.Equal(hex, Convert.ToHexString(writer.WrittenSpan));
        var reader = new RdbReader(writer.WrittenSpan);
        Assert.True(reader.TryReadLength(out ulong read, out bool encoded));
        Assert.False(encoded);
        Assert.Equal(length, read);
    }

    [Fact]
    public void String_LongCompressible_IsLzfAndRoundTrips()
    {
        byte[] payload = DumpPayload.Create(Str(new string('z', 21)));
        Assert.Equal(0xC3, payload[1]);
        RoundTrip(Str(new string('z', 21)));
        RoundTrip(Str(string.Concat(Enumerable.Repeat("codis-", 100_000))));
    }

    [Fact]
    public void String_ShortOrIncompressible_IsRaw()
    {
        Assert.Equal(20, DumpPayload.Create(Str(new string('z', 20)))[1]);
        byte[] random = new byte[1000];
        new Random(7).NextBytes(random);
        byte[] payload = DumpPayload.Create(RdbValue.FromString(random));
        Assert.Equal("43E8", Convert.ToHexString(payload, 1, 2)); // raw, 14-bit length 1000
        RoundTrip(RdbValue.FromString(random));
    }

    [Fact]
    public void String_AllByteValues_RoundTrips()
    {
        byte[] all = new byte[512];
        for (int i = 0; i < all.Length; i++)
            all[i] = (byte)i;
        RoundTrip(RdbValue.FromString(all));
        RoundTrip(RdbValue.FromString([0]));
        RoundTrip(RdbValue.FromString([0xFF, 0xFE, 0x00, 0x0D, 0x0A]));
    }

    [Fact]
    public void List_EveryZiplistIntegerWidth_RoundTrips()
    {
        RdbValue value = List(IntegerTexts);
        Assert.Equal(RdbType.ListQuicklist, TypeOf(value));
        RoundTrip(value);
        RoundTrip(List("only"));
        RoundTrip(List(""));
    }

    [Fact]
    public void List_LongElements_UseWidePrevlenAndLengths()
    {
        // 300 bytes forces 5-byte prevlen fields; 20,000 bytes a 32-bit string length in its own node.
        RoundTrip(List("a", new string('b', 300), "c", new string('d', 70), "e"));
        RoundTrip(List("x", new string('y', 20_000), "z", "w"));
    }

    [Fact]
    public void List_TenThousandElements_SplitsIntoNodesAndRoundTrips()
    {
        var items = Enumerable.Range(0, 10_000).Select(i => i % 3 == 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "element-" + i).ToArray();
        byte[] payload = DumpPayload.Create(List(items));
        var reader = new RdbReader(payload);
        Assert.True(reader.TryReadByte(out byte type));
        Assert.Equal((byte)RdbType.ListQuicklist, type);
        Assert.True(reader.TryReadCount(out ulong nodes));
        Assert.True(nodes > 10, $"{nodes} nodes");
        RoundTrip(List(items));
    }

    [Fact]
    public void List_Binary_RoundTrips()
    {
        RoundTrip(RdbValue.FromList([[0], [0xFF], [0xFE, 0x00, 0xFF], new byte[64], new byte[16384]]));
    }

    [Fact]
    public void Set_IntegersOfEachWidth_AreIntsets()
    {
        foreach (string[] members in new[] { new[] { "1", "-5", "32767" }, ["70000", "-1"], ["5000000000", "1", "-2"], ["-9223372036854775808", "9223372036854775807"] })
        {
            RdbValue value = Set(members);
            Assert.Equal(RdbType.SetIntset, TypeOf(value));
            RoundTrip(value);
        }
    }

    [Fact]
    public void Set_NonIntegersOrTooMany_AreHashTables()
    {
        Assert.Equal(RdbType.Set, TypeOf(Set("1", "a")));
        Assert.Equal(RdbType.Set, TypeOf(Set("1", "01")));
        RdbValue big = Set([.. Enumerable.Range(0, 513).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        Assert.Equal(RdbType.Set, TypeOf(big));
        RoundTrip(big);
        RoundTrip(Set("only"));
        RoundTrip(Set([.. Enumerable.Range(0, 10_000).Select(i => "member:" + i)]));
        RoundTrip(Set([.. Enumerable.Range(0, 10_000).Select(i => (i * 7919L).ToString(System.Globalization.CultureInfo.InvariantCulture))]));
    }

    [Fact]
    public void Set_Duplicates_Throw()
    {
        Assert.Throws<ArgumentException>(() => DumpPayload.Create(Set("a", "a")));
        Assert.Throws<ArgumentException>(() => DumpPayload.Create(Set("1", "1")));
    }

    [Fact]
    public void ZSet_SpecialScores_RoundTripInZiplist()
    {
        RdbValue value = ZSet(("inf", double.PositiveInfinity), ("ninf", double.NegativeInfinity), ("zero", 0), ("negzero", -0.0),
            ("tenth", 0.1), ("third", 1.0 / 3), ("big", 1e300), ("tiny", 5e-324), ("p52", 4503599627370496), ("n", -17.25), ("int", 42));
        Assert.Equal(RdbType.ZSetZiplist, TypeOf(value));
        RoundTrip(value);
        RoundTrip(ZSet(("m", 1)));
    }

    [Fact]
    public void ZSet_LargeOrLongMember_IsTextScoreSkiplist()
    {
        RdbValue longMember = ZSet(("x", 1), (new string('m', 65), 2.5), ("inf", double.PositiveInfinity), ("ninf", double.NegativeInfinity));
        Assert.Equal(RdbType.ZSet, TypeOf(longMember));
        RoundTrip(longMember);
        var many = Enumerable.Range(0, 10_000).Select(i => ("member:" + i, i * 0.37 - 1000)).ToArray();
        Assert.Equal(RdbType.ZSet, TypeOf(ZSet(many)));
        RoundTrip(ZSet(many));
    }

    [Fact]
    public void ZSet_NegativeZeroInSkiplist_LoadsAsZeroLikeRedis()
    {
        var many = Enumerable.Range(0, 200).Select(i => ("m" + i, i == 0 ? -0.0 : i)).ToArray();
        Assert.True(DumpPayload.TryParse(DumpPayload.Create(ZSet(many)), out RdbValue? value, out _));
        Assert.Equal(0, BitConverter.DoubleToInt64Bits(value.ZSetEntries!.Single(e => e.Member.SequenceEqual(B("m0"))).Score));
    }

    [Fact]
    public void ZSet_ZiplistIsSortedByScoreThenMember()
    {
        Assert.True(DumpPayload.TryParse(DumpPayload.Create(ZSet(("b", 2), ("c", 1), ("a", 2))), out RdbValue? value, out _));
        Assert.Equal(["c", "a", "b"], value.ZSetEntries!.Select(e => System.Text.Encoding.ASCII.GetString(e.Member)));
    }

    [Fact]
    public void ZSet_NaNOrDuplicate_Throws()
    {
        Assert.Throws<ArgumentException>(() => DumpPayload.Create(ZSet(("a", double.NaN))));
        Assert.Throws<ArgumentException>(() => DumpPayload.Create(ZSet(("a", 1), ("a", 2))));
    }

    [Fact]
    public void Hash_SmallIsZiplistLargeIsHashTable()
    {
        Assert.Equal(RdbType.HashZiplist, TypeOf(Hash(("f", "v"), ("n", "12"), ("e", ""))));
        RoundTrip(Hash(("f", "v"), ("n", "12"), ("e", ""), ("", "empty field")));
        Assert.Equal(RdbType.Hash, TypeOf(Hash(("f", new string('v', 65)))));
        Assert.Equal(RdbType.Hash, TypeOf(Hash((new string('f', 65), "v"))));
        RoundTrip(Hash(("f", new string('v', 65)), ("n", "-5")));
        var many = Enumerable.Range(0, 10_000).Select(i => ("field:" + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(RdbType.Hash, TypeOf(Hash(many)));
        RoundTrip(Hash(many));
        Assert.Equal(RdbType.Hash, TypeOf(Hash([.. many.Take(513)])));
        Assert.Equal(RdbType.HashZiplist, TypeOf(Hash([.. many.Take(512)])));
    }

    [Fact]
    public void Hash_BinaryAndDuplicate()
    {
        RoundTrip(RdbValue.FromHash([([0, 1], [0xFF]), ([0xFE], new byte[100]), ([], [])]));
        Assert.Throws<ArgumentException>(() => DumpPayload.Create(Hash(("f", "1"), ("f", "2"))));
    }

    [Fact]
    public void Create_WithoutCompression_StaysRaw()
    {
        var writer = new RdbWriter { Compression = false };
        writer.WriteObject(Str(new string('a', 40)));
        Assert.Equal("0028", Convert.ToHexString(writer.WrittenSpan[..2]));
    }
}
