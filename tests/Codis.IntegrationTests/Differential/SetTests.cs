using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// The set commands of our server against Debian's redis-server 7.0, byte for byte (unordered where
/// Redis's hash-table order is unspecified). The encoding (intset or hashtable) is observed through
/// SSCAN: an intset is listed whole with cursor 0, a hash table of 20+ members is not within one step.
/// </summary>
public sealed class SetTests : IClassFixture<NotifyingServerPairFixture>, IDisposable
{
    private readonly NotifyingServerPairFixture _fixture;
    private readonly RespConnection _redis;
    private readonly RespConnection _codis;
    private readonly DifferentialAssert _d;

    /// <summary>Connects to both servers and empties them.</summary>
    public SetTests(NotifyingServerPairFixture fixture)
    {
        _fixture = fixture;
        _redis = fixture.Redis.Connect();
        _codis = fixture.Codis.Connect();
        _d = new DifferentialAssert(_redis, _codis);
        _d.Same("FLUSHALL");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _redis.Dispose();
        _codis.Dispose();
    }

    private static string[] Split(string line) => line.Split(' ');

    private void Same(string line) => _d.Same(Split(line));

    private void Unordered(string line) => _d.SameUnordered(Split(line));

    // Each line is compared byte for byte, except: "U ..." unordered, "~ ..." sent to both without
    // comparing (random replies), HELLO (the client ids differ) likewise.
    private void Seq(params string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            try
            {
                if (line.StartsWith("U ", StringComparison.Ordinal))
                {
                    Unordered(line[2..]);
                }
                else if (line.StartsWith("~ ", StringComparison.Ordinal) || line.StartsWith("HELLO ", StringComparison.Ordinal))
                {
                    string[] args = Split(line.TrimStart('~', ' '));
                    _redis.Send(args);
                    _codis.Send(args);
                }
                else
                {
                    Same(line);
                }
            }
            catch (DifferentialMismatchException e)
            {
                throw new DifferentialMismatchException($"Line #{i} of the sequence: {e.Message}", e);
            }
        }
    }

    private static string Range(int from, int to) => string.Join(' ', Enumerable.Range(from, to - from + 1));

    // True when SSCAN lists the whole set at once (intset), on both servers alike.
    private void AssertEncoding(string key, bool intset)
    {
        RespValue r = _redis.Command("SSCAN", key, "0", "COUNT", "1");
        RespValue c = _codis.Command("SSCAN", key, "0", "COUNT", "1");
        Assert.Equal(intset, r[0].Text == "0");
        Assert.Equal(intset, c[0].Text == "0");
    }

    private static HashSet<string> Members(RespValue v) => [.. v.Children!.Select(x => x.Text!)];

    // --- SADD / SREM / SCARD -------------------------------------------------------------------------

    [Fact]
    public void SAdd_NewAndExistingMembers_CountsOnlyNewOnes()
    {
        Seq("SADD s 3 1 2", "SADD s 1 2 4 4", "SCARD s", "SMEMBERS s", "SADD s 4", "SCARD missing");
    }

    [Fact]
    public void SAdd_IntegerMembers_ListedInAscendingOrder()
    {
        Seq("SADD s 10 -5 0 9223372036854775807 -9223372036854775808 7 -1", "SMEMBERS s", "SSCAN s 0", "SSCAN s 0 MATCH -*");
        AssertEncoding("s", intset: true);
    }

    [Fact]
    public void SAdd_NonCanonicalIntegers_StoredAsStrings()
    {
        Same("SADD s 1 -0 +1 01 1.0 9223372036854775808 -9223372036854775809");
        Unordered("SMEMBERS s");
        Seq("SISMEMBER s 1", "SISMEMBER s 01", "SISMEMBER s -0", "SISMEMBER s 0", "SCARD s");
        _d.Same("SADD", "t", " 1", "1 ", "");
        _d.SameUnordered("SMEMBERS", "t");
        _d.Same("SISMEMBER", "t", "");
        _d.Same("SISMEMBER", "t", "1");
    }

    [Fact]
    public void SAdd_BinaryMembers_RoundTrip()
    {
        byte[][] members = [[0], [0xff, 0xfe], [(byte)'\r', (byte)'\n'], [], Encoding.UTF8.GetBytes("ü")];
        _d.SameBytes([Encoding.ASCII.GetBytes("SADD"), Encoding.ASCII.GetBytes("b"), .. members]);
        foreach (byte[] m in members)
            _d.SameBytes(Encoding.ASCII.GetBytes("SISMEMBER"), Encoding.ASCII.GetBytes("b"), m);
        _d.SameUnordered("SMEMBERS", "b");
        _d.SameBytes(Encoding.ASCII.GetBytes("SREM"), Encoding.ASCII.GetBytes("b"), [], [0]);
        _d.SameUnordered("SMEMBERS", "b");
    }

    [Fact]
    public void SAdd_Exceeding512Integers_BecomesHashtableForGood()
    {
        Same("SADD s " + Range(1, 512));
        Same("SMEMBERS s");
        AssertEncoding("s", intset: true);
        Seq("SADD s 513", "SCARD s");
        AssertEncoding("s", intset: false);
        Unordered("SMEMBERS s");
        Seq("SREM s 513 1 2", "SCARD s");
        AssertEncoding("s", intset: false);
        Unordered("SMEMBERS s");
    }

    [Fact]
    public void SAdd_NonIntegerMember_BecomesHashtableForGood()
    {
        Same("SADD s " + Range(1, 40));
        AssertEncoding("s", intset: true);
        Same("SADD s x");
        AssertEncoding("s", intset: false);
        Same("SREM s x");
        AssertEncoding("s", intset: false);
        Unordered("SMEMBERS s");
        Seq("SISMEMBER s 40", "SISMEMBER s 41", "SCARD s");
    }

    [Fact]
    public void SAdd_SmallIntsetLimit_ConvertsPastTheLimit()
    {
        using ServerProcess redis = ServerProcess.StartRedis("--set-max-intset-entries", "3");
        using ServerProcess codis = ServerProcess.StartCodis("--set-max-intset-entries", "3");
        using RespConnection r = redis.Connect();
        using RespConnection c = codis.Connect();
        var d = new DifferentialAssert(r, c);
        d.Same("SADD", "s", "3", "2", "1");
        d.Same("SMEMBERS", "s");
        d.Same("SSCAN", "s", "0", "COUNT", "1");
        d.Same("SADD", "s", "4");
        d.SameUnordered("SMEMBERS", "s");
        // Store results start as intsets and convert on the fourth member, like SADD.
        d.Same("SADD", "t", "9", "8", "7");
        d.Same("SUNIONSTORE", "u", "t");
        d.Same("SMEMBERS", "u");
        d.Same("SUNIONSTORE", "u", "t", "s");
        d.SameUnordered("SMEMBERS", "u");
        d.Same("SINTERSTORE", "i", "s", "s");
        d.SameUnordered("SMEMBERS", "i");
    }

    [Fact]
    public void SRem_Members_RemovesAndDeletesEmptySet()
    {
        Seq("SADD s 1 2 a", "SREM s 1 9 a a", "SMEMBERS s", "SREM s 2", "SCARD s", "GET s", "SREM s 2", "SREM missing a");
        Seq("SADD i 1 2 3", "SREM i x 2", "SMEMBERS i", "SREM i 1 3 4", "GET i");
    }

    [Theory]
    [InlineData("SADD str a")]
    [InlineData("SREM str a")]
    [InlineData("SCARD str")]
    [InlineData("SISMEMBER str a")]
    [InlineData("SMISMEMBER str a b")]
    [InlineData("SMEMBERS str")]
    [InlineData("SRANDMEMBER str")]
    [InlineData("SRANDMEMBER str 2")]
    [InlineData("SRANDMEMBER str -2")]
    [InlineData("SPOP str")]
    [InlineData("SPOP str 2")]
    [InlineData("SMOVE str s a")]
    [InlineData("SMOVE s str 1")]
    [InlineData("SINTER s str")]
    [InlineData("SINTER missing str")]
    [InlineData("SINTER str missing")]
    [InlineData("SINTERSTORE d s str")]
    [InlineData("SINTERCARD 2 s str")]
    [InlineData("SUNION s str")]
    [InlineData("SUNIONSTORE d s str")]
    [InlineData("SDIFF s str")]
    [InlineData("SDIFF str s")]
    [InlineData("SDIFFSTORE d s str")]
    [InlineData("SSCAN str 0")]
    [InlineData("SSCAN str x")]
    public void Command_KeyHoldingString_Wrongtype(string line)
    {
        Seq("SET str v", "SADD s 1 2");
        Same(line);
        Seq("GET str", "SMEMBERS s");
    }

    [Theory]
    [InlineData("SADD")]
    [InlineData("SADD s")]
    [InlineData("SREM s")]
    [InlineData("SCARD")]
    [InlineData("SCARD s t")]
    [InlineData("SISMEMBER s")]
    [InlineData("SISMEMBER s a b")]
    [InlineData("SMISMEMBER s")]
    [InlineData("SMEMBERS")]
    [InlineData("SMEMBERS s t")]
    [InlineData("SRANDMEMBER")]
    [InlineData("SPOP")]
    [InlineData("SMOVE s d")]
    [InlineData("SMOVE s d a b")]
    [InlineData("SINTER")]
    [InlineData("SINTERCARD 1")]
    [InlineData("SINTERSTORE d")]
    [InlineData("SUNION")]
    [InlineData("SUNIONSTORE d")]
    [InlineData("SDIFF")]
    [InlineData("SDIFFSTORE d")]
    [InlineData("SSCAN s")]
    public void Command_WrongArity_Error(string line) => Same(line);

    // --- SISMEMBER / SMISMEMBER / SMEMBERS ------------------------------------------------------------

    [Fact]
    public void SIsMember_VariousMembers_ReportsMembership()
    {
        Seq("SADD i 1 2 3", "SADD h a b 1", "SISMEMBER i 2", "SISMEMBER i 4", "SISMEMBER i a", "SISMEMBER h a",
            "SISMEMBER h 1", "SISMEMBER h c", "SISMEMBER missing a");
    }

    [Fact]
    public void SMIsMember_MixedMembers_ArrayOfFlags()
    {
        Seq("SADD i 1 2 3", "SADD h a b", "SMISMEMBER i 1 4 2 x 1", "SMISMEMBER h a z b", "SMISMEMBER missing a b",
            "HELLO 3", "SMISMEMBER h a z", "SMISMEMBER missing a", "HELLO 2");
    }

    [Fact]
    public void SMembers_Resp3_IsASet()
    {
        Seq("SADD i 3 1 2", "HELLO 3", "SMEMBERS i", "SMEMBERS missing", "SUNION i missing", "SINTER i i", "SDIFF i missing",
            "SINTER i missing", "SDIFF missing i", "HELLO 2");
    }

    // --- SRANDMEMBER ----------------------------------------------------------------------------------

    [Fact]
    public void SRandMember_EdgeCases_MatchRedis()
    {
        Seq("SADD i 5 1 3", "SRANDMEMBER missing", "SRANDMEMBER missing 3", "SRANDMEMBER missing -3", "SRANDMEMBER i 0",
            "SRANDMEMBER i 3", "SRANDMEMBER i 100", "SRANDMEMBER i 9223372036854775807", "SRANDMEMBER i -9223372036854775808",
            "SRANDMEMBER i 9223372036854775808", "SRANDMEMBER i x", "SRANDMEMBER i 1.5", "SRANDMEMBER i 1 2",
            "SRANDMEMBER missing x", "SADD one 7", "SRANDMEMBER one", "SRANDMEMBER one -3", "SRANDMEMBER one 1",
            "HELLO 3", "SRANDMEMBER i 0", "SRANDMEMBER missing 2", "SRANDMEMBER missing", "SRANDMEMBER i 10", "HELLO 2");
    }

    [Theory]
    [InlineData("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20")]
    [InlineData("a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3")]
    public void SRandMember_Counts_ReturnDistinctOrRepeatedMembers(string members)
    {
        Same("SADD s " + members);
        HashSet<string> all = [.. members.Split(' ')];
        foreach (ServerProcess server in new[] { _fixture.Redis, _fixture.Codis })
        {
            using RespConnection c = server.Connect();
            foreach (int count in new[] { 1, 2, 5, 7, 10, all.Count - 1 })
            {
                RespValue v = c.Command("SRANDMEMBER", "s", count.ToString());
                Assert.Equal(count, v.Count);
                Assert.Equal(count, Members(v).Count);
                Assert.Subset(all, Members(v));
            }
            RespValue neg = c.Command("SRANDMEMBER", "s", "-100");
            Assert.Equal(100, neg.Count);
            Assert.Subset(all, Members(neg));
            Assert.True(Members(neg).Count > 1);
            Assert.Contains(c.Command("SRANDMEMBER", "s").Text!, all);
        }
        Same("SCARD s");
    }

    // --- SPOP -----------------------------------------------------------------------------------------

    [Fact]
    public void SPop_EdgeCases_MatchRedis()
    {
        Seq("SPOP missing", "SPOP missing 2", "SADD i 3 1 2", "SPOP i 0", "SPOP i -1", "SPOP i x", "SPOP i 1 2",
            "SPOP i 9223372036854775808", "SPOP missing -1", "SPOP i 3", "GET i", "SADD j 4 2 3 1", "SPOP j 100", "SCARD j",
            "HELLO 3", "SPOP missing", "SPOP missing 1", "SADD k 2 1", "SPOP k 0", "SPOP k 2", "HELLO 2");
        Seq("SADD one x", "SPOP one", "GET one", "SADD h 3 1 2 x", "SREM h x", "SPOP h 5");
    }

    [Theory]
    [InlineData(30, 1)]
    [InlineData(30, 5)]
    [InlineData(30, 10)]
    [InlineData(30, 29)]
    [InlineData(600, 100)]
    [InlineData(600, 500)]
    public void SPop_WithCount_PopsDistinctMembersAndKeepsTheRest(int size, int count)
    {
        string members = Range(1, size);
        foreach (ServerProcess server in new[] { _fixture.Redis, _fixture.Codis })
        {
            using RespConnection c = server.Connect();
            c.Command(["SADD", "s", .. members.Split(' '), "x"]);
            RespValue popped = c.Command("SPOP", "s", count.ToString());
            Assert.Equal(count, popped.Count);
            HashSet<string> out1 = Members(popped);
            Assert.Equal(count, out1.Count);
            HashSet<string> rest = Members(c.Command("SMEMBERS", "s"));
            Assert.Equal(size + 1 - count, rest.Count);
            Assert.Empty(out1.Intersect(rest));
            Assert.Equal(size + 1, out1.Union(rest).Count());
            string one = c.Command("SPOP", "s").Text!;
            Assert.DoesNotContain(one, rest.Except([one]));
            Assert.Equal(size - count, c.Command("SCARD", "s").Integer);
        }
    }

    // --- SMOVE ----------------------------------------------------------------------------------------

    [Fact]
    public void SMove_AllBranches_MatchRedis()
    {
        Seq("SADD src 1 2 a", "SADD dst 3", "SMOVE src dst 1", "SMEMBERS dst", "SMOVE src dst 1", "SMOVE src dst zz",
            "SMOVE missing dst 1", "SMOVE src src 2", "SMOVE src src 9", "SMOVE src new a", "SMEMBERS new", "SMOVE src dst 2",
            "GET src", "SMEMBERS dst", "SMOVE dst new 3", "U SMEMBERS new", "SMOVE new dst a", "U SMEMBERS dst");
        Seq("SET str v", "SMOVE missing str 1", "SADD x 1", "SMOVE x str 1", "SMOVE str x 1", "SMEMBERS x");
    }

    [Fact]
    public void SMove_MemberAlreadyInDestination_RemovedFromSourceOnly()
    {
        Seq("SADD a 1 2", "SADD b 1", "SMOVE a b 1", "SMEMBERS a", "SMEMBERS b");
    }

    // --- SINTER / SINTERSTORE / SINTERCARD ------------------------------------------------------------

    [Fact]
    public void SInter_Sets_MatchRedis()
    {
        Seq("SADD a 1 2 3 4 5", "SADD b 3 4 5 6", "SADD c 4 5 x", "SINTER a b", "SINTER b a", "U SINTER a b c", "SINTER a",
            "SINTER a missing", "SINTER missing", "SINTER a a");
        Unordered("SINTER c a");
        Seq("SADD h1 x y z 1", "SADD h2 y z w 1", "SINTER h1 h1 h2 missing");
        Unordered("SINTER h1 h2");
    }

    [Fact]
    public void SInterStore_Results_StoredAsRedis()
    {
        Seq("SADD a 1 2 3 4 5", "SADD b 3 4 5 6", "SINTERSTORE d a b", "SMEMBERS d", "SINTERSTORE d a missing", "GET d",
            "SINTERSTORE d a missing", "SINTERSTORE a a b", "SMEMBERS a", "SET str v", "SINTERSTORE str a b", "SMEMBERS str",
            "SINTERSTORE d2 str2 missing", "SADD e 9", "SINTERSTORE a a e", "GET a");
    }

    [Fact]
    public void SInterStore_HashtablesOfIntegers_ResultIsIntset()
    {
        Same("SADD h1 x " + Range(1, 100));
        Same("SADD h2 y " + Range(50, 150));
        Seq("SINTERSTORE d h1 h2", "SMEMBERS d");
        AssertEncoding("d", intset: true);
        Same("SUNIONSTORE u h1 h2");
        AssertEncoding("u", intset: false);
    }

    [Fact]
    public void SInterCard_OptionsAndErrors_MatchRedis()
    {
        Seq("SADD a 1 2 3 4 5", "SADD b 3 4 5 6", "SINTERCARD 2 a b", "SINTERCARD 1 a", "SINTERCARD 2 a b LIMIT 1",
            "SINTERCARD 2 a b limit 2", "SINTERCARD 2 a b LIMIT 0", "SINTERCARD 2 a b LIMIT 100", "SINTERCARD 2 a b LIMIT -1",
            "SINTERCARD 2 a b LIMIT x", "SINTERCARD 2 a b LIMIT", "SINTERCARD 2 a b LIMIT 1 LIMIT 2", "SINTERCARD 2 a b FOO 1",
            "SINTERCARD 0 a", "SINTERCARD -1 a", "SINTERCARD x a", "SINTERCARD 9223372036854775808 a", "SINTERCARD 3 a b",
            "SINTERCARD 1 a b", "SINTERCARD 2 a missing", "SINTERCARD 1 missing", "SINTERCARD 2 a a");
    }

    // --- SUNION / SDIFF and their STORE forms ---------------------------------------------------------

    [Fact]
    public void SUnion_Sets_MatchRedis()
    {
        Seq("SADD a 1 2 3", "SADD b 3 4 -1", "SUNION a b", "SUNION a missing b", "SUNION missing", "SUNIONSTORE d a b",
            "SMEMBERS d", "SUNIONSTORE d missing", "GET d", "SUNIONSTORE d missing", "SUNIONSTORE a a b", "SMEMBERS a");
        Seq("SADD h x y");
        Unordered("SUNION a h");
        Seq("SUNIONSTORE d2 a h", "SCARD d2");
    }

    [Fact]
    public void SDiff_Sets_MatchRedis()
    {
        Seq("SADD a 1 2 3 4 5", "SADD b 3 4", "SADD c 5 x", "SDIFF a b", "SDIFF a b c", "SDIFF a a", "SDIFF a b a",
            "SDIFF missing a", "SDIFF a missing", "SDIFF b a", "SDIFFSTORE d a b", "SMEMBERS d", "SDIFFSTORE d a a", "GET d",
            "SDIFFSTORE d a a", "SDIFFSTORE d missing", "SDIFFSTORE a a b", "SMEMBERS a");
        Unordered("SDIFF c a");
    }

    [Fact]
    public void SDiffStore_BothAlgorithms_ResultEncodingAsRedis()
    {
        Same("SADD big " + Range(1, 600));
        Same("SADD s1 " + Range(1, 100));
        Same("SADD s2 " + Range(101, 200));
        Same("SADD s3 " + Range(201, 300));
        // One small set to subtract: Redis probes each member (algorithm 1), the result is built from scratch.
        Seq("SDIFFSTORE d1 big s1", "SCARD d1");
        AssertEncoding("d1", intset: true);
        Same("SMEMBERS d1");
        // Three: copying the first set then removing is cheaper (algorithm 2), so the copy's hash table stays.
        Seq("SDIFFSTORE d2 big s1 s2 s3", "SCARD d2");
        AssertEncoding("d2", intset: false);
        Unordered("SMEMBERS d2");
        Unordered("SDIFF big s1 s2 s3");
    }

    // --- SSCAN ----------------------------------------------------------------------------------------

    [Fact]
    public void SScan_OptionsAndErrors_MatchRedis()
    {
        Seq("SADD i 3 1 2 10 11", "SSCAN i 0", "SSCAN i 123", "SSCAN i 0 COUNT 1", "SSCAN i 0 MATCH 1*", "SSCAN i 0 match * count 2",
            "SSCAN i 0 COUNT 0", "SSCAN i 0 COUNT -1", "SSCAN i 0 COUNT x", "SSCAN i 0 MATCH", "SSCAN i 0 COUNT", "SSCAN i 0 TYPE set",
            "SSCAN i 0 FOO bar", "SSCAN i x", "SSCAN i -1", "SSCAN i +1", "SSCAN i 18446744073709551615", "SSCAN i 18446744073709551616",
            "SSCAN i 1x", "SSCAN missing 0", "SSCAN missing x", "SSCAN missing 0 COUNT 0", "HELLO 3", "SSCAN i 0", "SSCAN missing 0",
            "HELLO 2");
        _d.Same("SSCAN", "i", "");
        _d.Same("SSCAN", "i", " 1");
        _d.Same("SSCAN", "i", "-");
    }

    [Theory]
    [InlineData(null, "10")]
    [InlineData("1*", "10")]
    [InlineData("m?", "3")]
    [InlineData("*x*", "1000")]
    public void SScan_FullIterationOfHashtable_ReturnsEveryMember(string? pattern, string count)
    {
        Same("SADD s " + string.Join(' ', Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? "m" + i : i.ToString())) + " x");
        HashSet<string> expected = [];
        HashSet<string> actual = [];
        foreach ((RespConnection c, HashSet<string> into) in new[] { (_redis, expected), (_codis, actual) })
        {
            string cursor = "0";
            int calls = 0;
            do
            {
                List<string> args = ["SSCAN", "s", cursor, "COUNT", count];
                if (pattern is not null)
                    args.AddRange(["MATCH", pattern]);
                RespValue v = c.Command([.. args]);
                cursor = v[0].Text!;
                into.UnionWith(Members(v[1]));
                Assert.True(++calls < 10000);
            }
            while (cursor != "0");
        }
        Assert.Equal(expected.Order(), actual.Order());
        Assert.NotEmpty(expected);
    }

    // --- Random sequences ------------------------------------------------------------------------------

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void RandomSequence_DeterministicCommands_SameRepliesAsRedis(int seed)
    {
        var random = new Random(seed);
        string[] keys = ["a", "b", "c", "d"];
        string Key() => keys[random.Next(keys.Length)];
        // Mostly integers (intsets), sometimes words (hash tables).
        string Member() => random.Next(10) == 0 ? "w" + random.Next(5) : random.Next(-3, 25).ToString();
        string Members(int max) => string.Join(' ', Enumerable.Range(0, random.Next(1, max)).Select(_ => Member()));
        for (int i = 0; i < 400; i++)
        {
            string line = random.Next(12) switch
            {
                0 or 1 or 2 => $"SADD {Key()} {Members(30)}",
                3 or 4 => $"SREM {Key()} {Members(8)}",
                5 => $"SMOVE {Key()} {Key()} {Member()}",
                6 => $"SINTERSTORE {Key()} {Key()} {Key()}",
                7 => $"SUNIONSTORE {Key()} {Key()} {Key()}",
                8 => $"SDIFFSTORE {Key()} {Key()} {Key()} {Key()}",
                9 => $"SINTERCARD 3 {Key()} {Key()} {Key()} LIMIT {random.Next(4)}",
                10 => $"SMISMEMBER {Key()} {Members(5)}",
                _ => $"SCARD {Key()}",
            };
            Seq(line);
            // Where Redis holds an intset, its order (ascending) is part of the reply.
            string k = Key();
            bool intset = _redis.Command("OBJECT", "ENCODING", k).Text == "intset";
            Seq((intset ? "" : "U ") + "SMEMBERS " + k, "U SINTER " + Key() + " " + Key(), "U SUNION " + Key() + " " + Key(),
                "U SDIFF " + Key() + " " + Key());
        }
    }

    // --- MULTI and keyspace events --------------------------------------------------------------------

    [Fact]
    public void Commands_InsideMulti_MatchRedis()
    {
        Seq("MULTI", "SADD s 1 2", "SREM s 1", "SCARD s", "SPOP s 0", "SINTERCARD 0 s", "SMEMBERS s", "EXEC");
    }

    [Fact]
    public void Commands_KeyspaceEvents_SameSequenceAsRedis()
    {
        using RespConnection subRedis = _fixture.Redis.Connect();
        using RespConnection subCodis = _fixture.Codis.Connect();
        var sub = new DifferentialAssert(subRedis, subCodis);
        sub.Same("PSUBSCRIBE", "*");
        string[] commands =
        [
            "SADD s 1 2 3", "SADD s 1", "SREM s 9", "SREM s 1", "~ SPOP s", "SADD s 4 5 6 7", "~ SPOP s 1", "~ SPOP s 10", "SADD a 1 2",
            "SADD b 2 3", "SMOVE a b 1", "SMOVE a b 2", "SMOVE b c 3", "SINTERSTORE d a b", "SINTERSTORE d b b", "SINTERSTORE d b c", "SINTERSTORE d b c",
            "SUNIONSTORE u b c", "SUNIONSTORE u missing", "SDIFFSTORE f b c", "SDIFFSTORE f b b", "SREM b 1 2", "SREM c 3",
        ];
        Seq(commands);
        Same("PUBLISH marker end");
        var seenRedis = new List<string>();
        var seenCodis = new List<string>();
        foreach ((RespConnection c, List<string> seen) in new[] { (subRedis, seenRedis), (subCodis, seenCodis) })
        {
            while (true)
            {
                RespValue m = c.ReadValue();
                if (m[2].Text == "marker")
                    break;
                seen.Add($"{m[2].Text} {m[3].Text}");
            }
        }
        Assert.Equal(seenRedis, seenCodis);
        Assert.Contains("__keyevent@0__:sinterstore d", seenRedis);
        Assert.Contains("__keyevent@0__:del d", seenRedis);
    }
}
