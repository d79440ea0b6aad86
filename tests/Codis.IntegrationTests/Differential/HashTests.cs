using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Hash commands compared byte for byte against Redis 7.0 (unordered where Redis's order is a hash table's).</summary>
public sealed class HashTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    /// <summary>
    /// Runs commands written as <c>name|arg|arg</c> (an empty segment is an empty argument) on both servers;
    /// <c>!</c> first: setup not compared, <c>~</c> first: compared unordered.
    /// </summary>
    private void Run(params string[] commands)
    {
        using DiffSession d = servers.NewDiff();
        foreach (string line in commands)
        {
            // A leading '!' marks setup whose reply legitimately differs (HELLO's client id).
            if (line.StartsWith('!'))
                d.Both(line[1..].Split('|'));
            else if (line.StartsWith('~'))
                d.SameUnordered(line[1..].Split('|')); // a hash table answers in its own order
            else
                d.Same(line.Split('|'));
        }
    }

    [Fact]
    public void HSetHMSet_PairsAndArity_SameReplies() => Run(
        "hset|h|a|1|b|2|c|3", "hset|h|a|1|b", "hset|h", "hset|h|a", "hmset|h|a", "hmset|h|d|4|b|22", "hgetall|h",
        "hset|h|a|11|e|5", "hgetall|h", "hkeys|h", "hvals|h", "hlen|h", "HSET|h|a|x|a|y", "hget|h|a", "hgetall|h");

    [Fact]
    public void HashCommands_WrongType_SameErrors() => Run(
        "set|s|x", "hget|s|a", "hset|s|a|b", "hmset|s|a|b", "hmget|s|a", "hgetall|s", "hkeys|s", "hvals|s", "hrandfield|s",
        "hrandfield|s|1", "hscan|s|0", "hscan|s|x", "hincrby|s|a|1", "hincrby|s|a|x", "hincrbyfloat|s|a|1",
        "hincrbyfloat|s|a|x", "hdel|s|a", "hlen|s", "hstrlen|s|a", "hexists|s|a", "hsetnx|s|a|b", "get|s");

    [Fact]
    public void HGetHMGetHExistsHStrLen_MissingAndPresent_SameReplies() => Run(
        "hset|h|a|hello|empty|", "hget|h|a", "hget|h|zz", "hget|none|a", "hmget|h|a|zz|empty", "hmget|none|a|b",
        "hexists|h|a", "hexists|h|zz", "hexists|none|a", "hstrlen|h|a", "hstrlen|h|empty", "hstrlen|h|zz",
        "hstrlen|none|a", "hlen|h", "hlen|none", "hmget|h", "hget|h");

    [Fact]
    public void HDel_FieldsAndLastField_SameReplies() => Run(
        "hset|h|a|1|b|2|c|3", "hdel|h|b|zz", "hgetall|h", "hdel|h|zz", "hdel|none|a", "hdel|h|a|a|c", "hlen|h",
        "hgetall|h", "hset|h|x|1", "hdel|h");

    [Fact]
    public void HSetNx_ExistingAndNew_SameReplies() => Run(
        "hset|h|a|1", "hsetnx|h|a|x", "hsetnx|h|new|x", "hsetnx|other|f|v", "hgetall|h", "hgetall|other",
        "hsetnx|h|a");

    [Fact]
    public void ListpackOrder_UpdatesAndDeletes_InsertionOrderKept() => Run(
        "hset|h|z|1|y|2|x|3|w|4", "hset|h|y|20", "hdel|h|x", "hset|h|x|30", "hsetnx|h|v|5", "hincrby|h|z|5",
        "hincrbyfloat|h|w|0.5", "hgetall|h", "hkeys|h", "hvals|h", "hscan|h|0", "hrandfield|h|10", "hrandfield|h|10|withvalues",
        "hrandfield|h|-0|withvalues");

    [Fact]
    public void HIncrBy_OverflowAndErrors_SameReplies() => Run(
        "hincrby|h|a|5", "hincrby|h|a|-100", "hincrby|h|n|10", "hincrby|h|a|x", "hincrby|h|a|1.5",
        "hset|h|big|9223372036854775807", "hincrby|h|big|1", "hincrby|h|big|0", "hincrby|h|big|-1",
        "hset|h|small|-9223372036854775808", "hincrby|h|small|-1", "hincrby|h|small|9223372036854775807",
        "hset|h|sp| 1", "hincrby|h|sp|1", "hset|h|txt|abc", "hincrby|h|txt|1", "hset|h|f|1.0", "hincrby|h|f|1",
        "hincrby|none|f|3", "hgetall|none", "hincrby|none2|f|x", "hlen|none2", "hgetall|h");

    [Fact]
    public void HIncrByFloat_LongDoubleArithmetic_SameReplies() => Run(
        "hincrbyfloat|h|a|0.1", "hincrbyfloat|h|a|0.2", "hincrbyfloat|h|a|10.5", "hincrbyfloat|h|b|3.0e3",
        "hincrbyfloat|h|b|-3000", "hincrbyfloat|h|c|1e400", "hincrbyfloat|h|c|-1e400", "hincrbyfloat|h|d|5.0e3",
        "hincrbyfloat|h|d|2.0e2", "hincrbyfloat|h|e|1.5", "hincrbyfloat|h|e|.5", "hincrbyfloat|h|e|5.",
        "hincrbyfloat|h|e|+1", "hincrbyfloat|h|e|-0.0000001", "hincrbyfloat|h|e|0x10",
        "hincrbyfloat|h|e|123456789012345678901234567890", "hincrbyfloat|h|f|1.1", "hincrbyfloat|h|f|-1.1",
        "hincrbyfloat|h|g|-0.0", "hincrbyfloat|h|h|3.14159265358979323846264338327950288", "hincrbyfloat|h|h|1e-20",
        "hset|h|int|42", "hincrbyfloat|h|int|0.5", "hincrbyfloat|none|f|0.5", "~hgetall|h");

    [Fact]
    public void HIncrByFloat_BadValues_SameErrors() => Run(
        "hset|h|s|abc|inf|inf|e|1", "hincrbyfloat|h|e|inf", "hincrbyfloat|h|e|-inf", "hincrbyfloat|h|e|nan",
        "hincrbyfloat|h|e|x", "hincrbyfloat|h|e|1e-5000", "hincrbyfloat|h|e| 1", "hincrbyfloat|h|e|1 ", "hincrbyfloat|h|e|1e",
        "hincrbyfloat|h|e|", "hincrbyfloat|h|s|1", "hincrbyfloat|h|inf|1", "hincrbyfloat|h|i|1e4931",
        "hincrbyfloat|h|i|1e4931", "hincrbyfloat|none|e|x", "hlen|none", "~hgetall|h");

    [Fact]
    public void HGetAll_Resp3_MapReplies() => Run(
        "!hello|3", "hset|h|a|1|b|2", "hgetall|h", "hgetall|none", "hkeys|none", "hrandfield|h|5|withvalues",
        "hset|one|a|1", "hrandfield|one|-2|withvalues", "hrandfield|one|1|withvalues", "hrandfield|none|-1|withvalues", "hrandfield|none", "hmget|none|a", "hscan|h|0");

    [Fact]
    public void HRandField_CountsAndErrors_SameReplies() => Run(
        "hset|h|a|1|b|2|c|3", "hrandfield|none", "hrandfield|none|5", "hrandfield|none|-5|withvalues", "hrandfield|h|0",
        "hrandfield|h|3", "hrandfield|h|100", "hrandfield|h|100|withvalues", "hrandfield|h|100|WITHVALUES",
        "hrandfield|h|100|foo", "hrandfield|h|1|withvalues|x", "hrandfield|h|x", "hrandfield|h|x|withvalues",
        "hrandfield|h|-9223372036854775808", "hrandfield|h|-9223372036854775808|withvalues",
        "hrandfield|h|-9223372036854775807|withvalues", "hrandfield|h|4611686018427387904|withvalues",
        "hrandfield|h|4611686018427387903|withvalues", "hrandfield|h|-4611686018427387904|withvalues",
        "hrandfield|h|4611686018427387904", "hrandfield|none|0|withvalues");

    [Fact]
    public void HRandField_Sampling_ReturnsMembersOfRightSize()
    {
        using DiffSession d = servers.NewDiff();
        var args = new List<string> { "hset", "h" };
        for (int i = 0; i < 40; i++)
            args.AddRange(["f" + i, "v" + i]);
        d.Both([.. args]);
        d.Both("hset", "big", new string('x', 100), "y");
        foreach (string key in new[] { "h", "big" })
        {
            foreach (RespConnection conn in new[] { d.Redis, d.Codis })
            {
                int size = (int)conn.Command("hlen", key).Integer;
                RespValue one = conn.Command("hrandfield", key);
                Assert.Equal(RespType.BulkString, one.Type);
                Assert.Equal(1L, conn.Command("hexists", key, one.Text!).Integer);
                RespValue distinct = conn.Command("hrandfield", key, "5");
                Assert.Equal(Math.Min(5, size), distinct.Children!.Count);
                Assert.Equal(distinct.Children.Count, distinct.Children.Select(c => c.Text).Distinct().Count());
                RespValue repeated = conn.Command("hrandfield", key, "-60", "withvalues");
                Assert.Equal(120, repeated.Children!.Count);
                for (int i = 0; i < 120; i += 2)
                    Assert.Equal(repeated[i + 1].Text, conn.Command("hget", key, repeated[i].Text!).Text);
                RespValue many = conn.Command("hrandfield", key, "30", "withvalues");
                Assert.Equal(Math.Min(30, size) * 2, many.Children!.Count);
            }
        }
    }

    [Fact]
    public void HScan_ListpackCursorAndOptions_SameReplies() => Run(
        "hset|h|a1|1|a2|2|b1|3", "hscan|h|0", "hscan|h|0|count|1", "hscan|h|0|match|a*", "hscan|h|0|match|*",
        "hscan|h|0|MATCH|b?|COUNT|100", "hscan|h|0|count|0", "hscan|h|0|count|-1", "hscan|h|0|count|x",
        "hscan|h|0|type|string", "hscan|h|0|match", "hscan|h|0|novalues", "hscan|h|x", "hscan|h|-1", "hscan|h|+5",
        "hscan|h|", "hscan|h| 1", "hscan|h|18446744073709551615", "hscan|h|18446744073709551616", "hscan|h|-", "hscan|h|7",
        "hscan|none|0|foo", "hscan|none|x", "hscan|h");

    [Fact]
    public void HScan_Hashtable_ReturnsEveryFieldOnce()
    {
        using DiffSession d = servers.NewDiff();
        var args = new List<string> { "hset", "h" };
        for (int i = 0; i < 1000; i++)
            args.AddRange(["field:" + i, "v" + i]);
        d.Both([.. args]);
        d.Both("hset", "h", "other", "x");
        foreach (RespConnection conn in new[] { d.Redis, d.Codis })
        {
            var seen = new Dictionary<string, string>();
            string cursor = "0";
            int calls = 0;
            do
            {
                RespValue reply = conn.Command("hscan", "h", cursor, "match", "field:*", "count", "50");
                cursor = reply[0].Text!;
                for (int i = 0; i < reply[1].Children!.Count; i += 2)
                    seen[reply[1][i].Text!] = reply[1][i + 1].Text!;
                calls++;
            }
            while (cursor != "0");
            Assert.True(calls > 5);
            Assert.Equal(1000, seen.Count);
            Assert.Equal("v7", seen["field:7"]);
        }
        d.SameUnordered("hgetall", "h");
        d.SameUnordered("hkeys", "h");
        d.SameUnordered("hvals", "h");
        d.Same("hlen", "h");
    }

    [Fact]
    public void Hashtable_Commands_SameRepliesUnordered()
    {
        using DiffSession d = servers.NewDiff();
        d.SameSequence(
            ["hset", "h", "a", "1", "long", new string('v', 65)], ["hset", "h", "b", "2"], ["hdel", "h", "a"],
            ["hincrby", "h", "b", "5"], ["hincrbyfloat", "h", "c", "1.5"], ["hlen", "h"], ["hget", "h", "b"],
            ["hmget", "h", "a", "b", "c"], ["hstrlen", "h", "long"], ["hexists", "h", "long"], ["hsetnx", "h", "b", "9"],
            ["hrandfield", "h", "0"], ["hdel", "h", "b", "c", "long"], ["hlen", "h"]);
        d.Both("hset", "h2", "x", new string('y', 100), "z", "1");
        d.SameUnordered("hgetall", "h2");
        d.SameUnordered("hrandfield", "h2", "5", "withvalues");
    }

    [Fact]
    public void Encoding_ListpackToHashtableThresholds_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        if (d.Codis.Command("object", "help").IsError)
            return; // OBJECT comes with the key command family; until it is in the build this cannot run.
        string v64 = new('v', 64), v65 = new('v', 65);
        d.SameSequence(
            ["hset", "a", "f", v64], ["object", "encoding", "a"], ["hset", "a", "g", v65], ["object", "encoding", "a"],
            ["hdel", "a", "g"], ["object", "encoding", "a"],
            ["hset", "b", v65, "x"], ["object", "encoding", "b"],
            ["hsetnx", "c", "f", "1"], ["hsetnx", "c", "f", v65], ["object", "encoding", "c"], ["hsetnx", "c", "g", v65],
            ["object", "encoding", "c"],
            ["hincrby", "d", v65, "1"], ["object", "encoding", "d"], ["hincrbyfloat", "e", v65, "1"], ["object", "encoding", "e"],
            ["config", "set", "hash-max-listpack-entries", "3"], ["hset", "f", "1", "1", "2", "2", "3", "3"],
            ["object", "encoding", "f"], ["hset", "f", "4", "4"], ["object", "encoding", "f"], ["hdel", "f", "4", "3"],
            ["object", "encoding", "f"], ["hset", "g", "1", "1", "2", "2", "3", "3", "4", "4"], ["object", "encoding", "g"],
            ["config", "set", "hash-max-listpack-entries", "0"], ["hset", "h", "1", "1"], ["object", "encoding", "h"],
            ["config", "set", "hash-max-listpack-entries", "512"], ["config", "set", "hash-max-listpack-value", "0"],
            ["hset", "i", "", ""], ["object", "encoding", "i"], ["hset", "i", "a", ""], ["object", "encoding", "i"],
            ["config", "set", "hash-max-listpack-value", "64"]);
    }

    [Fact]
    public void ListpackThresholds_LargeEntryCount_OrderFollowsInsertion()
    {
        using DiffSession d = servers.NewDiff();
        var args = new List<string> { "hset", "h" };
        for (int i = 0; i < 512; i++)
            args.AddRange(["f" + (511 - i), i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        d.Same([.. args]);
        d.Same("hgetall", "h");
        d.Same("hscan", "h", "0");
        d.Same("hset", "h", "one-more", "x");
        d.SameUnordered("hgetall", "h");
    }
}
