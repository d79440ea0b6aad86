using System.Globalization;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Slots;

/// <summary>
/// The async-migration message stream end to end: SLOTSMGRTTAGONE-ASYNC-DUMP on one server, every message
/// replayed over a raw connection into a second server (each ACK checked), then both servers must hold
/// the same keys, values, encodings and expiries.
/// </summary>
public sealed class AsyncRoundTripTests : IClassFixture<Migration.MigrationPairFixture>, IDisposable
{
    private readonly Migration.MigrationPairFixture _fixture;
    private readonly RespConnection _source;
    private readonly RespConnection _target;

    /// <summary>Connects to and empties both servers.</summary>
    public AsyncRoundTripTests(Migration.MigrationPairFixture fixture)
    {
        _fixture = fixture;
        _source = fixture.Source.Connect();
        _target = fixture.Target.Connect();
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_source.Send("FLUSHALL")));
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_target.Send("FLUSHALL")));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private void Src(params byte[][] args)
    {
        RespValue r = _source.CommandBytes(args);
        Assert.False(r.IsError, r.ToString());
    }

    private void Src(params string[] args) => Src([.. args.Select(B)]);

    // Every kind of value, small and big encodings, binary keys and values, expiries, tags.
    private List<byte[]> Populate()
    {
        var random = new Random(12345);
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        var keys = new List<byte[]>();
        void Key(byte[] k) => keys.Add(k);

        byte[] allBytes = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        Src(B("SET"), allBytes, Bytes(300));
        Key(allBytes);
        Src("SET", "{t}str", "12345");
        Key(B("{t}str"));
        Src("SET", "embstr", "hello world", "PX", "400000");
        Key(B("embstr"));
        Src(B("SET"), B("big\r\nstring"), Bytes(100_000));
        Key(B("big\r\nstring"));

        Src("RPUSH", "{t}small-list", "a", "1", "-7", "");
        Key(B("{t}small-list"));
        var big = new List<byte[]> { B("RPUSH"), B("{t}big-list") };
        for (int i = 0; i < 1000; i++)
            big.Add(i % 3 == 0 ? B(I(i)) : Bytes(random.Next(0, 40)));
        Src([.. big]);
        Src("PEXPIRE", "{t}big-list", "300000");
        Key(B("{t}big-list"));

        Src("HSET", "small-hash", "f", "v", "n", "42");
        Key(B("small-hash"));
        var hash = new List<byte[]> { B("HSET"), B("{u}big-hash") };
        for (int i = 0; i < 500; i++)
        {
            hash.Add(i % 2 == 0 ? B($"field{i}") : Bytes(10));
            hash.Add(i % 7 == 0 ? Bytes(100) : B(I(i * 1000)));
        }
        Src([.. hash]);
        Key(B("{u}big-hash"));
        Src("HSET", "long-value-hash", "f", new string('x', 70));
        Key(B("long-value-hash"));

        Src("SADD", "intset", "1", "2", "3", "-100");
        Key(B("intset"));
        var ints = new List<string> { "SADD", "{u}big-intset" };
        for (int i = 0; i < 600; i++)
            ints.Add(I(i * 17 - 3000));
        Src([.. ints]);
        Key(B("{u}big-intset"));
        var strs = new List<byte[]> { B("SADD"), B("big-set") };
        for (int i = 0; i < 300; i++)
            strs.Add(Bytes(8));
        Src([.. strs]);
        Src("PEXPIRE", "big-set", "200000");
        Key(B("big-set"));

        Src("ZADD", "small-z", "1.5", "a", "-2", "b", "inf", "c");
        Key(B("small-z"));
        var z = new List<byte[]> { B("ZADD"), B("{t}big-z") };
        // More than 1000 bulks: chunked under every maxbulks of the tests, so that the -0 score keeps its
        // sign (a DUMP payload writes scores as text, where Redis 3.2 prints -0 as "0").
        for (int i = 0; i < 600; i++)
        {
            z.Add(B((i % 5) switch
            {
                0 => I(i),
                1 => (i / 3.0).ToString("R", CultureInfo.InvariantCulture),
                2 => "-" + I(i),
                3 => "1e300",
                _ => "-inf",
            }));
            z.Add(i % 4 == 0 ? Bytes(12) : B($"member{i}"));
        }
        Src([.. z]);
        Src("ZADD", "{t}big-z", "-0", "negative-zero");
        Key(B("{t}big-z"));
        return keys;
    }

    private void Replay(List<RespValue> messages)
    {
        foreach (RespValue m in messages)
        {
            byte[][] args = [.. m.Children!.Select(a => a.Bytes!)];
            RespValue ack = _target.CommandBytes(args);
            Assert.Equal(RespType.Array, ack.Type);
            Assert.Equal(3, ack.Count);
            Assert.Equal("SLOTSRESTORE-ASYNC-ACK", ack[0].Text);
            Assert.True(ack[1].Text == "0", $"{Encoding.UTF8.GetString(args[1])}: {ack}");
            string op = Encoding.UTF8.GetString(args[1]);
            if (op is "list" or "hash" or "dict" or "zset")
                Assert.True(long.TryParse(ack[2].Text, CultureInfo.InvariantCulture, out _));
        }
    }

    [Theory]
    [InlineData("1000", "3")]
    [InlineData("0", "1")]
    [InlineData("5000", "64")]
    [InlineData("0", "0")]
    public void DumpThenReplay_EveryKind_TargetHoldsTheSameData(string timeout, string maxBulks)
    {
        List<byte[]> keys = Populate();
        Assert.Equal(Ack("OK"), Encoding.UTF8.GetString(_target.Send("SLOTSRESTORE-ASYNC-SELECT", "0")));
        foreach (byte[] key in keys)
        {
            RespValue dump = _source.CommandBytes(B("SLOTSMGRTTAGONE-ASYNC-DUMP"), B(timeout), B(maxBulks), key);
            Assert.Equal(RespType.Array, dump.Type);
            Replay([.. dump.Children!]);
        }
        AssertSameData(keys);
    }

    [Fact]
    public void DumpThenReplay_TwiceOverExistingTarget_DeleteMakesItIdempotent()
    {
        List<byte[]> keys = Populate();
        var args = new List<byte[]> { B("SLOTSMGRTONE-ASYNC-DUMP"), B("0"), B("5") };
        args.AddRange(keys);
        RespValue dump = _source.CommandBytes([.. args]);
        Replay([.. dump.Children!]);
        Replay([.. dump.Children!]);
        AssertSameData(keys);
    }

    private static string Ack(string message) =>
        $"*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n${message.Length}\r\n{message}\r\n";

    private void AssertSameData(List<byte[]> keys)
    {
        Assert.Equal(_source.Command("DBSIZE").Integer, _target.Command("DBSIZE").Integer);
        Assert.Equal(keys.Count, _target.Command("DBSIZE").Integer);
        foreach (byte[] key in keys)
        {
            string type = _source.CommandBytes(B("TYPE"), key).Text!;
            string name = Convert.ToHexString(key);
            Assert.True(type == _target.CommandBytes(B("TYPE"), key).Text, name);
            Assert.True(Content(_source, type, key) == Content(_target, type, key), $"{name} ({type})");
            Assert.Equal(_source.CommandBytes(B("OBJECT"), B("ENCODING"), key).Text, _target.CommandBytes(B("OBJECT"), B("ENCODING"), key).Text);
            long sourceTtl = _source.CommandBytes(B("PTTL"), key).Integer;
            long targetTtl = _target.CommandBytes(B("PTTL"), key).Integer;
            if (sourceTtl < 0)
            {
                Assert.Equal(-1, targetTtl);
            }
            else
            {
                Assert.InRange(targetTtl, 1, sourceTtl + 60_000);
                Assert.True(targetTtl > sourceTtl - 60_000, name);
            }
        }
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_target.Send("SLOTSCHECK")));
    }

    private static string Content(RespConnection c, string type, byte[] key)
    {
        static string Hex(RespValue v) => Convert.ToHexString(v.Bytes!);
        switch (type)
        {
            case "string":
                return Hex(c.CommandBytes(B("GET"), key));
            case "list":
                return string.Join(",", c.CommandBytes(B("LRANGE"), key, B("0"), B("-1")).Children!.Select(Hex));
            case "set":
                return string.Join(",", c.CommandBytes(B("SMEMBERS"), key).Children!.Select(Hex).Order(StringComparer.Ordinal));
            case "hash":
                {
                    IReadOnlyList<RespValue> all = c.CommandBytes(B("HGETALL"), key).Children!;
                    var pairs = new List<string>();
                    for (int i = 0; i < all.Count; i += 2)
                        pairs.Add(Hex(all[i]) + "=" + Hex(all[i + 1]));
                    return string.Join(",", pairs.Order(StringComparer.Ordinal));
                }
            case "zset":
                return string.Join(",", c.CommandBytes(B("ZRANGE"), key, B("0"), B("-1"), B("WITHSCORES")).Children!.Select(Hex));
            default:
                throw new InvalidOperationException(type);
        }
    }
}
