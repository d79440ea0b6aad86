using Codis.TestSupport;

namespace Codis.IntegrationTests.Keyspace;

/// <summary>maxmemory and its policies on a real codis-server.</summary>
public sealed class EvictionTests
{
    private const string Oom = "OOM command not allowed when used memory > 'maxmemory'.";
    private static readonly string Value = new('x', 10_000);

    /// <summary>Writes <paramref name="count"/> 10 KB values in pipelined batches; returns the error replies.</summary>
    private static List<string> Fill(RespConnection conn, int count, string prefix = "k", bool withTtl = false)
    {
        var errors = new List<string>();
        for (int start = 0; start < count; start += 100)
        {
            var batch = new List<byte>();
            int commands = 0;
            for (int i = start; i < Math.Min(count, start + 100); i++)
            {
                batch.AddRange(RespConnection.Encode("SET", prefix + i, Value));
                commands++;
                if (withTtl)
                {
                    batch.AddRange(RespConnection.Encode("EXPIRE", prefix + i, (10_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    commands++;
                }
            }
            conn.SendRaw(batch.ToArray());
            for (int i = 0; i < commands; i++)
            {
                RespValue r = RespReader.Parse(conn.ReadReply());
                if (r.IsError)
                    errors.Add(r.Text!);
            }
        }
        return errors;
    }

    [Theory]
    [InlineData("allkeys-random")]
    [InlineData("allkeys-lru")]
    [InlineData("allkeys-lfu")]
    public void Evict_AllKeysPolicy_WritesSucceedAndKeysAreEvicted(string policy)
    {
        using ServerProcess codis = ServerProcess.StartCodis("--maxmemory", "40mb", "--maxmemory-policy", policy);
        using RespConnection conn = codis.Connect();
        List<string> errors = Fill(conn, 8000);
        Assert.Empty(errors);
        long size = conn.Command("DBSIZE").Integer;
        // 8000 values of 10 KB are 80 MB: about half must go, but 40 MB still hold well over a thousand.
        Assert.InRange(size, 1500, 7000);
        Assert.Equal(Value, conn.Command("GET", "k7999").Text);
    }

    [Fact]
    public void Evict_NoEviction_RejectsWritesWithOom()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--maxmemory", "40mb", "--maxmemory-policy", "noeviction");
        using RespConnection conn = codis.Connect();
        List<string> errors = Fill(conn, 8000);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(Oom, e));
        long size = conn.Command("DBSIZE").Integer;
        Assert.Equal(8000 - errors.Count, size);
        Assert.InRange(size, 1500, 7000);
        // Reads and deletions still work; deleting makes room again.
        Assert.Equal(Value, conn.Command("GET", "k0").Text);
        Assert.Equal(1000, conn.Command([.. new[] { "DEL" }.Concat(Enumerable.Range(0, 1000).Select(i => "k" + i))]).Integer);
        // The freed memory shows once the server's next full collection is allowed (a few ms later).
        string? reply = null;
        for (int attempt = 0; attempt < 20 && reply != "OK"; attempt++)
        {
            reply = conn.Command("SET", "again", "v").Text;
            if (reply != "OK")
                Thread.Sleep(100);
        }
        Assert.Equal("OK", reply);
    }

    [Fact]
    public void Evict_VolatileTtl_EvictsOnlyKeysWithTtlThenOom()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--maxmemory", "40mb", "--maxmemory-policy", "volatile-ttl");
        using RespConnection conn = codis.Connect();
        Assert.Empty(Fill(conn, 2000, "p"));
        Assert.Empty(Fill(conn, 3000, "v", withTtl: true));
        Assert.Equal(2000, conn.Command("KEYS", "p*").Count);
        List<string> errors = Fill(conn, 6000, "x");
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(Oom, e));
        Assert.Equal(2000, conn.Command("KEYS", "p*").Count);
        Assert.Equal(0, conn.Command("KEYS", "v*").Count);
    }

    [Fact]
    public void Evict_EvictedKeys_Notified()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--maxmemory", "30mb", "--maxmemory-policy", "allkeys-random", "--notify-keyspace-events", "Ee");
        using RespConnection sub = codis.Connect();
        using RespConnection conn = codis.Connect();
        sub.Command("SUBSCRIBE", "__keyevent@0__:evicted");
        Assert.Empty(Fill(conn, 5000));
        sub.ReadTimeout = TimeSpan.FromSeconds(5);
        RespValue message = sub.ReadValue();
        Assert.Equal("__keyevent@0__:evicted", message[1].Text);
        Assert.StartsWith("k", message[2].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("volatile-random")]
    [InlineData("volatile-lru")]
    [InlineData("volatile-lfu")]
    public void Evict_VolatilePolicies_KeepPersistentKeys(string policy)
    {
        using ServerProcess codis = ServerProcess.StartCodis("--maxmemory", "40mb", "--maxmemory-policy", policy);
        using RespConnection conn = codis.Connect();
        Assert.Empty(Fill(conn, 1500, "p"));
        Assert.Empty(Fill(conn, 4000, "v", withTtl: true));
        Assert.Equal(1500, conn.Command("KEYS", "p*").Count);
        long volatileLeft = conn.Command("KEYS", "v*").Count;
        Assert.InRange(volatileLeft, 1, 3999);
        List<string> errors = Fill(conn, 6000, "x");
        Assert.All(errors, e => Assert.Equal(Oom, e));
        Assert.NotEmpty(errors);
        Assert.Equal(1500, conn.Command("KEYS", "p*").Count);
    }

    [Fact]
    public void Evict_AllKeysLru_PrefersKeysNotAccessedRecently()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--maxmemory", "40mb", "--maxmemory-policy", "allkeys-lru", "--maxmemory-samples", "10");
        using RespConnection conn = codis.Connect();
        Assert.Empty(Fill(conn, 1200, "cold"));
        Assert.Empty(Fill(conn, 1200, "hot"));
        // The LRU clock counts seconds: let both groups age, then touch the hot one.
        Thread.Sleep(2200);
        var touch = new List<byte>();
        for (int i = 0; i < 1200; i++)
            touch.AddRange(RespConnection.Encode("TOUCH", "hot" + i));
        conn.SendRaw(touch.ToArray());
        for (int i = 0; i < 1200; i++)
            conn.ReadReply();
        Assert.Empty(Fill(conn, 2500, "new"));
        long cold = conn.Command("KEYS", "cold*").Count;
        long hot = conn.Command("KEYS", "hot*").Count;
        Assert.True(cold < 1200 && hot > cold * 2, $"hot {hot} cold {cold}");
    }
}
