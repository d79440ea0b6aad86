using Codis.Admin;
using Codis.Core.Json;
using Codis.Core.Topology;

namespace Codis.Admin.Tests;

/// <summary>What the proxy and dashboard forms send, built without a server.</summary>
public sealed class CommandRequestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("codis-admin-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("error", "ERROR")]
    [InlineData("Warning", "WARN")]
    [InlineData("warn", "WARN")]
    [InlineData("INFO", "INFO")]
    [InlineData("debug", "DEBUG")]
    [InlineData("none", "NONE")]
    public void LogLevelName_AnyCase_Normalised(string given, string sent)
    {
        Assert.Equal(sent, ProxyCommands.LogLevelName(given));
    }

    [Fact]
    public void LogLevelName_Unknown_OptionError()
    {
        Assert.Equal("option --log-level = loud", Assert.Throws<AdminFailure>(() => ProxyCommands.LogLevelName("loud")).Message);
    }

    [Fact]
    public void LoadSlots_Locked_AllLocked()
    {
        string file = Path.Combine(_dir, "slots.json");
        File.WriteAllText(file, """[{"id": 0, "backend_addr": "server.test:2"}, {"id": 1023}]""");
        List<Slot> slots = ProxyCommands.LoadSlots(file, locked: true);
        Assert.Equal([0, 1023], slots.Select(s => s.Id));
        Assert.All(slots, s => Assert.True(s.Locked));
        Assert.Equal("server.test:2", slots[0].BackendAddr);
        Assert.All(ProxyCommands.LoadSlots(file, locked: false), s => Assert.False(s.Locked));
    }

    [Theory]
    [InlineData("""[{"id": 1024}]""", "invalid slot id = 1024")]
    [InlineData("""[{"id": -1}]""", "invalid slot id = -1")]
    [InlineData("""{"id": 1}""", "decode slots from json failed")]
    public void LoadSlots_Bad_Fails(string json, string message)
    {
        string file = Path.Combine(_dir, "bad.json");
        File.WriteAllText(file, json);
        Assert.Equal(message, Assert.Throws<AdminFailure>(() => ProxyCommands.LoadSlots(file, false)).Message);
    }

    [Fact]
    public void LoadSlots_MissingFile_LoadFailed()
    {
        Assert.Equal("load slots from file failed", Assert.Throws<AdminFailure>(() => ProxyCommands.LoadSlots(Path.Combine(_dir, "none"), false)).Message);
    }

    [Fact]
    public void AssignPlan_Range_EmptyActionEachSlot()
    {
        List<SlotMapping> plan = DashboardCommands.AssignPlan(3, 4, 2);
        Assert.Equal(
            "[\n    {\n        \"id\": 3,\n        \"group_id\": 2,\n        \"action\": {}\n    },\n    {\n        \"id\": 4,\n        \"group_id\": 2,\n        \"action\": {}\n    }\n]",
            CodisJson.Encode(plan));
        Assert.Empty(DashboardCommands.AssignPlan(5, 4, 1));
        Assert.All(DashboardCommands.AssignPlan(0, 9, 0), s => Assert.Equal(0, s.GroupId));
    }

    [Fact]
    public void ParsePlan_StringKeys_Numbers()
    {
        Dictionary<int, int> plan = DashboardCommands.ParsePlan(CodisJson.Decode<Dictionary<string, int>>("""{"512": 2, "513": 2}""")!);
        Assert.Equal(2, plan[512]);
        Assert.Equal(2, plan.Count);
        Assert.Throws<AdminFailure>(() => DashboardCommands.ParsePlan(new Dictionary<string, int> { ["x"] = 1 }));
    }
}
