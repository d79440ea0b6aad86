using System.Text.Json.Nodes;
using Codis.Admin;
using Codis.Admin.Models;
using Codis.Core.Json;

namespace Codis.Admin.Tests;

/// <summary>The Codis 2 → 3 conversion and the restore validation (admin-cli.md §5).</summary>
public sealed class ConfigFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("codis-admin-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ConfigV3 Convert(string json) => ConfigFiles.Convert(JsonNode.Parse(json), _ => { });

    [Fact]
    public void Convert_OnlineSlotsAndMasterFirst_SortedV3()
    {
        ConfigV3 c = Convert("""
            {"slots": {
                "slot_2": {"id": 2, "group_id": 2, "state": {"status": "online", "migrate_status": {"from": -1, "to": -1}}},
                "slot_0": {"id": 0, "group_id": 1, "state": {"status": "online"}},
                "slot_1": {"id": 1, "group_id": 0, "state": {"status": "offline"}}},
             "servers": {
                "group_2": {"192.0.2.3:7003": {"addr": "192.0.2.3:7003", "group_id": 2, "type": "master"}},
                "group_1": {
                    "192.0.2.1:7001": {"addr": "192.0.2.1:7001", "group_id": 1, "type": "slave"},
                    "192.0.2.9:7009": {"addr": "192.0.2.9:7009", "group_id": 1, "type": "master"}}},
             "proxy": {"proxy_1": {"addr": "x"}}}
            """);
        Assert.Equal([0, 2], c.Slots.Select(s => s.Id));
        Assert.Equal([1, 2], c.Slots.Select(s => s.GroupId));
        Assert.Equal([1, 2], c.Group.Select(g => g.Id));
        Assert.Equal(["192.0.2.9:7009", "192.0.2.1:7001"], c.Group[0].Servers.Select(s => s.Server));
        Assert.Empty(c.Proxy);
        string json = CodisJson.Encode(c);
        Assert.StartsWith("{\n    \"slots\": [\n        {\n            \"id\": 0,\n            \"group_id\": 1,\n            \"action\": {}\n        },", json, StringComparison.Ordinal);
        Assert.Contains("\"server\": \"192.0.2.9:7009\",\n                    \"datacenter\": \"\",\n                    \"action\": {},\n                    \"replica_group\": false", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"proxy\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_UnknownSlotStatus_Fails()
    {
        AdminFailure e = Assert.Throws<AdminFailure>(() => Convert("""{"slots": {"slot_0": {"id": 0, "group_id": 1, "state": {"status": "migrate"}}}}"""));
        Assert.Equal("invalid slot status", e.Message);
    }

    [Fact]
    public void Convert_DuplicateSlot_Fails()
    {
        AdminFailure e = Assert.Throws<AdminFailure>(() => Convert("""
            {"slots": {"a": {"id": 5, "group_id": 1, "state": {"status": "online"}}, "b": {"id": 5, "group_id": 1, "state": {"status": "online"}}}}
            """));
        Assert.Equal("slot-0005 already exists", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10000)]
    public void Convert_GroupOutOfRange_Fails(int gid)
    {
        AdminFailure e = Assert.Throws<AdminFailure>(() => Convert("""{"servers": {"g": {"s": {"addr": "a:1", "group_id": GID, "type": "master"}}}}""".Replace("GID", gid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        Assert.Equal($"invalid group = {gid}", e.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"slots": 3}""")]
    [InlineData("""{"slots": {"s": {"group_id": 1, "state": {"status": "online"}}}}""")]
    [InlineData("""{"servers": {"g": {"s": {"addr": 5, "group_id": 1, "type": "master"}}}}""")]
    public void Convert_NotCodis2Shape_ConvertConfigFailed(string json)
    {
        AdminFailure e = Assert.Throws<AdminFailure>(() => Convert(json));
        Assert.StartsWith("convert config failed: ", e.Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("n") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string GoodGroup = """{"id": 1, "servers": [{"server": "a:1"}]}""";

    [Theory]
    [InlineData("""{"proxy": [{"token": "t"}, {"token": "t"}]}""", "proxy-t already exists")]
    [InlineData("""{"group": [{"id": 0}]}""", "invalid group id = 0")]
    [InlineData("""{"group": [{"id": 10000}]}""", "invalid group id = 10000")]
    [InlineData("""{"group": [{"id": 3}, {"id": 3}]}""", "group-0003 already exists")]
    [InlineData("""{"group": [{"id": 3, "promoting": {"index": 1, "state": "preparing"}}]}""", "gorup-0003 is promoting")]
    [InlineData("""{"group": [{"id": 1, "servers": [{"server": "a:1"}]}, {"id": 2, "servers": [{"server": "a:1"}]}]}""", "server a:1 already exists")]
    [InlineData("""{"group": [GOOD], "slots": [{"id": 1024, "group_id": 1}]}""", "invalid slot id = 1024")]
    [InlineData("""{"group": [GOOD], "slots": [{"id": 4, "group_id": 1}, {"id": 4, "group_id": 1}]}""", "slot-0004 already exists")]
    [InlineData("""{"group": [GOOD], "slots": [{"id": 4, "group_id": 1, "action": {"state": "pending"}}]}""", "slot-0004 action is not empty")]
    [InlineData("""{"group": [GOOD], "slots": [{"id": 4, "group_id": 0}]}""", "slot-0004 with group-0000 doesn't exist or empty")]
    [InlineData("""{"group": [{"id": 2}], "slots": [{"id": 4, "group_id": 2}]}""", "slot-0004 with group-0002 doesn't exist or empty")]
    [InlineData("""{"slots": [""", "json unmarshal failed")]
    public void LoadRestore_BrokenRule_CodisMessage(string json, string message)
    {
        AdminFailure e = Assert.Throws<AdminFailure>(() => ConfigFiles.LoadRestore(Write(json.Replace("GOOD", GoodGroup, StringComparison.Ordinal))));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void LoadRestore_MissingFile_ReadFileFailed()
    {
        string path = Path.Combine(_dir, "absent.json");
        AdminFailure e = Assert.Throws<AdminFailure>(() => ConfigFiles.LoadRestore(path));
        Assert.Equal($"read file '{path}' failed", e.Message);
        Assert.NotNull(e.Cause);
    }

    [Fact]
    public void LoadRestore_ValidDump_Parsed()
    {
        ConfigV3 c = ConfigFiles.LoadRestore(Write("""
            {"slots": [{"id": 0, "group_id": 1, "action": {}}], "group": [GOOD], "proxy": [{"id": 1, "token": "t"}], "extra": 1}
            """.Replace("GOOD", GoodGroup, StringComparison.Ordinal)));
        Assert.Single(c.Slots);
        Assert.Equal("a:1", c.Group[0].Servers[0].Server);
        Assert.Equal("t", c.Proxy[0].Token);
    }
}
