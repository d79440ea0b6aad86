using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;
using static Codis.IntegrationTests.Dashboard.RebalanceCluster;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// Rebalance and slot migration end to end (migration.md §3-§5): real codis-servers, a real dashboard and a
/// real proxy taking writes before and during the move, in both migration methods; a dashboard killed with
/// SIGKILL in the middle and restarted finishes the job.
/// </summary>
public sealed class DashboardRebalanceTests
{
    private const int KeyCount = 3000;
    private static readonly TimeSpan MigrationTimeout = TimeSpan.FromMinutes(5);

    private static Dictionary<string, int> Plan(JsonElement reply) =>
        reply.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    private static Dictionary<string, int> Expected(params (int Beg, int End, int Gid)[] ranges) =>
        ranges.SelectMany(r => Enumerable.Range(r.Beg, r.End - r.Beg + 1).Select(s => (s, r.Gid)))
            .ToDictionary(x => x.s.ToString(CultureInfo.InvariantCulture), x => x.Gid);

    [Theory]
    [InlineData("sync", 2)]
    [InlineData("semi-async", 2)]
    [InlineData("sync", 3)]
    [InlineData("semi-async", 3)]
    public void Rebalance_OneGroupToMore_UnderWrites_EveryKeyKeptAndEverySlotOwnedOnce(string method, int groups)
    {
        using var cluster = new RebalanceCluster(groups, method, KeyCount);
        DashboardProcess d = cluster.Dashboard;
        Dictionary<string, int> expected = groups == 2
            ? Expected((512, 1023, 2))
            : Expected((342, 682, 2), (683, 1023, 3));
        Func<int, int> owner = groups == 2
            ? sid => sid < 512 ? 1 : 2
            : sid => sid < 342 ? 1 : sid < 683 ? 2 : 3;

        // A dry run plans without queueing; the reply's keys are slot ids as strings.
        Assert.Equal(expected, Plan(Json(d.Put("/api/topom/slots/rebalance/{xauth}/0"))));
        Assert.Equal(0, cluster.SlotsWithAction());

        cluster.StartWriter();
        Assert.True(Eventually(() => cluster.Writes > 200, TimeSpan.FromSeconds(30)), "the writer does not get through the proxy");
        Assert.Equal(expected, Plan(Json(d.Put("/api/topom/slots/rebalance/{xauth}/1"))));
        long before = cluster.Writes;
        cluster.WaitAllActionsDone(MigrationTimeout);
        Assert.True(cluster.Writes > before, "no write went through during the migration");
        cluster.StopWriter();

        cluster.AssertSettled(owner);
        JsonElement action = Json(d.Get("/topom/stats")).GetProperty("slot_action");
        Assert.Equal("", action.GetProperty("progress").GetProperty("status").GetString());
        Assert.Equal(0, action.GetProperty("executor").GetInt32());
        Assert.Empty(Plan(Json(d.Put("/api/topom/slots/rebalance/{xauth}/1"))));
    }

    [Fact]
    public void Rebalance_DashboardKilledMidMigration_RestartedDashboardCompletes()
    {
        using var cluster = new RebalanceCluster(2, "semi-async", KeyCount);
        // Slow the executor down so that the kill lands in the middle of the 512 slots.
        Ok(cluster.Dashboard.Put("/api/topom/slots/action/interval/{xauth}/30000"));
        cluster.StartWriter();
        Assert.Equal(512, Plan(Json(cluster.Dashboard.Put("/api/topom/slots/rebalance/{xauth}/1"))).Count);
        Assert.True(Eventually(() => cluster.SlotsWithAction() < 500, MigrationTimeout), "the migration does not progress");
        int left = cluster.SlotsWithAction();
        Assert.True(left > 0, "the migration finished before the kill");

        cluster.KillAndRestartDashboard();

        // Interval and disabled are in memory only: the new dashboard starts from 0.
        Assert.Equal(0, Json(cluster.Dashboard.Get("/topom/stats")).GetProperty("slot_action").GetProperty("interval").GetInt32());
        cluster.WaitAllActionsDone(MigrationTimeout);
        cluster.StopWriter();
        cluster.AssertSettled(sid => sid < 512 ? 1 : 2);
    }

    [Fact]
    public void SlotActionRoutes_ErrorsQueueAndSwitches()
    {
        using ServerProcess s1 = ServerProcess.StartCodis();
        using ServerProcess s2 = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        string a1 = "127.0.0.1:" + s1.Port.ToString(CultureInfo.InvariantCulture);
        string a2 = "127.0.0.1:" + s2.Port.ToString(CultureInfo.InvariantCulture);

        Error(d.Put("/api/topom/slots/rebalance/{xauth}/1"), "no valid group could be found");
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{a1}"));
        Ok(d.Put("/api/topom/group/create/{xauth}/2"));
        Error(d.Put("/api/topom/slots/action/create/{xauth}/5/2"), "group-[2] is empty");
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/2/{a2}"));
        Ok(d.Put("/api/topom/slots/assign/{xauth}", JsonSerializer.Serialize(
            Enumerable.Range(0, 1024).Select(i => new { id = i, group_id = i < 512 ? 1 : 2 }))));
        Assert.Equal("{}", Json(d.Put("/api/topom/slots/rebalance/{xauth}/0")).GetRawText());

        Error(d.Put("/api/topom/slots/action/create/{xauth}/5/9"), "group-[9] doesn't exist");
        Error(d.Put("/api/topom/slots/action/create/{xauth}/1024/2"), "slot-[1024] doesn't exist");
        Error(d.Put("/api/topom/slots/action/create/{xauth}/5/1"), "slot-[5] already in group-[1]");
        Error(d.Put("/api/topom/slots/action/create/{xauth}/x/1"), "invalid sid");
        Error(d.Put("/api/topom/slots/action/create-range/{xauth}/9/3/2"), "invalid slot range [9,3]");
        Error(d.Put("/api/topom/slots/action/create-range/{xauth}/510/515/2"), "slot-[512] already in group-[2]");
        Error(d.Put("/api/topom/slots/action/remove/{xauth}/5"), "slot-[5] action doesn't exist");
        Error(d.Put("/api/topom/slots/action/interval/{xauth}/abc"), "invalid value");

        // Paused: queued actions stay pending.
        Ok(d.Put("/api/topom/slots/action/disabled/{xauth}/1"));
        Ok(d.Put("/api/topom/slots/action/interval/{xauth}/5000000"));
        JsonElement action = Json(d.Get("/topom/stats")).GetProperty("slot_action");
        Assert.True(action.GetProperty("disabled").GetBoolean());
        Assert.Equal(1_000_000, action.GetProperty("interval").GetInt32());
        Ok(d.Put("/api/topom/slots/action/interval/{xauth}/-4"));
        Assert.Equal(0, Json(d.Get("/topom/stats")).GetProperty("slot_action").GetProperty("interval").GetInt32());

        Ok(d.Put("/api/topom/slots/action/create/{xauth}/5/2"));
        Error(d.Put("/api/topom/slots/action/create/{xauth}/5/2"), "slot-[5] action already exists");
        Ok(d.Put("/api/topom/slots/action/create-range/{xauth}/6/8/2"));
        Ok(d.Put("/api/topom/slots/action/create-some/{xauth}/1/2/2"));
        JsonElement slots = Json(d.Get("/topom/stats")).GetProperty("slots");
        Assert.Equal([1, 2, 3, 4, 5, 6], new[] { 5, 6, 7, 8, 0, 1 }.Select(s => slots[s].GetProperty("action").GetProperty("index").GetInt32()));
        Assert.All(new[] { 0, 1, 5, 6, 7, 8 }, s => Assert.Equal("pending", slots[s].GetProperty("action").GetProperty("state").GetString()));
        Ok(d.Put("/api/topom/slots/action/remove/{xauth}/8"));
        // The rebalance of a cluster with queued actions counts them for their target.
        Assert.Equal(Expected((1019, 1023, 1)), Plan(Json(d.Put("/api/topom/slots/rebalance/{xauth}/0"))));

        Thread.Sleep(2500); // the loop runs every second; nothing may start while disabled
        slots = Json(d.Get("/topom/stats")).GetProperty("slots");
        Assert.Equal("pending", slots[5].GetProperty("action").GetProperty("state").GetString());
        Assert.False(slots[8].GetProperty("action").TryGetProperty("state", out _));

        Ok(d.Put("/api/topom/slots/action/disabled/{xauth}/0"));
        Assert.True(Eventually(() => Json(d.Get("/topom/stats")).GetProperty("slots").EnumerateArray()
            .All(m => !m.GetProperty("action").TryGetProperty("state", out _)), TimeSpan.FromSeconds(60)), d.Process.OutputTail());
        slots = Json(d.Get("/topom/stats")).GetProperty("slots");
        Assert.All(new[] { 0, 1, 5, 6, 7 }, s => Assert.Equal(2, slots[s].GetProperty("group_id").GetInt32()));
        Assert.Equal(1, slots[8].GetProperty("group_id").GetInt32());
    }

    private static void Error(AdminReply r, string cause)
    {
        Assert.True(r.Status == 800, $"expected 800 '{cause}', got {r.Status}: {r.Body}");
        using JsonDocument doc = JsonDocument.Parse(r.Body);
        Assert.Equal(cause, doc.RootElement.GetProperty("Cause").GetString());
    }
}
