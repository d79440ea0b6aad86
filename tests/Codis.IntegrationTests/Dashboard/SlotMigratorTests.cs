using System.Globalization;
using System.Text;
using Codis.Cluster.Redis;
using Codis.Core.Slots;
using Codis.Dashboard.Slots;
using Codis.IntegrationTests.Migration;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's executor calls (migration.md §3.2 <c>exec(db)</c>) against two real codis-servers: a
/// slot with keys in several databases moves one way with one method and back with the other, until
/// both report the slot empty.
/// </summary>
public sealed class SlotMigratorTests : IClassFixture<MigrationPairFixture>, IDisposable
{
    private const int Sid = 77;
    private readonly MigrationPairFixture _servers;
    private readonly RespConnection _src;
    private readonly RespConnection _dst;

    /// <summary>Connects to both servers and empties them.</summary>
    public SlotMigratorTests(MigrationPairFixture servers)
    {
        _servers = servers;
        _src = servers.Source.Connect();
        _dst = servers.Target.Connect();
        Assert.Equal("OK", _src.Command("FLUSHALL").Text);
        Assert.Equal("OK", _dst.Command("FLUSHALL").Text);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _src.Dispose();
        _dst.Dispose();
    }

    private static string Addr(ServerProcess p) => "127.0.0.1:" + p.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Keys without a tag that hash to <paramref name="slot"/>.</summary>
    internal static List<string> KeysOfSlot(int slot, int count, string prefix = "k")
    {
        var keys = new List<string>();
        for (int i = 0; keys.Count < count; i++)
        {
            string k = prefix + i.ToString(CultureInfo.InvariantCulture);
            if (SlotHash.Slot(Encoding.UTF8.GetBytes(k)) == slot)
                keys.Add(k);
        }
        return keys;
    }

    /// <summary>Fills slot <see cref="Sid"/> in databases 0, 3 and 9 (strings, a tag family, a big hash) plus other slots.</summary>
    private static Dictionary<(int Db, string Key), string> Fill(RespConnection c)
    {
        var written = new Dictionary<(int, string), string>();
        foreach (int db in new[] { 0, 3, 9 })
        {
            Assert.Equal("OK", c.Command("SELECT", db.ToString(CultureInfo.InvariantCulture)).Text);
            foreach (string k in KeysOfSlot(Sid, 40))
            {
                string v = $"v-{db}-{k}";
                Assert.Equal("OK", c.Command("SET", k, v).Text);
                written[(db, k)] = v;
            }
            string tag = KeysOfSlot(Sid, 1, "tag")[0];
            for (int t = 0; t < 5; t++)
                Assert.Equal("OK", c.Command("SET", $"{{{tag}}}-{t}", "x").Text);
            Assert.NotEqual(Sid, SlotHash.Slot("other-slot-key"u8));
            Assert.Equal("OK", c.Command("SET", "other-slot-key", "stays").Text);
        }
        // A hash large enough to take several async bulks.
        Assert.Equal("OK", c.Command("SELECT", "3").Text);
        string big = KeysOfSlot(Sid, 1, "big")[0];
        for (int i = 0; i < 2000; i++)
            c.Command("HSET", big, "f" + i.ToString(CultureInfo.InvariantCulture), new string('h', 100));
        return written;
    }

    private static async Task<int> MoveSlotAsync(SlotMigrator m, string from, string dest, int sid, MigrationSettings s)
    {
        int db = 0, calls = 0;
        while (true)
        {
            Assert.True(++calls < 10_000, "the slot never emptied");
            (int remaining, int next) = await m.MigrateAsync(from, dest, sid, db, s, CancellationToken.None);
            if (remaining == 0 && next == -1)
                return calls;
            db = next;
        }
    }

    private static long SlotKeys(RespConnection c, int db, int sid)
    {
        c.Command("SELECT", db.ToString(CultureInfo.InvariantCulture));
        RespValue info = c.Command("SLOTSINFO", sid.ToString(CultureInfo.InvariantCulture), "1");
        return info.Count == 0 ? 0 : info[0][1].Integer;
    }

    [Theory]
    [InlineData(MigrationMethod.Sync, MigrationMethod.SemiAsync)]
    [InlineData(MigrationMethod.SemiAsync, MigrationMethod.Sync)]
    public async Task MigrateAsync_SlotInSeveralDatabases_MovesEverythingThereAndBack(MigrationMethod there, MigrationMethod back)
    {
        Dictionary<(int Db, string Key), string> written = Fill(_src);
        string src = Addr(_servers.Source), dst = Addr(_servers.Target);
        await using var migrator = new SlotMigrator("");
        // Small batches so that every database takes several calls.
        var settings = new MigrationSettings { MaxBulks = 3, NumKeys = 10, Timeout = TimeSpan.FromSeconds(10) };

        int calls = await MoveSlotAsync(migrator, src, dst, Sid, settings with { Method = there });

        Assert.True(calls > 3, $"expected several calls, got {calls}");
        foreach (int db in new[] { 0, 3, 9 })
        {
            Assert.Equal(0, SlotKeys(_src, db, Sid));
            Assert.Equal(db == 3 ? 46 : 45, SlotKeys(_dst, db, Sid));
            Assert.Equal("stays", _src.Command("GET", "other-slot-key").Text);
            Assert.True(_dst.Command("GET", "other-slot-key").IsNull);
        }
        foreach (((int db, string key), string value) in written)
        {
            _dst.Command("SELECT", db.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(value, _dst.Command("GET", key).Text);
        }
        _dst.Command("SELECT", "3");
        Assert.Equal(2000, _dst.Command("HLEN", KeysOfSlot(Sid, 1, "big")[0]).Integer);

        await MoveSlotAsync(migrator, dst, src, Sid, settings with { Method = back });

        foreach (int db in new[] { 0, 3, 9 })
        {
            Assert.Equal(0, SlotKeys(_dst, db, Sid));
            Assert.Equal(db == 3 ? 46 : 45, SlotKeys(_src, db, Sid));
        }
        foreach (((int db, string key), string value) in written)
        {
            _src.Command("SELECT", db.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(value, _src.Command("GET", key).Text);
        }
        Assert.Equal("OK", _src.Command("SLOTSCHECK").Text);
        Assert.Equal("OK", _dst.Command("SLOTSCHECK").Text);
    }

    [Fact]
    public async Task MigrateAsync_EmptySlot_AnswersNextDatabaseThenDone()
    {
        _src.Command("SELECT", "5");
        _src.Command("SET", "elsewhere", "1");
        await using var migrator = new SlotMigrator("");
        var s = new MigrationSettings { Method = MigrationMethod.Sync };

        Assert.Equal((0, 5), await migrator.MigrateAsync(Addr(_servers.Source), Addr(_servers.Target), Sid, 0, s, CancellationToken.None));
        Assert.Equal((0, -1), await migrator.MigrateAsync(Addr(_servers.Source), Addr(_servers.Target), Sid, 5, s, CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_TargetDown_ReportsServerError()
    {
        _src.Command("SET", KeysOfSlot(Sid, 1)[0], "v");
        await using var migrator = new SlotMigrator("");
        string nowhere = "127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture);

        foreach (MigrationMethod method in new[] { MigrationMethod.Sync, MigrationMethod.SemiAsync })
        {
            var s = new MigrationSettings { Method = method, Timeout = TimeSpan.FromSeconds(3) };
            await Assert.ThrowsAsync<RespErrorException>(() =>
                migrator.MigrateAsync(Addr(_servers.Source), nowhere, Sid, 0, s, CancellationToken.None));
        }
        Assert.Equal("v", _src.Command("GET", KeysOfSlot(Sid, 1)[0]).Text);
    }

    [Fact]
    public async Task MigrateAsync_SourceDown_ReportsConnectionError()
    {
        await using var migrator = new SlotMigrator("");
        string nowhere = "127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture);

        var e = await Assert.ThrowsAsync<IOException>(() =>
            migrator.MigrateAsync(nowhere, Addr(_servers.Target), Sid, 0, new MigrationSettings(), CancellationToken.None));
        Assert.Contains(nowhere, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_ProductAuth_AuthenticatesOnSource()
    {
        // Every server of a product shares product_auth (the source authenticates to the target with it).
        using ServerProcess secured = ServerProcess.StartCodis("--requirepass", "s3cret");
        using ServerProcess target = ServerProcess.StartCodis("--requirepass", "s3cret");
        using (RespConnection c = secured.Connect())
        {
            Assert.Equal("OK", c.Command("AUTH", "s3cret").Text);
            foreach (string k in KeysOfSlot(Sid, 10))
                c.Command("SET", k, "p");
        }
        var s = new MigrationSettings { Method = MigrationMethod.SemiAsync };

        await using (var wrong = new SlotMigrator("nope"))
        {
            await Assert.ThrowsAsync<RespErrorException>(() =>
                wrong.MigrateAsync(Addr(secured), Addr(target), Sid, 0, s, CancellationToken.None));
        }
        await using var migrator = new SlotMigrator("s3cret");
        await MoveSlotAsync(migrator, Addr(secured), Addr(target), Sid, s);

        using RespConnection t = target.Connect();
        Assert.Equal("OK", t.Command("AUTH", "s3cret").Text);
        Assert.Equal(10, SlotKeys(t, 0, Sid));
    }
}
