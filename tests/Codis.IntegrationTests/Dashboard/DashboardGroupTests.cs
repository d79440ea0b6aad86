using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;
using static Codis.IntegrationTests.Dashboard.DashboardAssert;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// Groups, read-only routes and xauth checks (dashboard-api.md §3, §4.1, §4.2, §4.4, §5) on a real dashboard
/// with real codis-servers and a plain redis.
/// </summary>
public sealed class DashboardGroupTests
{
    [Fact]
    public void Root_RedirectsToTopom_AndOverviewHasItsSections()
    {
        using DashboardProcess d = DashboardProcess.Start();
        AdminReply root = d.Get("/");
        Assert.Equal(302, root.Status);
        Assert.Equal("/topom", root.Headers["location"]);
        AdminReply overview = d.Get("/topom", gzip: true);
        Assert.Equal("gzip", overview.Headers["content-encoding"]);
        JsonElement o = Json(overview);
        Assert.Equal(["version", "compile", "config", "model", "stats"], o.EnumerateObject().Select(p => p.Name));
        Assert.Equal(d.AdminAddr, o.GetProperty("config").GetProperty("admin_addr").GetString());
        Assert.False(o.GetProperty("config").TryGetProperty("product_auth", out _));
        JsonElement stats = o.GetProperty("stats");
        Assert.Equal(["closed", "slots", "group", "proxy", "slot_action", "sentinels"], stats.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1024, stats.GetProperty("slots").GetArrayLength());
        Assert.Equal("{\"id\":0,\"group_id\":0,\"action\":{}}", stats.GetProperty("slots")[0].GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        Assert.Equal("{\"interval\":0,\"disabled\":false,\"progress\":{\"status\":\"\"},\"executor\":0}",
            stats.GetProperty("slot_action").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        Assert.Equal("{\"model\":{\"out_of_sync\":false},\"stats\":{},\"masters\":{}}",
            stats.GetProperty("sentinels").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        Assert.Equal(1024, Json(d.Get("/topom/slots")).GetArrayLength());
        Assert.Equal(1024, Json(d.Get("/api/topom/slots/" + d.XAuth)).GetArrayLength());
    }

    [Fact]
    public void XAuth_WrongOrForeignProduct_Refused()
    {
        using DashboardProcess d = DashboardProcess.Start();
        Ok(d.Call(HttpMethod.Get, "/api/topom/xping/" + d.XAuth));
        Error(d.Call(HttpMethod.Get, "/api/topom/xping/bad"), "invalid xauth, please check product name & auth");
        Error(d.Put("/api/topom/group/create/" + XAuthFormula.Dashboard("other") + "/1"), "invalid xauth, please check product name & auth");
        Error(d.Put("/api/topom/reload/nope"), "invalid xauth, please check product name & auth");
        Ok(d.Put("/api/topom/reload/{xauth}"));
        Ok(d.Put("/api/topom/loglevel/{xauth}/debug"));
        Error(d.Put("/api/topom/loglevel/{xauth}/loud"), "invalid loglevel");
    }

    [Fact]
    public void GroupCreateRemove_Errors()
    {
        using DashboardProcess d = DashboardProcess.Start();
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Error(d.Put("/api/topom/group/create/{xauth}/1"), "group-[1] already exists");
        Error(d.Put("/api/topom/group/create/{xauth}/0"), "invalid group id = 0, out of range");
        Error(d.Put("/api/topom/group/create/{xauth}/10000"), "invalid group id = 10000, out of range");
        Error(d.Put("/api/topom/group/create/{xauth}/x1"), "invalid gid");
        Assert.Equal("{\n    \"id\": 1,\n    \"servers\": [],\n    \"promoting\": {},\n    \"out_of_sync\": false\n}",
            File.ReadAllText(d.NodeFile("/codis3/codis-demo/group/group-0001")));
        Error(d.Put("/api/topom/group/remove/{xauth}/2"), "group-[2] doesn't exist");
        Ok(d.Put("/api/topom/group/remove/{xauth}/1"));
        Assert.False(File.Exists(d.NodeFile("/codis3/codis-demo/group/group-0001")));
        Error(d.Put("/api/topom/group/resync/{xauth}/1"), "group-[1] doesn't exist");
    }

    [Fact]
    public void GroupAddDel_CodisServerAccepted_PlainRedisRejected()
    {
        using ServerProcess codis1 = ServerProcess.StartCodis();
        using ServerProcess codis2 = ServerProcess.StartCodis();
        using ServerProcess redis = ServerProcess.StartRedis();
        using DashboardProcess d = DashboardProcess.Start();
        string a1 = Addr(codis1), a2 = Addr(codis2);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put("/api/topom/group/create/{xauth}/2"));

        AdminReply plain = d.Put($"/api/topom/group/add/{{xauth}}/1/{Addr(redis)}");
        Assert.Equal(800, plain.Status);
        Assert.StartsWith("ERR unknown command 'SLOTSINFO'", Cause(plain), StringComparison.Ordinal);
        AdminReply down = d.Put($"/api/topom/group/add/{{xauth}}/1/127.0.0.1:{FreePort.Get()}");
        Assert.Equal(800, down.Status);
        Assert.Contains("dial tcp", Cause(down), StringComparison.Ordinal);

        Error(d.Put($"/api/topom/group/add/{{xauth}}/3/{a1}"), "group-[3] doesn't exist");
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{a1}"));
        Error(d.Put($"/api/topom/group/add/{{xauth}}/2/{a1}"), $"server-[{a1}] already exists");
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{a2}/dc2"));
        JsonElement g = Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0];
        Assert.Equal(a1, g.GetProperty("servers")[0].GetProperty("server").GetString());
        Assert.Equal("dc2", g.GetProperty("servers")[1].GetProperty("datacenter").GetString());
        Error(d.Put("/api/topom/group/remove/{xauth}/1"), "group-[1] isn't empty");

        // replica-groups: in use (a slot) and more than one server → out_of_sync.
        Error(d.Put($"/api/topom/group/replica-groups/{{xauth}}/2/{a1}/1"), $"group-[2] doesn't have server-[{a1}]");
        Ok(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 5, \"group_id\": 1}]"));
        Ok(d.Put($"/api/topom/group/replica-groups/{{xauth}}/1/{a2}/1"));
        g = Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0];
        Assert.True(g.GetProperty("servers")[1].GetProperty("replica_group").GetBoolean());
        Assert.True(g.GetProperty("out_of_sync").GetBoolean());
        Ok(d.Put("/api/topom/group/resync/{xauth}/1"));
        Assert.False(Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0].GetProperty("out_of_sync").GetBoolean());
        Ok(d.Put("/api/topom/group/replica-groups-all/{xauth}/0"));
        Ok(d.Put("/api/topom/group/resync-all/{xauth}"));

        // The master of a group in use stays; a replica goes.
        Error(d.Put($"/api/topom/group/del/{{xauth}}/1/{a1}"), "group-[1] can't remove master, still in use");
        Error(d.Put($"/api/topom/group/del/{{xauth}}/2/{a1}"), $"group-[2] doesn't have server-[{a1}]");
        Ok(d.Put($"/api/topom/group/del/{{xauth}}/1/{a2}"));
        Ok(d.Put("/api/topom/slots/assign/{xauth}/offline", "[{\"id\": 5}]"));
        Ok(d.Put($"/api/topom/group/del/{{xauth}}/1/{a1}"));
        Ok(d.Put("/api/topom/group/remove/{xauth}/1"));
    }

    [Fact]
    public void SyncActions_CreateRemove_AndPromoteOfMasterRefused()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        string a = Addr(codis);
        Error(d.Put($"/api/topom/group/action/create/{{xauth}}/{a}"), $"server-[{a}] doesn't exist");
        Ok(d.Put("/api/topom/group/create/{xauth}/4"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/4/{a}"));
        Error(d.Put($"/api/topom/group/action/remove/{{xauth}}/{a}"), $"server-[{a}] action doesn't exist");
        Ok(d.Put($"/api/topom/group/action/create/{{xauth}}/{a}"));
        Error(d.Put($"/api/topom/group/action/create/{{xauth}}/{a}"), $"server-[{a}] action already exist");
        Assert.Contains("\"state\": \"pending\"", File.ReadAllText(d.NodeFile("/codis3/codis-demo/group/group-0004")), StringComparison.Ordinal);
        Ok(d.Put($"/api/topom/group/action/remove/{{xauth}}/{a}"));
        Error(d.Put($"/api/topom/group/promote/{{xauth}}/4/{a}"), "group-[4] can't promote master");
    }

    [Fact]
    public void SlotsAssign_Errors_AndStoredMappings()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Error(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 1, \"group_id\": 1}]"), "group-[1] is empty");
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{Addr(codis)}"));
        Error(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 1024, \"group_id\": 1}]"), "slot-[1024] doesn't exist");
        Error(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 1, \"group_id\": 2}]"), "group-[2] doesn't exist");
        Error(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 1, \"group_id\": 1, \"action\": {\"state\": \"pending\"}}]"), "invalid slot-[1] action = pending");
        Ok(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 1, \"group_id\": 1}, {\"id\": 2, \"group_id\": 1}]"));
        Assert.Equal("{\n    \"id\": 1,\n    \"group_id\": 1,\n    \"action\": {}\n}", File.ReadAllText(d.NodeFile("/codis3/codis-demo/slots/slot-0001")));
        JsonElement slots = Json(d.Get("/topom/slots"));
        Assert.Equal(Addr(codis), slots[2].GetProperty("backend_addr").GetString());
        Assert.Equal(1, slots[2].GetProperty("forward_method").GetInt32());
        Assert.True(Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0].GetProperty("out_of_sync").GetBoolean());
        Error(d.Put("/api/topom/slots/assign/{xauth}/offline", "[{\"id\": 1, \"group_id\": 1}]"), "group of slot-[1] should be 0");
        Ok(d.Put("/api/topom/slots/assign/{xauth}/offline", "[{\"id\": 1}]"));
        Assert.False(Json(d.Get("/topom/slots"))[1].TryGetProperty("backend_addr", out _));
        AdminReply bad = d.Put("/api/topom/slots/assign/{xauth}", "{not json");
        Assert.Equal(800, bad.Status);
        Assert.StartsWith("invalid request body", Cause(bad), StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_PicksUpHandEditedCoordinator()
    {
        using DashboardProcess d = DashboardProcess.Start();
        Ok(d.Put("/api/topom/group/create/{xauth}/7"));
        // The write's dirty hook makes the next operation re-read the group; after that it is cached.
        Assert.False(Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0].GetProperty("out_of_sync").GetBoolean());
        string file = d.NodeFile("/codis3/codis-demo/group/group-0007");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"out_of_sync\": false", "\"out_of_sync\": true", StringComparison.Ordinal));
        // Cached: the edit is not seen until a reload.
        Assert.False(Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0].GetProperty("out_of_sync").GetBoolean());
        Ok(d.Put("/api/topom/reload/{xauth}"));
        Assert.True(Json(d.Get("/topom/stats")).GetProperty("group").GetProperty("models")[0].GetProperty("out_of_sync").GetBoolean());
    }

    [Fact]
    public void Stats_ContainServerInfo_AndGroupInfoRoute()
    {
        using ServerProcess codis = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        string a = Addr(codis);
        Ok(d.Put("/api/topom/group/create/{xauth}/1"));
        Ok(d.Put($"/api/topom/group/add/{{xauth}}/1/{a}"));
        JsonElement info = Json(d.Get("/api/topom/group/info/" + a));
        Assert.Equal("master", info.GetProperty("role").GetString());
        Assert.Equal("0", info.GetProperty("maxmemory").GetString());
        JsonElement server = default;
        Assert.True(Eventually(() =>
        {
            JsonElement stats = Json(d.Get("/api/topom/stats/" + d.XAuth)).GetProperty("group").GetProperty("stats");
            return stats.TryGetProperty(a, out server) && server.TryGetProperty("stats", out _);
        }, TimeSpan.FromSeconds(15)), d.Process.OutputTail());
        JsonElement s = server.GetProperty("stats");
        Assert.True(s.TryGetProperty("redis_version", out _));
        Assert.Equal("0", s.GetProperty("maxmemory").GetString());
        Assert.Equal("master", s.GetProperty("role").GetString());
        Assert.True(server.GetProperty("unixtime").GetInt64() > 1_700_000_000);
        AdminReply bad = d.Get($"/api/topom/group/info/127.0.0.1:{FreePort.Get()}");
        Assert.Equal(800, bad.Status);
    }

    internal static string Addr(ServerProcess p) => "127.0.0.1:" + p.Port.ToString(CultureInfo.InvariantCulture);
}
