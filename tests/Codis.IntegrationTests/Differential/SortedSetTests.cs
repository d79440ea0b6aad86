using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>The sorted-set commands compared with Redis 7.0 byte for byte.</summary>
public sealed class SortedSetTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static string[] Cmd(string line) => line.Split(' ');

    private static void Lines(DiffSession d, params string[] lines)
    {
        foreach (string line in lines)
            d.Same(Cmd(line));
    }

    [Fact]
    public void ZAdd_OptionsAndErrors_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD z 1 a 2 b 3 c", "ZADD z 1 a", "ZADD z CH 5 a 6 b 7 d", "ZADD z NX 9 a 9 e", "ZADD z XX 10 a 10 f",
            "ZADD z XX CH 10 a 11 b", "ZADD z GT 1 a", "ZADD z GT CH 100 a", "ZADD z LT CH 1 a 0 zz", "ZADD z XX GT 2 a",
            "ZADD z INCR 5 a", "ZADD z INCR NX 5 a", "ZADD z INCR XX 5 nope", "ZADD z INCR GT -1 a", "ZADD z incr lt -1 a",
            "ZADD z XX NX 1 a", "ZADD z GT LT 1 a", "ZADD z NX GT 1 a", "ZADD z NX LT 1 a", "ZADD z INCR 1 a 2 b",
            "ZADD z 1", "ZADD z 1 a 2", "ZADD z nan a", "ZADD z abc a", "ZADD z 1.5x a", "ZADD z  1 a", "ZADD z ch",
            "ZADD z inf i1 -inf i2 +inf i3 1e308 big 0x10 hex", "ZADD z INCR +inf i2", "ZADD z INCR -inf i3",
            "ZRANGE z 0 -1 WITHSCORES", "ZADD missing XX 1 a", "ZADD missing XX INCR 1 a", "ZCARD missing",
            "ZINCRBY z 2.5 a", "ZINCRBY z 1 new", "ZINCRBY z x a", "ZINCRBY z -inf i1", "ZINCRBY z 1 i1",
            "ZRANGE z 0 -1 WITHSCORES", "SET s v", "ZADD s 1 a", "ZINCRBY s 1 a");
    }

    [Fact]
    public void NegativeZeroAndInfinities_Scores_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD z -0 a", "ZSCORE z a", "ZADD z INCR -0 b", "ZINCRBY z -0 c", "ZRANGE z 0 -1 WITHSCORES",
            "ZADD z2 1 x 2 y -0 m", "ZSCORE z2 m", "ZPOPMIN z2", "ZMSCORE z a b c nope",
            "ZADD z3 inf a -inf b 0 c 1.5 d 0.1 e 1e-300 f 123456789012345678 g", "ZRANGE z3 0 -1 WITHSCORES",
            "ZRANGEBYSCORE z3 -inf +inf WITHSCORES", "ZRANGEBYSCORE z3 (-inf (inf", "ZCOUNT z3 -inf inf", "ZCOUNT z3 (0 (inf");
    }

    [Fact]
    public void ZRemCardScoreRank_ReadCommands_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD z 1 a 1 b 1 c 2 d 3 e", "ZCARD z", "ZCARD nope", "ZSCORE z a", "ZSCORE z nope", "ZSCORE nope a",
            "ZMSCORE z a nope e", "ZMSCORE nope a b", "ZRANK z c", "ZREVRANK z c", "ZRANK z nope", "ZRANK nope a",
            "ZRANK z a WITHSCORE", "ZREVRANK z e", "ZREM z a nope b", "ZREM nope a", "ZREM z c d e", "ZCARD z",
            "SET s v", "ZCARD s", "ZSCORE s a", "ZRANK s a", "ZREM s a", "ZMSCORE s a");
    }

    [Fact]
    public void Ties_OrderedByMemberBytes_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("ZADD", "t", "1", "b", "1", "a", "1", "ab", "1", "", "1", "B", "1", "\u00ff", "1", "a\0b", "0", "z");
        d.Same("ZRANGE", "t", "0", "-1", "WITHSCORES");
        d.Same("ZREVRANGE", "t", "0", "-1");
        d.Same("ZRANK", "t", "a\0b");
        d.Same("ZSCORE", "t", "");
        d.Same("ZRANGEBYLEX", "t", "[a", "(b");
        d.Same("ZRANGEBYLEX", "t", "-", "+");
        d.Same("ZLEXCOUNT", "t", "(a", "+");
        var bin = new byte[][] { "ZADD"u8.ToArray(), "bin"u8.ToArray(), "1"u8.ToArray(), [0, 255, 13, 10] };
        d.Assert.SameBytes(bin);
        d.Assert.SameBytes("ZRANGE"u8.ToArray(), "bin"u8.ToArray(), "0"u8.ToArray(), "-1"u8.ToArray());
    }

    [Fact]
    public void ZRange_AllFormsAndErrors_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both(Cmd("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g"));
        Lines(d,
            "ZRANGE z 0 -1", "ZRANGE z 2 4 WITHSCORES", "ZRANGE z -3 -1", "ZRANGE z -100 100", "ZRANGE z 5 2",
            "ZRANGE z 10 20", "ZRANGE z 0 -1 REV", "ZRANGE z 0 1 REV WITHSCORES", "ZRANGE z 2 5 BYSCORE",
            "ZRANGE z (2 (5 BYSCORE WITHSCORES", "ZRANGE z 5 2 BYSCORE REV", "ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2",
            "ZRANGE z -inf +inf BYSCORE LIMIT 2 -1", "ZRANGE z -inf +inf BYSCORE LIMIT -1 2", "ZRANGE z -inf +inf BYSCORE LIMIT 3 0",
            "ZRANGE z -inf +inf BYSCORE LIMIT 100 1", "ZRANGE z 0 -1 LIMIT 0 -1", "ZRANGE z 0 -1 LIMIT 0 1",
            "ZRANGE z [b (e BYLEX", "ZRANGE z (e [b BYLEX REV", "ZRANGE z - + BYLEX LIMIT 1 3", "ZRANGE z + - BYLEX REV LIMIT 1 3",
            "ZRANGE z - + BYLEX WITHSCORES", "ZRANGE z x y BYSCORE", "ZRANGE z x y BYLEX", "ZRANGE z 0 1 BYSCORE BYLEX",
            "ZRANGE z 0 -1 LIMIT 0", "ZRANGE z 0 -1 REV REV", "ZRANGE z 0 x", "ZRANGE z 0 1 BYSCORE LIMIT x 1", "ZRANGE z 0 1 foo",
            "ZRANGE nope 0 -1", "ZRANGE nope x y BYSCORE", "ZRANGE z [a [c bylex", "ZRANGE z a c BYLEX", "ZRANGE z - +x BYLEX",
            "ZREVRANGE z 0 2", "ZREVRANGE z 0 2 WITHSCORES", "ZREVRANGE z 0 2 REV", "ZREVRANGE z 0 2 LIMIT 0 1", "ZREVRANGE z 0 2 BYSCORE",
            "ZRANGEBYSCORE z 2 5", "ZRANGEBYSCORE z 2 5 WITHSCORES LIMIT 1 2", "ZRANGEBYSCORE z 2 5 LIMIT 0", "ZRANGEBYSCORE z 2 5 REV",
            "ZRANGEBYSCORE z 2 5 BYSCORE", "ZRANGEBYSCORE z (1 (1", "ZRANGEBYSCORE z 5 2", "ZRANGEBYSCORE z a 2",
            "ZREVRANGEBYSCORE z 5 2", "ZREVRANGEBYSCORE z 5 2 WITHSCORES LIMIT 1 10", "ZREVRANGEBYSCORE z 2 5",
            "ZRANGEBYLEX z - +", "ZRANGEBYLEX z [c +", "ZRANGEBYLEX z - + LIMIT 2 2", "ZRANGEBYLEX z - + WITHSCORES",
            "ZRANGEBYLEX z c +", "ZREVRANGEBYLEX z + -", "ZREVRANGEBYLEX z (d - LIMIT 0 2", "ZREVRANGEBYLEX z - +",
            "SET s v", "ZRANGE s 0 -1", "ZRANGEBYSCORE s 0 1", "ZRANGEBYLEX s - +");
    }

    [Fact]
    public void ZCountLexCount_Ranges_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both(Cmd("ZADD z 0 a 0 b 0 c 0 d 0 e"));
        Lines(d,
            "ZCOUNT z 0 0", "ZCOUNT z (0 1", "ZCOUNT z -inf +inf", "ZCOUNT z x 1", "ZCOUNT nope 0 1", "ZCOUNT z 1 0",
            "ZLEXCOUNT z - +", "ZLEXCOUNT z [b [d", "ZLEXCOUNT z (b (d", "ZLEXCOUNT z (d (b", "ZLEXCOUNT z b d",
            "ZLEXCOUNT nope - +", "ZLEXCOUNT z + -", "ZLEXCOUNT z [a [a", "ZLEXCOUNT z (a [a");
    }

    [Fact]
    public void ZRangeStore_ResultsAndDeletion_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both(Cmd("ZADD z 1 a 2 b 3 c 4 d"));
        Lines(d,
            "ZRANGESTORE dst z 0 1", "ZRANGE dst 0 -1 WITHSCORES", "ZRANGESTORE dst z 2 3 BYSCORE REV", "ZRANGESTORE dst z 4 2 BYSCORE REV",
            "ZRANGE dst 0 -1 WITHSCORES", "ZRANGESTORE dst z [b + BYLEX LIMIT 1 5", "ZRANGE dst 0 -1",
            "ZRANGESTORE dst z 10 20", "ZCARD dst", "ZRANGESTORE dst nope 0 -1", "ZRANGESTORE dst z 0 -1 WITHSCORES",
            "ZRANGESTORE dst z 0 -1 LIMIT 0 1", "SET str v", "ZRANGESTORE str z 0 0", "ZRANGE str 0 -1", "ZRANGESTORE x str 0 -1",
            "ZRANGESTORE dst z");
    }

    [Fact]
    public void ZRemRange_ByRankScoreLex_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f", "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYRANK z -1 -1", "ZREMRANGEBYRANK z 5 2",
            "ZREMRANGEBYRANK z 10 20", "ZREMRANGEBYRANK z x 1", "ZRANGE z 0 -1", "ZREMRANGEBYSCORE z (2 3", "ZREMRANGEBYSCORE z x 1",
            "ZREMRANGEBYSCORE z 10 20", "ZRANGE z 0 -1", "ZREMRANGEBYRANK z 0 -1", "ZCARD z",
            "ZADD l 0 a 0 b 0 c 0 d", "ZREMRANGEBYLEX l [b (d", "ZREMRANGEBYLEX l x y", "ZRANGE l 0 -1", "ZREMRANGEBYLEX l - +",
            "ZCARD l", "ZREMRANGEBYLEX nope - +", "ZREMRANGEBYSCORE nope 0 1", "ZREMRANGEBYRANK nope 0 1",
            "SET s v", "ZREMRANGEBYRANK s 0 1", "ZREMRANGEBYSCORE s 0 1", "ZREMRANGEBYLEX s - +");
    }

    [Fact]
    public void Pops_CountsAndShapes_SameAsRedisInBothProtocols()
    {
        using DiffSession d = servers.NewDiff();
        foreach (string proto in new[] { "2", "3" })
        {
            d.Both("HELLO", proto);
            Lines(d,
                "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f", "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 2", "ZPOPMAX z 1", "ZPOPMIN z 0",
                "ZPOPMIN z -1", "ZPOPMIN z x", "ZPOPMIN z 1 2", "ZPOPMIN nope", "ZPOPMIN nope 3", "ZPOPMAX z 100", "ZCARD z",
                "ZADD z 1 a 2 b 3 c", "ZMPOP 1 z MIN", "ZMPOP 2 nope z MAX COUNT 5", "ZMPOP 1 z MIN", "ZMPOP 1 nope min",
                "ZMPOP 0 z MIN", "ZMPOP x z MIN", "ZMPOP 1 z foo", "ZMPOP 1 z MIN COUNT 0", "ZMPOP 1 z MIN COUNT -1",
                "ZMPOP 2 z MIN", "ZMPOP 1 z MIN foo 1", "ZMPOP 1 z MIN COUNT 1 COUNT 2", "ZMPOP 1 z MIN COUNT",
                "SET s v", "ZPOPMIN s", "ZPOPMIN s 0", "ZMPOP 2 nope s MIN", "ZMPOP 2 s nope MIN", "ZREM nothing x",
                "ZADD w 1 a", "BZPOPMIN nope w 0", "ZADD w 1 a 2 b", "BZPOPMAX w 0", "BZMPOP 0 1 w MIN COUNT 5",
                "BZPOPMIN w x", "BZPOPMIN w -1", "BZMPOP x 1 w MIN", "BZMPOP 0 0 w MIN", "BZMPOP x 0 w MIN", "BZMPOP 0 1 w foo");
        }
    }

    [Fact]
    public void BlockingPops_InsideMulti_ReplyNullAtOnce()
    {
        using DiffSession d = servers.NewDiff();
        foreach (string proto in new[] { "2", "3" })
        {
            d.Both("HELLO", proto);
            d.SameSequence(["MULTI"], ["BZPOPMIN", "nope", "0"], ["BZMPOP", "0", "1", "nope", "MAX"], ["EXEC"]);
        }
    }

    [Fact]
    public void WithScores_Resp3_NestedPairsAndDoubles()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("HELLO", "3");
        Lines(d,
            "ZADD z 1.5 a 2 b -0 c inf d", "ZRANGE z 0 -1 WITHSCORES", "ZRANGEBYSCORE z -inf inf WITHSCORES", "ZREVRANGE z 0 1 WITHSCORES",
            "ZSCORE z a", "ZSCORE z nope", "ZMSCORE z a nope", "ZINCRBY z 1 a", "ZADD z INCR 1 b", "ZADD z NX INCR 1 b",
            "ZUNION 1 z WITHSCORES", "ZINTER 1 z WITHSCORES", "ZDIFF 1 z WITHSCORES", "ZRANDMEMBER z 0 WITHSCORES",
            "ZRANDMEMBER nope 3 WITHSCORES", "ZSCAN z 0", "ZRANK z nope");
    }

    [Fact]
    public void SetAlgebra_WeightsAggregateAndErrors_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD a 1 x 2 y 3 z", "ZADD b 10 y 20 z 30 w", "ZADD c -5 z",
            "ZUNION 2 a b", "ZUNION 2 a b WITHSCORES", "ZUNION 3 a b c WITHSCORES AGGREGATE MIN", "ZUNION 2 a b WEIGHTS 2 -1 WITHSCORES",
            "ZUNION 2 a b AGGREGATE MAX WITHSCORES", "ZUNION 2 a nope WITHSCORES", "ZINTER 2 a b WITHSCORES", "ZINTER 3 a b c WITHSCORES",
            "ZINTER 2 a nope", "ZINTER 2 a b WEIGHTS 0.5 2 AGGREGATE SUM WITHSCORES", "ZDIFF 2 a b WITHSCORES", "ZDIFF 3 b a c",
            "ZDIFF 1 nope", "ZINTERCARD 2 a b", "ZINTERCARD 2 a b LIMIT 1", "ZINTERCARD 2 a b LIMIT 0", "ZINTERCARD 2 a b LIMIT -1",
            "ZINTERCARD 1 a LIMIT x", "ZINTERCARD 1 a foo 1", "ZINTERCARD 0 a", "ZINTERCARD 1 a WITHSCORES",
            "ZUNIONSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES", "ZINTERSTORE d 2 a b WEIGHTS 1 0", "ZRANGE d 0 -1 WITHSCORES",
            "ZDIFFSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES", "ZINTERSTORE d 2 a nope", "ZCARD d", "ZDIFFSTORE d 1 nope",
            "ZUNIONSTORE d 0 a", "ZUNION 0 a", "ZINTER -1 a", "ZINTERSTORE d 0", "ZDIFF 0 a", "ZUNION 3 a b",
            "ZUNIONSTORE d 1 a WEIGHTS 1 2", "ZUNIONSTORE d 1 a WEIGHTS x", "ZUNIONSTORE d 1 a WEIGHTS nan",
            "ZUNIONSTORE d 1 a AGGREGATE foo", "ZUNIONSTORE d 1 a WITHSCORES", "ZUNION 1 a WITHSCORES foo", "ZDIFF 1 a WEIGHTS 2",
            "ZDIFF 1 a AGGREGATE MIN", "ZUNION x a", "ZUNION 1 a AGGREGATE",
            "ZADD i1 inf m", "ZADD i2 -inf m", "ZUNION 2 i1 i2 WITHSCORES", "ZINTER 2 i1 i2 WITHSCORES", "ZUNION 1 i1 WEIGHTS 0 WITHSCORES",
            "SET s v", "ZUNION 2 a s", "ZUNIONSTORE d 2 s a", "ZINTERCARD 1 s", "ZUNIONSTORE s 1 a", "ZRANGE s 0 -1");
    }

    [Fact]
    public void ZRandMember_CountsAndErrors_SameShapes()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD one 7 only", "ZRANDMEMBER one", "ZRANDMEMBER one 1", "ZRANDMEMBER one -3", "ZRANDMEMBER one -3 WITHSCORES",
            "ZRANDMEMBER one 5 WITHSCORES", "ZRANDMEMBER nope", "ZRANDMEMBER nope 5", "ZRANDMEMBER one 0", "ZRANDMEMBER one x",
            "ZRANDMEMBER one -9223372036854775808", "ZRANDMEMBER one 1 foo", "ZRANDMEMBER one 1 WITHSCORES x",
            "ZRANDMEMBER one -9223372036854775807 WITHSCORES", "ZRANDMEMBER one 4611686018427387904 WITHSCORES");
        d.Both(Cmd("ZADD z 1 a 2 b 3 c 4 d"));
        d.SameUnordered(Cmd("ZRANDMEMBER z 4"));
        d.SameUnordered(Cmd("ZRANDMEMBER z 10"));
        var sample = d.Codis.Command(Cmd("ZRANDMEMBER z 3"));
        Assert.Equal(3, sample.Count);
        Assert.Equal(3, sample.Children!.Select(e => e.Text).Distinct().Count());
        Assert.Equal(20, d.Codis.Command(Cmd("ZRANDMEMBER z -20")).Count);
        Assert.Equal(40, d.Codis.Command(Cmd("ZRANDMEMBER z -20 WITHSCORES")).Count);
    }

    [Fact]
    public void ZScan_ListpackAndErrors_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "ZADD z 1 a 2.5 b 3 c 1e20 big", "ZSCAN z 0", "ZSCAN z 0 MATCH b*", "ZSCAN z 0 COUNT 1", "ZSCAN nope 0", "ZSCAN z x",
            "ZSCAN z 0 COUNT 0", "ZSCAN z 0 COUNT x", "ZSCAN z 0 MATCH", "ZSCAN z 0 TYPE zset", "SET s v", "ZSCAN s 0");
    }

    [Fact]
    public void ZScan_Skiplist_FullIterationReturnsEveryMember()
    {
        using DiffSession d = servers.NewDiff();
        var args = new List<string> { "ZADD", "big" };
        for (int i = 0; i < 300; i++)
        {
            args.Add(i.ToString());
            args.Add("m" + i);
        }

        d.Same([.. args]);
        var seen = new HashSet<string>();
        string cursor = "0";
        int rounds = 0;
        do
        {
            var reply = d.Codis.Command("ZSCAN", "big", cursor, "COUNT", "50");
            cursor = reply[0].Text!;
            var items = reply[1];
            for (int i = 0; i < items.Count; i += 2)
                seen.Add(items[i].Text!);
            rounds++;
        }
        while (cursor != "0" && rounds < 1000);
        Assert.Equal(300, seen.Count);
    }

    [Fact]
    public void WrongTypeAndArity_AllCommands_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("SET", "s", "v");
        Lines(d,
            "ZADD s", "ZINCRBY s 1", "ZREM s", "ZCARD", "ZSCORE s", "ZMSCORE s", "ZRANK s", "ZCOUNT s 0", "ZLEXCOUNT s -",
            "ZRANGE s 0", "ZRANGESTORE d s 0", "ZPOPMIN", "BZPOPMIN s", "ZMPOP 1 s", "BZMPOP 0 1 s", "ZRANDMEMBER",
            "ZSCAN s", "ZUNIONSTORE d 1", "ZUNION 1", "ZINTERCARD 1", "ZREMRANGEBYRANK s 0", "ZRANGEBYSCORE s 0",
            "ZSCORE s a", "ZLEXCOUNT s - +", "ZCOUNT s 0 1", "ZRANDMEMBER s", "ZRANDMEMBER s 1", "BZPOPMIN s 0", "BZMPOP 0 1 s MIN");
    }

    [Fact(Skip = "Needs OBJECT ENCODING and CONFIG SET (keys and server-cmds branches): remove the skip once they are merged")]
    public void Encoding_Thresholds_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        var args = new List<string> { "ZADD", "z" };
        for (int i = 0; i < 128; i++)
        {
            args.Add(i.ToString());
            args.Add("m" + i);
        }

        d.Same([.. args]);
        Lines(d, "OBJECT ENCODING z", "ZADD z 200 m200", "OBJECT ENCODING z", "ZREMRANGEBYRANK z 0 100", "OBJECT ENCODING z",
            "ZADD long 1 " + new string('x', 64), "OBJECT ENCODING long", "ZADD long 1 " + new string('y', 65), "OBJECT ENCODING long",
            "ZUNIONSTORE small 1 z", "OBJECT ENCODING small", "ZRANGESTORE small2 z 0 -1", "OBJECT ENCODING small2",
            "CONFIG SET zset-max-listpack-entries 2", "ZADD p 1 a 2 b", "OBJECT ENCODING p", "ZADD p -0 c", "ZSCORE p c",
            "OBJECT ENCODING p", "ZADD q -0 a 1 b", "ZSCORE q a", "ZADD q 2 c", "ZSCORE q a", "ZRANGESTORE r p 0 -1", "ZSCORE r c",
            "OBJECT ENCODING r", "ZUNIONSTORE u 1 p", "ZSCORE u c", "OBJECT ENCODING u", "ZRANGESTORE r2 p 0 1", "OBJECT ENCODING r2",
            "CONFIG SET zset-max-listpack-entries 0", "ZADD e 1 a", "OBJECT ENCODING e", "CONFIG SET zset-max-listpack-entries 128");
    }

    [Fact]
    public void BZPopMin_WakesWhenAnotherClientAdds()
    {
        using DiffSession d = servers.NewDiff();
        foreach (ServerProcess server in new[] { servers.Redis, servers.Codis })
        {
            using RespConnection blocked = server.Connect();
            using RespConnection writer = server.Connect();
            blocked.SendRaw(RespConnection.Encode("BZPOPMIN", "q1", "q2", "0"));
            WaitBlocked(writer);
            Assert.Equal(":1\r\n", Encoding.ASCII.GetString(writer.Send("ZADD", "q2", "5", "m")));
            Assert.Equal("*3\r\n$2\r\nq2\r\n$1\r\nm\r\n$1\r\n5\r\n", Encoding.ASCII.GetString(blocked.ReadReply()));
            Assert.Equal(":0\r\n", Encoding.ASCII.GetString(writer.Send("ZCARD", "q2")));
        }
    }

    [Fact]
    public void BZMPop_WakesWithCountAndTimesOut()
    {
        using DiffSession d = servers.NewDiff();
        foreach (ServerProcess server in new[] { servers.Redis, servers.Codis })
        {
            using RespConnection blocked = server.Connect();
            using RespConnection writer = server.Connect();
            blocked.SendRaw(RespConnection.Encode("BZMPOP", "0", "2", "k1", "k2", "MAX", "COUNT", "2"));
            WaitBlocked(writer);
            writer.Send("ZADD", "k1", "1", "a", "2", "b", "3", "c");
            Assert.Equal("*2\r\n$2\r\nk1\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
                Encoding.ASCII.GetString(blocked.ReadReply()));
            Assert.Equal("*-1\r\n", Encoding.ASCII.GetString(blocked.Send("BZMPOP", "0.05", "1", "none", "MIN")));
            Assert.Equal("*-1\r\n", Encoding.ASCII.GetString(blocked.Send("BZPOPMAX", "none", "0.05")));
            writer.Send("ZREMRANGEBYRANK", "k1", "0", "-1");
        }
    }

    // Waits until the first connection is blocked, seen from the second (INFO is not needed: a PING
    // round trip after the request was written is enough for both servers to have processed it).
    private static void WaitBlocked(RespConnection other)
    {
        other.Send("PING");
        Thread.Sleep(100);
    }
}
