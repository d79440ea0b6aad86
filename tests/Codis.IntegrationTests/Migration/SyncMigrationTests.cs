using System.Globalization;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// The synchronous migration (spec server.md §5) between two real codis-servers: every data type and
/// size class, TTLs, tags, several databases, and the per-key commands' replies.
/// </summary>
public sealed class SyncMigrationTests : IClassFixture<MigrationPairFixture>, IDisposable
{
    private readonly MigrationPairFixture _servers;
    private readonly RespConnection _src;
    private readonly RespConnection _dst;

    /// <summary>Connects to both servers and empties them.</summary>
    public SyncMigrationTests(MigrationPairFixture servers)
    {
        _servers = servers;
        _src = servers.Source.Connect();
        _dst = servers.Target.Connect();
        _src.ReadTimeout = TimeSpan.FromSeconds(60);
        Assert.Equal("OK", _src.Command("FLUSHALL").Text);
        Assert.Equal("OK", _dst.Command("FLUSHALL").Text);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _src.Dispose();
        _dst.Dispose();
    }

    private string TargetPort => _servers.Target.Port.ToString(CultureInfo.InvariantCulture);

    private static string I(long i) => i.ToString(CultureInfo.InvariantCulture);

    private RespValue Mgrt(string command, string slotOrKey, string timeout = "5000") =>
        _src.Command(command, "127.0.0.1", TargetPort, timeout, slotOrKey);

    private List<int> NonEmptySlots() => [.. _src.Command("SLOTSINFO").Children!.Select(p => (int)p[0].Integer)];

    /// <summary>Moves every slot of the current database the way the dashboard does: repeat until the slot is empty.</summary>
    private int MigrateAllSlots(string command)
    {
        int moved = 0;
        foreach (int slot in NonEmptySlots())
        {
            for (int guard = 0; ; guard++)
            {
                Assert.True(guard < 10_000, "the slot never emptied");
                RespValue r = Mgrt(command, I(slot));
                Assert.False(r.IsError, r.ToString());
                moved += (int)r[0].Integer;
                if (r[1].Integer == 0)
                    break;
                Assert.True(r[0].Integer > 0, $"no progress on slot {slot}: {r}");
            }
        }
        return moved;
    }

    [Fact]
    public void SlotsMgrtTagSlot_EveryTypeInTwoDatabases_TargetHoldsExactlyWhatSourceHeld()
    {
        var expected = new Dictionary<int, Dictionary<string, (string, long)>>();
        foreach (int db in new[] { 0, 3 })
        {
            Assert.Equal("OK", _src.Command("SELECT", I(db)).Text);
            List<string> keys = MigrationData.Populate(_src, "db" + I(db) + ":", bigBytes: 3 << 20, seed: db);
            expected[db] = MigrationData.Capture(_src, keys);
        }

        foreach (int db in new[] { 0, 3 })
        {
            Assert.Equal("OK", _src.Command("SELECT", I(db)).Text);
            Assert.Equal(expected[db].Count, MigrateAllSlots("SLOTSMGRTTAGSLOT"));
            Assert.Equal(0, _src.Command("DBSIZE").Integer);
            Assert.Equal("OK", _src.Command("SLOTSCHECK").Text);
        }
        foreach (int db in new[] { 0, 3 })
        {
            Assert.Equal("OK", _dst.Command("SELECT", I(db)).Text);
            MigrationData.AssertHolds(_dst, expected[db]);
        }
    }

    [Fact]
    public void SlotsMgrtSlot_OneKeyPerCall_MovesEverything()
    {
        Assert.Equal("OK", _src.Command("SELECT", "2").Text);
        List<string> keys = MigrationData.Populate(_src, "p:", bigBytes: 100_000, seed: 7);
        Dictionary<string, (string, long)> expected = MigrationData.Capture(_src, keys);

        Assert.Equal(keys.Count, MigrateAllSlots("SLOTSMGRTSLOT"));

        Assert.Equal(0, _src.Command("DBSIZE").Integer);
        Assert.Equal("OK", _dst.Command("SELECT", "2").Text);
        MigrationData.AssertHolds(_dst, expected);
        Assert.Equal("OK", _dst.Command("SELECT", "0").Text);
        Assert.Equal(0, _dst.Command("DBSIZE").Integer);
    }

    [Fact]
    public void SlotsMgrtSlot_TaggedSlot_MovesOneKeyAtATime()
    {
        for (int i = 0; i < 3; i++)
            Assert.Equal("OK", _src.Command("SET", "{t}" + I(i), "v").Text);
        int slot = (int)_src.Command("SLOTSHASHKEY", "{t}").Children![0].Integer;

        RespValue first = Mgrt("SLOTSMGRTSLOT", I(slot));

        Assert.Equal(1, first[0].Integer);
        Assert.Equal(2, first[1].Integer);
        Assert.Equal(1, _dst.Command("DBSIZE").Integer);
    }

    [Fact]
    public void SlotsMgrtTagSlot_TaggedSlot_MovesTheWholeTagAtOnce()
    {
        for (int i = 0; i < 5; i++)
            Assert.Equal("OK", _src.Command("SET", "{t}" + I(i), "v").Text);
        int slot = (int)_src.Command("SLOTSHASHKEY", "{t}").Children![0].Integer;

        RespValue r = Mgrt("SLOTSMGRTTAGSLOT", I(slot));

        Assert.Equal(5, r[0].Integer);
        Assert.Equal(0, r[1].Integer);
        Assert.Equal(5, _dst.Command("DBSIZE").Integer);
    }

    [Fact]
    public void SlotsMgrtSlot_EmptySlot_ZeroZeroWithoutConnecting()
    {
        // Nothing listens on the port: an empty slot is answered before any connection attempt.
        int dead = FreePort.Get();
        RespValue r = _src.Command("SLOTSMGRTSLOT", "127.0.0.1", I(dead), "100", "17");
        Assert.Equal(2, r.Count);
        Assert.Equal(0, r[0].Integer);
        Assert.Equal(0, r[1].Integer);
        r = _src.Command("SLOTSMGRTTAGSLOT", "127.0.0.1", I(dead), "100", "1023");
        Assert.Equal(0, r[0].Integer);
        Assert.Equal(0, r[1].Integer);
    }

    [Fact]
    public void SlotsMgrtOne_PresentThenAbsent_OneThenZero()
    {
        Assert.Equal("OK", _src.Command("SET", "k", "v").Text);
        Assert.Equal(1, _src.Command("PEXPIRE", "k", "50000").Integer);

        Assert.Equal(1, Mgrt("SLOTSMGRTONE", "k").Integer);
        Assert.Equal(0, Mgrt("SLOTSMGRTONE", "k").Integer);

        Assert.Equal(0, _src.Command("EXISTS", "k").Integer);
        Assert.Equal("v", _dst.Command("GET", "k").Text);
        Assert.InRange(_dst.Command("PTTL", "k").Integer, 40_000, 50_000);
    }

    [Fact]
    public void SlotsMgrtTagOne_KeyAbsentButTagPresent_MovesTheTagsKeys()
    {
        // The spec's verified example: SLOTSMGRTTAGONE ... {t}zzz → 2 (moved {t}a and {t}b).
        Assert.Equal("OK", _src.Command("SET", "{t}a", "1").Text);
        Assert.Equal("OK", _src.Command("SET", "{t}b", "2").Text);
        Assert.Equal("OK", _src.Command("SET", "other", "3").Text);

        Assert.Equal(2, Mgrt("SLOTSMGRTTAGONE", "{t}zzz").Integer);

        Assert.Equal(1, _src.Command("DBSIZE").Integer);
        Assert.Equal("1", _dst.Command("GET", "{t}a").Text);
        Assert.Equal("2", _dst.Command("GET", "{t}b").Text);
        Assert.Equal(0, Mgrt("SLOTSMGRTTAGONE", "{t}a").Integer);
    }

    [Fact]
    public void SlotsMgrtTagOne_KeyWithoutTag_MovesOnlyThatKey()
    {
        Assert.Equal("OK", _src.Command("SET", "plain", "1").Text);
        Assert.Equal("OK", _src.Command("SET", "{plain}x", "2").Text);

        Assert.Equal(1, Mgrt("SLOTSMGRTTAGONE", "plain").Integer);
        Assert.Equal(0, Mgrt("SLOTSMGRTTAGONE", "absent").Integer);

        Assert.Equal(1, _src.Command("EXISTS", "{plain}x").Integer);
        Assert.Equal("1", _dst.Command("GET", "plain").Text);
    }

    [Fact]
    public void SlotsMgrtOne_ExistingKeyOnTarget_IsReplaced()
    {
        Assert.Equal(3, _dst.Command("RPUSH", "k", "old", "old", "old").Integer);
        Assert.Equal("OK", _src.Command("SET", "k", "new").Text);

        Assert.Equal(1, Mgrt("SLOTSMGRTONE", "k").Integer);

        Assert.Equal("new", _dst.Command("GET", "k").Text);
        Assert.Equal(-1, _dst.Command("PTTL", "k").Integer);
    }

    [Fact]
    public void SlotsMgrtOne_InsideMulti_RunsInTheTransaction()
    {
        Assert.Equal("OK", _src.Command("SET", "a", "1").Text);
        Assert.Equal("OK", _src.Command("MULTI").Text);
        Assert.Equal("QUEUED", _src.Command("SLOTSMGRTONE", "127.0.0.1", TargetPort, "5000", "a").Text);
        Assert.Equal("QUEUED", _src.Command("EXISTS", "a").Text);
        RespValue exec = _src.Command("EXEC");

        Assert.Equal(1, exec[0].Integer);
        Assert.Equal(0, exec[1].Integer);
        Assert.Equal("1", _dst.Command("GET", "a").Text);
    }

    [Fact]
    public void SlotsMgrtOne_WatchedKey_ExecFailsAfterTheMove()
    {
        using RespConnection watcher = _servers.Source.Connect();
        Assert.Equal("OK", _src.Command("SET", "w", "1").Text);
        Assert.Equal("OK", watcher.Command("WATCH", "w").Text);
        Assert.Equal("OK", watcher.Command("MULTI").Text);
        Assert.Equal("QUEUED", watcher.Command("SET", "w", "2").Text);

        Assert.Equal(1, Mgrt("SLOTSMGRTONE", "w").Integer);

        Assert.True(watcher.Command("EXEC").IsNull);
        Assert.Equal(0, _src.Command("EXISTS", "w").Integer);
    }

    [Fact]
    public void SlotsMgrtOne_SecondMigration_ReusesTheCachedConnection()
    {
        long before = ConnectedClients(_dst);
        Assert.Equal("OK", _src.Command("SET", "a", "1").Text);
        Assert.Equal("OK", _src.Command("SET", "b", "1").Text);

        Assert.Equal(1, Mgrt("SLOTSMGRTONE", "a").Integer);
        long afterFirst = ConnectedClients(_dst);
        Assert.Equal(1, Mgrt("SLOTSMGRTONE", "b").Integer);

        Assert.True(afterFirst <= before + 1, $"{before} -> {afterFirst}");
        Assert.Equal(afterFirst, ConnectedClients(_dst));
    }

    private static long ConnectedClients(RespConnection c)
    {
        string info = c.Command("INFO", "clients").Text!;
        string line = info.Split("\r\n").First(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return long.Parse(line["connected_clients:".Length..], CultureInfo.InvariantCulture);
    }
}
