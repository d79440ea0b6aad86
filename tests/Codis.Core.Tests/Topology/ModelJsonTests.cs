using Codis.Core.Json;
using Codis.Core.Topology;

namespace Codis.Core.Tests.Topology;

/// <summary>The coordinator models against the JSON examples of coordinator.md §3-4.</summary>
public sealed class ModelJsonTests
{
    [Fact]
    public void Group_EncodesAsTheStoredFile()
    {
        var g = new Group
        {
            Id = 2,
            Servers = [new GroupServer { Server = "127.0.0.1:27502" }],
        };
        Assert.Equal("""
            {
                "id": 2,
                "servers": [
                    {
                        "server": "127.0.0.1:27502",
                        "datacenter": "",
                        "action": {},
                        "replica_group": false
                    }
                ],
                "promoting": {},
                "out_of_sync": false
            }
            """, CodisJson.Encode(g));
    }

    [Fact]
    public void Group_Empty_HasEmptyServerList()
    {
        Assert.Equal("{\n    \"id\": 1,\n    \"servers\": [],\n    \"promoting\": {},\n    \"out_of_sync\": false\n}",
            CodisJson.Encode(new Group { Id = 1 }));
    }

    [Fact]
    public void SlotMapping_EmptyAndWithAction()
    {
        Assert.Equal("{\n    \"id\": 395,\n    \"group_id\": 1,\n    \"action\": {}\n}", CodisJson.Encode(new SlotMapping { Id = 395, GroupId = 1 }));
        var m = new SlotMapping { Id = 7, GroupId = 1, Action = new SlotAction { Index = 3, State = ActionState.Pending, TargetId = 2 } };
        Assert.Equal("{\n    \"id\": 7,\n    \"group_id\": 1,\n    \"action\": {\n        \"index\": 3,\n        \"state\": \"pending\",\n        \"target_id\": 2\n    }\n}",
            CodisJson.Encode(m));
    }

    [Fact]
    public void SlotMapping_DecodesAnyKeyOrderUnknownKeysAndMissingKeys()
    {
        SlotMapping? m = CodisJson.Decode<SlotMapping>("{\"extra\": [1], \"action\": {\"state\": \"migrating\"}, \"id\": 5}");
        Assert.NotNull(m);
        Assert.Equal(5, m.Id);
        Assert.Equal(0, m.GroupId);
        Assert.Equal("migrating", m.Action.State);
    }

    // The spec's example (its addresses replaced by documentation ones): JSON data here, never bound.
    [Fact]
    public void ProxyModel_SpecExample_RoundTripsByteForByte()
    {
        const string json = """
            {
                "token": "e5d68b7763c6c29d4c4a842eb5bc0740",
                "start_time": "2026-11-25 04:13:52.830588864 +0000 UTC m=+0.012477737",
                "admin_addr": "192.0.2.10:40002",
                "proto_type": "tcp4",
                "proxy_addr": "192.0.2.10:40001",
                "product_name": "codis-demo",
                "pid": 31532,
                "pwd": "<working directory>",
                "sys": "Linux vm 6.18.44-fc-v657 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux",
                "hostname": "vm",
                "datacenter": ""
            }
            """;
        ProxyModel? p = CodisJson.Decode<ProxyModel>(json);
        Assert.NotNull(p);
        Assert.Equal(31532, p.Pid);
        Assert.Equal(0, p.Id);
        // Go escapes '<' and '>' inside strings.
        Assert.Equal(json.Replace("<working directory>", "\\u003cworking directory\\u003e", StringComparison.Ordinal), CodisJson.Encode(p));
    }

    [Fact]
    public void ProxyModel_WithIdAndJodisPath_InTableOrder()
    {
        string s = CodisJson.Encode(new ProxyModel { Id = 3, Token = "t", JodisPath = "/jodis/p/proxy-t" });
        Assert.StartsWith("{\n    \"id\": 3,\n    \"token\": \"t\",", s, StringComparison.Ordinal);
        Assert.Contains("\"proxy_addr\": \"\",\n    \"jodis_path\": \"/jodis/p/proxy-t\",\n    \"product_name\"", s, StringComparison.Ordinal);
    }

    [Fact]
    public void Topom_KeysInOrder()
    {
        Assert.Equal("{\n    \"token\": \"\",\n    \"start_time\": \"\",\n    \"admin_addr\": \"192.0.2.10:28080\",\n    \"product_name\": \"codis-demo\",\n    \"pid\": 1,\n    \"pwd\": \"\",\n    \"sys\": \"\"\n}",
            CodisJson.Encode(new TopomModel { AdminAddr = "192.0.2.10:28080", ProductName = "codis-demo", Pid = 1 }));
    }

    [Fact]
    public void Sentinel_ServersOmittedWhenEmpty()
    {
        Assert.Equal("{\n    \"out_of_sync\": false\n}", CodisJson.Encode(new Sentinel()));
        Assert.Equal("{\n    \"servers\": [\n        \"a:1\"\n    ],\n    \"out_of_sync\": true\n}",
            CodisJson.Encode(new Sentinel { Servers = ["a:1"], OutOfSync = true }));
    }

    [Fact]
    public void Encode_EscapesLikeGo()
    {
        Assert.Equal("\"invalid xauth, please check product name \\u0026 auth\"", CodisJson.Encode("invalid xauth, please check product name & auth"));
        Assert.Equal("\"\\u003c\\u003e é +'\"", CodisJson.Encode("<> é +'"));
        Assert.Equal("\"OK\"", CodisJson.Encode("OK"));
    }

    [Theory]
    [InlineData("codis-demo", true)]
    [InlineData("a.b-c_d", true)]
    [InlineData("_x", true)]
    [InlineData("-x", false)]
    [InlineData(".x", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData("é", false)]
    public void IsValidProduct_GoRegex(string name, bool valid) => Assert.Equal(valid, CoordinatorPaths.IsValidProduct(name));

    [Fact]
    public void Paths()
    {
        Assert.Equal("/codis3/p/topom", CoordinatorPaths.Topom("p"));
        Assert.Equal("/codis3/p/proxy/proxy-t", CoordinatorPaths.Proxy("p", "t"));
        Assert.Equal("/jodis/p/proxy-t", CoordinatorPaths.Jodis("p", "t"));
        Assert.Equal("/zk/codis/db_p/proxy/t", CoordinatorPaths.JodisCompatible("p", "t"));
    }
}
