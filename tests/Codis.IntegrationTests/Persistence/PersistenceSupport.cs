using System.Globalization;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Persistence;

/// <summary>Helpers of the persistence tests: datasets of every type, canonical reads, polling.</summary>
internal static class PersistenceSupport
{
    public static string I(long i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Fills databases 0 and 3 with every type in small and large encodings, with expiries.</summary>
    public static void FillEveryType(RespConnection c)
    {
        Ok(c.Command("SELECT", "0"));
        c.Command("SET", "str", "hello");
        c.Command("SET", "int8", "-12");
        c.Command("SET", "int32", "1234567890");
        c.Command("SET", "int64", "12345678901234");
        c.Command("SET", "lzf", new string('x', 200) + "tail");
        c.Command("SET", "binary", "\u0001\u0002\u00ff");
        c.Command("RPUSH", "list-small", "a", "b", "3");
        c.Command(["RPUSH", "list-large", .. Enumerable.Range(0, 1000).Select(i => "element-" + I(i))]);
        c.Command("SADD", "intset", "1", "-5", "70000", "5000000000");
        c.Command("SADD", "set-small", "a", "b", "c");
        c.Command(["SADD", "set-large", .. Enumerable.Range(0, 600).Select(i => "m" + I(i))]);
        c.Command("HSET", "hash-small", "f1", "v1", "f2", "2");
        c.Command(["HSET", "hash-large", .. Enumerable.Range(0, 600).SelectMany(i => new[] { "f" + I(i), "v" + I(i) })]);
        c.Command("HSET", "hash-long", "f", new string('v', 100));
        c.Command("ZADD", "zset-small", "1", "a", "2.5", "b", "-inf", "c");
        c.Command(["ZADD", "zset-large", .. Enumerable.Range(0, 300).SelectMany(i => new[] { I(i) + ".25", "m" + I(i) })]);
        c.Command("SET", "volatile", "v", "EX", "10000");
        c.Command("HSET", "volatile-hash", "f", "v");
        c.Command("PEXPIRE", "volatile-hash", "20000000");
        Ok(c.Command("SELECT", "3"));
        c.Command("SET", "db3-key", "db3-value");
        c.Command("RPUSH", "db3-list", "x");
        Ok(c.Command("SELECT", "0"));
    }

    /// <summary>
    /// The whole dataset of the given databases in a canonical text form (type, value, expiry rounded to
    /// minutes), for comparing two servers.
    /// </summary>
    public static SortedDictionary<string, string> ReadAll(RespConnection c, params int[] dbs)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (int db in dbs)
        {
            Ok(c.Command("SELECT", I(db)));
            foreach (RespValue k in c.Command("KEYS", "*").Children!)
            {
                string key = k.Text!;
                string type = c.Command("TYPE", key).Text!;
                string value = type switch
                {
                    "string" => Hex(c.Command("GET", key).Bytes!),
                    "list" => string.Join(",", c.Command("LRANGE", key, "0", "-1").Children!.Select(v => v.Text)),
                    "set" => string.Join(",", c.Command("SMEMBERS", key).Children!.Select(v => v.Text).Order(StringComparer.Ordinal)),
                    "hash" => string.Join(",", Pairs(c.Command("HGETALL", key)).Order(StringComparer.Ordinal)),
                    "zset" => string.Join(",", c.Command("ZRANGE", key, "0", "-1", "WITHSCORES").Children!.Select(v => v.Text)),
                    _ => "?",
                };
                long pttl = c.Command("PTTL", key).Integer;
                string ttl = pttl < 0 ? I(pttl) : "~" + I((pttl + 30_000) / 60_000);
                result[$"{db}/{key}"] = $"{type}:{value}:ttl{ttl}";
            }
        }
        Ok(c.Command("SELECT", "0"));
        return result;
    }

    private static IEnumerable<string> Pairs(RespValue flat)
    {
        for (int i = 0; i + 1 < flat.Count; i += 2)
            yield return flat[i].Text + "=" + flat[i + 1].Text;
    }

    private static string Hex(byte[] b) => b.Length > 40 ? $"{b.Length}:{Convert.ToHexString(b)[..40]}" : Convert.ToHexString(b);

    public static void Ok(RespValue v) => Assert.False(v.IsError, v.ToString());

    /// <summary>One field of INFO persistence.</summary>
    public static string Info(RespConnection c, string field)
    {
        string text = c.Command("INFO", "persistence").Text!;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return line[(field.Length + 1)..].Trim();
        }
        throw new InvalidOperationException($"INFO persistence has no {field}: {text}");
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after <paramref name="seconds"/>.</summary>
    public static void WaitUntil(Func<bool> condition, string what, int seconds = 30)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for the running BGSAVE to end and checks that it succeeded.</summary>
    public static void WaitBgsave(RespConnection c)
    {
        WaitUntil(() => Info(c, "rdb_bgsave_in_progress") == "0", "BGSAVE to finish");
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
    }

    /// <summary>Starts our server on <paramref name="dir"/> (kept across restarts).</summary>
    public static ServerProcess StartCodis(string dir, params string[] args) =>
        ServerProcess.StartCodis(["--dir", dir, "--enable-debug-command", "yes", .. args]);

    /// <summary>Starts Debian's redis-server on <paramref name="dir"/>.</summary>
    public static ServerProcess StartRedis(string dir, params string[] args) =>
        ServerProcess.StartRedis(["--dir", dir, .. args]);

    /// <summary>SHUTDOWN (which closes the connection without a reply) and waits for the exit.</summary>
    public static void Shutdown(RespConnection c, ServerProcess server, params string[] options)
    {
        c.SendRaw(RespConnection.Encode(["SHUTDOWN", .. options]));
        WaitUntil(() => server.HasExited, "shutdown");
    }

    public static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
