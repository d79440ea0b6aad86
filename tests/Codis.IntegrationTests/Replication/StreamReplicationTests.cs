using System.Text;
using System.Text.RegularExpressions;
using Codis.TestSupport;
using static Codis.IntegrationTests.Replication.ReplicationAssert;

namespace Codis.IntegrationTests.Replication;

/// <summary>
/// Streams over replication between real processes, in the three pairings with Debian's redis-server: the
/// full sync carries the stream with its groups, then the propagated effects (XADD with the generated ID,
/// ~ trims as exact ones, XREADGROUP and XCLAIM/XAUTOCLAIM as XCLAIM ... FORCE JUSTID, NOACK reads as
/// XGROUP SETID) leave the replica with the master's entries, groups, PELs and delivery counts.
/// </summary>
public sealed partial class StreamReplicationTests
{
    private static ServerProcess Start(string kind) => kind == "redis" ? ServerProcess.StartRedis() : ServerProcess.StartCodis();

    private static void Ok(RespConnection c, params string[] args)
    {
        RespValue r = c.Command(args);
        Assert.False(r.IsError, $"{string.Join(' ', args)}: {r}");
    }

    // A consumer's seen-time is the clock of whoever applied the command (the replica applies the XCLAIM
    // later), and idle times are read at different instants: both are masked. So are a group's
    // entries-read and lag: Redis 7.0 propagates XREADGROUP as XCLAIM ... LASTID, which moves the group's
    // last ID but not its read counter, so a Redis replica's counter differs from its master's too.
    [GeneratedRegex(@"(seen-time\r\n|idle\r\n|entries-read\r\n|lag\r\n)(?::\d+|_|\$-1)\r\n")]
    private static partial Regex ClockFields();

    [GeneratedRegex(@"(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n")]
    private static partial Regex PendingIdle();

    private static Dictionary<string, string> Describe(RespConnection c)
    {
        var d = new Dictionary<string, string>();
        foreach (string key in new[] { "s", "t", "mk" })
        {
            d[key + " full"] = ClockFields().Replace(Encoding.UTF8.GetString(c.Send("XINFO", "STREAM", key, "FULL", "COUNT", "0")), "$1:T\r\n");
            d[key + " groups"] = ClockFields().Replace(Encoding.UTF8.GetString(c.Send("XINFO", "GROUPS", key)), "$1:T\r\n");
            d[key + " range"] = Encoding.UTF8.GetString(c.Send("XRANGE", key, "-", "+"));
        }
        d["pending"] = Encoding.UTF8.GetString(c.Send("XPENDING", "s", "g"));
        d["pending ext"] = PendingIdle().Replace(Encoding.UTF8.GetString(c.Send("XPENDING", "s", "g", "-", "+", "100")), "$1:T\r\n");
        d["consumers"] = ClockFields().Replace(Encoding.UTF8.GetString(c.Send("XINFO", "CONSUMERS", "s", "g")), "$1:T\r\n");
        return d;
    }

    private static void AssertSame(Dictionary<string, string> expected, Dictionary<string, string> actual)
    {
        foreach ((string what, string value) in expected)
        {
            string other = actual[what];
            int at = 0;
            while (at < value.Length && at < other.Length && value[at] == other[at])
                at++;
            int from = Math.Max(0, at - 80);
            Assert.True(value == other, $"{what} differs at {at}\nmaster:  {value[from..]}\nreplica: {other[from..]}");
        }
    }

    [Theory]
    [InlineData("codis", "codis")]
    [InlineData("codis", "redis")]
    [InlineData("redis", "codis")]
    public void Streams_FullSyncThenCommands_ReplicaHoldsSameGroupsAndPending(string masterKind, string replicaKind)
    {
        using ServerProcess master = Start(masterKind);
        using ServerProcess replica = Start(replicaKind);
        using RespConnection m = master.Connect();
        using RespConnection r = replica.Connect();
        Ok(m, "XADD", "s", "1-1", "a", "1");
        Ok(m, "XADD", "s", "2-1", "b", "2");
        Ok(m, "XGROUP", "CREATE", "s", "g", "0");
        Ok(m, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">");
        Ok(r, "SLAVEOF", "127.0.0.1", master.Port.ToString());
        WaitInSync(m, r);
        AssertSame(Describe(m), Describe(r));

        // The streamed part: every command whose effect the master rewrites.
        Ok(m, "XADD", "s", "*", "c", "3");
        Ok(m, "XADD", "s", "MAXLEN", "~", "1", "*", "d", "4");
        for (int i = 0; i < 120; i++)
            Ok(m, "XADD", "t", "*", "n", i.ToString());
        Ok(m, "XADD", "t", "MAXLEN", "~", "10", "*", "n", "last");
        Ok(m, "XTRIM", "t", "MINID", "~", "0");
        Ok(m, "XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">");
        Ok(m, "XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0");
        Ok(m, "XACK", "s", "g", "1-1");
        Ok(m, "XCLAIM", "s", "g", "carol", "0", "2-1", "RETRYCOUNT", "9");
        Ok(m, "XDEL", "s", "2-1");
        Ok(m, "XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "1");
        Ok(m, "XGROUP", "CREATE", "s", "quiet", "0");
        Ok(m, "XREADGROUP", "GROUP", "quiet", "q", "NOACK", "STREAMS", "s", ">");
        Ok(m, "XGROUP", "CREATECONSUMER", "s", "g", "erin");
        Ok(m, "XGROUP", "DELCONSUMER", "s", "g", "bob");
        Ok(m, "XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM");
        Ok(m, "XSETID", "mk", "5-5", "ENTRIESADDED", "7", "MAXDELETEDID", "3-3");
        Ok(m, "XGROUP", "SETID", "mk", "g", "4-4", "ENTRIESREAD", "2");
        WaitInSync(m, r);
        AssertSame(Describe(m), Describe(r));
        Assert.Equal(m.Command("XLEN", "t").Integer, r.Command("XLEN", "t").Integer);
    }
}
