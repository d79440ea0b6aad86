using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Codis.Server.Persistence;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// The synchronous migration's argument errors, failures (dead, silent, refusing or password-protected
/// target: exact replies, keys kept), and its behaviour while a transfer is in flight: other clients are
/// served, and a key written meanwhile is sent again rather than lost.
/// </summary>
public sealed class SyncMigrationFailureTests : IClassFixture<MigrationPairFixture>, IDisposable
{
    private readonly MigrationPairFixture _servers;
    private readonly RespConnection _src;

    /// <summary>Connects to the source and empties both servers.</summary>
    public SyncMigrationFailureTests(MigrationPairFixture servers)
    {
        _servers = servers;
        _src = servers.Source.Connect();
        Assert.Equal("OK", _src.Command("FLUSHALL").Text);
        using RespConnection dst = servers.Target.Connect();
        Assert.Equal("OK", dst.Command("FLUSHALL").Text);
    }

    /// <inheritdoc/>
    public void Dispose() => _src.Dispose();

    private static string I(long i) => i.ToString(CultureInfo.InvariantCulture);

    private string Error(params string[] args)
    {
        RespValue r = _src.Command(args);
        Assert.True(r.IsError, $"expected an error, got {r}");
        return r.Text!;
    }

    [Theory]
    [InlineData("SLOTSMGRTSLOT", "x", "1", "ERR value is not an integer or out of range")]
    [InlineData("SLOTSMGRTSLOT", "-1", "1", "ERR invalid timeout = -1")]
    [InlineData("SLOTSMGRTSLOT", "4294967296", "1", "ERR value is out of range")]
    [InlineData("SLOTSMGRTSLOT", "100", "1024", "ERR invalid slot number = 1024")]
    [InlineData("SLOTSMGRTTAGSLOT", "100", "-1", "ERR invalid slot number = -1")]
    [InlineData("SLOTSMGRTTAGSLOT", "100", "abc", "ERR value is not an integer or out of range")]
    [InlineData("SLOTSMGRTONE", "-5", "k", "ERR invalid timeout = -5")]
    [InlineData("SLOTSMGRTTAGONE", "1.5", "k", "ERR value is not an integer or out of range")]
    public void SlotsMgrt_BadArguments_CodisErrors(string command, string timeout, string last, string expected)
    {
        // Timeout then slot are checked before anything else (the port is never looked at).
        Assert.Equal(expected, Error(command, "127.0.0.1", "1", timeout, last));
    }

    [Theory]
    [InlineData("SLOTSMGRTSLOT")]
    [InlineData("SLOTSMGRTTAGSLOT")]
    [InlineData("SLOTSMGRTONE")]
    [InlineData("SLOTSMGRTTAGONE")]
    public void SlotsMgrt_WrongArity_StockError(string command)
    {
        Assert.Equal($"ERR wrong number of arguments for '{command.ToLowerInvariant()}' command", Error(command, "127.0.0.1", "1", "100"));
    }

    [Fact]
    public void SlotsMgrtOne_DeadTarget_CannotConnectAndKeepsTheKey()
    {
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);
        int dead = FreePort.Get();

        Assert.Equal("ERR Can't connect to target node: Connection refused", Error("SLOTSMGRTONE", "127.0.0.1", I(dead), "1000", "k"));
        // As Codis, the connection comes first: a missing key gets the same error.
        Assert.Equal("ERR Can't connect to target node: Connection refused", Error("SLOTSMGRTONE", "127.0.0.1", I(dead), "1000", "absent"));
        int slot = (int)_src.Command("SLOTSHASHKEY", "k")[0].Integer;
        Assert.Equal("ERR Can't connect to target node: Connection refused", Error("SLOTSMGRTSLOT", "127.0.0.1", I(dead), "1000", I(slot)));

        Assert.Equal("v", _src.Command("GET", "k").Text);
    }

    [Fact]
    public void SlotsMgrtOne_UnresolvableHostOrBadPort_CannotConnect()
    {
        Assert.StartsWith("ERR Can't connect to target node: ", Error("SLOTSMGRTONE", "no-such-host.invalid", "7001", "1000", "k"));
        Assert.Equal("ERR Can't connect to target node: invalid port 'http'", Error("SLOTSMGRTONE", "127.0.0.1", "http", "1000", "k"));
    }

    [Fact]
    public void SlotsMgrtOne_TargetNotAccepting_ConnectTimesOut()
    {
        // A listener whose accept queue is full drops further SYNs, so a connect hangs until its timeout.
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var queued = new Socket(SocketType.Stream, ProtocolType.Tcp);
        queued.Connect(listener.LocalEndPoint!);
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);

        Assert.Equal("IOERR error or timeout connecting to the client", Error("SLOTSMGRTONE", "127.0.0.1", I(port), "300", "k"));

        Assert.Equal("v", _src.Command("GET", "k").Text);
    }

    [Fact]
    public void SlotsMgrtOne_SilentTarget_TimesOutAndKeepsTheKey()
    {
        using var target = new FakeTarget { Respond = _ => null };
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);

        Assert.Equal("IOERR error or timeout reading from target", Error("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "300", "k"));

        Assert.Equal("v", _src.Command("GET", "k").Text);
        Assert.Equal("SELECT", FakeTarget.Name(target.Next()));
        Assert.Equal("SLOTSRESTORE", FakeTarget.Name(target.Next()));
    }

    [Fact]
    public void SlotsMgrtOne_TargetRejectsRestore_MigrationFailedAndConnectionClosed()
    {
        using var target = new FakeTarget
        {
            Respond = cmd => FakeTarget.Name(cmd) == "SLOTSRESTORE" ? "-ERR bad data format\r\n" : "+OK\r\n",
        };
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);

        Assert.Equal("ERR error on slotsrestore, migration failed", Error("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "2000", "k"));
        Assert.Equal("v", _src.Command("GET", "k").Text);

        // The failed connection was dropped: the next attempt connects again and selects again.
        target.Respond = _ => "+OK\r\n";
        Assert.Equal(1, _src.Command("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "2000", "k").Integer);
        Assert.Equal(2, target.Connections);
        string[] names = [.. target.Received.Select(FakeTarget.Name)];
        Assert.Equal(["SELECT", "SLOTSRESTORE", "SELECT", "SLOTSRESTORE"], names);
    }

    [Fact]
    public void SlotsMgrtOne_TargetRejectsSelect_SelectFailed()
    {
        using var target = new FakeTarget { Respond = _ => "-ERR DB index is out of range\r\n" };
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);

        Assert.Equal("ERR error on slotsrestore, select failed", Error("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "2000", "k"));
        Assert.Equal("v", _src.Command("GET", "k").Text);
    }

    [Fact]
    public void SlotsMgrtOne_WhileTransferIsInFlight_OtherClientsAreServed()
    {
        using var release = new ManualResetEventSlim();
        using var target = new FakeTarget
        {
            Respond = cmd =>
            {
                if (FakeTarget.Name(cmd) == "SLOTSRESTORE")
                    release.Wait(TimeSpan.FromSeconds(30));
                return "+OK\r\n";
            },
        };
        byte[] big = new byte[4 << 20];
        new Random(3).NextBytes(big);
        Assert.Equal("OK", _src.CommandBytes("SET"u8.ToArray(), "big"u8.ToArray(), big).Text);
        _src.SendRaw(RespConnection.Encode("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "30000", "big"));
        Assert.Equal("SELECT", FakeTarget.Name(target.Next()));
        Assert.Equal("SLOTSRESTORE", FakeTarget.Name(target.Next()));

        // The migrating client waits for the target; everybody else goes on.
        using (RespConnection other = _servers.Source.Connect())
        {
            Assert.Equal("PONG", other.Command("PING").Text);
            Assert.Equal("OK", other.Command("SET", "unrelated", "1").Text);
            Assert.Equal(big.Length, other.Command("STRLEN", "big").Integer);
        }
        Assert.False(_src.HasBufferedData);
        release.Set();

        Assert.Equal(1, _src.ReadValue().Integer);
        Assert.Equal(0, _src.Command("EXISTS", "big").Integer);
    }

    [Fact]
    public void SlotsMgrtOne_TwoClientsToOneTarget_QueueOnTheCachedConnection()
    {
        using var release = new ManualResetEventSlim();
        using var target = new FakeTarget
        {
            Respond = cmd =>
            {
                if (FakeTarget.Name(cmd) == "SLOTSRESTORE")
                    release.Wait(TimeSpan.FromSeconds(30));
                return "+OK\r\n";
            },
        };
        using RespConnection second = _servers.Source.Connect();
        Assert.Equal("OK", _src.Command("SET", "a", "1").Text);
        Assert.Equal("OK", _src.Command("SET", "b", "2").Text);

        _src.SendRaw(RespConnection.Encode("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "30000", "a"));
        Assert.Equal("SELECT", FakeTarget.Name(target.Next()));
        Assert.Equal("SLOTSRESTORE", FakeTarget.Name(target.Next()));
        second.SendRaw(RespConnection.Encode("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "30000", "b"));
        using (RespConnection third = _servers.Source.Connect())
            Assert.Equal("2", third.Command("GET", "b").Text);
        release.Set();

        Assert.Equal(1, _src.ReadValue().Integer);
        Assert.Equal(1, second.ReadValue().Integer);
        Assert.Equal(1, target.Connections);
        Assert.Equal(0, _src.Command("DBSIZE").Integer);
    }

    [Fact]
    public void SlotsMgrtOne_KeyWrittenDuringTransfer_IsSentAgainNotLost()
    {
        using var writeNow = new ManualResetEventSlim();
        using var written = new ManualResetEventSlim();
        int restores = 0;
        using var target = new FakeTarget
        {
            Respond = cmd =>
            {
                if (FakeTarget.Name(cmd) == "SLOTSRESTORE" && Interlocked.Increment(ref restores) == 1)
                {
                    writeNow.Set();
                    written.Wait(TimeSpan.FromSeconds(30));
                }
                return "+OK\r\n";
            },
        };
        Assert.Equal("OK", _src.Command("SET", "k", "before").Text);
        _src.SendRaw(RespConnection.Encode("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "30000", "k"));

        Assert.True(writeNow.Wait(TimeSpan.FromSeconds(10)));
        using (RespConnection other = _servers.Source.Connect())
            Assert.Equal(12, other.Command("APPEND", "k", "+after").Integer);
        written.Set();

        Assert.Equal(1, _src.ReadValue().Integer);
        Assert.Equal(0, _src.Command("EXISTS", "k").Integer);
        IReadOnlyList<byte[]>[] restoresSent = [.. target.Received.Where(c => FakeTarget.Name(c) == "SLOTSRESTORE")];
        Assert.Equal(2, restoresSent.Length);
        Assert.Equal("before", PayloadString(restoresSent[0][3]));
        Assert.Equal("before+after", PayloadString(restoresSent[1][3]));
    }

    [Fact]
    public void SlotsMgrtOne_KeyWrittenDuringEveryOptimisticRound_LastRoundHoldsTheLockAndFinishes()
    {
        using RespConnection writer = _servers.Source.Connect();
        int restores = 0;
        using var target = new FakeTarget
        {
            Respond = cmd =>
            {
                // Rounds 1-3 send outside the server lock, so this write goes through before the reply;
                // round 4 holds the lock, and no write can slip in.
                if (FakeTarget.Name(cmd) == "SLOTSRESTORE" && Interlocked.Increment(ref restores) <= 3)
                    Assert.False(writer.Command("APPEND", "k", "+").IsError);
                return "+OK\r\n";
            },
        };
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);

        Assert.Equal(1, _src.Command("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "30000", "k").Integer);

        Assert.Equal(0, _src.Command("EXISTS", "k").Integer);
        string[] sent = [.. target.Received.Where(c => FakeTarget.Name(c) == "SLOTSRESTORE").Select(c => PayloadString(c[3]))];
        Assert.Equal(["v", "v+", "v++", "v+++"], sent);
    }

    [Fact]
    public void SlotsMgrtTagOne_KeyDeletedDuringTransfer_IsDeletedOnTheTargetToo()
    {
        using var deleteNow = new ManualResetEventSlim();
        using var deleted = new ManualResetEventSlim();
        int restores = 0;
        using var target = new FakeTarget
        {
            Respond = cmd =>
            {
                if (FakeTarget.Name(cmd) == "SLOTSRESTORE" && Interlocked.Increment(ref restores) == 1)
                {
                    deleteNow.Set();
                    deleted.Wait(TimeSpan.FromSeconds(30));
                }
                return FakeTarget.Name(cmd) == "DEL" ? ":1\r\n" : "+OK\r\n";
            },
        };
        Assert.Equal("OK", _src.Command("SET", "{t}a", "1").Text);
        Assert.Equal("OK", _src.Command("SET", "{t}b", "2").Text);
        _src.SendRaw(RespConnection.Encode("SLOTSMGRTTAGONE", "127.0.0.1", I(target.Port), "30000", "{t}a"));

        Assert.True(deleteNow.Wait(TimeSpan.FromSeconds(10)));
        using (RespConnection other = _servers.Source.Connect())
            Assert.Equal(1, other.Command("DEL", "{t}b").Integer);
        deleted.Set();

        // {t}a moved in the first round; {t}b vanished meanwhile, so the target's copy is removed.
        Assert.Equal(1, _src.ReadValue().Integer);
        Assert.Equal(0, _src.Command("DBSIZE").Integer);
        IReadOnlyList<byte[]> last = target.Received.Last();
        Assert.Equal("DEL", FakeTarget.Name(last));
        Assert.Equal("{t}b", Encoding.UTF8.GetString(last[1]));
    }

    [Fact]
    public void SlotsMgrtOne_SamePasswordOnBothSides_AuthenticatesOnce()
    {
        using ServerProcess source = ServerProcess.StartCodis("--requirepass", "s3cret");
        using ServerProcess dest = ServerProcess.StartCodis("--requirepass", "s3cret");
        using RespConnection s = source.Connect();
        using RespConnection d = dest.Connect();
        Assert.Equal("OK", s.Command("AUTH", "s3cret").Text);
        Assert.Equal("OK", d.Command("AUTH", "s3cret").Text);
        Assert.Equal("OK", s.Command("SET", "a", "1").Text);
        Assert.Equal("OK", s.Command("SET", "b", "2").Text);

        Assert.Equal(1, s.Command("SLOTSMGRTONE", "127.0.0.1", I(dest.Port), "2000", "a").Integer);
        Assert.Equal(1, s.Command("SLOTSMGRTONE", "127.0.0.1", I(dest.Port), "2000", "b").Integer);

        Assert.Equal("1", d.Command("GET", "a").Text);
        Assert.Equal("2", d.Command("GET", "b").Text);
        string stats = d.Command("INFO", "commandstats").Text!;
        Assert.Contains("cmdstat_auth:calls=2,", stats, StringComparison.Ordinal); // ours and the migration's one
    }

    [Fact]
    public void SlotsMgrtOne_TargetWithAnotherPassword_AuthFailedAndKeyKept()
    {
        using ServerProcess source = ServerProcess.StartCodis("--requirepass", "one");
        using ServerProcess dest = ServerProcess.StartCodis("--requirepass", "two");
        using RespConnection s = source.Connect();
        Assert.Equal("OK", s.Command("AUTH", "one").Text);
        Assert.Equal("OK", s.Command("SET", "a", "1").Text);

        RespValue r = s.Command("SLOTSMGRTONE", "127.0.0.1", I(dest.Port), "2000", "a");

        Assert.Equal("ERR error on slotsrestore, auth failed", r.Text);
        Assert.Equal("1", s.Command("GET", "a").Text);
    }

    [Fact]
    public void SlotsMgrtOne_PasswordOnlyOnTarget_MigrationFailed()
    {
        // The source has no password, so it sends no AUTH: the target refuses with NOAUTH.
        using ServerProcess dest = ServerProcess.StartCodis("--requirepass", "two");
        Assert.Equal("OK", _src.Command("SET", "a", "1").Text);

        RespValue r = _src.Command("SLOTSMGRTONE", "127.0.0.1", I(dest.Port), "2000", "a");

        Assert.Equal("ERR error on slotsrestore, select failed", r.Text);
        Assert.Equal("1", _src.Command("GET", "a").Text);
    }

    [Fact]
    public void SlotsMgrtOne_ConnectionUnusedFor15Seconds_ClosedByTheCron()
    {
        using var target = new FakeTarget();
        Assert.Equal("OK", _src.Command("SET", "a", "1").Text);
        Assert.Equal("OK", _src.Command("SET", "b", "1").Text);
        Assert.Equal(1, _src.Command("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "1000", "a").Integer);
        Assert.Equal(1, _src.Command("SLOTSMGRTONE", "127.0.0.1", I(target.Port), "1000", "b").Integer);
        Assert.Equal(1, target.Connections);
        Assert.Equal(0, target.Closed);

        // Codis's cron closes a cached connection unused for more than 15 s (checked every second).
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (target.Closed == 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(200);

        Assert.Equal(1, target.Closed);
    }

    private static string PayloadString(byte[] payload)
    {
        Assert.True(DumpPayload.TryParse(payload, out RdbValue? value, out string? error), error);
        return Encoding.UTF8.GetString(value.String!);
    }
}
