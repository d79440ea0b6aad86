using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Replication;

/// <summary>Helpers of the replication tests: INFO parsing, polling, a dataset of every type, comparison.</summary>
public static class ReplicationAssert
{
    /// <summary>The databases the dataset uses.</summary>
    public static readonly int[] Dbs = [0, 1, 5];

    /// <summary>INFO &lt;section&gt; as a field map.</summary>
    public static Dictionary<string, string> Info(RespConnection c, string section = "replication")
    {
        string text = c.Command("INFO", section).Text ?? "";
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                map[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return map;
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> after 30 s.</summary>
    public static void Eventually(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("Timed out waiting for: " + what);
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits until the replica's link is up and its offset reached the master's.</summary>
    public static void WaitInSync(RespConnection master, RespConnection replica)
    {
        Eventually(() => Info(replica).GetValueOrDefault("master_link_status") == "up", "master_link_status:up");
        Eventually(() =>
        {
            long m = long.Parse(Info(master)["master_repl_offset"]);
            return long.Parse(Info(replica)["slave_repl_offset"]) >= m;
        }, "replica offset reaching the master's");
    }

    /// <summary>Writes one key of every type in each of <see cref="Dbs"/> (tag: distinguishes rounds), some with expiries.</summary>
    public static void Populate(RespConnection c, string tag)
    {
        foreach (int db in Dbs)
        {
            Ok(c.Command("SELECT", db.ToString()));
            Ok(c.Command("SET", $"str:{tag}", $"value-{db}"));
            Ok(c.Command("SET", $"int:{tag}", "12345"));
            Ok(c.Command("SET", $"ttl:{tag}", "soon", "EX", "1000"));
            c.Command("RPUSH", $"list:{tag}", "a", "b", "c", new string('x', 100));
            c.Command("SADD", $"set:{tag}", "1", "2", "3");
            c.Command("SADD", $"sset:{tag}", "x", "y", new string('z', 80));
            c.Command("HSET", $"hash:{tag}", "f1", "v1", "f2", "v2");
            c.Command("ZADD", $"zset:{tag}", "1.5", "m1", "2", "m2", "-3", "m3");
            c.Command("PFADD", $"hll:{tag}", "a", "b", "c");
            c.Command("EXPIRE", $"hash:{tag}", "5000");
        }
        var big = new StringBuilder();
        for (int i = 0; i < 300; i++)
            c.Command("ZADD", $"bigzset:{tag}", i.ToString(), "member" + i);
        for (int i = 0; i < 600; i++)
            big.Append(i).Append(' ');
        string[] sadd = ["SADD", $"bigset:{tag}", .. big.ToString().Trim().Split(' ')];
        c.Command(sadd);
        Ok(c.Command("SELECT", "0"));
    }

    private static void Ok(RespValue v) => Assert.False(v.IsError, v.ToString());

    /// <summary>Asserts both servers hold the same keys, values and (approximately) expiries in every database of the dataset.</summary>
    public static void SameData(RespConnection expected, RespConnection actual)
    {
        foreach (int db in Dbs)
        {
            expected.Command("SELECT", db.ToString());
            actual.Command("SELECT", db.ToString());
            string[] keys = Keys(expected);
            Assert.Equal(keys, Keys(actual));
            foreach (string key in keys)
            {
                Assert.Equal(Dump(expected, key), Dump(actual, key));
                bool expires = expected.Command("PTTL", key).Integer > 0;
                Assert.Equal(expires, actual.Command("PTTL", key).Integer > 0);
            }
        }
        expected.Command("SELECT", "0");
        actual.Command("SELECT", "0");
    }

    private static string[] Keys(RespConnection c) =>
        [.. c.Command("KEYS", "*").Children!.Select(x => x.Text!).Order(StringComparer.Ordinal)];

    /// <summary>A key's type and content in a server-independent form.</summary>
    public static string Dump(RespConnection c, string key)
    {
        string type = c.Command("TYPE", key).Text!;
        IEnumerable<string> items = type switch
        {
            "string" => [c.Command("GET", key).Text!],
            "list" => c.Command("LRANGE", key, "0", "-1").Children!.Select(x => x.Text!),
            "set" => c.Command("SMEMBERS", key).Children!.Select(x => x.Text!).Order(StringComparer.Ordinal),
            "hash" => c.Command("HGETALL", key).Children!.Select(x => x.Text!).Chunk(2).Select(p => p[0] + "=" + p[1]).Order(StringComparer.Ordinal),
            "zset" => c.Command("ZRANGE", key, "0", "-1", "WITHSCORES").Children!.Select(x => x.Text!),
            _ => [type],
        };
        return type + ":" + string.Join(",", items);
    }
}
