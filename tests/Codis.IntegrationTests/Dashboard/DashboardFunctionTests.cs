using System.Text;
using System.Text.Json;
using Codis.TestSupport;
using static Codis.IntegrationTests.Dashboard.DashboardAssert;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// Function libraries follow slots (README "FUNCTION in the cluster"): a real dashboard moving a slot from
/// group 1 to group 2, which owns no slot yet, copies group 1's libraries to group 2's master before the move,
/// so FCALL on the moved key keeps working through a real proxy; a group gaining its first slots by assignment
/// gets them too. Against codis-servers that do not know FUNCTION (Codis 3.2's, and ours until it has it) the
/// moves still complete and the dashboard says so once per server.
/// </summary>
public sealed class DashboardFunctionTests
{
    private const string Library = "#!lua name=moved\n"
        + "redis.register_function{function_name='getk', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}";

    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(60);

    private static string Run(ServerProcess s, params string[] args)
    {
        using RespConnection c = s.Connect();
        return Encoding.UTF8.GetString(c.Send(args));
    }

    private static bool Moved(DashboardProcess d, int sid, int gid)
    {
        JsonElement slot = Json(d.Get("/topom/stats")).GetProperty("slots")[sid];
        return slot.GetProperty("group_id").GetInt32() == gid && !slot.GetProperty("action").TryGetProperty("state", out _);
    }

    [Fact]
    public void SlotMigration_LibraryOnGroup1Only_FoundOnGroup2AfterTheMove_FcallOnTheMovedKey()
    {
        using ServerProcess s1 = ServerProcess.StartCodis();
        using ServerProcess s2 = ServerProcess.StartCodis();
        using ServerProcess s3 = ServerProcess.StartCodis();
        using DashboardProcess d = DashboardProcess.Start();
        string a1 = DashboardGroupTests.Addr(s1);
        for (int g = 1; g <= 3; g++)
        {
            Ok(d.Put($"/api/topom/group/create/{{xauth}}/{g}"));
            Ok(d.Put($"/api/topom/group/add/{{xauth}}/{g}/{DashboardGroupTests.Addr(new[] { s1, s2, s3 }[g - 1])}"));
        }
        Ok(d.Put("/api/topom/slots/assign/{xauth}", DashboardProxyTests.AllSlotsTo(1)));
        using ProxyProcess p = ProxyProcess.Start();
        Ok(d.Put($"/api/topom/proxy/create/{{xauth}}/{p.AdminAddr}"));

        string key = SlotMigratorTests.KeysOfSlot(77, 1, "moved")[0];
        using RespConnection c = p.Connect();
        Assert.Equal("OK", c.Command("SET", key, "value").Text);

        bool functions = !Run(s1, "FUNCTION", "LIST").StartsWith("-ERR unknown command", StringComparison.OrdinalIgnoreCase);
        if (functions)
        {
            Assert.Equal("$5\r\nmoved\r\n", Run(s1, "FUNCTION", "LOAD", Library));
            Assert.Equal("*0\r\n", Run(s2, "FUNCTION", "LIST"));
        }

        Ok(d.Put("/api/topom/slots/action/create/{xauth}/77/2"));
        Assert.True(Eventually(() => Moved(d, 77, 2), MoveTimeout), d.Process.OutputTail());
        Ok(d.Put("/api/topom/slots/action/create/{xauth}/78/2"));
        Assert.True(Eventually(() => Moved(d, 78, 2), MoveTimeout), d.Process.OutputTail());
        // Group 3 gains its first slot by assignment (no data moves): it takes group 1's libraries too.
        Ok(d.Put("/api/topom/slots/assign/{xauth}", "[{\"id\": 1000, \"group_id\": 3}]"));

        Assert.Equal("value", c.Command("GET", key).Text);
        Assert.Equal(":0\r\n", Run(s1, "EXISTS", key));
        if (functions)
        {
            Assert.Contains("moved", Run(s2, "FUNCTION", "LIST"));
            Assert.Contains("moved", Run(s3, "FUNCTION", "LIST"));
            Assert.Equal("value", c.Command("FCALL_RO", "getk", "1", key).Text);
            // The console logger writes on its own thread: the line may follow the restore by a moment.
            Assert.True(d.Process.WaitForOutput("restored on group-[2]", TimeSpan.FromSeconds(10)), d.Process.OutputTail());
            Assert.True(d.Process.WaitForOutput("restored on group-[3]", TimeSpan.FromSeconds(10)), d.Process.OutputTail());
        }
        else
        {
            // Said once for the source, not once per slot.
            string line = $"server-[{a1}] does not know FUNCTION";
            int count = d.Process.Output.Split(line).Length - 1;
            Assert.True(count == 1, $"'{line}' logged {count} times:\n{d.Process.OutputTail()}");
        }
    }
}
