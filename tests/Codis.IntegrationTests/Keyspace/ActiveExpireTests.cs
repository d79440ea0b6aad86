using Codis.TestSupport;

namespace Codis.IntegrationTests.Keyspace;

/// <summary>Keys with a TTL disappear without being accessed (the cron's active expire cycle).</summary>
public sealed class ActiveExpireTests
{
    [Fact]
    public void ActiveExpire_ThousandKeysWithShortTtl_DbSizeDropsToZero()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using RespConnection conn = codis.Connect();
        var pipeline = new List<byte>();
        for (int i = 0; i < 1000; i++)
        {
            pipeline.AddRange(RespConnection.Encode("SET", "k" + i, "v"));
            pipeline.AddRange(RespConnection.Encode("PEXPIRE", "k" + i, "1000"));
        }
        pipeline.AddRange(RespConnection.Encode("SET", "persistent", "v"));
        conn.SendRaw(pipeline.ToArray());
        for (int i = 0; i < 2001; i++)
            conn.ReadReply();
        Assert.Equal(1001, conn.Command("DBSIZE").Integer);

        // Only DBSIZE is sent while waiting: it does not touch keys, so only the cron can remove them.
        long size = 1001;
        for (int attempt = 0; attempt < 60 && size > 1; attempt++)
        {
            Thread.Sleep(100);
            size = conn.Command("DBSIZE").Integer;
        }
        Assert.Equal(1, size);
        Assert.Equal("v", conn.Command("GET", "persistent").Text);
    }

    [Fact]
    public void ActiveExpire_ExpiredKeys_NotifiedAsExpired()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--notify-keyspace-events", "Ex");
        using RespConnection sub = codis.Connect();
        using RespConnection conn = codis.Connect();
        sub.Command("SUBSCRIBE", "__keyevent@0__:expired");
        conn.Command("SET", "gone", "v");
        conn.Command("PEXPIRE", "gone", "20");
        sub.ReadTimeout = TimeSpan.FromSeconds(5);
        RespValue message = sub.ReadValue();
        Assert.Equal("message", message[0].Text);
        Assert.Equal("gone", message[2].Text);
        Assert.Equal(0, conn.Command("DBSIZE").Integer);
    }
}
