using System.Buffers.Binary;
using System.Text;
using Codis.Server.Persistence;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// DUMP and RESTORE against Redis 7.0: payloads DUMPed by Redis restore into codis-server and read back as
/// Redis reads the original (values and OBJECT ENCODING), payloads DUMPed by codis-server restore into
/// Redis, and every option and error of RESTORE replies as Redis does.
/// </summary>
public sealed class DumpRestoreTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string[] Cmd(string first, IEnumerable<string> rest) => [.. first.Split(' '), .. rest];

    private static IEnumerable<string> Range(string prefix, int count) => Enumerable.Range(0, count).Select(i => prefix + i);

    private static byte[] Dump(RespConnection conn, string key)
    {
        RespValue v = conn.Command("DUMP", key);
        Assert.False(v.IsNull, "DUMP returned null");
        return v.Bytes!;
    }

    private static void RestoreOk(RespConnection conn, string key, byte[] payload, params string[] options)
    {
        byte[][] args = [B("RESTORE"), B(key), B("0"), payload, .. options.Select(B)];
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(conn.SendBytes(args)));
    }

    /// <summary>
    /// Builds the value with <paramref name="setup"/> on Redis only, restores its DUMP into codis-server and
    /// compares <paramref name="reads"/> (plus TYPE and OBJECT ENCODING); then the other way round.
    /// </summary>
    /// A string modified in place (APPEND, SETRANGE, PFADD) is "raw" in Redis until reloaded, so for those
    /// <paramref name="sameEncoding"/> is false and only the restored copies' encodings are compared.
    private void RoundTrip(string[][] setup, Action<DiffSession> reads, bool sameEncoding = true)
    {
        using DiffSession d = servers.NewDiff();
        foreach (string[] cmd in setup)
            Assert.False(d.Redis.Command(cmd).IsError);
        RestoreOk(d.Codis, "k", Dump(d.Redis, "k"));
        d.Same("TYPE", "k");
        if (sameEncoding)
            d.Same("OBJECT", "ENCODING", "k");
        reads(d);

        // Both restore Redis's payload under another key alike.
        d.Assert.SameBytes(B("RESTORE"), B("copy"), B("0"), Dump(d.Redis, "k"));
        d.Same("OBJECT", "ENCODING", "copy");

        d.Both("FLUSHALL");
        foreach (string[] cmd in setup)
            Assert.False(d.Codis.Command(cmd).IsError);
        RestoreOk(d.Redis, "k", Dump(d.Codis, "k"));
        d.Same("TYPE", "k");
        if (sameEncoding)
            d.Same("OBJECT", "ENCODING", "k");
        reads(d);
    }

    private void StringRoundTrip(string value) =>
        RoundTrip([["SET", "k", value]], d => { d.Same("GET", "k"); d.Same("STRLEN", "k"); });

    [Fact]
    public void String_Short_RoundTrips() => StringRoundTrip("hello");

    [Fact]
    public void String_Empty_RoundTrips() => StringRoundTrip("");

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("12345")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775807")]
    [InlineData("0123")]
    [InlineData("4294967296")]
    public void String_IntegerLike_RoundTrips(string value) => StringRoundTrip(value);

    [Fact]
    public void String_RawAndCompressible_RoundTrips()
    {
        StringRoundTrip(new string('x', 45));
        StringRoundTrip(new string('a', 100));
        StringRoundTrip(string.Concat(Enumerable.Repeat("abcdefgh", 5000)));
        StringRoundTrip(string.Concat(Enumerable.Range(0, 3000).Select(i => (i * 7919 % 10007).ToString())));
    }

    [Fact]
    public void String_Binary_RoundTrips()
    {
        using DiffSession d = servers.NewDiff();
        byte[] value = [.. Enumerable.Range(0, 256).Select(i => (byte)i), 0, 0, 255, 13, 10];
        d.Assert.SameBytes(B("SET"), B("k"), value);
        RestoreOk(d.Codis, "r", Dump(d.Redis, "k"));
        RestoreOk(d.Redis, "s", Dump(d.Codis, "k"));
        d.Assert.SameBytes(B("RESTORE"), B("copy"), B("0"), Dump(d.Codis, "k"));
        d.Same("GET", "copy");
        Assert.Equal(d.Redis.Send("GET", "k"), d.Codis.Send("GET", "r"));
        Assert.Equal(d.Redis.Send("GET", "k"), d.Redis.Send("GET", "s"));
    }

    [Fact]
    public void String_AfterAppendAndHyperLogLog_RoundTrips()
    {
        RoundTrip([["SET", "k", "ab"], ["APPEND", "k", "cd"], ["SETRANGE", "k", "10", "z"]], d => d.Same("GET", "k"), sameEncoding: false);
        RoundTrip([Cmd("PFADD k", Range("e", 100))], d => { d.Same("PFCOUNT", "k"); d.Same("GET", "k"); }, sameEncoding: false);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(1000, 1)]
    [InlineData(50, 300)]
    [InlineData(5, 20000)]
    public void List_SizeClasses_RoundTrip(int count, int width)
    {
        var items = Enumerable.Range(0, count).Select(i => i % 3 == 0 ? i.ToString() : new string((char)('a' + (i % 26)), width) + i);
        RoundTrip([Cmd("RPUSH k", items), ["LPUSH", "k", "-5", "", "9223372036854775807"]], d =>
        {
            d.Same("LRANGE", "k", "0", "-1");
            d.Same("LLEN", "k");
        });
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(512, 5)]
    [InlineData(513, 5)]
    [InlineData(10, 64)]
    [InlineData(10, 65)]
    [InlineData(1000, 10)]
    public void Hash_SizeClasses_RoundTrip(int count, int width)
    {
        var args = Enumerable.Range(0, count).SelectMany(i => new[] { "f" + i, i % 4 == 0 ? (i * 13).ToString() : new string('v', width) });
        RoundTrip([Cmd("HSET k", args)], d =>
        {
            d.SameUnordered("HGETALL", "k");
            d.Same("HLEN", "k");
            d.Same("HGET", "k", "f1");
        });
    }

    [Theory]
    [InlineData("ints", 3)]
    [InlineData("ints", 512)]
    [InlineData("ints", 513)]
    [InlineData("strings", 5)]
    [InlineData("strings", 700)]
    [InlineData("mixed", 10)]
    public void Set_SizeClasses_RoundTrip(string kind, int count)
    {
        var members = Enumerable.Range(0, count).Select(i => kind switch
        {
            "ints" => (i * 1000003L - 4000000000L).ToString(),
            "strings" => "m" + i,
            _ => i % 2 == 0 ? i.ToString() : "s" + i,
        });
        RoundTrip([Cmd("SADD k", members)], d =>
        {
            d.SameUnordered("SMEMBERS", "k");
            d.Same("SCARD", "k");
        });
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(128, 5)]
    [InlineData(129, 5)]
    [InlineData(10, 64)]
    [InlineData(10, 65)]
    [InlineData(1000, 8)]
    public void ZSet_SizeClasses_RoundTrip(int count, int width)
    {
        var args = Enumerable.Range(0, count).SelectMany(i => new[]
        {
            (i % 5) switch { 0 => (i * 0.1).ToString("R"), 1 => (-i).ToString(), 2 => "1e300", 3 => (i / 7.0).ToString("R"), _ => i.ToString() },
            i % 4 == 0 ? i.ToString() : new string('z', width) + i.ToString("D4")[..Math.Min(4, width)],
        });
        RoundTrip([Cmd("ZADD k", args), ["ZADD", "k", "inf", "pinf", "-inf", "ninf", "0", "zero"]], d =>
        {
            d.Same("ZRANGE", "k", "0", "-1", "WITHSCORES");
            d.Same("ZCARD", "k");
            d.Same("ZSCORE", "k", "zero");
        });
    }

    [Fact]
    public void ZSet_NegativeZero_FromRedisKeptInSkiplist()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("ZADD", "big", "1", new string('m', 80), "-0", "nz");
        d.Same("ZADD", "small", "1", "m", "-0", "nz");
        foreach (string key in new[] { "big", "small" })
        {
            d.Assert.SameBytes(B("RESTORE"), B("r" + key), B("0"), Dump(d.Redis, key));
            d.Same("ZSCORE", "r" + key, "nz");
            d.Same("OBJECT", "ENCODING", "r" + key);
        }
        // Our payloads are RDB 7 (Redis 3.2's format), whose text scores print -0 as "0", so Redis reads 0.
        RestoreOk(d.Redis, "fromours", Dump(d.Codis, "big"));
        Assert.Equal("0", d.Redis.Command("ZSCORE", "fromours", "nz").Text);
    }

    [Fact]
    public void Dump_MissingKeyAndArity_MatchRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("DUMP", "nokey");
        d.Same("DUMP");
        d.Same("DUMP", "a", "b");
        d.Same("RESTORE", "a", "0");
        d.Same("SET", "e", "1");
        d.Same("PEXPIRE", "e", "1");
        Thread.Sleep(20);
        d.Same("DUMP", "e");
    }

    [Fact]
    public void Restore_ExistingKey_BusyKeyUnlessReplace()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SET", "src", "value");
        d.Same("SET", "k", "old");
        d.Same("EXPIRE", "k", "1000");
        byte[] payload = Dump(d.Redis, "src");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), payload);
        // BUSYKEY comes before every other check on the arguments.
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("-1"), B("junk"));
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("x"), B("junk"));
        d.Same("GET", "k");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), payload, B("replace"));
        d.Same("GET", "k");
        d.Same("TTL", "k");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), payload, B("REPLACE"), B("REPLACE"));
        d.Assert.SameBytes(B("RESTORE"), B("k2"), B("0"), payload, B("REPLACE"));
        d.Same("GET", "k2");
    }

    [Fact]
    public void Restore_RelativeTtl_SetsExpiry()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SET", "src", "v");
        byte[] payload = Dump(d.Redis, "src");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("100000"), payload);
        d.Same("TTL", "k");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), payload, B("REPLACE"));
        d.Same("TTL", "k");
        d.Assert.SameBytes(B("RESTORE"), B("m"), B("9223372036854775807"), payload, B("ABSTTL"));
        d.Same("PEXPIRETIME", "m");
    }

    [Fact]
    public void Restore_AbsoluteTtl_FutureAndPast()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SET", "src", "v");
        byte[] payload = Dump(d.Redis, "src");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("4102444800000"), payload, B("ABSTTL"));
        d.Same("PEXPIRETIME", "k");
        // A past absolute time: OK, and no key (a replaced one is deleted).
        d.Assert.SameBytes(B("RESTORE"), B("gone"), B("1000"), payload, B("ABSTTL"));
        d.Same("EXISTS", "gone");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("1"), payload, B("ABSTTL"), B("REPLACE"));
        d.Same("EXISTS", "k");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("1"), payload, B("absttl"));
        d.Same("EXISTS", "k");
        d.Same("DBSIZE");
    }

    [Fact]
    public void Restore_OptionErrors_MatchRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SET", "src", "v");
        byte[] p = Dump(d.Redis, "src");
        string[][] cases =
        [
            ["-1"], ["-1", "ABSTTL"], ["abc"], ["1.5"], ["99999999999999999999"],
            ["0", "IDLETIME", "-1"], ["0", "IDLETIME", "x"], ["0", "IDLETIME"], ["0", "FREQ", "-1"], ["0", "FREQ", "256"],
            ["0", "FREQ", "x"], ["0", "FREQ"], ["0", "IDLETIME", "5", "FREQ", "5"], ["0", "FREQ", "5", "IDLETIME", "5"],
            ["0", "NOSUCH"], ["0", "REPLACE", "extra"], ["-1", "NOSUCH"], ["0", "IDLETIME", "-1", "NOSUCH"],
        ];
        foreach (string[] c in cases)
        {
            byte[][] args = [B("RESTORE"), B("k"), B(c[0]), p, .. c.Skip(1).Select(B)];
            d.Assert.SameBytes(args);
            d.Same("EXISTS", "k");
        }
        // The options alone succeed.
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), p, B("IDLETIME"), B("0"), B("REPLACE"), B("ABSTTL"));
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), p, B("FREQ"), B("255"), B("REPLACE"));
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), p, B("FREQ"), B("0"), B("FREQ"), B("7"), B("REPLACE"));
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), p, B("IDLETIME"), B("9223372036854775807"), B("REPLACE"));
    }

    [Fact]
    public void Restore_CorruptedPayloads_SameErrorAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("RPUSH", "src", "a", "b", "c", "12", "-7");
        d.Same("HSET", "h", "f", "v", "g", "1");
        foreach (string key in new[] { "src", "h" })
        {
            byte[] payload = Dump(d.Redis, key);
            for (int i = 0; i < payload.Length; i++)
            {
                byte[] bad = (byte[])payload.Clone();
                bad[i] ^= 0x41;
                d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), bad);
                d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), payload[..i]);
            }
        }
        d.Same("RESTORE", "k", "0", "");
        d.Same("RESTORE", "k", "0", "short");
        d.Same("RESTORE", "k", "0", "0123456789abcdef");
        d.Same("EXISTS", "k");
    }

    [Fact]
    public void Restore_BadBodyWithValidFooter_BadDataFormat()
    {
        using DiffSession d = servers.NewDiff();
        // Bodies that pass the version and checksum test but do not decode.
        byte[][] bodies =
        [
            [200, 1, 2, 3], // unknown type
            [0, 0x7F],      // string longer than the payload
            [2, 0],         // empty set
            [1, 0],         // empty list
            [4, 2, 1, (byte)'a', 1, (byte)'b'], // hash missing a value
            [9],            // zipmap with no body
            [20, 0],        // Redis 7.2's set listpack
            [0, 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'],
        ];
        foreach (byte[] body in bodies)
        {
            foreach (ushort version in new ushort[] { 7, 9, 10, 11 })
            {
                d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), Seal(body, version), B("REPLACE"));
                d.Same("EXISTS", "k");
            }
        }
    }

    private static byte[] Seal(byte[] body, ushort version)
    {
        var payload = new byte[body.Length + 10];
        body.CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(body.Length), version);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(body.Length + 2), Crc64.Compute(payload.AsSpan(0, body.Length + 2)));
        return payload;
    }

    [Fact]
    public void Restore_IdleTime_SetsAccessClock()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SET", "src", "v");
        byte[] p = Dump(d.Redis, "src");
        d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), p, B("IDLETIME"), B("1000"));
        foreach (RespConnection conn in new[] { d.Redis, d.Codis })
            Assert.InRange(conn.Command("OBJECT", "IDLETIME", "k").Integer, 1000, 1001);
        // FREQ is ignored under an LRU policy.
        d.Assert.SameBytes(B("RESTORE"), B("f"), B("0"), p, B("FREQ"), B("100"));
        foreach (RespConnection conn in new[] { d.Redis, d.Codis })
            Assert.InRange(conn.Command("OBJECT", "IDLETIME", "f").Integer, 0, 1);
        d.Same("OBJECT", "FREQ", "f");
    }

    [Fact]
    public void Restore_Freq_UnderLfuPolicy_SetsCounter()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
        try
        {
            d.Same("SET", "src", "v");
            byte[] p = Dump(d.Redis, "src");
            d.Assert.SameBytes(B("RESTORE"), B("k"), B("0"), p, B("FREQ"), B("100"));
            d.Same("OBJECT", "FREQ", "k");
            d.Assert.SameBytes(B("RESTORE"), B("z"), B("0"), p, B("FREQ"), B("0"));
            d.Same("OBJECT", "FREQ", "z");
            d.Assert.SameBytes(B("RESTORE"), B("i"), B("0"), p, B("IDLETIME"), B("100"));
            d.Same("OBJECT", "IDLETIME", "i");
        }
        finally
        {
            d.Both("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
    }

    [Fact]
    public void Restore_SmallThresholds_EncodingFollowsConfig()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("HSET", "h", "a", "1", "b", "2", "c", "3");
        d.Same("ZADD", "z", "1", "a", "2", "b", "3", "c");
        d.Same("SADD", "s", "1", "2", "3");
        byte[] h = Dump(d.Redis, "h"), z = Dump(d.Redis, "z"), s = Dump(d.Redis, "s");
        byte[] ch = Dump(d.Codis, "h"), cz = Dump(d.Codis, "z"), cs = Dump(d.Codis, "s");
        string[] limits = ["hash-max-listpack-entries", "zset-max-listpack-entries", "set-max-intset-entries"];
        try
        {
            foreach (string limit in limits)
                d.Same("CONFIG", "SET", limit, "2");
            foreach ((string key, byte[] payload) in new[] { ("h", h), ("z", z), ("s", s), ("ch", ch), ("cz", cz), ("cs", cs) })
            {
                d.Assert.SameBytes(B("RESTORE"), B("r" + key), B("0"), payload);
                d.Same("OBJECT", "ENCODING", "r" + key);
            }
        }
        finally
        {
            d.Both("CONFIG", "SET", "hash-max-listpack-entries", "512");
            d.Both("CONFIG", "SET", "zset-max-listpack-entries", "128");
            d.Both("CONFIG", "SET", "set-max-intset-entries", "512");
        }
    }

    [Theory]
    [InlineData("hash-max-listpack-value", "64")]
    [InlineData("zset-max-listpack-value", "64")]
    public void Restore_SmallValueLimit_EncodingFollowsConfig(string limit, string restore)
    {
        using DiffSession d = servers.NewDiff();
        d.Same("HSET", "h", "a", "1", "b", "long-value");
        d.Same("ZADD", "z", "1", "a", "2", "long-member");
        byte[] h = Dump(d.Redis, "h"), z = Dump(d.Redis, "z"), ch = Dump(d.Codis, "h"), cz = Dump(d.Codis, "z");
        try
        {
            d.Same("CONFIG", "SET", limit, "3");
            foreach ((string key, byte[] payload) in new[] { ("h", h), ("z", z), ("ch", ch), ("cz", cz) })
            {
                d.Assert.SameBytes(B("RESTORE"), B("r" + key), B("0"), payload);
                d.Same("OBJECT", "ENCODING", "r" + key);
            }
        }
        finally
        {
            d.Both("CONFIG", "SET", limit, restore);
        }
    }

    [Fact]
    public void Restore_WrongArity_MatchRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("RESTORE");
        d.Same("RESTORE", "k");
        d.Same("RESTORE", "k", "0");
    }
}
