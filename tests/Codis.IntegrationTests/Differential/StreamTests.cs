using System.Text;
using System.Text.RegularExpressions;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// Stream commands compared byte for byte against Redis 7.0. Explicit IDs keep replies deterministic;
/// where a reply holds an idle time or a clock reading, <c>#</c> first compares it with those masked.
/// </summary>
public sealed partial class StreamTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    /// <summary>
    /// Runs commands written as <c>name|arg|arg</c> on both servers; <c>!</c> first: setup not compared,
    /// <c>#</c> first: compared with times masked.
    /// </summary>
    private void Run(params string[] commands)
    {
        using DiffSession d = servers.NewDiff();
        foreach (string line in commands)
        {
            if (line.StartsWith('!'))
            {
                d.Both(line[1..].Split('|'));
            }
            else if (line.StartsWith('#'))
            {
                string[] args = line[1..].Split('|');
                string expected = MaskTimes(d.Redis.Send(args));
                string actual = MaskTimes(d.Codis.Send(args));
                Assert.True(expected == actual, $"{line[1..]}\nredis: {expected}\ncodis: {actual}");
            }
            else
            {
                d.Same(line.Split('|'));
            }
        }
    }

    // Idle times (XPENDING's third element, XINFO CONSUMERS' idle) and clock readings (XINFO FULL's
    // seen-time and delivery times) differ by the milliseconds between the two servers' calls.
    private static string MaskTimes(byte[] reply)
    {
        string s = Encoding.Latin1.GetString(reply);
        s = IdleInPending().Replace(s, "$1:T\r\n");
        s = NamedTime().Replace(s, "$1:T\r\n");
        s = FullPending().Replace(s, "$1:T\r\n");
        return s;
    }

    [GeneratedRegex(@"(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n")]
    private static partial Regex IdleInPending();

    [GeneratedRegex(@"(\$(?:4|9)\r\n(?:idle|seen-time)\r\n):\d+\r\n")]
    private static partial Regex NamedTime();

    [GeneratedRegex(@"(\*3\r\n\$\d+\r\n\d+-\d+\r\n):\d+\r\n")]
    private static partial Regex FullPending();

    [Fact]
    public void XAdd_ExplicitAndPartialIds_SameReplies() => Run(
        "xadd|s|1-1|a|1|b|2", "xadd|s|1-1|a|1", "xadd|s|1-0|a|1", "xadd|s|1-*|c|3", "xadd|s|5|d|4", "xadd|s|5-*|e|5",
        "xadd|s|0-0|x|y", "xadd|e|0-0|x|y", "exists|e", "xadd|s|bad|x|y", "xadd|s|1-x|x|y", "xadd|s|-|x|y", "xadd|s|+|x|y",
        "xadd|s|7-1|x", "xadd|s|7-1|x|y|z", "xadd|s", "xadd|s|7-1", "xadd|s|18446744073709551615-18446744073709551615|a|b",
        "xadd|s|*|a|b", "xadd|s|18446744073709551615-*|a|b", "xrange|s|-|+", "xlen|s", "xlen|none", "type|s", "object|encoding|s",
        "!set|str|x", "scan|0|type|stream", "scan|0|type|string", "copy|s|s2", "xrange|s2|-|+", "type|s2");

    [Fact]
    public void XAdd_NoMkStreamAndTrimOptions_SameReplies() => Run(
        "xadd|n|nomkstream|1-1|a|b", "exists|n", "xadd|s|1-1|a|b", "xadd|s|nomkstream|2-1|a|b", "xadd|s|maxlen|1|3-1|c|d",
        "xrange|s|-|+", "xadd|s|maxlen|=|1|4-1|c|d", "xadd|s|maxlen|~|1|5-1|e|f", "xlen|s", "xadd|s|minid|5-1|6-1|g|h",
        "xrange|s|-|+", "xadd|s|minid|~|6|7-1|a|b", "xadd|s|maxlen|1|minid|1|8-1|a|b", "xadd|s|minid|1|maxlen|1|8-1|a|b",
        "xadd|s|limit|10|8-1|a|b", "xadd|s|maxlen|1|limit|10|8-1|a|b", "xadd|s|maxlen|~|1|limit|10|8-1|a|b",
        "xadd|s|maxlen|-1|9-1|a|b", "xadd|s|maxlen|x|9-1|a|b", "xadd|s|limit|-1|9-1|a|b", "xadd|s|minid|bad|9-1|a|b",
        "xrange|s|-|+", "xinfo|stream|s");

    [Fact]
    public void XRangeXRevRange_BoundsAndCount_SameReplies() => Run(
        "!xadd|s|1-1|a|1", "!xadd|s|1-2|b|2", "!xadd|s|2-0|c|3", "!xadd|s|3-5|d|4", "!xadd|s|18446744073709551615-0|e|5",
        "xrange|s|-|+", "xrange|s|1|1", "xrange|s|1-2|3", "xrange|s|(1-1|+", "xrange|s|-|(2-0", "xrange|s|(1-1|(3-5",
        "xrange|s|(18446744073709551615-18446744073709551615|+", "xrange|s|-|(0-0", "xrange|s|(-|+", "xrange|s|-|(+",
        "xrange|s|3|1", "xrange|s|-|+|count|2", "xrange|s|-|+|COUNT|0", "xrange|s|-|+|count|-1", "xrange|s|-|+|count",
        "xrange|s|-|+|limit|1", "xrange|s|x|+", "xrange|s|-|x", "xrevrange|s|+|-", "xrevrange|s|+|-|count|2",
        "xrevrange|s|(3-5|(1-1", "xrevrange|s|1|3", "xrange|none|-|+", "xrevrange|none|+|-", "xrange|s|2|2");

    [Fact]
    public void XDelXTrimXSetId_Counters_SameReplies() => Run(
        "!xadd|s|1-1|a|1", "!xadd|s|2-1|b|2", "!xadd|s|3-1|c|3", "!xadd|s|4-1|d|4", "xdel|s|2-1|9-9|2-1", "xdel|s|bad",
        "xdel|s|1-1|bad", "xlen|s", "xdel|none|1-1", "xinfo|stream|s", "xdel|s|1-1", "xinfo|stream|s", "xtrim|s|maxlen|1",
        "xtrim|s|maxlen|1", "xtrim|s", "xtrim|s|minid", "xtrim|s|limit|1|maxlen|1", "xtrim|s|maxlen|~|0", "xtrim|s|foo|1",
        "xtrim|none|maxlen|0", "xtrim|s|minid|5", "xinfo|stream|s", "xsetid|s|1-0", "xsetid|s|10-0", "xsetid|s|10-0|entriesadded|0",
        "xsetid|s|20-0|entriesadded|-1", "xsetid|s|20-0|maxdeletedid|30-0", "xsetid|s|20-0|entriesadded|50|maxdeletedid|15-0",
        "xsetid|s|20-0|bogus|1", "xsetid|none|1-1", "xsetid|s|bad", "xinfo|stream|s", "xadd|s|20-0|a|b", "xadd|s|20-*|a|b");

    [Fact]
    public void StreamCommands_WrongType_SameErrors() => Run(
        "set|k|x", "xadd|k|*|a|b", "xrange|k|-|+", "xrevrange|k|+|-", "xlen|k", "xdel|k|1-1", "xtrim|k|maxlen|1",
        "xsetid|k|1-1", "xread|streams|k|0", "xreadgroup|group|g|c|streams|k|>", "xgroup|create|k|g|0",
        "xgroup|create|k|g|0|mkstream", "xack|k|g|1-1", "xpending|k|g", "xclaim|k|g|c|0|1-1", "xautoclaim|k|g|c|0|0",
        "xinfo|stream|k", "xinfo|groups|k", "xinfo|consumers|k|g", "get|k");

    [Fact]
    public void XRead_Forms_SameReplies() => Run(
        "!xadd|a|1-1|f|1", "!xadd|a|2-1|f|2", "!xadd|b|1-1|g|1", "xread|streams|a|0", "xread|count|1|streams|a|b|0|0",
        "xread|streams|a|b|1-1|1-1", "xread|streams|a|b|$|$", "xread|streams|a|2-1", "xread|streams|none|0",
        "xread|streams|a", "xread|streams|a|b|0", "xread|count|x|streams|a|0", "xread|count|-5|streams|a|0",
        "xread|group|g|c|streams|a|0", "xread|noack|streams|a|0", "xread|streams|a|>", "xread|streams|a|bad",
        "xread|a|0", "xread|bogus|streams|a|0", "xread|block|x|streams|a|0", "xread|block|-1|streams|a|0",
        "xread|block|0|streams|a|0", "xread|block|10|streams|a|$", "xread|block|10|streams|none|$");

    [Fact]
    public void XRead_Resp3_MapReply() => Run(
        "!xadd|a|1-1|f|1", "!xadd|b|1-1|g|1", "!hello|3", "xread|streams|a|b|0|0", "xread|streams|a|$",
        "xrange|a|-|+", "xinfo|stream|a", "xinfo|stream|a|full");

    [Fact]
    public void XGroup_CreateSetIdDestroyConsumers_SameReplies() => Run(
        "xgroup|create|s|g|$", "xgroup|create|s|g|$|mkstream", "xgroup|create|s|g|$", "xgroup|create|s|g|0",
        "!xadd|s|1-1|a|1", "!xadd|s|2-1|b|2", "xgroup|create|s|g2|0|entriesread|0", "xgroup|create|s|g3|1-1|entriesread|-1",
        "xgroup|create|s|g4|0|entriesread|-5", "xgroup|create|s|g4|0|entriesread|x", "xgroup|create|s|g4|0|foo",
        "xgroup|create|s|g4|bad", "xgroup|create|s|g4|-", "xgroup|create|s|g4|0|mkstream|entriesread|1|x", "xinfo|groups|s",
        "xgroup|setid|s|g|0", "xgroup|setid|s|g|$|entriesread|2", "xgroup|setid|s|g|-", "xgroup|setid|s|nog|0",
        "xgroup|setid|s|g|0|mkstream", "xgroup|setid|s|g|0|entriesread", "xgroup|setid|s|g|bad", "xinfo|groups|s",
        "xgroup|createconsumer|s|g|c1", "xgroup|createconsumer|s|g|c1", "xgroup|createconsumer|s|nog|c1",
        "xgroup|delconsumer|s|g|c1", "xgroup|delconsumer|s|g|c1", "xgroup|delconsumer|s|nog|c1",
        "xgroup|destroy|s|g3", "xgroup|destroy|s|g3", "xgroup|destroy|none|g", "xgroup|create|none|g|0",
        "xgroup|createconsumer|none|g|c", "xgroup|help", "xgroup|help|x", "xgroup|foo", "xgroup", "xgroup|create|s",
        "xgroup|destroy|s", "xgroup|destroy|s|g|x", "xinfo|groups|s", "xinfo|help", "xinfo|foo", "xinfo|stream",
        "xinfo|stream|none", "xinfo|groups|none", "xinfo|consumers|s|nog", "xinfo|stream|s|full|count", "xinfo|stream|s|foo",
        "xinfo|stream|s|full|x|1", "xinfo|stream|s|full|count|x");

    [Fact]
    public void XReadGroup_AckPendingClaim_SameReplies() => Run(
        "!xgroup|create|s|g|$|mkstream", "!xadd|s|1-1|a|1", "!xadd|s|2-1|b|2", "!xadd|s|3-1|c|3", "!xgroup|create|s|g2|0|entriesread|0",
        "xinfo|groups|s", "xreadgroup|group|g|c1|count|1|streams|s|>", "xreadgroup|group|g2|c1|count|2|streams|s|>",
        "xreadgroup|group|g2|c2|streams|s|>", "xreadgroup|group|g2|c2|streams|s|>", "xreadgroup|group|g2|c1|streams|s|0",
        "xreadgroup|group|g2|c1|count|1|streams|s|1-1", "xreadgroup|group|g2|nobody|streams|s|0", "xinfo|groups|s",
        "xpending|s|g2", "#xpending|s|g2|-|+|10", "#xpending|s|g2|-|+|10|c2", "#xpending|s|g2|idle|0|-|+|10",
        "xpending|s|g2|idle|100000|-|+|10", "xpending|s|g2|-|+|10|nobody", "#xpending|s|g2|(1-1|(3-1|10", "xpending|s|g2|-|+",
        "xpending|s|g2|-|+|x", "xpending|s|g2|idle|x|-|+|1", "xpending|s|g2|idle|0|-|+", "xpending|s|nog", "xpending|none|g",
        "xpending|s|g2|x|+|1", "xack|s|g2|1-1|9-9|1-1", "xack|s|g2|bad", "xack|s|nog|1-1", "xack|none|g|1-1", "xpending|s|g2",
        "xclaim|s|g2|c3|0|2-1|justid", "#xpending|s|g2|-|+|10", "xclaim|s|g2|c3|0|3-1|idle|0|retrycount|5", "#xpending|s|g2|-|+|10",
        "xclaim|s|g2|c3|3600000|3-1", "xclaim|s|g2|c4|0|1-1", "xclaim|s|g2|c4|0|1-1|force|justid", "#xpending|s|g2|-|+|10",
        "xclaim|s|g2|c4|0|2-1|time|1|justid|lastid|9-0", "xinfo|groups|s", "xclaim|s|g2|c|x|1-1", "xclaim|s|g2|c|0|1-1|bogus",
        "xclaim|s|g2|c|0|1-1|idle|x", "xclaim|s|g2|c|0|1-1|time|x", "xclaim|s|g2|c|0|1-1|retrycount|x", "xclaim|s|g2|c|0|1-1|lastid|x",
        "xclaim|s|nog|c|0|1-1", "xclaim|none|g|c|0|1-1", "xdel|s|2-1", "xautoclaim|s|g2|c5|0|0|count|10|justid",
        "#xpending|s|g2|-|+|10", "xautoclaim|s|g2|c5|0|0|count|1", "xautoclaim|s|g2|c5|0|(1-1", "xautoclaim|s|g2|c5|3600000|0",
        "xautoclaim|s|g2|c|0|0|count|0", "xautoclaim|s|g2|c|0|0|count|x", "xautoclaim|s|g2|c|x|0", "xautoclaim|s|g2|c|0|x",
        "xautoclaim|s|g2|c|0|0|bogus", "xautoclaim|s|nog|c|0|0", "xautoclaim|none|g|c|0|0", "#xinfo|consumers|s|g2",
        "xgroup|delconsumer|s|g2|c5", "xpending|s|g2", "xinfo|groups|s", "#xinfo|stream|s|full", "#xinfo|stream|s|full|count|1",
        "xreadgroup|group|nog|c|streams|s|>", "xreadgroup|group|g2|c|streams|s|$", "xreadgroup|streams|s|>",
        "xreadgroup|group|g2|c|streams|s|bad", "xreadgroup|group|g2|c|streams|none|>", "xreadgroup|group|g2|c|streams|s");

    [Fact]
    public void XReadGroup_NoAckAndLag_SameReplies() => Run(
        "!xadd|s|1-1|a|1", "!xadd|s|2-1|b|2", "!xgroup|create|s|g|0", "xreadgroup|group|g|c|noack|count|1|streams|s|>",
        "xpending|s|g", "xinfo|groups|s", "xdel|s|2-1", "xinfo|groups|s", "!xadd|s|3-1|c|3", "xinfo|groups|s",
        "xreadgroup|group|g|c|noack|streams|s|>", "xinfo|groups|s", "xgroup|setid|s|g|0", "xinfo|groups|s",
        "xgroup|setid|s|g|$", "xinfo|groups|s", "xsetid|s|3-1|entriesadded|10|maxdeletedid|3-0", "xinfo|groups|s",
        "xinfo|stream|s", "xtrim|s|maxlen|0", "xinfo|groups|s", "xinfo|stream|s");

    [Fact]
    public void StreamCommands_InMultiAndScripts_BlockActsAsNonBlocking() => Run(
        "!xadd|s|1-1|a|1", "!xgroup|create|s|g|$", "multi", "xread|block|0|streams|s|$", "xreadgroup|group|g|c|block|0|streams|s|>",
        "xadd|s|2-1|b|2", "exec", "eval|return redis.call('xread','block','0','streams',KEYS[1],'$')|1|s",
        "eval|return redis.call('xread','streams',KEYS[1],'0')|1|s", "eval|return redis.call('xadd',KEYS[1],'9-9','f','v')|1|s",
        "xrange|s|-|+");
}
