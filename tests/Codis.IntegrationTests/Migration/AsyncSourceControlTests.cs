using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>One codis-server acting as an async-migration source.</summary>
public sealed class MigrationSourceFixture : IDisposable
{
    /// <summary>Starts the server.</summary>
    public MigrationSourceFixture() => Source = ServerProcess.StartCodis();

    /// <summary>The source server.</summary>
    public ServerProcess Source { get; }

    /// <summary>Stops the server.</summary>
    public void Dispose() => Source.Dispose();
}

/// <summary>
/// The source side of the async migration (spec server.md §6.1, §6.4-§6.6, §6.9, §6.10) against targets
/// the test controls (<see cref="AsyncFakeTarget"/>): argument errors, a busy database, FENCE / CANCEL / STATUS,
/// timeouts, a target that dies or fails, the deferred reply that keeps pipelined replies in order,
/// MULTI/EXEC, and SLOTSMGRT-EXEC-WRAPPER's codes.
/// </summary>
public sealed class AsyncSourceControlTests : IClassFixture<MigrationSourceFixture>, IDisposable
{
    private readonly MigrationSourceFixture _fixture;
    private readonly RespConnection _c;
    private readonly List<IDisposable> _owned = [];

    /// <summary>Connects, cancels anything left by a previous test and empties the server.</summary>
    public AsyncSourceControlTests(MigrationSourceFixture fixture)
    {
        _fixture = fixture;
        _c = Connect();
        for (int db = 0; db < 4; db++)
        {
            Raw(_c, "SELECT", db.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Raw(_c, "SLOTSMGRT-ASYNC-CANCEL");
        }
        Raw(_c, "SELECT", "0");
        Assert.Equal("+OK\r\n", Raw(_c, "FLUSHALL"));
        Raw(_c, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (IDisposable d in _owned)
            d.Dispose();
        _c.Dispose();
    }

    private RespConnection Connect()
    {
        RespConnection c = _fixture.Source.Connect();
        _owned.Add(c);
        return c;
    }

    private AsyncFakeTarget Target(AsyncFakeTargetMode mode)
    {
        var t = new AsyncFakeTarget(mode);
        _owned.Add(t);
        return t;
    }

    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    private static string P(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void SendOnly(RespConnection c, params string[] args) => c.SendRaw(RespConnection.Encode(args));

    private static string Read(RespConnection c) => Encoding.UTF8.GetString(c.ReadReply());

    /// <summary>True when nothing arrives on <paramref name="c"/> for a short while.</summary>
    private static bool Silent(RespConnection c) => !c.IsClosedByServer(TimeSpan.FromMilliseconds(300)) && !c.HasBufferedData;

    private static Dictionary<string, RespValue> Status(RespConnection c)
    {
        RespValue v = c.Command("SLOTSMGRT-ASYNC-STATUS");
        var d = new Dictionary<string, RespValue>();
        for (int i = 0; i + 1 < v.Count; i += 2)
            d[v[i].Text!] = v[i + 1];
        return d;
    }

    [Theory]
    [InlineData("0", "0", "0", "0", "0", "0", "ERR invalid value of port (0)")]
    [InlineData("65536", "0", "0", "0", "0", "0", "ERR invalid value of port (65536)")]
    [InlineData("x1", "0", "0", "0", "0", "0", "ERR invalid value of port (x1)")]
    [InlineData("1", "-1", "0", "0", "0", "0", "ERR invalid value of timeout (-1)")]
    [InlineData("1", "2147483648", "0", "0", "0", "0", "ERR invalid value of timeout (2147483648)")]
    [InlineData("1", "0", "-1", "0", "0", "0", "ERR invalid value of maxbulks (-1)")]
    [InlineData("1", "0", "1.5", "0", "0", "0", "ERR invalid value of maxbulks (1.5)")]
    [InlineData("1", "0", "0", "-1", "0", "0", "ERR invalid value of maxbytes (-1)")]
    [InlineData("1", "0", "0", "99999999999", "0", "0", "ERR invalid value of maxbytes (99999999999)")]
    [InlineData("1", "0", "0", "0", "1024", "0", "ERR invalid value of slot (1024)")]
    [InlineData("1", "0", "0", "0", "-1", "0", "ERR invalid value of slot (-1)")]
    [InlineData("1", "0", "0", "0", "0", "-1", "ERR invalid value of numkeys (-1)")]
    [InlineData("1", "0", "0", "0", "0", "2147483648", "ERR invalid value of numkeys (2147483648)")]
    [InlineData("0", "-1", "-1", "-1", "-1", "-1", "ERR invalid value of port (0)")]
    [InlineData("1", "0", "0", "0", "5000", "-1", "ERR invalid value of slot (5000)")]
    public void SlotsmgrtSlotAsync_BadArgument_SpecErrorInOrder(string port, string timeout, string maxBulks, string maxBytes, string slot, string numKeys, string error)
    {
        foreach (string cmd in new[] { "SLOTSMGRTSLOT-ASYNC", "SLOTSMGRTTAGSLOT-ASYNC" })
            Assert.Equal($"-{error}\r\n", Raw(_c, cmd, "127.0.0.1", port, timeout, maxBulks, maxBytes, slot, numKeys));
    }

    [Theory]
    [InlineData("0", "0", "0", "0", "ERR invalid value of port (0)")]
    [InlineData("1", "x", "0", "0", "ERR invalid value of timeout (x)")]
    [InlineData("1", "0", "2147483648", "0", "ERR invalid value of maxbulks (2147483648)")]
    [InlineData("1", "0", "0", "-7", "ERR invalid value of maxbytes (-7)")]
    public void SlotsmgrtOneAsync_BadArgument_SpecError(string port, string timeout, string maxBulks, string maxBytes, string error)
    {
        foreach (string cmd in new[] { "SLOTSMGRTONE-ASYNC", "SLOTSMGRTTAGONE-ASYNC" })
            Assert.Equal($"-{error}\r\n", Raw(_c, cmd, "127.0.0.1", port, timeout, maxBulks, maxBytes, "k1", "k2"));
    }

    [Fact]
    public void SlotsmgrtAsync_WrongArgumentCount_RedisArityError()
    {
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrtslot-async' command\r\n", Raw(_c, "SLOTSMGRTSLOT-ASYNC", "127.0.0.1", "1", "0", "0", "0", "0"));
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrttagslot-async' command\r\n", Raw(_c, "SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", "1", "0", "0", "0", "0", "0", "0"));
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrtone-async' command\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", "1", "0", "0", "0"));
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrttagone-async' command\r\n", Raw(_c, "SLOTSMGRTTAGONE-ASYNC", "127.0.0.1", "1", "0", "0", "0"));
    }

    [Fact]
    public void SlotsmgrtAsync_NothingListening_CreateClientFailed()
    {
        int port = FreePort.Get();
        Assert.Equal($"-ERR create client to 127.0.0.1:{port} failed\r\n", Raw(_c, "SLOTSMGRTSLOT-ASYNC", "127.0.0.1", P(port), "1000", "0", "0", "5", "0"));
        Assert.Equal("*-1\r\n", Raw(_c, "SLOTSMGRT-ASYNC-STATUS"));
    }

    [Fact]
    public void SlotsmgrtSlotAsync_EmptySlot_AnswersZeroZeroAtOnce()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Assert.Equal("*2\r\n:0\r\n:0\r\n", Raw(_c, "SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "5", "0"));
        Assert.Equal("*2\r\n:0\r\n:0\r\n", Raw(_c, "SLOTSMGRTSLOT-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "5", "0"));
        Assert.Equal(":0\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "nokey"));
        // Nothing was sent, so the leading SELECT is still to come.
        Assert.Empty(t.Messages);
        Assert.Equal("0", Status(_c)["used"].Text);
    }

    [Fact]
    public void SlotsmgrtOneAsync_FirstMessages_SelectOnceThenDeleteAndPayload()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckAll);
        Raw(_c, "SELECT", "2");
        Raw(_c, "SET", "s1", "v1");
        Raw(_c, "SET", "s2", "v2");
        Assert.Equal(":1\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "s1", "nokey", "s1"));
        Assert.Equal(":1\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "s2"));
        string[] sent = [.. t.Messages.Select(m => string.Join(' ', m))];
        Assert.Equal(
            [
                "SLOTSRESTORE-ASYNC-SELECT 2",
                "SLOTSRESTORE-ASYNC delete s1",
                "SLOTSRESTORE-ASYNC string s1 0 v1",
                "SLOTSRESTORE-ASYNC delete s2",
                "SLOTSRESTORE-ASYNC string s2 0 v2",
            ],
            sent);
        Assert.Equal(":0\r\n", Raw(_c, "EXISTS", "s1", "s2"));
        Assert.Equal(1, t.Connections);
    }

    [Fact]
    public void SlotsmgrtAsync_OtherDbRunsBatch_RefusedWhileOthersAreServed()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "k", "v");
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "k");
        Assert.True(t.WaitForMessages(3));
        RespConnection other = Connect();
        Assert.Equal("-ERR the specified DB is being migrated\r\n", Raw(other, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "k"));
        Assert.Equal("-ERR the specified DB is being migrated\r\n", Raw(other, "SLOTSMGRTSLOT-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "0", "0"));
        // The server keeps serving everybody, and another database may migrate meanwhile.
        Assert.Equal("+PONG\r\n", Raw(other, "PING"));
        Assert.Equal("$1\r\nv\r\n", Raw(other, "GET", "k"));
        Raw(other, "SELECT", "1");
        Assert.Equal("*2\r\n:0\r\n:0\r\n", Raw(other, "SLOTSMGRTSLOT-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "0", "0"));
        Raw(other, "SELECT", "0");
        Assert.True(Silent(_c));
        Assert.Equal(":1\r\n", Raw(other, "SLOTSMGRT-ASYNC-CANCEL"));
        Assert.Equal("-ERR interrupted: canceled\r\n", Read(_c));
        Assert.Equal("$1\r\nv\r\n", Raw(_c, "GET", "k"));
    }

    [Fact]
    public void Status_DuringBatch_ReportsBatchAndCurrentIterator()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "RPUSH", "l", "a", "b", "c", "d", "e");
        Raw(_c, "PEXPIRE", "l", "100000");
        // maxbytes 1: generation stops as soon as anything waits to be sent, so the batch stays at
        // SELECT + delete until the target answers.
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "4000", "2", "1", "l", "nokey");
        Assert.True(t.WaitForMessages(2));
        RespConnection other = Connect();
        Dictionary<string, RespValue> s = Status(other);
        Assert.Equal(["host", "port", "used", "timeout", "lastuse", "since_lastuse", "sending_msgs", "blocked_clients", "batched_iterator"], s.Keys.ToArray());
        Assert.Equal("127.0.0.1", s["host"].Text);
        Assert.Equal(P(t.Port), s["port"].Text);
        Assert.Equal("1", s["used"].Text);
        Assert.Equal("4000", s["timeout"].Text);
        Assert.True(long.Parse(s["lastuse"].Text!, System.Globalization.CultureInfo.InvariantCulture) > 1_700_000_000_000);
        Assert.Equal("2", s["sending_msgs"].Text);
        Assert.Equal("1", s["blocked_clients"].Text);
        RespValue it = s["batched_iterator"];
        Assert.Equal(16, it.Count);
        Assert.Equal("keys", it[0].Text);
        Assert.Equal("2", it[1][0].Text);
        Assert.Equal(["l", "nokey"], it[1][1].Children!.Select(x => x.Text!).ToArray());
        Assert.Equal(["timeout", "4000", "maxbulks", "2", "maxbytes", "1", "estimate_msgs", "3", "removed_keys", "0", "chunked_vals", "0", "iterators"],
            it.Children!.Skip(2).Take(13).Select(x => x.Text!).ToArray());
        RespValue iterators = it[15];
        Assert.Equal("1", iterators[0].Text);
        RespValue head = iterators[1];
        Assert.Equal(["key", "val.type", "stage", "expire", "cursor", "lindex", "zindex", "chunked_msgs"], Enumerable.Range(0, 8).Select(i => head[2 * i].Text!).ToArray());
        Assert.Equal("l", head[1].Text);
        Assert.Equal("1", head[3].Text);
        Assert.Equal("2", head[5].Text);
        Assert.True(long.Parse(head[7].Text!, System.Globalization.CultureInfo.InvariantCulture) > 1_700_000_000_000);
        Assert.Equal(["0", "0", "0", "3"], new[] { head[9].Text!, head[11].Text!, head[13].Text!, head[15].Text! });
        Assert.Equal(":1\r\n", Raw(other, "SLOTSMGRT-ASYNC-CANCEL"));
        Assert.Equal("-ERR interrupted: canceled\r\n", Read(_c));
        Assert.Equal(":5\r\n", Raw(_c, "LLEN", "l"));
    }

    [Fact]
    public void Status_NoConnection_NullArray() => Assert.Equal("*-1\r\n", Raw(_c, "SLOTSMGRT-ASYNC-STATUS"));

    [Fact]
    public void Status_AfterBatch_SpecShape()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckAll);
        Raw(_c, "SET", "s1", "v");
        Assert.Equal(":1\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "s1"));
        RespValue v = _c.Command("SLOTSMGRT-ASYNC-STATUS");
        Assert.Equal(18, v.Count);
        string[] names = [.. Enumerable.Range(0, 9).Select(i => v[2 * i].Text!)];
        Assert.Equal(["host", "port", "used", "timeout", "lastuse", "since_lastuse", "sending_msgs", "blocked_clients", "batched_iterator"], names);
        Assert.Equal(["127.0.0.1", P(t.Port), "1", "5000"], new[] { v[1].Text!, v[3].Text!, v[5].Text!, v[7].Text! });
        Assert.All(new[] { v[1], v[3], v[5], v[7], v[9], v[11], v[13], v[15] }, x => Assert.Equal(RespType.BulkString, x.Type));
        Assert.Equal("0", v[13].Text);
        Assert.Equal("0", v[15].Text);
        Assert.True(v[17].IsNull);
    }

    [Fact]
    public void Cancel_WithoutAndWithConnection_ZeroThenOne()
    {
        Assert.Equal(":0\r\n", Raw(_c, "SLOTSMGRT-ASYNC-CANCEL"));
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckAll);
        Assert.Equal(":0\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "nokey"));
        Assert.Equal(":1\r\n", Raw(_c, "SLOTSMGRT-ASYNC-CANCEL", "ignored", "args"));
        Assert.Equal("*-1\r\n", Raw(_c, "SLOTSMGRT-ASYNC-STATUS"));
        Assert.Equal(":0\r\n", Raw(_c, "SLOTSMGRT-ASYNC-CANCEL"));
    }

    [Fact]
    public void Fence_NoBatch_Ok() => Assert.Equal("+OK\r\n", Raw(_c, "SLOTSMGRT-ASYNC-FENCE", "any", "args"));

    [Fact]
    public void Fence_DuringSlotBatch_GetsTheMigrationReply()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "{t}a", "1");
        Raw(_c, "SET", "{t}b", "2");
        Raw(_c, "SET", "t", "3");
        int slot = (int)_c.Command("SLOTSHASHKEY", "t")[0].Integer;
        SendOnly(_c, "SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", slot.ToString(System.Globalization.CultureInfo.InvariantCulture), "100");
        Assert.True(t.WaitForMessages(7));
        RespConnection fence = Connect();
        SendOnly(fence, "SLOTSMGRT-ASYNC-FENCE");
        Assert.True(Silent(fence));
        Assert.True(Silent(_c));
        t.AckOutstanding();
        // The remaining count is taken after the migrated keys were deleted (quirk 32).
        Assert.Equal("*2\r\n:3\r\n:0\r\n", Read(_c));
        Assert.Equal("*2\r\n:3\r\n:0\r\n", Read(fence));
        Assert.Equal(":0\r\n", Raw(_c, "EXISTS", "{t}a", "{t}b", "t"));
        Assert.Equal("+OK\r\n", Raw(fence, "SLOTSMGRT-ASYNC-FENCE"));
    }

    [Fact]
    public void Fence_ThenCancel_EveryWaiterInterrupted()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "k", "v");
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "k");
        Assert.True(t.WaitForMessages(3));
        RespConnection fence = Connect();
        SendOnly(fence, "SLOTSMGRT-ASYNC-FENCE");
        RespConnection gone = Connect();
        SendOnly(gone, "SLOTSMGRT-ASYNC-FENCE");
        Assert.True(Silent(gone));
        gone.Dispose();
        RespConnection admin = Connect();
        // A waiter that disconnected is forgotten.
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (Status(admin)["blocked_clients"].Text != "2" && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        Assert.Equal("2", Status(admin)["blocked_clients"].Text);
        Assert.Equal(":1\r\n", Raw(admin, "SLOTSMGRT-ASYNC-CANCEL"));
        Assert.Equal("-ERR interrupted: canceled\r\n", Read(_c));
        Assert.Equal("-ERR interrupted: canceled\r\n", Read(fence));
        Assert.Equal("$1\r\nv\r\n", Raw(_c, "GET", "k"));
    }

    [Fact]
    public void SlotsmgrtAsync_TargetNeverAnswers_MigrationTimeout()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "k", "v");
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "1000", "0", "0", "k");
        Assert.Equal("-ERR interrupted: migration timeout\r\n", Read(_c));
        Assert.Equal("$1\r\nv\r\n", Raw(_c, "GET", "k"));
        Assert.Equal("*-1\r\n", Raw(_c, "SLOTSMGRT-ASYNC-STATUS"));
    }

    [Fact]
    public void SlotsmgrtAsync_TargetDiesMidBatch_ConnectionClosedNothingDeleted()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        var keys = new List<string>();
        for (int i = 0; i < 50; i++)
        {
            keys.Add($"{{m}}k{i}");
            Raw(_c, "SET", keys[^1], new string('x', 1000));
        }
        int slot = (int)_c.Command("SLOTSHASHKEY", "m")[0].Integer;
        SendOnly(_c, "SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", slot.ToString(System.Globalization.CultureInfo.InvariantCulture), "10");
        Assert.True(t.WaitForMessages(3));
        t.DropConnections();
        Assert.Equal("-ERR interrupted: connection closed\r\n", Read(_c));
        Assert.Equal(":50\r\n", Raw(_c, ["EXISTS", .. keys]));
        Assert.Equal("*-1\r\n", Raw(_c, "SLOTSMGRT-ASYNC-STATUS"));
    }

    [Fact]
    public void SlotsmgrtAsync_TargetAcksAnError_ConnectionClosedNothingDeleted()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckError);
        Raw(_c, "SET", "k", "v");
        Assert.Equal("-ERR interrupted: connection closed\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "k"));
        Assert.Equal("$1\r\nv\r\n", Raw(_c, "GET", "k"));
    }

    [Fact]
    public void SlotsmgrtAsync_NewTarget_ReplacesCachedConnection()
    {
        AsyncFakeTarget first = Target(AsyncFakeTargetMode.AckAll);
        AsyncFakeTarget second = Target(AsyncFakeTargetMode.AckAll);
        Raw(_c, "SET", "a", "1");
        Raw(_c, "SET", "b", "2");
        Assert.Equal(":1\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(first.Port), "5000", "0", "0", "a"));
        Assert.Equal(":1\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(second.Port), "5000", "0", "0", "b"));
        Assert.Equal(P(second.Port), Status(_c)["port"].Text);
        // The new connection starts with its own SELECT.
        Assert.Equal("SLOTSRESTORE-ASYNC-SELECT", second.Messages[0][0]);
    }

    [Fact]
    public void Pipeline_CommandAfterMigration_AnsweredAfterTheMigrationReply()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "k", "v");
        _c.SendRaw([.. RespConnection.Encode("SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "k"), .. RespConnection.Encode("PING")]);
        Assert.True(t.WaitForMessages(3));
        Assert.True(Silent(_c));
        t.AckOutstanding();
        Assert.Equal(":1\r\n", Read(_c));
        Assert.Equal("+PONG\r\n", Read(_c));
    }

    [Fact]
    public void MultiExec_MigrationInside_ErrorElementAndNothingMoved()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckAll);
        Raw(_c, "SET", "k", "v");
        Assert.Equal("+OK\r\n", Raw(_c, "MULTI"));
        Assert.Equal("+QUEUED\r\n", Raw(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "k"));
        Assert.Equal("+QUEUED\r\n", Raw(_c, "SLOTSMGRT-ASYNC-FENCE"));
        Assert.Equal("+QUEUED\r\n", Raw(_c, "GET", "k"));
        Assert.Equal(
            "*3\r\n-ERR slotsmgrtone-async is not allowed inside MULTI/EXEC: its reply waits for the migration target\r\n+OK\r\n$1\r\nv\r\n",
            Raw(_c, "EXEC"));
        Assert.Empty(t.Messages);
    }

    [Fact]
    public void MultiExec_FenceDuringBatch_ErrorElement()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "k", "v");
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "k");
        Assert.True(t.WaitForMessages(3));
        RespConnection other = Connect();
        Raw(other, "MULTI");
        Raw(other, "SLOTSMGRT-ASYNC-FENCE");
        Assert.Equal("*1\r\n-ERR slotsmgrt-async-fence is not allowed inside MULTI/EXEC: its reply waits for the migration target\r\n", Raw(other, "EXEC"));
        t.AckOutstanding();
        Assert.Equal(":1\r\n", Read(_c));
    }

    [Fact]
    public void MaxBytes_LimitedByNormalOutputBufferLimit()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "CONFIG", "SET", "client-output-buffer-limit", "normal 4000 3000 0");
        Raw(_c, "SET", "k", "v");
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "k");
        Assert.True(t.WaitForMessages(3));
        RespConnection other = Connect();
        RespValue it = other.Command("SLOTSMGRT-ASYNC-STATUS")[17];
        Assert.Equal("3000", it[7].Text);
        Assert.Equal("200", it[5].Text);
        Raw(other, "SLOTSMGRT-ASYNC-CANCEL");
        Assert.Equal("-ERR interrupted: canceled\r\n", Read(_c));
    }

    [Fact]
    public void AsyncAck_FromOrdinaryClient_PermissionDenied()
    {
        Assert.Equal("-ERR invalid client, permission denied\r\n", Raw(_c, "SLOTSRESTORE-ASYNC-ACK", "0", "1"));
        Assert.Equal("-ERR wrong number of arguments for 'slotsrestore-async-ack' command\r\n", Raw(_c, "SLOTSRESTORE-ASYNC-ACK", "0"));
    }

    [Fact]
    public void ExecWrapper_SpecExamples()
    {
        Raw(_c, "SET", "s", "hello");
        Assert.Equal("-ERR wrong number of arguments for 'slotsmgrt-exec-wrapper' command\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s"));
        Assert.Equal("*2\r\n:2\r\n$5\r\nhello\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "GET", "s"));
        Assert.Equal("*2\r\n:0\r\n-ERR the specified key doesn't exist\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "missing", "GET", "missing"));
        Assert.Equal("*2\r\n:-1\r\n-ERR invalid command specified (NOSUCH)\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "NOSUCH"));
        Assert.Equal("*2\r\n:-1\r\n-ERR wrong number of arguments for command (GET)\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "GET"));
        Assert.Equal("*2\r\n:2\r\n-ERR value is not an integer or out of range\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "INCR", "s"));
        Assert.Equal("*2\r\n:2\r\n+OK\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "SET", "s", "v2"));
        Assert.Equal("$2\r\nv2\r\n", Raw(_c, "GET", "s"));
        Assert.Equal("*2\r\n:2\r\n*2\r\n$2\r\nv2\r\n$-1\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "MGET", "s", "nokey"));
        // An expired key counts as absent.
        Raw(_c, "SET", "gone", "x", "PX", "1");
        Thread.Sleep(20);
        Assert.Equal("*2\r\n:0\r\n-ERR the specified key doesn't exist\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "gone", "GET", "gone"));
    }

    [Fact]
    public void ExecWrapper_BlockingInnerCommand_AnswersAtOnce()
    {
        Raw(_c, "SET", "s", "x");
        Assert.Equal("*2\r\n:2\r\n*-1\r\n", Raw(_c, "SLOTSMGRT-EXEC-WRAPPER", "s", "BLPOP", "nolist", "0"));
    }

    [Fact]
    public void ExecWrapper_KeyOrTagInRunningBatch_Code1ForWritesOnly()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.Silent);
        Raw(_c, "SET", "{t}a", "1");
        Raw(_c, "SET", "{t}c", "3");
        Raw(_c, "SET", "free", "0");
        // The key variant without tag: {t}c is not in the batch, but it shares the batch's tag.
        SendOnly(_c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "30000", "0", "0", "{t}a");
        Assert.True(t.WaitForMessages(3));
        RespConnection proxy = Connect();
        Assert.Equal("*2\r\n:1\r\n-ERR the specified key is being migrated\r\n", Raw(proxy, "SLOTSMGRT-EXEC-WRAPPER", "{t}a", "SET", "{t}a", "9"));
        Assert.Equal("*2\r\n:1\r\n-ERR the specified key is being migrated\r\n", Raw(proxy, "SLOTSMGRT-EXEC-WRAPPER", "{t}c", "INCR", "{t}c"));
        Assert.Equal("*2\r\n:2\r\n$1\r\n1\r\n", Raw(proxy, "SLOTSMGRT-EXEC-WRAPPER", "{t}a", "GET", "{t}a"));
        Assert.Equal("*2\r\n:2\r\n:1\r\n", Raw(proxy, "SLOTSMGRT-EXEC-WRAPPER", "free", "INCR", "free"));
        t.AckOutstanding();
        Assert.Equal(":1\r\n", Read(_c));
        Assert.Equal("*2\r\n:0\r\n-ERR the specified key doesn't exist\r\n", Raw(proxy, "SLOTSMGRT-EXEC-WRAPPER", "{t}a", "SET", "{t}a", "9"));
        Assert.Equal("*2\r\n:2\r\n:4\r\n", Raw(proxy, "SLOTSMGRT-EXEC-WRAPPER", "{t}c", "INCR", "{t}c"));
    }

    [Fact]
    public void SlotsmgrtTagOneAsync_AbsentTaggedKey_MovesItsTagSiblings()
    {
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckAll);
        Raw(_c, "SET", "{t}a", "1");
        Raw(_c, "SET", "{t}b", "2");
        Raw(_c, "SET", "{u}a", "3");
        Assert.Equal(":2\r\n", Raw(_c, "SLOTSMGRTTAGONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "{t}zzz"));
        Assert.Equal(":0\r\n", Raw(_c, "EXISTS", "{t}a", "{t}b"));
        Assert.Equal(":1\r\n", Raw(_c, "EXISTS", "{u}a"));
    }

    [Fact]
    public void SlotsmgrtOneAsync_SourceHasRequirepass_AuthThenSelectFirst()
    {
        using ServerProcess source = ServerProcess.StartCodis("--requirepass", "s3cret");
        using RespConnection c = source.Connect();
        Assert.Equal("+OK\r\n", Raw(c, "AUTH", "s3cret"));
        AsyncFakeTarget t = Target(AsyncFakeTargetMode.AckAll);
        Raw(c, "SET", "k", "v");
        Assert.Equal(":1\r\n", Raw(c, "SLOTSMGRTONE-ASYNC", "127.0.0.1", P(t.Port), "5000", "0", "0", "k"));
        Assert.Equal(["SLOTSRESTORE-ASYNC-AUTH", "s3cret"], t.Messages[0]);
        Assert.Equal(["SLOTSRESTORE-ASYNC-SELECT", "0"], t.Messages[1]);
        Assert.Equal(["SLOTSRESTORE-ASYNC", "delete", "k"], t.Messages[2]);
    }
}
