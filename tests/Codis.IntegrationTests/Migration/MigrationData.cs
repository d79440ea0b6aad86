using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// Keys of every type and encoding size class for migration tests, and a canonical description of a
/// key's content read back through ordinary commands (so source and target can be compared).
/// </summary>
public static class MigrationData
{
    private static string I(long i) => i.ToString(CultureInfo.InvariantCulture);

    private static void Ok(RespConnection c, params string[] args)
    {
        RespValue r = c.Command(args);
        Assert.False(r.IsError, $"{string.Join(' ', args.Take(3))}: {r}");
    }

    private static void OkBytes(RespConnection c, params byte[][] args)
    {
        RespValue r = c.CommandBytes(args);
        Assert.False(r.IsError, r.ToString());
    }

    /// <summary>
    /// Creates, in the connection's current database, keys named <c>prefix + ...</c> of every type and
    /// size class (strings int/embstr/raw/compressible, <paramref name="bigBytes"/> random bytes; lists,
    /// hashes, sets, zsets small and large; keys with TTLs), and <c>{prefix}...</c> keys sharing one tag.
    /// Returns every key created.
    /// </summary>
    public static List<string> Populate(RespConnection c, string prefix, int bigBytes, int seed)
    {
        var rnd = new Random(seed);
        var keys = new List<string>();
        string K(string name)
        {
            string k = prefix + name;
            keys.Add(k);
            return k;
        }

        Ok(c, "SET", K("s:int"), "12345");
        Ok(c, "SET", K("s:neg"), "-9223372036854775808");
        Ok(c, "SET", K("s:emb"), "hello world");
        Ok(c, "SET", K("s:raw"), new string('r', 100) + "x");
        Ok(c, "SET", K("s:lzf"), new string('a', 10_000));
        byte[] big = new byte[bigBytes];
        rnd.NextBytes(big);
        OkBytes(c, "SET"u8.ToArray(), Encoding.UTF8.GetBytes(K("s:big")), big);
        byte[] binary = new byte[300];
        rnd.NextBytes(binary);
        OkBytes(c, "SET"u8.ToArray(), Encoding.UTF8.GetBytes(K("s:bin")), binary);

        Ok(c, "RPUSH", K("l:small"), "a", "b", "7", "-1");
        string largeList = K("l:large");
        for (int i = 0; i < 2000; i += 100)
            Ok(c, ["RPUSH", largeList, .. Enumerable.Range(i, 100).Select(j => j % 3 == 0 ? I(j) : "elem" + I(j))]);
        Ok(c, "RPUSH", largeList, new string('L', 20_000));

        Ok(c, "HSET", K("h:small"), "f1", "v1", "f2", "2", "f3", "");
        string largeHash = K("h:large");
        for (int i = 0; i < 1000; i += 100)
            Ok(c, ["HSET", largeHash, .. Enumerable.Range(i, 100).SelectMany(j => new[] { "field" + I(j), "value" + I(j * 7) })]);
        Ok(c, "HSET", K("h:longvalue"), "f", new string('v', 100), "g", "short");

        Ok(c, "SADD", K("set:intset"), "1", "2", "3", "-5", "100000", "9223372036854775807");
        Ok(c, "SADD", K("set:small"), "a", "b", "c", "12");
        Ok(c, ["SADD", K("set:large"), .. Enumerable.Range(0, 1000).Select(j => "member" + I(j))]);
        Ok(c, ["SADD", K("set:manyints"), .. Enumerable.Range(0, 600).Select(j => I(j * 3))]);

        Ok(c, "ZADD", K("z:small"), "1.5", "m", "2", "n", "-inf", "low", "inf", "high", "0", "zero");
        Ok(c, ["ZADD", K("z:large"), .. Enumerable.Range(0, 300).SelectMany(j => new[] { I(j) + ".25", "m" + I(j) })]);
        Ok(c, "ZADD", K("z:longmember"), "3", new string('m', 100), "-2.5", "x");

        Ok(c, "SET", K("ttl:s"), "expiring");
        Ok(c, "PEXPIRE", prefix + "ttl:s", "100000");
        Ok(c, "HSET", K("ttl:h"), "a", "b");
        Ok(c, "EXPIRE", prefix + "ttl:h", "5000");

        // Keys of one tag (one slot), of several types: SLOTSMGRTTAG* moves them together.
        string tag = "{" + prefix + "tag}";
        Ok(c, "SET", K(tag + "s"), "tagged");
        Ok(c, "RPUSH", K(tag + "l"), "x", "y");
        Ok(c, "SADD", K(tag + "set"), "1", "2");
        Ok(c, "ZADD", K(tag + "z"), "1", "a");
        Ok(c, "HSET", K(tag + "h"), "f", "v");
        for (int i = 0; i < 20; i++)
            Ok(c, "SET", K(tag + "n" + I(i)), I(i));
        return keys;
    }

    /// <summary>
    /// The key's type and content, read through ordinary commands; sets and hashes sorted, large elements
    /// replaced by their SHA-256. "none" when the key does not exist.
    /// </summary>
    public static string Describe(RespConnection c, string key)
    {
        string type = c.Command("TYPE", key).Text!;
        IEnumerable<string> items = type switch
        {
            "none" => [],
            "string" => [Text(c.Command("GET", key).Bytes!)],
            "list" => c.Command("LRANGE", key, "0", "-1").Children!.Select(v => Text(v.Bytes!)),
            "set" => c.Command("SMEMBERS", key).Children!.Select(v => Text(v.Bytes!)).Order(StringComparer.Ordinal),
            "hash" => Pairs(c.Command("HGETALL", key)).Order(StringComparer.Ordinal),
            "zset" => Pairs(c.Command("ZRANGE", key, "0", "-1", "WITHSCORES")),
            _ => throw new InvalidOperationException($"type {type}"),
        };
        return type + ":" + string.Join(",", items);
    }

    private static IEnumerable<string> Pairs(RespValue all)
    {
        for (int i = 0; i + 1 < all.Count; i += 2)
            yield return Text(all[i].Bytes!) + "=" + Text(all[i + 1].Bytes!);
    }

    private static string Text(byte[] b) => b.Length > 64 ? "sha256:" + Convert.ToHexString(SHA256.HashData(b)) : Convert.ToHexString(b);

    /// <summary>Content (<see cref="Describe"/>) and PTTL of every key, in the connection's database.</summary>
    public static Dictionary<string, (string Content, long Pttl)> Capture(RespConnection c, IEnumerable<string> keys) =>
        keys.ToDictionary(k => k, k => (Describe(c, k), c.Command("PTTL", k).Integer));

    /// <summary>
    /// Asserts that the connection's database holds exactly <paramref name="expected"/>: same contents,
    /// persistent keys persistent, TTLs no longer than before and at most 10 s shorter.
    /// </summary>
    public static void AssertHolds(RespConnection c, Dictionary<string, (string Content, long Pttl)> expected)
    {
        Assert.Equal(expected.Count, c.Command("DBSIZE").Integer);
        foreach ((string key, (string content, long pttl)) in expected)
        {
            Assert.Equal(content, Describe(c, key));
            long now = c.Command("PTTL", key).Integer;
            if (pttl < 0)
                Assert.Equal(pttl, now);
            else
                Assert.InRange(now, pttl - 10_000, pttl);
        }
        Assert.Equal("OK", c.Command("SLOTSCHECK").Text);
    }
}
