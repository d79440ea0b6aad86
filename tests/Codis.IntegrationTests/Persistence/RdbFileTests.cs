using Codis.TestSupport;
using static Codis.IntegrationTests.Persistence.PersistenceSupport;

namespace Codis.IntegrationTests.Persistence;

/// <summary>
/// RDB files with real processes: round trips with Debian's redis-server in both directions, BGSAVE
/// consistency while a client writes, save points, restart, DEBUG RELOAD and save errors.
/// </summary>
public sealed class RdbFileTests : IDisposable
{
    private readonly TempDirectories _dirs = new();

    private string NewDir() => _dirs.New();

    /// <inheritdoc/>
    public void Dispose() => _dirs.Dispose();

    [Fact]
    public void Save_EveryType_LoadsIntoDebianRedis()
    {
        string ours = NewDir();
        string theirs = NewDir();
        SortedDictionary<string, string> expected;
        using (ServerProcess codis = StartCodis(ours))
        using (RespConnection c = codis.Connect())
        {
            FillEveryType(c);
            expected = ReadAll(c, 0, 3);
            Assert.Equal("OK", c.Command("SAVE").Text);
        }
        File.Copy(Path.Combine(ours, "dump.rdb"), Path.Combine(theirs, "dump.rdb"));
        using ServerProcess redis = StartRedis(theirs);
        using RespConnection r = redis.Connect();
        Assert.Equal(expected, ReadAll(r, 0, 3));
    }

    [Fact]
    public void DebianRedisSave_EveryType_LoadsIntoCodis()
    {
        string theirs = NewDir();
        string ours = NewDir();
        SortedDictionary<string, string> expected;
        using (ServerProcess redis = StartRedis(theirs))
        using (RespConnection r = redis.Connect())
        {
            FillEveryType(r);
            expected = ReadAll(r, 0, 3);
            Assert.Equal("OK", r.Command("SAVE").Text);
        }
        File.Copy(Path.Combine(theirs, "dump.rdb"), Path.Combine(ours, "dump.rdb"));
        using ServerProcess codis = StartCodis(ours);
        using RespConnection c = codis.Connect();
        Assert.Equal(expected, ReadAll(c, 0, 3));
        Assert.Equal("0", Info(c, "loading"));
        Assert.Equal(I(expected.Count), Info(c, "rdb_last_load_keys_loaded"));
    }

    [Fact]
    public void Bgsave_WhileClientsWrite_FileHoldsTheStateAtTheBgsaveInstant()
    {
        string dir = NewDir();
        const int Preloaded = 30000;
        using ServerProcess codis = StartCodis(dir);
        using RespConnection c = codis.Connect();
        var fill = new System.Text.StringBuilder();
        for (int i = 0; i < Preloaded; i++)
            c.SendRaw(System.Text.Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n${("pre:" + I(i)).Length}\r\npre:{I(i)}\r\n${I(i).Length}\r\n{I(i)}\r\n"));
        for (int i = 0; i < Preloaded; i++)
            c.ReadReply();
        c.Command("SET", "counter", "1000");

        // One pipeline: BGSAVE lands between two writes of the same connection, and everything after
        // it changes, deletes or adds keys the background writer may not have reached yet.
        var pipeline = new List<byte[]> { RespConnection.Encode("BGSAVE") };
        for (int i = 0; i < 5000; i++)
        {
            pipeline.Add(RespConnection.Encode("INCR", "counter"));
            pipeline.Add(RespConnection.Encode("DEL", "pre:" + I(i * 6)));
            pipeline.Add(RespConnection.Encode("APPEND", "pre:" + I((i * 6) + 1), "-changed"));
            pipeline.Add(RespConnection.Encode("SET", "new:" + I(i), "x"));
            pipeline.Add(RespConnection.Encode("EXPIRE", "pre:" + I((i * 6) + 2), "1000"));
        }
        pipeline.Add(RespConnection.Encode("FLUSHDB"));
        c.SendRaw(pipeline.SelectMany(b => b).ToArray());
        Assert.Equal("Background saving started", c.ReadValue().Text);
        for (int i = 1; i < pipeline.Count; i++)
            Assert.False(c.ReadValue().IsError);
        WaitBgsave(c);
        Assert.Equal("0", c.Command("DBSIZE").Integer.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Load the image into Debian's redis-server: exactly the state before the pipeline.
        string theirs = NewDir();
        File.Copy(Path.Combine(dir, "dump.rdb"), Path.Combine(theirs, "dump.rdb"));
        using ServerProcess redis = StartRedis(theirs);
        using RespConnection r = redis.Connect();
        Assert.Equal(Preloaded + 1, r.Command("DBSIZE").Integer);
        Assert.Equal("1000", r.Command("GET", "counter").Text);
        for (int i = 0; i < Preloaded; i += 997)
            Assert.Equal(I(i), r.Command("GET", "pre:" + I(i)).Text);
        Assert.Equal("1", r.Command("GET", "pre:1").Text);
        Assert.Equal(-1, r.Command("TTL", "pre:2").Integer);
        Assert.Equal(0, r.Command("EXISTS", "new:0").Integer);
    }

    [Fact]
    public void SavePoint_ChangesReached_SavesInTheBackground()
    {
        string dir = NewDir();
        using ServerProcess codis = StartCodis(dir, "--save", "1 2");
        using RespConnection c = codis.Connect();
        c.Command("SET", "a", "1");
        c.Command("SET", "b", "2");
        WaitUntil(() => Info(c, "rdb_changes_since_last_save") == "0" && File.Exists(Path.Combine(dir, "dump.rdb")), "the save point");
        Assert.Equal("ok", Info(c, "rdb_last_bgsave_status"));
        Assert.True(codis.WaitForOutput("changes in 1 seconds. Saving..."));
    }

    [Fact]
    public void Shutdown_WithSavePoints_SavesAndRestartLoads()
    {
        string dir = NewDir();
        using (ServerProcess codis = StartCodis(dir, "--save", "3600 1"))
        using (RespConnection c = codis.Connect())
        {
            c.Command("SET", "kept", "yes");
            Shutdown(c, codis);
        }
        using ServerProcess again = StartCodis(dir);
        using RespConnection c2 = again.Connect();
        Assert.Equal("yes", c2.Command("GET", "kept").Text);
        long lastSave = c2.Command("LASTSAVE").Integer;
        Assert.True(lastSave > 0);
    }

    [Fact]
    public void DebugReload_KeepsTheDataset()
    {
        string dir = NewDir();
        using ServerProcess codis = StartCodis(dir);
        using RespConnection c = codis.Connect();
        FillEveryType(c);
        SortedDictionary<string, string> before = ReadAll(c, 0, 3);
        Assert.Equal("OK", c.Command("DEBUG", "RELOAD").Text);
        Assert.Equal(before, ReadAll(c, 0, 3));
        Assert.Equal("0", Info(c, "rdb_changes_since_last_save"));
    }

    [Fact]
    public void Bgsave_TargetUnwritable_ReportsErrAndRefusesWritesWithMisconf()
    {
        string dir = NewDir();
        using ServerProcess codis = StartCodis(dir, "--save", "3600 1", "--dbfilename", "missing-dir/dump.rdb");
        using RespConnection c = codis.Connect();
        c.Command("SET", "a", "1");
        Assert.Equal("Background saving started", c.Command("BGSAVE").Text);
        WaitUntil(() => Info(c, "rdb_bgsave_in_progress") == "0", "BGSAVE to end");
        Assert.Equal("err", Info(c, "rdb_last_bgsave_status"));
        RespValue refused = c.Command("SET", "b", "2");
        Assert.True(refused.IsError);
        Assert.StartsWith("MISCONF Redis is configured to save RDB snapshots", refused.Text);
        Assert.Equal("1", c.Command("GET", "a").Text);   // reads still work
        Assert.True(codis.WaitForOutput("Background saving error"));
        Assert.Equal("ERR", c.Command("SAVE").Text);
    }

    [Fact]
    public void Bgsave_SecondWhileRunningOrBadArgument_Refused()
    {
        string dir = NewDir();
        using ServerProcess codis = StartCodis(dir);
        using RespConnection c = codis.Connect();
        Assert.Equal("ERR syntax error", c.Command("BGSAVE", "NOW").Text);
        Assert.Equal("Background saving started", c.Command("BGSAVE").Text);
        WaitBgsave(c);
        Assert.True(File.Exists(Path.Combine(dir, "dump.rdb")));
    }
}
