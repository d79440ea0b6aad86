using Codis.Dashboard.Slots;

namespace Codis.Dashboard.Tests.Slots;

public class SlotMigratorTests
{
    [Fact]
    public void NextDatabase_PicksSmallestListedAboveCurrent()
    {
        const string info = "# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb7:keys=1,expires=0,avg_ttl=0\r\ndb2:keys=9\r\n";

        Assert.Equal(2, SlotMigrator.NextDatabase(info, 0));
        Assert.Equal(7, SlotMigrator.NextDatabase(info, 2));
        Assert.Equal(-1, SlotMigrator.NextDatabase(info, 7));
        Assert.Equal(-1, SlotMigrator.NextDatabase("# Keyspace\r\n", 0));
    }

    [Fact]
    public void NextDatabase_BadDbLine_Throws()
    {
        Assert.Throws<InvalidDataException>(() => SlotMigrator.NextDatabase("dbx:keys=1\r\n", 0));
    }

    [Fact]
    public void Render_PrintsLikeGo()
    {
        Assert.Equal("[1 [a b] <nil>]", SlotMigrator.Render(new List<object?> { 1L, new List<object?> { "a", "b" }, null }));
    }

    [Fact]
    public void Settings_AsyncTimeout_CappedAtFiveSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), new MigrationSettings().AsyncTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), new MigrationSettings { Timeout = TimeSpan.FromSeconds(2) }.AsyncTimeout);
    }

    [Fact]
    public async Task MigrateAsync_OfflineSource_NothingToMove()
    {
        await using var migrator = new SlotMigrator("");

        Assert.Equal((0, -1), await migrator.MigrateAsync("", "127.0.0.1:1", 3, 0, new MigrationSettings(), CancellationToken.None));
    }
}
