using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// Approximate trimming (<c>MAXLEN ~</c>, <c>MINID ~</c>) removes whole nodes, so what it leaves depends
/// on where Redis started each listpack: at stream-node-max-entries entries or when the listpack's
/// bytes would reach stream-node-max-bytes. These tests add entries of many sizes and shapes to both
/// servers and compare every XADD reply, the length, the node count (XINFO STREAM's radix-tree-keys)
/// and the entries left after each trim.
/// </summary>
public sealed class StreamTrimTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static readonly string[] s_defaults = ["config", "set", "stream-node-max-bytes", "4096", "stream-node-max-entries", "100"];

    private DiffSession NewSession(string maxBytes = "4096", string maxEntries = "100")
    {
        DiffSession d = servers.NewDiff();
        d.Same(s_defaults);
        d.Same("config", "set", "stream-node-max-bytes", maxBytes, "stream-node-max-entries", maxEntries);
        return d;
    }

    // The number of listpacks, as XINFO STREAM reports it.
    private static long Nodes(RespConnection c, string key)
    {
        RespValue info = c.Command("xinfo", "stream", key);
        for (int i = 0; i + 1 < info.Count; i += 2)
        {
            if (info[i].Text == "radix-tree-keys")
                return info[i + 1].Integer;
        }
        throw new InvalidOperationException($"no radix-tree-keys in {info}");
    }

    private static void SameShape(DiffSession d, string key)
    {
        d.Same("xlen", key);
        Assert.Equal(Nodes(d.Redis, key), Nodes(d.Codis, key));
        d.Same("xrange", key, "-", "+", "count", "3");
        d.Same("xrevrange", key, "+", "-", "count", "3");
    }

    private static void AddMany(DiffSession d, string key, int n, Func<int, string[]> fields, string[]? trim = null)
    {
        for (int i = 1; i <= n; i++)
        {
            string[] args = ["xadd", key, .. trim ?? [], $"{i}-1", .. fields(i)];
            d.Same(args);
            if (trim is not null)
                d.Same("xlen", key);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(40)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(500)]
    [InlineData(5000)]
    public void XAddMaxLenApprox_ValueSizes_SameLengthAfterEachAdd(int size)
    {
        using DiffSession d = NewSession();
        string value = new('v', size);
        AddMany(d, "s", 400, _ => ["field", value], ["maxlen", "~", "150"]);
        SameShape(d, "s");
    }

    [Theory]
    [InlineData(40)]
    [InlineData(500)]
    [InlineData(5000)]
    public void XTrimApprox_ValueSizes_SameEntriesLeft(int size)
    {
        using DiffSession d = NewSession();
        string value = new('x', size);
        AddMany(d, "s", 300, i => ["f", value, "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        SameShape(d, "s");
        d.Same("xtrim", "s", "maxlen", "~", "250");
        SameShape(d, "s");
        d.Same("xtrim", "s", "minid", "~", "120-0");
        SameShape(d, "s");
        d.Same("xtrim", "s", "maxlen", "~", "10", "limit", "30");
        SameShape(d, "s");
        d.Same("xtrim", "s", "maxlen", "~", "0");
        SameShape(d, "s");
    }

    [Fact]
    public void XAddMaxLenApprox_IntegerLookingValues_SameLengthAfterEachAdd()
    {
        // Canonical integers are stored as listpack integers of 1 to 9 bytes; "01", "+1", "-0" and
        // numbers past 64 bits stay strings.
        string[] values = ["0", "7", "127", "128", "-1", "4095", "-4096", "32767", "8388607", "2147483647", "2147483648",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "+1", "-0", "1.5", "123456789012345678901"];
        using DiffSession d = NewSession();
        AddMany(d, "s", 600, i => ["n", values[i % values.Length], "100", new string('a', i % 70), "-5", values[(i * 7) % values.Length]],
            ["maxlen", "~", "120"]);
        SameShape(d, "s");
    }

    [Fact]
    public void XAddMaxLenApprox_VaryingFieldSets_SameLengthAfterEachAdd()
    {
        // Entries whose fields differ from the node's first entry carry their field names.
        using DiffSession d = NewSession();
        AddMany(d, "s", 500, i => (i % 4) switch
        {
            0 => ["temperature", "21", "humidity", "40"],
            1 => ["temperature", "22"],
            2 => ["humidity", "41", "temperature", "23"],
            _ => ["sensor-" + (i % 9), new string('z', 30 + i % 50)],
        }, ["maxlen", "~", "100"]);
        SameShape(d, "s");
        AddMany(d, "t", 300, i => i % 10 == 0 ? ["a", "1", "b", "2", "c", "3"] : ["a", "1", "b", "2"]);
        d.Same("xtrim", "t", "maxlen", "~", "200");
        SameShape(d, "t");
    }

    [Fact]
    public void XTrimApprox_AfterXDelAndExactTrim_SameEntriesLeft()
    {
        // Deleted entries stay in their listpack (still counted against the node's limits) until the
        // node's last live entry goes.
        using DiffSession d = NewSession();
        string value = new('q', 45);
        AddMany(d, "s", 200, _ => ["f", value]);
        for (int i = 1; i <= 200; i += 3)
            d.Same("xdel", "s", $"{i}-1");
        d.Same("xtrim", "s", "maxlen", "=", "120");
        SameShape(d, "s");
        for (int i = 201; i <= 320; i++)
            d.Same("xadd", "s", "maxlen", "~", "90", $"{i}-1", "f", value);
        SameShape(d, "s");
        for (int i = 250; i <= 320; i++)
            d.Same("xdel", "s", $"{i}-1");
        d.Same("xadd", "s", "321-1", "f", value);
        SameShape(d, "s");
        d.Same("xtrim", "s", "minid", "~", "240-0");
        SameShape(d, "s");
        d.Same("xtrim", "s", "minid", "=", "230-0");
        SameShape(d, "s");
    }

    [Theory]
    [InlineData("0", "100")]
    [InlineData("4096", "0")]
    [InlineData("0", "0")]
    [InlineData("200", "0")]
    [InlineData("1", "100")]
    [InlineData("1000", "7")]
    public void XAddMaxLenApprox_NodeLimits_SameLengthAfterEachAdd(string maxBytes, string maxEntries)
    {
        using DiffSession d = NewSession(maxBytes, maxEntries);
        AddMany(d, "s", 300, i => ["f", new string('w', i % 120)], ["maxlen", "~", "60"]);
        SameShape(d, "s");
        AddMany(d, "m", 300, i => ["f", i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        d.Same("xtrim", "m", "minid", "~", "150-0");
        SameShape(d, "m");
        d.Same(s_defaults);
    }

    [Fact]
    public void Restore_NodeSplitKept_AppendsSplitAsRedis()
    {
        // A payload's listpacks are kept as they are: Redis's DUMP restored into ours (and ours into
        // Redis) goes on splitting where the server that wrote it would.
        using DiffSession d = NewSession();
        string value = new('r', 300);
        AddMany(d, "s", 130, i => ["f", value, "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        for (int i = 2; i <= 130; i += 5)
            d.Same("xdel", "s", $"{i}-1");
        byte[] fromRedis = d.Redis.Send("dump", "s");
        byte[] fromCodis = d.Codis.Send("dump", "s");
        Assert.Equal("+OK\r\n", System.Text.Encoding.ASCII.GetString(d.Codis.SendBytes("restore"u8.ToArray(), "r"u8.ToArray(), "0"u8.ToArray(), BulkPayload(fromRedis))));
        Assert.Equal("+OK\r\n", System.Text.Encoding.ASCII.GetString(d.Redis.SendBytes("restore"u8.ToArray(), "r"u8.ToArray(), "0"u8.ToArray(), BulkPayload(fromRedis))));
        Assert.Equal("+OK\r\n", System.Text.Encoding.ASCII.GetString(d.Codis.SendBytes("restore"u8.ToArray(), "c"u8.ToArray(), "0"u8.ToArray(), BulkPayload(fromCodis))));
        Assert.Equal("+OK\r\n", System.Text.Encoding.ASCII.GetString(d.Redis.SendBytes("restore"u8.ToArray(), "c"u8.ToArray(), "0"u8.ToArray(), BulkPayload(fromCodis))));
        foreach (string key in new[] { "r", "c" })
        {
            SameShape(d, key);
            for (int i = 131; i <= 200; i++)
                d.Same("xadd", key, "maxlen", "~", "100", $"{i}-1", "f", value, "i", "x");
            SameShape(d, key);
        }
    }

    // The payload of a bulk reply ($len\r\n...\r\n).
    private static byte[] BulkPayload(byte[] reply)
    {
        int header = Array.IndexOf(reply, (byte)'\n') + 1;
        return reply[header..^2];
    }
}
