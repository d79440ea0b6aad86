using System.Buffers.Binary;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;
using Codis.Server.Migration;
using Codis.Server.Persistence;

namespace Codis.Server.Tests.Migration;

/// <summary>
/// <see cref="KeyStream"/>: the message stream of one key (spec server.md §6.3), its stages, the chunk
/// rules, and values that change between calls.
/// </summary>
public sealed class KeyStreamTests
{
    private readonly InProcessServer _s = new();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private long Now => _s.Server.Now;

    private Database Db => _s.Db;

    // Writes the next message and returns it as text, or null when the stream is finished.
    private static string? Next(KeyStream stream, long maxBytes = long.MaxValue, long now = 0)
    {
        var w = new ReplyWriter();
        if (!stream.WriteNext(w, maxBytes, now))
        {
            Assert.Equal(0, w.Length);
            return null;
        }
        List<byte[][]> m = InProcessServer.ParseMessages(w.WrittenSpan);
        Assert.Single(m);
        return InProcessServer.Text(m[0]);
    }

    private static List<byte[][]> Drain(KeyStream stream, long maxBytes = long.MaxValue, long now = 0)
    {
        var w = new ReplyWriter();
        int guard = 0;
        while (stream.WriteNext(w, maxBytes, now))
            Assert.True(++guard < 100_000, "the stream does not end");
        Assert.True(stream.IsDone);
        return InProcessServer.ParseMessages(w.WrittenSpan);
    }

    private RedisList List(string key, params string[] elements)
    {
        var list = RedisList.FromElements(elements.Select(B));
        Db.Add(B(key), list);
        return list;
    }

    [Fact]
    public void Create_MissingOrExpiredKey_Null()
    {
        Assert.Null(KeyStream.Create(Db, B("nokey"), Now, 1000, 10));
        Db.Add(B("k"), B("v"));
        Db.SetExpire(B("k"), Now - 1);
        Assert.Null(KeyStream.Create(Db, B("k"), Now, 1000, 10));
    }

    [Fact]
    public void WriteNext_String_DeleteThenStringThenDone()
    {
        Db.Add(B("s"), B("hello"));
        KeyStream stream = KeyStream.Create(Db, B("s"), Now, 1000, 10)!;
        Assert.Equal(0, stream.ValueType);
        Assert.Equal(1, stream.EstimatedMessages);
        Assert.False(stream.IsChunked);
        Assert.Equal(-1, stream.ExpireAtMs);
        Assert.Equal(KeyStream.StagePrepare, stream.Stage);
        Assert.False(stream.Found);
        Assert.Equal("SLOTSRESTORE-ASYNC delete s", Next(stream));
        Assert.True(stream.Found);
        Assert.Equal(KeyStream.StagePayload, stream.Stage);
        Assert.Equal("SLOTSRESTORE-ASYNC string s 0 hello", Next(stream));
        Assert.Equal(KeyStream.StageDone, stream.Stage);
        Assert.Null(Next(stream));
        Assert.Null(Next(stream));
    }

    [Fact]
    public void WriteNext_TtlKey_RemainingTtlAtLeastOne()
    {
        Db.Add(B("s"), B("v"));
        Db.SetExpire(B("s"), Now + 5000);
        KeyStream stream = KeyStream.Create(Db, B("s"), Now, 1000, 10)!;
        Assert.Equal(Now + 5000, stream.ExpireAtMs);
        Next(stream, now: Now);
        Assert.Equal("SLOTSRESTORE-ASYNC string s 1 v", Next(stream, now: Now + 999_999));
    }

    [Fact]
    public void WriteNext_SpecListExample_ChunksEmptyChunkThenExpire()
    {
        List("l2", "hello", "world", "foo", "bar", "hello", "world", "foo", "bar");
        KeyStream stream = KeyStream.Create(Db, B("l2"), Now, 30000, 2)!;
        Assert.Equal(4, stream.EstimatedMessages);
        Assert.True(stream.IsChunked);
        Assert.Equal(1, stream.ValueType);
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
            Drain(stream).Select(InProcessServer.Text));
        Assert.Equal(4, stream.ChunkedMessages);
        Assert.Equal(8, stream.ListIndex);
    }

    [Fact]
    public void WriteNext_Stages_FollowCodisNumbers()
    {
        List("l", "a", "b", "c");
        KeyStream stream = KeyStream.Create(Db, B("l"), Now, 100, 1)!;
        Assert.Equal(KeyStream.StagePrepare, stream.Stage);
        Next(stream);
        Assert.Equal(KeyStream.StageChunked, stream.Stage);
        Next(stream);
        Next(stream);
        Next(stream);
        Assert.Equal(KeyStream.StageChunked, stream.Stage);
        Assert.Equal("SLOTSRESTORE-ASYNC list l 300 3", Next(stream));
        Assert.Equal(KeyStream.StageFillTtl, stream.Stage);
        Assert.Equal("SLOTSRESTORE-ASYNC expire l 0", Next(stream));
        Assert.Equal(KeyStream.StageDone, stream.Stage);
    }

    [Fact]
    public void WriteNext_MaxBytes_CutsChunkAfterTheByteLimitIsReached()
    {
        List("l", new string('a', 100), new string('b', 100), new string('c', 100), new string('d', 100));
        KeyStream stream = KeyStream.Create(Db, B("l"), Now, 1000, 3)!;
        Next(stream);
        // A chunk always takes one element, then stops once its bytes reach maxBytes.
        Assert.Equal(1, Next(stream, maxBytes: 0)!.Split(' ').Length - 5);
        Assert.Equal(1, Next(stream, maxBytes: 100)!.Split(' ').Length - 5);
        Assert.Equal(2, Next(stream, maxBytes: 101)!.Split(' ').Length - 5);
    }

    [Fact]
    public void WriteNext_IntegerElements_CountEightBytes()
    {
        List("l", "12345678901", "12345678902", "12345678903", "12345678904", "12345678905", "12345678906");
        KeyStream stream = KeyStream.Create(Db, B("l"), Now, 1000, 5)!;
        Next(stream);
        // 8 + 8 = 16 < 17 takes a third element; at their 11 text bytes the chunk would stop at two.
        Assert.Equal("SLOTSRESTORE-ASYNC list l 3000 6 12345678901 12345678902 12345678903", Next(stream, maxBytes: 17));
    }

    [Fact]
    public void WriteNext_KeyDeletedBeforeItsTurn_NoMessageAtAll()
    {
        Db.Add(B("s"), B("v"));
        KeyStream stream = KeyStream.Create(Db, B("s"), Now, 1000, 10)!;
        Db.Delete(B("s"));
        Assert.Null(Next(stream));
        Assert.True(stream.IsDone);
        Assert.False(stream.Found);
    }

    [Fact]
    public void WriteNext_KeyReplacedBeforeItsTurn_SendsTheNewValue()
    {
        List("k", "a", "b", "c");
        KeyStream stream = KeyStream.Create(Db, B("k"), Now, 1000, 1)!;
        Assert.True(stream.IsChunked);
        Db.Set(B("k"), B("now a string"));
        Assert.Equal(["SLOTSRESTORE-ASYNC delete k", "SLOTSRESTORE-ASYNC string k 0 now a string"], Drain(stream).Select(InProcessServer.Text));
        Assert.False(stream.IsChunked);
        Assert.Equal(0, stream.ValueType);
    }

    [Fact]
    public void WriteNext_ListShrinksAndGrowsBetweenChunks_NoCrashAndEnds()
    {
        RedisList list = List("l", [.. Enumerable.Range(0, 10).Select(i => $"e{i}")]);
        KeyStream stream = KeyStream.Create(Db, B("l"), Now, 1000, 3)!;
        Next(stream);
        Assert.Equal("SLOTSRESTORE-ASYNC list l 3000 10 e0 e1 e2", Next(stream));
        list.TrimEnds(0, 8);   // two elements left: the walk is past them
        Assert.Equal("SLOTSRESTORE-ASYNC list l 3000 2", Next(stream));
        Assert.Equal("SLOTSRESTORE-ASYNC expire l 0", Next(stream));
        Assert.Null(Next(stream));

        list.Clear();
        for (int i = 0; i < 4; i++)
            list.PushRight(B($"n{i}"));
        stream = KeyStream.Create(Db, B("l"), Now, 1000, 2)!;
        Next(stream);
        Next(stream);
        list.PushRight(B("late"));   // appended after the walk started: still sent
        List<byte[][]> rest = Drain(stream);
        Assert.Contains(rest, m => InProcessServer.Text(m) == "SLOTSRESTORE-ASYNC list l 3000 5 n2 n3");
        Assert.Contains(rest, m => InProcessServer.Text(m) == "SLOTSRESTORE-ASYNC list l 3000 5 late");
    }

    [Fact]
    public void WriteNext_ListGrowingForever_StillEndsWhenGrowthIsSlowerThanChunks()
    {
        RedisList list = List("l", "a", "b", "c");
        KeyStream stream = KeyStream.Create(Db, B("l"), Now, 1000, 2)!;
        var w = new ReplyWriter();
        int calls = 0;
        while (stream.WriteNext(w, long.MaxValue, 0))
        {
            list.PushRight(B("x"));   // one new element per message, two taken per chunk
            Assert.True(++calls < 1000);
        }
    }

    [Fact]
    public void WriteNext_HashModifiedBetweenChunks_UnchangedFieldsSentAndEnds()
    {
        var hash = new RedisHash();
        hash.ConvertToTable();
        for (int i = 0; i < 200; i++)
            hash.Set(B($"f{i}"), B($"v{i}"), 512, 64);
        Db.Add(B("h"), hash);
        KeyStream stream = KeyStream.Create(Db, B("h"), Now, 1000, 10)!;
        Assert.Equal(4, stream.ValueType);
        Assert.Equal(40, stream.EstimatedMessages);
        var w = new ReplyWriter();
        int calls = 0;
        while (stream.WriteNext(w, long.MaxValue, 0))
        {
            calls++;
            // Remove odd fields and add new ones while walking (the table resizes too).
            if (calls < 50)
            {
                hash.Remove(B($"f{(calls * 2) + 1}"));
                for (int j = 0; j < 20; j++)
                    hash.Set(B($"new{calls}-{j}"), B("x"), 512, 64);
            }
            Assert.True(calls < 10_000);
        }
        var sent = new HashSet<string>();
        foreach (byte[][] m in InProcessServer.ParseMessages(w.WrittenSpan))
        {
            if (Encoding.UTF8.GetString(m[1]) != "hash")
                continue;
            for (int i = 5; i < m.Length; i += 2)
                sent.Add(Encoding.UTF8.GetString(m[i]));
        }
        // The scan guarantee: every field present from start to end was sent.
        for (int i = 0; i < 200; i += 2)
            Assert.Contains($"f{i}", sent);
    }

    [Fact]
    public void WriteNext_SetChunks_DictMessagesCoverEveryMember()
    {
        var set = new RedisSet();
        for (int i = 0; i < 50; i++)
            set.Add(B($"m{i}"), 512);
        Db.Add(B("s"), set);
        KeyStream stream = KeyStream.Create(Db, B("s"), Now, 1000, 4)!;
        Assert.Equal(2, stream.ValueType);
        List<byte[][]> m = Drain(stream);
        var members = m.Where(x => x[1].AsSpan().SequenceEqual("dict"u8)).SelectMany(x => x[5..]).Select(Encoding.UTF8.GetString).ToList();
        Assert.Equal(50, members.Distinct().Count());
        Assert.Equal(50, members.Count);
    }

    [Fact]
    public void WriteNext_ZSetChunks_HighestScoreFirstWithRawDoubles()
    {
        RedisZSet z = RedisZSet.CreateSkiplist();
        for (int i = 0; i < 5; i++)
            z.Add(B($"m{i}"), i + 0.25, ZAddFlags.None, 128, 64, out _);
        Db.Add(B("z"), z);
        KeyStream stream = KeyStream.Create(Db, B("z"), Now, 1000, 4)!;
        Assert.Equal(3, stream.EstimatedMessages);
        Next(stream);
        var w = new ReplyWriter();
        Assert.True(stream.WriteNext(w, long.MaxValue, 0));
        byte[][] chunk = InProcessServer.ParseMessages(w.WrittenSpan)[0];
        Assert.Equal(9, chunk.Length);
        Assert.Equal("m4", Encoding.UTF8.GetString(chunk[5]));
        Assert.Equal(4.25, BinaryPrimitives.ReadDoubleLittleEndian(chunk[6]));
        Assert.Equal("m3", Encoding.UTF8.GetString(chunk[7]));
        Assert.Equal(2, stream.ZsetIndex);
        // Members removed meanwhile: the walk resumes by rank and ends early.
        z.Remove(B("m0"));
        z.Remove(B("m1"));
        z.Remove(B("m2"));
        Assert.Equal("SLOTSRESTORE-ASYNC zset z 3000 2", Next(stream));
        Assert.Equal("SLOTSRESTORE-ASYNC expire z 0", Next(stream));
    }

    [Fact]
    public void WriteNext_OddMaxBulksWithPairs_ChunkMayExceedByOne()
    {
        RedisZSet z = RedisZSet.CreateSkiplist();
        for (int i = 0; i < 4; i++)
            z.Add(B($"m{i}"), i, ZAddFlags.None, 128, 64, out _);
        Db.Add(B("z"), z);
        KeyStream stream = KeyStream.Create(Db, B("z"), Now, 1000, 3)!;
        Next(stream);
        // As Codis: the loop stops once the chunk holds at least maxbulks arguments (pairs: 4).
        Assert.Equal(5 + 4, Next(stream)!.Split(' ').Length);
    }

    [Fact]
    public void WriteNext_SmallEncodings_ObjectPayloadThatDecodes()
    {
        var hash = new RedisHash();
        hash.Set(B("f"), B("v"), 512, 64);
        Db.Add(B("h"), hash);
        var set = new RedisSet();
        set.Add(B("1"), 512);
        Db.Add(B("si"), set);
        foreach (string key in new[] { "h", "si" })
        {
            KeyStream stream = KeyStream.Create(Db, B(key), Now, 1000, 1)!;
            Assert.False(stream.IsChunked);
            List<byte[][]> m = Drain(stream);
            Assert.Equal(2, m.Count);
            Assert.Equal("object", Encoding.UTF8.GetString(m[1][1]));
            Assert.True(DumpPayload.TryParse(m[1][4], out _, out _));
        }
    }

    [Fact]
    public void WriteNext_ChunkedValueWithTtl_ChunkTtlThenRemainingTtl()
    {
        List("l", "a", "b");
        Db.SetExpire(B("l"), Now + 10_000);
        KeyStream stream = KeyStream.Create(Db, B("l"), Now, 7, 1)!;
        List<byte[][]> m = Drain(stream, now: Now);
        Assert.Equal("SLOTSRESTORE-ASYNC list l 21 2 a", InProcessServer.Text(m[1]));
        Assert.Equal("SLOTSRESTORE-ASYNC expire l 10000", InProcessServer.Text(m[^1]));
    }

    [Fact]
    public void EstimateMessages_BulkCountRule_AsCodis()
    {
        Assert.Equal(1, KeyStream.EstimateMessages(B("x"), 1));
        Assert.Equal(1, KeyStream.EstimateMessages(RedisList.FromElements([B("a"), B("b")]), 2));
        Assert.Equal(2, KeyStream.EstimateMessages(RedisList.FromElements([B("a"), B("b"), B("c")]), 2));
        var hash = new RedisHash();
        hash.Set(B("f"), B("v"), 512, 64);
        Assert.Equal(1, KeyStream.EstimateMessages(hash, 1));
        hash.ConvertToTable();
        Assert.Equal(2, KeyStream.EstimateMessages(hash, 1));
        RedisZSet z = RedisZSet.CreateSkiplist();
        for (int i = 0; i < 200; i++)
            z.Add(B($"m{i}"), i, ZAddFlags.None, 128, 64, out _);
        Assert.Equal(134, KeyStream.EstimateMessages(z, 3));
    }

    [Fact]
    public void Create_BadArguments_Throw()
    {
        Db.Add(B("s"), B("v"));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyStream.Create(Db, B("s"), Now, 1000, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyStream.Create(Db, B("s"), Now, -1, 10));
    }
}
