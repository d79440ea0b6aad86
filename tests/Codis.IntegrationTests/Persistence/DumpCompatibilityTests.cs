using System.Globalization;
using System.Text;
using Codis.Server.Persistence;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Persistence;

/// <summary>One Debian redis-server 7.0 for <see cref="DumpCompatibilityTests"/> (debug commands enabled for plain list nodes).</summary>
public sealed class DumpRedisFixture : IDisposable
{
    /// <summary>Starts the server.</summary>
    public DumpRedisFixture()
    {
        Server = ServerProcess.StartRedis("--enable-debug-command", "yes");
    }

    /// <summary>The running redis-server.</summary>
    public ServerProcess Server { get; }

    /// <inheritdoc />
    public void Dispose() => Server.Dispose();
}

/// <summary>
/// The RDB codec against real Redis 7.0: every DUMP encoding Redis writes is decoded to what Redis reads back,
/// and every payload we create is accepted by RESTORE and reads back equal.
/// </summary>
public sealed class DumpCompatibilityTests(DumpRedisFixture redis) : IClassFixture<DumpRedisFixture>, IDisposable
{
    private readonly RespConnection _c = Connect(redis);

    private static RespConnection Connect(DumpRedisFixture redis)
    {
        RespConnection c = redis.Server.Connect();
        c.Command("FLUSHALL");
        return c;
    }

    public void Dispose() => _c.Dispose();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);

    private void Ok(params string[] args)
    {
        RespValue r = _c.Command(args);
        Assert.False(r.IsError, r.ToString());
    }

    private void OkBytes(params byte[][] args)
    {
        RespValue r = _c.CommandBytes(args);
        Assert.False(r.IsError, r.ToString());
    }

    private byte[] Dump(string key)
    {
        RespValue r = _c.Command("DUMP", key);
        Assert.False(r.IsNull);
        return r.Bytes!;
    }

    private RdbValue ParseDump(string key, RdbType expectedType)
    {
        byte[] payload = Dump(key);
        Assert.Equal(expectedType, (RdbType)payload[0]);
        Assert.Equal(10, payload[^10]); // Redis 7.0 writes RDB version 10
        Assert.True(DumpPayload.TryParse(payload, out RdbValue? value, out string? error), error);
        return value;
    }

    /// <summary>What Redis reports for <paramref name="key"/>, read through ordinary commands.</summary>
    private RdbValue ReadBack(string key)
    {
        string type = _c.Command("TYPE", key).Text!;
        switch (type)
        {
            case "string":
                return RdbValue.FromString(_c.Command("GET", key).Bytes!);
            case "list":
                return RdbValue.FromList([.. _c.Command("LRANGE", key, "0", "-1").Children!.Select(v => v.Bytes!)]);
            case "set":
                return RdbValue.FromSet([.. _c.Command("SMEMBERS", key).Children!.Select(v => v.Bytes!)]);
            case "hash":
                {
                    IReadOnlyList<RespValue> all = _c.Command("HGETALL", key).Children!;
                    var pairs = new List<(byte[], byte[])>();
                    for (int i = 0; i < all.Count; i += 2)
                        pairs.Add((all[i].Bytes!, all[i + 1].Bytes!));
                    return RdbValue.FromHash(pairs);
                }
            case "zset":
                {
                    IReadOnlyList<RespValue> all = _c.Command("ZRANGE", key, "0", "-1", "WITHSCORES").Children!;
                    var pairs = new List<(byte[], double)>();
                    for (int i = 0; i < all.Count; i += 2)
                        pairs.Add((all[i].Bytes!, ParseScore(all[i + 1].Text!)));
                    return RdbValue.FromZSet(pairs);
                }
            default:
                throw new InvalidOperationException($"type {type} for {key}");
        }
    }

    private static double ParseScore(string s) => s switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Same kind and content; lists and zsets in order, sets and hashes in any order.</summary>
    private static void AssertSame(RdbValue expected, RdbValue actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(Canonical(expected), Canonical(actual));
    }

    private static List<string> Canonical(RdbValue v)
    {
        List<string> items = v.Kind switch
        {
            RdbValueKind.String => [Convert.ToHexString(v.String!)],
            RdbValueKind.List or RdbValueKind.Set => [.. v.Elements!.Select(Convert.ToHexString)],
            RdbValueKind.ZSet => [.. v.ZSetEntries!
                .OrderBy(e => e.Score).ThenBy(e => Convert.ToHexString(e.Member), StringComparer.Ordinal)
                .Select(e => Convert.ToHexString(e.Member) + "=" + e.Score.ToString("R", CultureInfo.InvariantCulture))],
            _ => [.. v.HashEntries!.Select(e => Convert.ToHexString(e.Field) + "=" + Convert.ToHexString(e.Value))],
        };
        if (v.Kind is RdbValueKind.Set or RdbValueKind.Hash)
            items.Sort(StringComparer.Ordinal);
        return items;
    }

    private void AssertRedisDumpDecodes(string key, RdbType expectedType, string? expectedEncoding = null)
    {
        if (expectedEncoding is not null)
            Assert.Equal(expectedEncoding, _c.Command("OBJECT", "ENCODING", key).Text);
        AssertSame(ReadBack(key), ParseDump(key, expectedType));
    }

    [Fact]
    public void RedisDump_Strings_Decode()
    {
        byte[] random = new byte[300];
        new Random(1).NextBytes(random);
        Ok("SET", "int", "12345");
        Ok("SET", "int64", "-9223372036854775808");
        Ok("SET", "small", "127");
        Ok("SET", "embstr", "hello");
        Ok("SET", "empty", "");
        Ok("SET", "raw", string.Concat(Enumerable.Repeat("compressible ", 50)));
        OkBytes(B("SET"), B("binary"), random);
        foreach (string key in new[] { "int", "int64", "small", "embstr", "empty", "raw", "binary" })
            AssertRedisDumpDecodes(key, RdbType.String);
        Assert.Equal(0xC3, Dump("raw")[1]); // Redis compressed it: the LZF path is exercised
    }

    [Fact]
    public void RedisDump_Lists_Decode()
    {
        _c.Command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000000000");
        Ok("RPUSH", "small", "a", "1", "-5", "300", "70000", "5000000000", "", "text");
        AssertRedisDumpDecodes("small", RdbType.ListQuicklist2, "quicklist"); // Redis 7.0 has no listpack lists

        var args = new List<string> { "RPUSH", "large" };
        args.AddRange(Enumerable.Range(0, 10_000).Select(i => i % 2 == 0 ? I(i * 37) : "element-" + I(i)));
        Ok([.. args]);
        AssertRedisDumpDecodes("large", RdbType.ListQuicklist2, "quicklist");

        Ok("RPUSH", "long", "x", new string('y', 20_000), "z");
        AssertRedisDumpDecodes("long", RdbType.ListQuicklist2);
    }

    [Fact]
    public void RedisDump_ListPlainNodes_Decode()
    {
        Ok("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100");
        try
        {
            Ok("RPUSH", "plain", "a", new string('p', 200), "b", new string('q', 5000), "c");
            Assert.Equal(2, CountPlainNodes(Dump("plain")));
            AssertRedisDumpDecodes("plain", RdbType.ListQuicklist2);
        }
        finally
        {
            Ok("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824");
        }
    }

    private static int CountPlainNodes(byte[] payload)
    {
        var reader = new RdbReader(payload);
        Assert.True(reader.TryReadByte(out _));
        Assert.True(reader.TryReadCount(out ulong nodes));
        int plain = 0;
        for (ulong i = 0; i < nodes; i++)
        {
            Assert.True(reader.TryReadCount(out ulong container));
            Assert.True(reader.TryReadString(out _));
            plain += container == 1 ? 1 : 0;
        }
        return plain;
    }

    [Fact]
    public void RedisDump_Hashes_Decode()
    {
        Ok("HSET", "small", "f", "v", "n", "12", "neg", "-70000", "e", "");
        AssertRedisDumpDecodes("small", RdbType.HashListpack, "listpack");

        Ok("HSET", "longvalue", "f", new string('v', 65));
        AssertRedisDumpDecodes("longvalue", RdbType.Hash, "hashtable");

        var args = new List<string> { "HSET", "large" };
        for (int i = 0; i < 600; i++)
            args.AddRange(["field:" + I(i), I(i * 3)]);
        Ok([.. args]);
        AssertRedisDumpDecodes("large", RdbType.Hash, "hashtable");
    }

    [Fact]
    public void RedisDump_Sets_Decode()
    {
        Ok("SADD", "int16", "1", "2", "-3", "300");
        AssertRedisDumpDecodes("int16", RdbType.SetIntset, "intset");
        Ok("SADD", "int64", "1", "5000000000", "-9223372036854775808");
        AssertRedisDumpDecodes("int64", RdbType.SetIntset, "intset");
        Ok("SADD", "strings", "a", "b", "1");
        AssertRedisDumpDecodes("strings", RdbType.Set, "hashtable");

        var args = new List<string> { "SADD", "manyints" };
        args.AddRange(Enumerable.Range(0, 600).Select(I));
        Ok([.. args]);
        AssertRedisDumpDecodes("manyints", RdbType.Set, "hashtable");
    }

    [Fact]
    public void RedisDump_ZSets_Decode()
    {
        Ok("ZADD", "small", "1", "a", "1.5", "b", "-2", "c", "inf", "d", "-inf", "e", "0.1", "f", "1e300", "g", "-0", "h");
        AssertRedisDumpDecodes("small", RdbType.ZSetListpack, "listpack");

        Ok("ZADD", "longmember", "1", new string('m', 65), "2.5", "x");
        AssertRedisDumpDecodes("longmember", RdbType.ZSet2, "skiplist");

        var args = new List<string> { "ZADD", "large" };
        for (int i = 0; i < 300; i++)
            args.AddRange([(i * 0.37 - 50).ToString("R", CultureInfo.InvariantCulture), "member:" + I(i)]);
        args.AddRange(["inf", "top", "-inf", "bottom"]);
        Ok([.. args]);
        AssertRedisDumpDecodes("large", RdbType.ZSet2, "skiplist");
    }

    public static TheoryData<string> CodecValues => new()
    {
        "string-int", "string-int64", "string-embstr", "string-empty", "string-lzf", "string-binary",
        "list-small", "list-ints", "list-large", "list-longelement",
        "set-intset16", "set-intset64", "set-strings", "set-manyints",
        "zset-small", "zset-specials", "zset-longmember", "zset-large",
        "hash-small", "hash-longvalue", "hash-large",
    };

    private static RdbValue CodecValue(string name)
    {
        static RdbValue Strs(Func<List<byte[]>, RdbValue> make, IEnumerable<string> items) => make([.. items.Select(B)]);
        byte[] random = new byte[500];
        new Random(3).NextBytes(random);
        string[] widths = ["0", "12", "13", "-1", "127", "-128", "128", "32767", "-32768", "32768", "8388607", "-8388608", "8388608",
            "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-0", "007"];
        return name switch
        {
            "string-int" => RdbValue.FromString(B("-32768")),
            "string-int64" => RdbValue.FromString(B("9223372036854775807")),
            "string-embstr" => RdbValue.FromString(B("hello")),
            "string-empty" => RdbValue.FromString([]),
            "string-lzf" => RdbValue.FromString(B(string.Concat(Enumerable.Repeat("abcabcabd", 40)))),
            "string-binary" => RdbValue.FromString(random),
            "list-small" => Strs(RdbValue.FromList, ["a", "b", "7"]),
            "list-ints" => Strs(RdbValue.FromList, widths),
            "list-large" => Strs(RdbValue.FromList, Enumerable.Range(0, 10_000).Select(i => i % 3 == 0 ? I(i) : "element-" + I(i))),
            "list-longelement" => Strs(RdbValue.FromList, ["a", new string('b', 300), new string('c', 20_000), "d"]),
            "set-intset16" => Strs(RdbValue.FromSet, ["3", "1", "2", "-7"]),
            "set-intset64" => Strs(RdbValue.FromSet, ["9223372036854775807", "1", "-70000"]),
            "set-strings" => Strs(RdbValue.FromSet, ["x", "y", "1", new string('z', 100)]),
            "set-manyints" => Strs(RdbValue.FromSet, Enumerable.Range(0, 10_000).Select(i => I(i * 13))),
            "zset-small" => RdbValue.FromZSet([(B("m"), 1.5), (B("n"), 2)]),
            "zset-specials" => RdbValue.FromZSet([(B("i"), double.PositiveInfinity), (B("j"), double.NegativeInfinity), (B("z"), 0),
                (B("t"), 0.1), (B("b"), 1e300), (B("s"), 5e-324), (B("p"), 4503599627370496), (B("q"), -17.25)]),
            "zset-longmember" => RdbValue.FromZSet([(B(new string('m', 65)), 1), (B("x"), double.PositiveInfinity), (B("y"), 1.0 / 3)]),
            "zset-large" => RdbValue.FromZSet([.. Enumerable.Range(0, 10_000).Select(i => (B("member:" + I(i)), i * 0.37 - 1000))]),
            "hash-small" => RdbValue.FromHash([(B("f"), B("v")), (B("n"), B("12")), (B(""), B(""))]),
            "hash-longvalue" => RdbValue.FromHash([(B("f"), B(new string('x', 70))), (B("g"), B("1"))]),
            "hash-large" => RdbValue.FromHash([.. Enumerable.Range(0, 10_000).Select(i => (B("field:" + I(i)), B(I(i))))]),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(CodecValues))]
    public void Restore_CodecPayload_ReadsBackEqual(string name)
    {
        RdbValue value = CodecValue(name);
        byte[] payload = DumpPayload.Create(value);
        Assert.Equal(7, payload[^10]);
        Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(_c.SendBytes(B("RESTORE"), B(name), B("0"), payload)));
        AssertSame(value, ReadBack(name));

        // And Redis's own DUMP of what it loaded decodes to the same value.
        Assert.True(DumpPayload.TryParse(Dump(name), out RdbValue? again, out string? error), error);
        AssertSame(value, again);
    }

    [Fact]
    public void Restore_InvalidPayloads_SameErrorsAsRedis()
    {
        var writer = new RdbWriter();
        writer.WriteObject(RdbValue.FromString(B("x")));
        byte[] good = DumpPayload.Seal(writer);
        var cases = new List<byte[]>
        {
            good[..^1],
            good[..5],
            Array.Empty<byte>(),
            DumpPayload.Seal(Body(RdbValue.FromString(B("x"))), 11),
            DumpPayload.Create(RdbValue.FromList([])),
            DumpPayload.Create(RdbValue.FromSet([])),
            DumpPayload.Create(RdbValue.FromHash([])),
            DumpPayload.Create(RdbValue.FromZSet([])),
            Raw([0x08]),
            Raw([0x00, 0x05, 0x61]),
            Raw([0x00, 0xC4]),
            Raw([0x02, 0x02, 0x01, 0x61, 0x01, 0x61]),
            Raw([0x04, 0x02, 0x01, 0x66, 0x01, 0x31, 0x01, 0x66, 0x01, 0x32]),
            Raw([0x03, 0x01, 0x01, 0x61, 0xFD]),
            Raw([0x03, 0x01, 0x01, 0x61, 0x03, 0x61, 0x62, 0x63]),
            Raw([0x05, 0x01, 0x01, 0x61, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F]),
            Raw([0x0B, 0x0C, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0x02, 0, 0x01, 0]),
            Raw([0x0B, 0x08, 0x02, 0, 0, 0, 0, 0, 0, 0]),
            Raw([0x0E, 0x01, 0x0B, 0x0B, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0, 0xFF]),
            Raw([0x12, 0x01, 0x03, 0x01, 0x61]),
            Raw([0x0F]),
            Raw([0x06]),
            Raw([0x00, 0x05, 0x61]),     // runs into the footer: Redis loads it
            Raw([0x00, 0x0C, 0x61]),     // runs past the end
            Raw([0x00, 0x81, 0, 0, 0, 0, 0, 0, 0, 1, 0x61]),
        };
        cases.Add((byte[])good.Clone());
        cases[^1][^1] ^= 0x40;
        // With deep sanitization Redis rejects exactly what we reject. Without it (the default) Redis loads
        // two corrupt payloads that we refuse on purpose: a hash with a duplicate field and an unsorted intset.
        string[] acceptedCorruptByDefault =
        [
            "040201660131016601320700735491E53F387847",
            "0B0C0200000002000000020001000700665B4A6302AD7185",
        ];
        Assert.Empty(Mismatches(cases, sanitize: true));
        Assert.Equal(acceptedCorruptByDefault, Mismatches(cases, sanitize: false).Select(m => m[..m.IndexOf(':', StringComparison.Ordinal)]));
    }

    private List<string> Mismatches(List<byte[]> cases, bool sanitize)
    {
        Ok("CONFIG", "SET", "sanitize-dump-payload", sanitize ? "yes" : "no");
        var mismatches = new List<string>();
        foreach (byte[] payload in cases)
        {
            string redisReply = Encoding.ASCII.GetString(_c.SendBytes(B("RESTORE"), B("bad"), B("0"), payload));
            bool ok = DumpPayload.TryParse(payload, out RdbValue? value, out string? error);
            string where = $"{Convert.ToHexString(payload)}: Redis {redisReply.TrimEnd()}, codec {error ?? "ok"}";
            if (redisReply == "+OK\r\n")
            {
                if (ok)
                    AssertSame(ReadBack("bad"), value!);
                else
                    mismatches.Add(where);
                _c.Command("DEL", "bad");
            }
            else if (redisReply != "-" + error + "\r\n")
            {
                mismatches.Add(where);
            }
        }
        Ok("CONFIG", "SET", "sanitize-dump-payload", "no");
        return mismatches;
    }

    [Fact]
    public void Restore_MutatedPayloads_SameOutcomeAsSanitizingRedis()
    {
        Ok("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824");
        Ok("SET", "s", string.Concat(Enumerable.Repeat("abcd", 20)));
        Ok("RPUSH", "l", "a", "1", "300", "70000", "text", new string('x', 70));
        Ok("HSET", "h", "f", "v", "n", "-5");
        Ok("HSET", "hh", "f", new string('v', 70), "g", "1");
        Ok("SADD", "si", "1", "-2", "70000");
        Ok("SADD", "ss", "a", "b");
        Ok("ZADD", "z", "1", "a", "2.5", "b", "inf", "c");
        Ok("ZADD", "zz", "1", new string('m', 70), "-1.5", "b");
        var sources = new List<byte[]>();
        foreach (string key in new[] { "s", "l", "h", "hh", "si", "ss", "z", "zz" })
            sources.Add(Dump(key));
        foreach (RdbValue v in new[] { CodecValue("list-ints"), CodecValue("zset-small"), CodecValue("hash-small"), CodecValue("string-lzf") })
            sources.Add(DumpPayload.Create(v));

        var rng = new Random(20240601);
        var cases = new List<byte[]>();
        foreach (byte[] source in sources)
        {
            byte[] body = source[..^10];
            for (int round = 0; round < 150; round++)
            {
                byte[] mutated = (byte[])body.Clone();
                int changes = 1 + rng.Next(2);
                for (int k = 0; k < changes; k++)
                    mutated[rng.Next(mutated.Length)] ^= (byte)(1 << rng.Next(8));
                var writer = new RdbWriter();
                writer.WriteRaw(mutated);
                cases.Add(DumpPayload.Seal(writer, source[^10]));
            }
        }
        List<string> mismatches = Mismatches(cases, sanitize: true);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static RdbWriter Body(RdbValue value)
    {
        var writer = new RdbWriter();
        writer.WriteObject(value);
        return writer;
    }

    private static byte[] Raw(byte[] body)
    {
        var writer = new RdbWriter();
        writer.WriteRaw(body);
        return DumpPayload.Seal(writer);
    }
}
