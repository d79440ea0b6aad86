using System.Diagnostics;
using System.Text;
using Codis.TestSupport;
using static Codis.IntegrationTests.Persistence.PersistenceSupport;

namespace Codis.IntegrationTests.Persistence;

/// <summary>
/// The append-only file with real processes: each fsync policy, kill -9 with appendfsync always,
/// truncated tails, BGREWRITEAOF while writing, and turning the AOF on at run time.
/// </summary>
public sealed class AofTests : IDisposable
{
    private readonly TempDirectories _dirs = new();

    private string NewDir() => _dirs.New();

    /// <inheritdoc/>
    public void Dispose() => _dirs.Dispose();

    [Theory]
    [InlineData("always")]
    [InlineData("everysec")]
    [InlineData("no")]
    public void Appendonly_EachFsyncPolicy_RestartReplaysTheDataset(string policy)
    {
        string dir = NewDir();
        SortedDictionary<string, string> expected;
        using (ServerProcess codis = StartCodis(dir, "--appendonly", "yes", "--appendfsync", policy))
        using (RespConnection c = codis.Connect())
        {
            FillEveryType(c);
            c.Command("INCR", "int8");
            c.Command("LPOP", "list-small");
            c.Command("DEL", "set-small");
            expected = ReadAll(c, 0, 3);
            Assert.Equal("1", Info(c, "aof_enabled"));
            Shutdown(c, codis, "NOSAVE");
        }
        Assert.False(File.Exists(Path.Combine(dir, "dump.rdb")));
        using ServerProcess again = StartCodis(dir, "--appendonly", "yes");
        using RespConnection c2 = again.Connect();
        Assert.Equal(expected, ReadAll(c2, 0, 3));
    }

    [Fact]
    public void Appendonly_Expire_StoredAsAbsolutePexpireat()
    {
        string dir = NewDir();
        using ServerProcess codis = StartCodis(dir, "--appendonly", "yes", "--appendfsync", "always");
        using RespConnection c = codis.Connect();
        c.Command("SET", "k", "v");
        c.Command("EXPIRE", "k", "100");
        c.Command("SETEX", "s", "100", "v");
        string aof = File.ReadAllText(Path.Combine(dir, "appendonly.aof"), Encoding.Latin1);
        Assert.Contains("PEXPIREAT", aof, StringComparison.Ordinal);
        Assert.Contains("PXAT", aof, StringComparison.Ordinal);
        Assert.DoesNotContain("EXPIRE\r\n", aof, StringComparison.Ordinal);
        Assert.DoesNotContain("SETEX", aof, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SeveralWritesOfOneCommand_WrappedInMultiExec_OneWriteIsNot()
    {
        string dir = NewDir();
        using (ServerProcess codis = StartCodis(dir, "--appendonly", "yes", "--appendfsync", "always"))
        using (RespConnection c = codis.Connect())
        {
            c.Command("MULTI");
            c.Command("SET", "a", "1");
            c.Command("GET", "a");
            c.Command("INCR", "n");
            c.Command("EXEC");
            c.Command("MULTI");
            c.Command("SET", "b", "only-write");
            c.Command("GET", "b");
            c.Command("EXEC");
            // XREADGROUP delivering two entries propagates an XCLAIM for each: one unit for replicas.
            c.Command("XADD", "s", "1-1", "f", "v");
            c.Command("XADD", "s", "1-2", "f", "v");
            c.Command("XGROUP", "CREATE", "s", "g", "0");
            Assert.Equal(2, c.Command("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")[0][1].Count);
            PersistenceSupport.Shutdown(c, codis, "NOSAVE");
        }
        string aof = File.ReadAllText(Path.Combine(dir, "appendonly.aof"), Encoding.Latin1).ToLowerInvariant();
        string[] names = [.. aof.Split("\r\n").Where(l => l is "multi" or "exec" or "set" or "incr" or "xclaim" or "xadd" or "xgroup")];
        Assert.Equal(["multi", "set", "incr", "exec", "set", "xadd", "xadd", "xgroup", "multi", "xclaim", "xclaim", "exec"], names);
        using ServerProcess again = StartCodis(dir, "--appendonly", "yes");
        using RespConnection c2 = again.Connect();
        Assert.Equal("1", c2.Command("GET", "n").Text);
        Assert.Equal(2, c2.Command("XPENDING", "s", "g")[0].Integer);
    }

    [Fact]
    public void KillDashNine_AppendfsyncAlways_EveryAcknowledgedWriteSurvives()
    {
        string dir = NewDir();
        long acknowledged = 0;
        using (ServerProcess codis = StartCodis(dir, "--appendonly", "yes", "--appendfsync", "always"))
        {
            using RespConnection c = codis.Connect();
            var writer = new Thread(() =>
            {
                try
                {
                    for (long i = 1; ; i++)
                    {
                        RespValue v = c.Command("RPUSH", "log", I(i));
                        if (v.IsError)
                            return;
                        Interlocked.Exchange(ref acknowledged, i);
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or TimeoutException)
                {
                    // the server was killed
                }
            });
            writer.Start();
            WaitUntil(() => Interlocked.Read(ref acknowledged) >= 300, "300 acknowledged writes");
            using (var p = Process.GetProcessById(codis.Pid))
                p.Kill();   // SIGKILL: no shutdown code runs
            writer.Join();
        }
        using ServerProcess again = StartCodis(dir, "--appendonly", "yes");
        using RespConnection c2 = again.Connect();
        long length = c2.Command("LLEN", "log").Integer;
        Assert.True(length >= acknowledged, $"{length} elements after restart, {acknowledged} acknowledged");
        // The list is the exact prefix 1..length: nothing lost in the middle, nothing reordered.
        RespValue all = c2.Command("LRANGE", "log", "0", "-1");
        for (int i = 0; i < all.Count; i++)
            Assert.Equal(I(i + 1), all[i].Text);
    }

    private static void WriteTruncatedAof(string dir)
    {
        string text = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$2\r\n2";
        File.WriteAllText(Path.Combine(dir, "appendonly.aof"), text, Encoding.Latin1);
    }

    [Fact]
    public void TruncatedTail_LoadTruncatedYes_LoadsTheCompleteCommandsAndLogs()
    {
        string dir = NewDir();
        WriteTruncatedAof(dir);
        using ServerProcess codis = StartCodis(dir, "--appendonly", "yes", "--aof-load-truncated", "yes");
        using RespConnection c = codis.Connect();
        Assert.Equal("1", c.Command("GET", "a").Text);
        Assert.True(c.Command("GET", "b").IsNull);
        Assert.True(codis.WaitForOutput("!!! Warning: short read while loading the AOF file"));
        Assert.True(codis.WaitForOutput("AOF loaded anyway because aof-load-truncated is enabled"));
        // The file was cut at the last complete command, so appending continues cleanly.
        c.Command("SET", "c", "3");
        Shutdown(c, codis, "NOSAVE");
        using ServerProcess again = StartCodis(dir, "--appendonly", "yes", "--aof-load-truncated", "no");
        using RespConnection c2 = again.Connect();
        Assert.Equal("3", c2.Command("GET", "c").Text);
    }

    [Fact]
    public void TruncatedTail_LoadTruncatedNo_RefusesToStartWithRedisMessage()
    {
        string dir = NewDir();
        WriteTruncatedAof(dir);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(
            () => StartCodis(dir, "--appendonly", "yes", "--aof-load-truncated", "no").Dispose());
        Assert.Contains("Unexpected end of file reading the append only file", e.Message, StringComparison.Ordinal);
        Assert.Contains("aof-load-truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptAof_RefusesToStartWithBadFormat()
    {
        string dir = NewDir();
        File.WriteAllText(Path.Combine(dir, "appendonly.aof"), "*1\r\n$4\r\nPING\r\ngarbage\r\n", Encoding.Latin1);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(
            () => StartCodis(dir, "--appendonly", "yes").Dispose());
        Assert.Contains("Bad file format reading the append only file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BgRewriteAof_WhileWriting_KeepsEveryWrite()
    {
        string dir = NewDir();
        long acknowledged = 0;
        using (ServerProcess codis = StartCodis(dir, "--appendonly", "yes", "--appendfsync", "everysec"))
        using (RespConnection c = codis.Connect())
        using (RespConnection admin = codis.Connect())
        {
            for (int i = 0; i < 20000; i += 1000)
                c.Command(["MSET", .. Enumerable.Range(i, 1000).SelectMany(j => new[] { "pre:" + I(j), I(j) })]);
            using var stop = new CancellationTokenSource();
            var writer = new Thread(() =>
            {
                for (long i = 1; !stop.IsCancellationRequested; i++)
                {
                    c.Command("RPUSH", "log", I(i));
                    c.Command("DEL", "pre:" + I(i % 20000));
                    Interlocked.Exchange(ref acknowledged, i);
                }
            });
            writer.Start();
            WaitUntil(() => Interlocked.Read(ref acknowledged) >= 100, "writes before the rewrite");
            Assert.Equal("Background append only file rewriting started", admin.Command("BGREWRITEAOF").Text);
            WaitUntil(() => Info(admin, "aof_rewrite_in_progress") == "0" && Info(admin, "aof_rewrites") == "1", "the rewrite");
            Assert.Equal("ok", Info(admin, "aof_last_bgrewrite_status"));
            long atRewriteEnd = Interlocked.Read(ref acknowledged);
            WaitUntil(() => Interlocked.Read(ref acknowledged) >= atRewriteEnd + 100, "writes after the rewrite");
            stop.Cancel();
            writer.Join();
            Assert.StartsWith("REDIS", File.ReadAllText(Path.Combine(dir, "appendonly.aof"), Encoding.Latin1));
            Shutdown(admin, codis, "NOSAVE");
        }
        using ServerProcess again = StartCodis(dir, "--appendonly", "yes");
        using RespConnection c2 = again.Connect();
        Assert.Equal(acknowledged, c2.Command("LLEN", "log").Integer);
        long deleted = Math.Min(acknowledged, 20000);
        Assert.Equal(20000 - deleted + 1, c2.Command("DBSIZE").Integer);
    }

    [Fact]
    public void ConfigSetAppendonly_AtRunTime_WritesTheDatasetThenAppends()
    {
        string dir = NewDir();
        using (ServerProcess codis = StartCodis(dir))
        using (RespConnection c = codis.Connect())
        {
            c.Command("SET", "before", "1");
            Assert.Equal("OK", c.Command("CONFIG", "SET", "appendonly", "yes").Text);
            WaitUntil(() => Info(c, "aof_rewrites") == "1", "the initial rewrite");
            c.Command("SET", "after", "2");
            Shutdown(c, codis, "NOSAVE");
        }
        using ServerProcess again = StartCodis(dir, "--appendonly", "yes");
        using RespConnection c2 = again.Connect();
        Assert.Equal("1", c2.Command("GET", "before").Text);
        Assert.Equal("2", c2.Command("GET", "after").Text);
    }
}
