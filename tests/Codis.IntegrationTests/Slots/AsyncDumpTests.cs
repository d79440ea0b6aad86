using System.Buffers.Binary;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Slots;

/// <summary>
/// SLOTSMGRTONE-ASYNC-DUMP / SLOTSMGRTTAGONE-ASYNC-DUMP (spec server.md §6.3, §6.8): the async
/// migration's message stream for every kind of value, with the verified examples of the spec.
/// </summary>
public sealed class AsyncDumpTests : IClassFixture<CodisFixture>, IDisposable
{
    private readonly RespConnection _c;

    /// <summary>Connects and empties the server.</summary>
    public AsyncDumpTests(CodisFixture fixture)
    {
        _c = fixture.Server.Connect();
        Assert.Equal("+OK\r\n", Raw("FLUSHALL"));
    }

    /// <inheritdoc/>
    public void Dispose() => _c.Dispose();

    private string Raw(params string[] args) => Encoding.UTF8.GetString(_c.Send(args));

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    // The reply as a list of messages, each a list of arguments.
    private List<byte[][]> Dump(params string[] args)
    {
        RespValue v = _c.Command(args);
        Assert.Equal(RespType.Array, v.Type);
        var messages = new List<byte[][]>();
        for (int i = 0; i < v.Count; i++)
        {
            RespValue m = v[i];
            Assert.Equal(RespType.Array, m.Type);
            messages.Add([.. m.Children!.Select(a =>
            {
                Assert.Equal(RespType.BulkString, a.Type);
                return a.Bytes!;
            })]);
        }
        return messages;
    }

    private static string Text(byte[][] message) => string.Join(" ", message.Select(S));

    [Fact]
    public void SlotsMgrtTagOneAsyncDump_SpecListExample_ChunksOfTwoThenEmptyChunkThenExpire()
    {
        Raw("RPUSH", "l2", "hello", "world", "foo", "bar", "hello", "world", "foo", "bar");
        List<byte[][]> m = Dump("SLOTSMGRTTAGONE-ASYNC-DUMP", "0", "2", "l2");
        Assert.Equal(
            [
                "SLOTSRESTORE-ASYNC delete l2",
                "SLOTSRESTORE-ASYNC list l2 90000 8 hello world",
                "SLOTSRESTORE-ASYNC list l2 90000 8 foo bar",
                "SLOTSRESTORE-ASYNC list l2 90000 8 hello world",
                "SLOTSRESTORE-ASYNC list l2 90000 8 foo bar",
                "SLOTSRESTORE-ASYNC list l2 90000 8",
                "SLOTSRESTORE-ASYNC expire l2 0",
            ],
            m.Select(Text));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_SpecListExample_ExactWireBytes()
    {
        Raw("RPUSH", "l2", "hello", "world", "foo", "bar", "hello", "world", "foo", "bar");
        string reply = Encoding.Latin1.GetString(_c.Send("SLOTSMGRTONE-ASYNC-DUMP", "0", "2", "l2"));
        Assert.StartsWith("*7\r\n*3\r\n$18\r\nSLOTSRESTORE-ASYNC\r\n$6\r\ndelete\r\n$2\r\nl2\r\n"
            + "*7\r\n$18\r\nSLOTSRESTORE-ASYNC\r\n$4\r\nlist\r\n$2\r\nl2\r\n$5\r\n90000\r\n$1\r\n8\r\n$5\r\nhello\r\n$5\r\nworld\r\n", reply);
        Assert.EndsWith("*5\r\n$18\r\nSLOTSRESTORE-ASYNC\r\n$4\r\nlist\r\n$2\r\nl2\r\n$5\r\n90000\r\n$1\r\n8\r\n"
            + "*4\r\n$18\r\nSLOTSRESTORE-ASYNC\r\n$6\r\nexpire\r\n$2\r\nl2\r\n$1\r\n0\r\n", reply);
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_SmallListSpecExample_ObjectWithVerifiedPayload()
    {
        Raw("RPUSH", "l1", "a", "b", "7");
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "5000", "3", "l1");
        Assert.Equal(2, m.Count);
        Assert.Equal("SLOTSRESTORE-ASYNC delete l1", Text(m[0]));
        Assert.Equal(["SLOTSRESTORE-ASYNC", "object", "l1", "0"], m[1][..4].Select(S));
        Assert.Equal("0e01131300000010000000030000016103016203f8ff0700a7cc3d2b350765e8", Convert.ToHexStringLower(m[1][4]));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_StringWithTtl_StringMessageWithRemainingTtl()
    {
        Raw("SET", "s1", "v2", "PX", "100000");
        Raw("SET", "n", "12345");
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "s1", "n");
        Assert.Equal(4, m.Count);
        Assert.Equal("SLOTSRESTORE-ASYNC delete s1", Text(m[0]));
        Assert.Equal(["SLOTSRESTORE-ASYNC", "string", "s1"], m[1][..3].Select(S));
        long ttl = long.Parse(S(m[1][3]));
        Assert.InRange(ttl, 1, 100000);
        Assert.Equal("v2", S(m[1][4]));
        Assert.Equal("SLOTSRESTORE-ASYNC string n 0 12345", Text(m[3]));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_MissingAndDuplicateKeys_MissingSkippedDuplicatesOnce()
    {
        Raw("SET", "a", "1");
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "nokey", "a", "a");
        Assert.Equal(["SLOTSRESTORE-ASYNC delete a", "SLOTSRESTORE-ASYNC string a 0 1"], m.Select(Text));
        Assert.Equal("*0\r\n", Raw("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "nokey"));
    }

    [Fact]
    public void SlotsMgrtTagOneAsyncDump_TaggedKey_AddsSiblingsEvenWhenKeyMissing()
    {
        Raw("SET", "{t}b", "2");
        Raw("SET", "{t}a", "1");
        Raw("SET", "{u}a", "3");
        List<byte[][]> tag = Dump("SLOTSMGRTTAGONE-ASYNC-DUMP", "0", "0", "{t}zzz");
        Assert.Equal(
            ["SLOTSRESTORE-ASYNC delete {t}a", "SLOTSRESTORE-ASYNC string {t}a 0 1",
             "SLOTSRESTORE-ASYNC delete {t}b", "SLOTSRESTORE-ASYNC string {t}b 0 2"],
            tag.Select(Text));
        Assert.Equal("*0\r\n", Raw("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "{t}zzz"));
        List<byte[][]> plain = Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "{t}b");
        Assert.Equal(2, plain.Count);
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_BigHash_ChunksCoverEveryFieldOnce()
    {
        var args = new List<string> { "HSET", "h" };
        for (int i = 0; i < 600; i++)
            args.AddRange([$"f{i}", $"value-{i}"]);
        Raw([.. args]);
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "1000", "10", "h");
        Assert.Equal("SLOTSRESTORE-ASYNC delete h", Text(m[0]));
        Assert.Equal("SLOTSRESTORE-ASYNC expire h 0", Text(m[^1]));
        var seen = new Dictionary<string, string>();
        foreach (byte[][] chunk in m.Skip(1).SkipLast(1))
        {
            Assert.Equal(["SLOTSRESTORE-ASYNC", "hash", "h", "3000", "600"], chunk[..5].Select(S));
            Assert.True(chunk.Length % 2 == 1);
            for (int i = 5; i < chunk.Length; i += 2)
                Assert.True(seen.TryAdd(S(chunk[i]), S(chunk[i + 1])));
        }
        Assert.Equal(600, seen.Count);
        for (int i = 0; i < 600; i++)
            Assert.Equal($"value-{i}", seen[$"f{i}"]);
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_BigSet_DictChunksOfAtMostAFewBuckets()
    {
        var args = new List<string> { "SADD", "s" };
        for (int i = 0; i < 100; i++)
            args.Add($"m{i}");
        Raw([.. args]);
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "7", "s");
        var members = new HashSet<string>();
        foreach (byte[][] chunk in m.Skip(1).SkipLast(1))
        {
            Assert.Equal(["SLOTSRESTORE-ASYNC", "dict", "s", "90000", "100"], chunk[..5].Select(S));
            foreach (byte[] a in chunk[5..])
                Assert.True(members.Add(S(a)));
        }
        Assert.Equal(100, members.Count);
        Assert.Equal("SLOTSRESTORE-ASYNC expire s 0", Text(m[^1]));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_BigZSetWithTtl_DescendingScoresAsLittleEndianDoubles()
    {
        var args = new List<string> { "ZADD", "z" };
        for (int i = 0; i < 200; i++)
            args.AddRange([(i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture), $"m{i}"]);
        Raw([.. args]);
        Raw("PEXPIRE", "z", "500000");
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "100", "10", "z");
        // 200 members × 2 bulks / 10 = 40 chunks, one empty chunk, delete and expire.
        Assert.Equal(43, m.Count);
        double previous = double.PositiveInfinity;
        int count = 0;
        foreach (byte[][] chunk in m.Skip(1).SkipLast(1))
        {
            Assert.Equal(["SLOTSRESTORE-ASYNC", "zset", "z", "300", "200"], chunk[..5].Select(S));
            for (int i = 5; i < chunk.Length; i += 2)
            {
                Assert.Equal(8, chunk[i + 1].Length);
                double score = BinaryPrimitives.ReadDoubleLittleEndian(chunk[i + 1]);
                Assert.True(score < previous);
                Assert.Equal($"m{(int)(score * 2)}", S(chunk[i]));
                previous = score;
                count++;
            }
        }
        Assert.Equal(200, count);
        Assert.Equal(["SLOTSRESTORE-ASYNC", "expire", "z"], m[^1][..3].Select(S));
        Assert.InRange(long.Parse(S(m[^1][3])), 1, 500000);
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_SmallEncodings_NeverChunked()
    {
        Raw("HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3");
        Raw("SADD", "si", "1", "2", "3");
        Raw("ZADD", "z", "1", "a", "2", "b");
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "1", "h", "si", "z");
        Assert.Equal(["delete", "object", "delete", "object", "delete", "object"], m.Select(x => S(x[1])));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_ZeroMaxBulks_DefaultsTo1000()
    {
        var args = new List<string> { "RPUSH", "l" };
        for (int i = 0; i < 1000; i++)
            args.Add("x");
        Raw([.. args]);
        Assert.Equal(2, Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "l").Count);
        Raw("RPUSH", "l", "y");
        List<byte[][]> m = Dump("SLOTSMGRTONE-ASYNC-DUMP", "0", "0", "l");
        Assert.Equal(1000 + 5, m[1].Length);
        Assert.Equal("SLOTSRESTORE-ASYNC list l 90000 1001 y", Text(m[2]));
    }

    [Theory]
    [InlineData("x", "0", "ERR invalid value of timeout (x)")]
    [InlineData("-1", "0", "ERR invalid value of timeout (-1)")]
    [InlineData("2147483648", "0", "ERR invalid value of timeout (2147483648)")]
    [InlineData("0", "-5", "ERR invalid value of maxbulks (-5)")]
    [InlineData("0", "1.5", "ERR invalid value of maxbulks (1.5)")]
    public void SlotsMgrtOneAsyncDump_BadArguments_Errors(string timeout, string maxbulks, string error)
    {
        Assert.Equal($"-{error}\r\n", Raw("SLOTSMGRTONE-ASYNC-DUMP", timeout, maxbulks, "k"));
        Assert.Equal($"-{error}\r\n", Raw("SLOTSMGRTTAGONE-ASYNC-DUMP", timeout, maxbulks, "k"));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_TooFewArguments_ArityError()
    {
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrtone-async-dump' command\r\n", Raw("SLOTSMGRTONE-ASYNC-DUMP", "0", "0"));
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrttagone-async-dump' command\r\n", Raw("SLOTSMGRTTAGONE-ASYNC-DUMP", "0"));
    }

    [Fact]
    public void SlotsMgrtOneAsyncDump_LenientIntegers_ParsedAsStrtoll()
    {
        Raw("SET", "a", "1");
        Assert.Equal(2, Dump("SLOTSMGRTONE-ASYNC-DUMP", "+100", "007", "a").Count);
    }
}
