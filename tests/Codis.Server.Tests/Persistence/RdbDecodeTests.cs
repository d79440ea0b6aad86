using Codis.Server.Persistence;
using static Codis.Server.Tests.Persistence.PayloadTestData;

namespace Codis.Server.Tests.Persistence;

/// <summary>Decoding of encodings we never write (Redis 7 listpacks, legacy types) and of hostile input.</summary>
public sealed class RdbDecodeTests
{
    private static byte[] Payload(Action<RdbWriter> body, ushort version = 10)
    {
        var writer = new RdbWriter();
        body(writer);
        return DumpPayload.Seal(writer, version);
    }

    private static RdbValue Parse(byte[] payload)
    {
        Assert.True(DumpPayload.TryParse(payload, out RdbValue? value, out string? error), error);
        return value;
    }

    private static void AssertBad(byte[] payload)
    {
        Assert.False(DumpPayload.TryParse(payload, out _, out string? error));
        Assert.Equal(DumpPayload.BadDataFormatError, error);
    }

    private static byte[][] Items(params string[] s) => [.. s.Select(B)];

    private static readonly string[] MixedElements =
    [
        "0", "127", "128", "-1", "-4096", "4095", "4096", "-4097", "32767", "-32768", "32768", "8388607", "-8388608", "8388608",
        "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808", "-0", "01", "", "text",
        new string('s', 63), new string('s', 64), new string('s', 4095), new string('s', 4096), new string('s', 20000),
    ];

    [Fact]
    public void Listpack_EveryEncoding_RoundTrips()
    {
        var items = new List<byte[]>();
        Assert.True(Listpack.TryParse(Listpack.Build(Items(MixedElements)), items));
        Assert.Equal(MixedElements, items.Select(i => System.Text.Encoding.ASCII.GetString(i)));
    }

    [Fact]
    public void HashListpack_Type16_Decodes()
    {
        byte[] payload = Payload(w =>
        {
            w.WriteType(RdbType.HashListpack);
            w.WriteString(Listpack.Build(Items("f1", "v1", "n", "-300")));
        });
        AssertSameValue(Hash(("f1", "v1"), ("n", "-300")), Parse(payload));
    }

    [Fact]
    public void ZSetListpack_Type17_Decodes()
    {
        byte[] payload = Payload(w =>
        {
            w.WriteType(RdbType.ZSetListpack);
            w.WriteString(Listpack.Build(Items("a", "1", "b", "1.5", "c", "inf", "d", "-inf", "e", "-4097")));
        });
        AssertSameValue(ZSet(("a", 1), ("b", 1.5), ("c", double.PositiveInfinity), ("d", double.NegativeInfinity), ("e", -4097)), Parse(payload));
    }

    [Fact]
    public void SetListpack_Type20_DecodesInReaderButNotInRedis70Restore()
    {
        byte[] payload = Payload(w =>
        {
            w.WriteType(RdbType.SetListpack);
            w.WriteString(Listpack.Build(Items("x", "1", "y")));
        });
        var reader = new RdbReader(payload);
        Assert.True(reader.TryReadObject(out RdbValue? value));
        AssertSameValue(Set("x", "1", "y"), value);
        AssertBad(payload);
    }

    [Fact]
    public void RedisLenientForms_DecodeAsRedisDoes()
    {
        // LZF declaring 0 bytes is an empty string, whatever the compressed bytes are.
        AssertSameValue(Str(""), Parse(Payload(w => w.WriteRaw(Hex("00C3000001")))));
        AssertSameValue(Str(""), Parse(Payload(w => w.WriteRaw(Hex("00C302000161")))));
        // A count byte of the form 11xxxxxx is the count xxxxxx (rdbLoadLen without an encoding pointer).
        AssertSameValue(List("a", "b"), Parse(Payload(w => w.WriteRaw(Hex("01C2016101 62")))));
        // Ziplist/listpack scores are strtod prefixes: "2.u" is 2, "inff" is inf, "" and "x" are 0.
        AssertSameValue(ZSet(("a", 2), ("b", double.PositiveInfinity), ("c", 0), ("d", 0)), Parse(Payload(w =>
        {
            w.WriteType(RdbType.ZSetListpack);
            w.WriteString(Listpack.Build(Items("a", "2.u", "b", "inff", "c", "", "d", "x")));
        })));
    }

    [Fact]
    public void Quicklist2_PackedAndPlainNodes_Decode()
    {
        string big = new('p', 9000);
        byte[] payload = Payload(w =>
        {
            w.WriteType(RdbType.ListQuicklist2);
            w.WriteLength(4);
            w.WriteLength(2);
            w.WriteString(Listpack.Build(Items("a", "1")));
            w.WriteLength(1);
            w.WriteString(B(big));
            w.WriteLength(2);
            w.WriteString(Listpack.Build([])); // empty nodes are skipped, as Redis does
            w.WriteLength(2);
            w.WriteString(Listpack.Build(Items(MixedElements)));
        });
        AssertSameValue(List([.. new[] { "a", "1", big }.Concat(MixedElements)]), Parse(payload));
    }

    [Fact]
    public void Quicklist2_UnknownContainer_IsBad()
    {
        AssertBad(Payload(w =>
        {
            w.WriteType(RdbType.ListQuicklist2);
            w.WriteLength(1);
            w.WriteLength(3);
            w.WriteString(Listpack.Build(Items("a")));
        }));
    }

    [Fact]
    public void LegacyTypes_LinkedListZiplistZSet2Zipmap_Decode()
    {
        AssertSameValue(List("a", "12", "b"), Parse(Payload(w =>
        {
            w.WriteType(RdbType.List);
            w.WriteLength(3);
            foreach (string s in new[] { "a", "12", "b" })
                w.WriteString(B(s));
        })));

        var zl = new Ziplist.Builder();
        foreach (string s in MixedElements)
            zl.Add(B(s));
        AssertSameValue(List(MixedElements), Parse(Payload(w =>
        {
            w.WriteType(RdbType.ListZiplist);
            w.WriteString(zl.ToArray());
        })));

        AssertSameValue(ZSet(("a", 1.25), ("b", double.NegativeInfinity), ("c", -0.0)), Parse(Payload(w =>
        {
            w.WriteType(RdbType.ZSet2);
            w.WriteLength(3);
            w.WriteString(B("a"));
            w.WriteBinaryDouble(1.25);
            w.WriteString(B("b"));
            w.WriteBinaryDouble(double.NegativeInfinity);
            w.WriteString(B("c"));
            w.WriteBinaryDouble(-0.0);
        })));

        // zipmap: count 2, "f" -> "v" (1 free byte), "key" -> 300-byte value (big length).
        var zm = new List<byte> { 2, 1, (byte)'f', 1, 1, (byte)'v', 0xAA, 3, (byte)'k', (byte)'e', (byte)'y', 254, 44, 1, 0, 0, 0 };
        zm.AddRange(Enumerable.Repeat((byte)'w', 300));
        zm.Add(255);
        AssertSameValue(Hash(("f", "v"), ("key", new string('w', 300))), Parse(Payload(w =>
        {
            w.WriteType(RdbType.HashZipmap);
            w.WriteString(zm.ToArray());
        })));
    }

    [Fact]
    public void Footer_VersionAndChecksum_AreChecked()
    {
        Assert.True(DumpPayload.TryParse(Payload(w => w.WriteObject(Str("x")), 10), out _, out _));
        Assert.True(DumpPayload.TryParse(Payload(w => w.WriteObject(Str("x")), 1), out _, out _));
        foreach (byte[] bad in new[]
        {
            Payload(w => w.WriteObject(Str("x")), 11),
            Payload(w => w.WriteObject(Str("x")), 0xFFFF),
            Hex("0001780700 0000000000000000"), // a zero CRC is not accepted by Redis 7.0's RESTORE
            Hex("0700 9c400a856dfef5"),
            [],
        })
        {
            Assert.False(DumpPayload.TryParse(bad, out _, out string? error));
            Assert.Equal(DumpPayload.VersionOrChecksumError, error);
        }
        byte[] flipped = DumpPayload.Create(Str("hello"));
        flipped[3] ^= 1;
        Assert.False(DumpPayload.TryParse(flipped, out _, out string? e));
        Assert.Equal(DumpPayload.VersionOrChecksumError, e);
    }

    [Fact]
    public void ObjectRunningIntoFooter_LoadsLikeRedis()
    {
        // Redis 7.0 answers +OK to RESTORE of this payload: the string takes the version and two CRC bytes.
        RdbValue value = Parse(Hex("00056107008E66F0E8AF119FCB"));
        Assert.Equal("6107008E66", Convert.ToHexString(value.String!));
    }

    [Fact]
    public void TrailingBytesBeforeFooter_AreIgnoredLikeRedis()
    {
        AssertSameValue(Str("x"), Parse(Payload(w =>
        {
            w.WriteObject(Str("x"));
            w.WriteRaw([1, 2, 3]);
        })));
    }

    [Theory]
    [InlineData("06")]                      // module
    [InlineData("08")]                      // unused type
    [InlineData("0F00")]                    // stream: not supported
    [InlineData("15")]                      // unknown
    [InlineData("FF")]
    [InlineData("00")]                      // string without its length
    [InlineData("0005414243")]              // string shorter than declared
    [InlineData("0080FFFFFFFF41")]          // 4 GB string
    [InlineData("0081FFFFFFFFFFFFFFFF41")]  // 64-bit length
    [InlineData("00A0")]                    // unknown length encoding
    [InlineData("00C4")]                    // unknown string encoding
    [InlineData("00C1FF")]                  // truncated int16
    [InlineData("00C3030A016161")]          // LZF output shorter than declared
    [InlineData("00C3038080FFFFFF016161")]  // LZF declaring a huge output
    [InlineData("0180FFFFFF000161")]        // list count far beyond the input
    [InlineData("0100")]                    // empty list
    [InlineData("0200")]                    // empty set
    [InlineData("0300")]                    // empty zset
    [InlineData("0400")]                    // empty hash
    [InlineData("0E00")]                    // quicklist without nodes
    [InlineData("0E010B0B0000000A0000000000FF")] // quicklist of one empty ziplist: an empty key
    [InlineData("020201610161")]            // duplicate set members
    [InlineData("040201660131016601")]      // truncated hash
    [InlineData("04020166013101660132")]    // duplicate hash fields
    [InlineData("03010161036162FF")]        // zset text score that is not a number
    [InlineData("030101610000")]            // zset score length 0 ("" is not a number)
    [InlineData("0301016102")]              // zset text score truncated
    [InlineData("0301016101FD")]            // score text "\xFD"
    [InlineData("0B0C020000000200000002000100")] // intset not ascending
    [InlineData("0B0A0300000001000000010000")] // intset width 3
    [InlineData("0B0A02000000020000000100")] // intset shorter than its length
    [InlineData("0B0802000000000000")]      // empty intset
    [InlineData("0C0E0E0000000A00000001000001 61FF")] // zset ziplist with an odd entry count
    [InlineData("0A0E0E0000000A00000002000001 61FF")] // ziplist count header disagrees
    [InlineData("0A0E0E0000000B00000001000001 61FF")] // ziplist tail offset wrong
    [InlineData("0A0E0F0000000A00000001000001 61FF")] // ziplist byte count wrong
    [InlineData("0A0E0E0000000A00000001000001 6100")] // ziplist without end marker
    [InlineData("0A0E0E0000000A00000001000501 61FF")] // ziplist entry longer than the blob
    [InlineData("0A0E0E0000000A000000010001 0161FF")] // ziplist first prevlen not 0
    [InlineData("0A0D0D0000000A00000001 00C1 FF")] // ziplist unknown integer encoding
    [InlineData("140A0A000000010081 6103FF")] // listpack with a wrong back-length
    [InlineData("140A0A000000020081 6102FF")] // listpack count header disagrees
    [InlineData("14080800000001 00F5 FF")] // listpack unknown encoding
    public void TryParse_MalformedObject_IsBadDataFormat(string hex)
    {
        // Checked on the reader: inside a payload a truncated object could borrow the footer's bytes, as in Redis.
        byte[] body = Hex(hex);
        var reader = new RdbReader(body);
        Assert.False(reader.TryReadObject(out _));
    }

    [Theory]
    [InlineData("0A0E0E0000000A00000001000001 61FF")]
    [InlineData("140A0A000000010081 6102FF")]
    public void TryParse_ControlForMalformedBlobs_DecodesSingleA(string hex)
    {
        var reader = new RdbReader(Hex(hex));
        Assert.True(reader.TryReadObject(out RdbValue? value));
        Assert.Equal(B("a"), Assert.Single(value.Elements!));
    }

    [Fact]
    public void TryParse_NaNScores_AreBad()
    {
        AssertBad(Payload(w =>
        {
            w.WriteType(RdbType.ZSet);
            w.WriteLength(1);
            w.WriteString(B("a"));
            w.WriteByte(253);
        }));
        AssertBad(Payload(w =>
        {
            w.WriteType(RdbType.ZSet2);
            w.WriteLength(1);
            w.WriteString(B("a"));
            w.WriteBinaryDouble(double.NaN);
        }));
        AssertBad(Payload(w =>
        {
            w.WriteType(RdbType.ZSetListpack);
            w.WriteString(Listpack.Build(Items("a", "nan")));
        }));
    }

    [Fact]
    public void TryParse_DuplicatesInCompactEncodings_AreBad()
    {
        var zl = new Ziplist.Builder();
        foreach (string s in new[] { "f", "1", "f", "2" })
            zl.Add(B(s));
        byte[] pairs = zl.ToArray();
        AssertBad(Payload(w => { w.WriteType(RdbType.HashZiplist); w.WriteString(pairs); }));
        AssertBad(Payload(w => { w.WriteType(RdbType.ZSetZiplist); w.WriteString(pairs); }));
        AssertBad(Payload(w => { w.WriteType(RdbType.SetListpack); w.WriteString(Listpack.Build(Items("a", "a"))); }));
    }

    public static TheoryData<string> ValidPayloads()
    {
        var data = new TheoryData<string>();
        foreach (RdbValue v in new[]
        {
            Str("hello"), Str("12345"), Str(new string('a', 40)), List("a", "b", "7", new string('q', 300)),
            Set("1", "2", "3"), Set("x", "y"), Hash(("f", "v")), Hash(("f", new string('x', 70))),
            ZSet(("m", 1.5), ("n", 2)), ZSet([.. Enumerable.Range(0, 130).Select(i => ("m" + i, i + 0.5))]),
        })
            data.Add(Convert.ToHexString(DumpPayload.Create(v)));
        data.Add(Convert.ToHexString(Payload(w => { w.WriteType(RdbType.HashListpack); w.WriteString(Listpack.Build(Items("f", "v", "g", "300"))); })));
        data.Add(Convert.ToHexString(Payload(w =>
        {
            w.WriteType(RdbType.ListQuicklist2);
            w.WriteLength(2);
            w.WriteLength(2);
            w.WriteString(Listpack.Build(Items("a", "1", new string('z', 100))));
            w.WriteLength(1);
            w.WriteString(B("plain"));
        })));
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidPayloads))]
    public void TryParse_EveryTruncation_FailsCleanly(string hex)
    {
        byte[] payload = Convert.FromHexString(hex);
        Assert.True(DumpPayload.TryParse(payload, out _, out _));
        for (int n = 0; n < payload.Length; n++)
        {
            Assert.False(DumpPayload.TryParse(payload.AsSpan(0, n), out _, out string? error));
            Assert.Equal(DumpPayload.VersionOrChecksumError, error);
        }

        // The object decoder alone rejects every truncated body.
        byte[] body = payload[..^10];
        for (int n = 0; n < body.Length; n++)
        {
            var reader = new RdbReader(body.AsSpan(0, n));
            Assert.False(reader.TryReadObject(out _));
        }

        // With a valid footer, Redis (and we) may read into the footer bytes; decoding must still end cleanly.
        for (int n = 0; n < body.Length; n++)
        {
            var writer = new RdbWriter();
            writer.WriteRaw(body.AsSpan(0, n));
            if (!DumpPayload.TryParse(DumpPayload.Seal(writer), out _, out string? error))
                Assert.Equal(DumpPayload.BadDataFormatError, error);
        }
    }

    [Theory]
    [MemberData(nameof(ValidPayloads))]
    public void TryParse_RandomCorruptionWithValidFooter_NeverThrows(string hex)
    {
        byte[] body = Convert.FromHexString(hex)[..^10];
        var rng = new Random(hex.Length);
        for (int round = 0; round < 2000; round++)
        {
            byte[] mutated = (byte[])body.Clone();
            int changes = 1 + rng.Next(3);
            for (int k = 0; k < changes; k++)
                mutated[rng.Next(mutated.Length)] = rng.Next(4) == 0 ? (byte)rng.Next(256) : (byte)(mutated[rng.Next(mutated.Length)] ^ (1 << rng.Next(8)));
            var writer = new RdbWriter();
            writer.WriteRaw(mutated);
            byte[] payload = DumpPayload.Seal(writer);
            if (DumpPayload.TryParse(payload, out RdbValue? value, out string? error))
                Assert.True(value.Count > 0);
            else
                Assert.Equal(DumpPayload.BadDataFormatError, error);
        }
    }
}
