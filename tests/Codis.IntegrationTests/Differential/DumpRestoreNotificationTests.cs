using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// Keyspace notifications and follow-up writes of RESTORE compared against Redis 7.0: "restore" for a
/// restored key, "del" when REPLACE with a past ABSTTL removes one, nothing for a failed or no-op RESTORE.
/// </summary>
public sealed class DumpRestoreNotificationTests(NotifyingServerPairFixture servers) : IClassFixture<NotifyingServerPairFixture>
{
    private readonly string _prefix = "r" + Guid.NewGuid().ToString("N")[..8] + ":";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Notifications_Restore_SameEventsInOrder()
    {
        string k = _prefix + "k", j = _prefix + "j";
        using RespConnection conn = servers.Redis.Connect();
        conn.Send("SET", _prefix + "src", "value");
        byte[] p = conn.Command("DUMP", _prefix + "src").Bytes!;
        byte[][][] commands =
        [
            [B("RESTORE"), B(k), B("0"), p],
            [B("RESTORE"), B(k), B("0"), p],
            [B("RESTORE"), B(k), B("0"), p, B("REPLACE")],
            [B("RESTORE"), B(k), B("1000"), p, B("ABSTTL"), B("REPLACE")],
            [B("RESTORE"), B(k), B("1000"), p, B("ABSTTL"), B("REPLACE")],
            [B("RESTORE"), B(j), B("100000"), p],
            [B("RESTORE"), B(j), B("0"), B("bad"), B("REPLACE")],
            [B("RESTORE"), B(j), B("0"), p, B("REPLACE"), B("IDLETIME"), B("5")],
        ];
        KeyspaceEvents.AssertSame(servers, _prefix + "zz-marker", commands);
    }

    [Fact]
    public void RestoredValues_AcceptFurtherWrites()
    {
        using DiffSession d = servers.NewDiff();
        string[][] setup =
        [
            ["SET", "s", "10"], ["RPUSH", "l", "a", "b"], ["HSET", "h", "f", "v"], ["SADD", "i", "1", "2"],
            ["SADD", "t", "x", "y"], ["ZADD", "z", "1", "a", "2", "b"], ["PFADD", "p", "a", "b"],
        ];
        foreach (string[] cmd in setup)
            d.Redis.Send(cmd);
        foreach (string key in new[] { "s", "l", "h", "i", "t", "z", "p" })
        {
            byte[] payload = d.Redis.Command("DUMP", key).Bytes!;
            Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(d.Codis.SendBytes(B("RESTORE"), B(key), B("0"), payload)));
        }
        string[][] writes =
        [
            ["INCR", "s"], ["APPEND", "s", "x"], ["GET", "s"], ["LPUSH", "l", "z"], ["LRANGE", "l", "0", "-1"],
            ["HSET", "h", "g", "w"], ["HGETALL", "h"], ["SADD", "i", "x"], ["OBJECT", "ENCODING", "i"], ["SREM", "t", "x"],
            ["SMEMBERS", "t"], ["ZINCRBY", "z", "5", "a"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["PFADD", "p", "c"],
            ["PFCOUNT", "p"], ["GET", "p"],
        ];
        foreach (string[] cmd in writes)
        {
            if (cmd[0] is "HGETALL" or "SMEMBERS")
                d.SameUnordered(cmd);
            else
                d.Same(cmd);
        }
    }
}
