using System.Text;
using System.Text.Json;
using Codis.Cluster.Coordinator.FileSystem;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Admin;

/// <summary>
/// codis-admin's coordinator forms (admin-cli.md §5) run as a subprocess on a filesystem coordinator folder
/// prepared by the test: dump, Codis 2 dump and conversion, restore, lock removal, dashboard list.
/// </summary>
public sealed class AdminCoordinatorTests : IDisposable
{
    private readonly string _root = ServerProcess.NewTempDirectory();
    private readonly FileSystemCoordinator _fs;

    public AdminCoordinatorTests() => _fs = new FileSystemCoordinator(_root);

    public void Dispose()
    {
        _fs.CloseAsync().GetAwaiter().GetResult();
        Directory.Delete(_root, recursive: true);
    }

    private void Put(string path, string json) => _fs.UpdateAsync(path, Encoding.UTF8.GetBytes(json)).GetAwaiter().GetResult();

    private byte[]? Read(string path) => _fs.ReadAsync(path, must: false).GetAwaiter().GetResult();

    private static ProcessResult Ok(params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.True(r.ExitCode == 0, $"codis-admin {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private static ProcessResult Fails(string panic, params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[PANIC] " + panic, r.StdErr, StringComparison.Ordinal);
        return r;
    }

    private string File(string name, string text)
    {
        string path = Path.Combine(_root, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Product "demo": groups 2 and 1 (stored out of order), two proxies, slots 0..1 on group 1, 1023 on 2.</summary>
    private void PrepareDemo()
    {
        Put("/codis3/demo/group/group-0002", """{"id": 2, "servers": [{"server": "127.0.0.1:7002", "datacenter": "", "action": {}, "replica_group": false}], "promoting": {}, "out_of_sync": false}""");
        Put("/codis3/demo/group/group-0001", """{"id": 1, "servers": [{"server": "127.0.0.1:7001", "datacenter": "dc1", "action": {}, "replica_group": true}], "promoting": {}, "out_of_sync": true}""");
        Put("/codis3/demo/proxy/proxy-bbb", """{"id": 2, "token": "bbb", "admin_addr": "127.0.0.1:11081", "proxy_addr": "127.0.0.1:19001", "product_name": "demo"}""");
        Put("/codis3/demo/proxy/proxy-aaa", """{"id": 1, "token": "aaa", "admin_addr": "192.0.2.10:40002", "proxy_addr": "192.0.2.10:40001", "product_name": "demo"}""");
        Put("/codis3/demo/slots/slot-0000", """{"id": 0, "group_id": 1, "action": {}}""");
        Put("/codis3/demo/slots/slot-0001", """{"id": 1, "group_id": 1, "action": {"index": 3, "state": "pending", "target_id": 2}}""");
        Put("/codis3/demo/slots/slot-1023", """{"id": 1023, "group_id": 2, "action": {}}""");
    }

    [Fact]
    public void ConfigDump_PreparedProduct_AllSlotsGroupsAndProxiesSorted()
    {
        PrepareDemo();
        ProcessResult r = Ok("--config-dump", "--product=demo", "--filesystem=" + _root);
        Assert.StartsWith("{\n    \"slots\": [\n        {\n            \"id\": 0,\n            \"group_id\": 1,\n            \"action\": {}\n        },", r.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("}\n", r.StdOut, StringComparison.Ordinal);
        using JsonDocument d = JsonDocument.Parse(r.StdOut);
        JsonElement slots = d.RootElement.GetProperty("slots");
        Assert.Equal(1024, slots.GetArrayLength());
        Assert.Equal("pending", slots[1].GetProperty("action").GetProperty("state").GetString());
        Assert.Equal(0, slots[500].GetProperty("group_id").GetInt32());
        Assert.Equal(2, slots[1023].GetProperty("group_id").GetInt32());
        Assert.Equal([1, 2], d.RootElement.GetProperty("group").EnumerateArray().Select(g => g.GetProperty("id").GetInt32()));
        Assert.Equal(["aaa", "bbb"], d.RootElement.GetProperty("proxy").EnumerateArray().Select(p => p.GetProperty("token").GetString()));
        Assert.Equal("dc1", d.RootElement.GetProperty("group")[0].GetProperty("servers")[0].GetProperty("datacenter").GetString());
    }

    [Fact]
    public void ConfigDump_EmptyProduct_CannotFind()
    {
        Fails("cann't find product = nothing [v3]", "--config-dump", "--product=nothing", "--filesystem=" + _root);
    }

    [Fact]
    public void ConfigDump_BadProductName_Refused()
    {
        ProcessResult r = Fails("invalid product name", "--config-dump", "--product=bad/name", "--filesystem=" + _root);
        Assert.Contains("[error]: bad product name = bad/name", r.StdErr, StringComparison.Ordinal);
    }

    /// <summary>A Codis 2 product as Codis 2 stores it under <c>/zk/codis/db_old</c>.</summary>
    private void PrepareCodis2()
    {
        Put("/zk/codis/db_old/slots/slot_0", """{"product_name": "old", "id": 0, "group_id": 1, "state": {"status": "online", "migrate_status": {"from": -1, "to": -1}, "last_op_ts": "0"}}""");
        Put("/zk/codis/db_old/slots/slot_1", """{"product_name": "old", "id": 1, "group_id": 2, "state": {"status": "online", "migrate_status": {"from": -1, "to": -1}, "last_op_ts": "0"}}""");
        Put("/zk/codis/db_old/slots/slot_2", """{"product_name": "old", "id": 2, "group_id": 0, "state": {"status": "offline", "migrate_status": {"from": -1, "to": -1}, "last_op_ts": "0"}}""");
        Put("/zk/codis/db_old/servers/group_1/192.0.2.12:7002", """{"type": "slave", "group_id": 1, "addr": "192.0.2.12:7002"}""");
        Put("/zk/codis/db_old/servers/group_1/192.0.2.11:7001", """{"type": "master", "group_id": 1, "addr": "192.0.2.11:7001"}""");
        Put("/zk/codis/db_old/servers/group_2/192.0.2.13:7003", """{"type": "master", "group_id": 2, "addr": "192.0.2.13:7003"}""");
        Put("/zk/codis/db_old/LOCK/empty", "");
    }

    [Fact]
    public void ConfigDumpV1_Codis2Tree_NestedObjectsSortedKeys()
    {
        PrepareCodis2();
        ProcessResult r = Ok("--config-dump", "--product=old", "--filesystem=" + _root, "-1");
        using JsonDocument d = JsonDocument.Parse(r.StdOut);
        Assert.Equal(["LOCK", "servers", "slots"], d.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, d.RootElement.GetProperty("LOCK").GetProperty("empty").ValueKind);
        JsonElement master = d.RootElement.GetProperty("servers").GetProperty("group_1").GetProperty("192.0.2.11:7001");
        Assert.Equal(["addr", "group_id", "type"], master.EnumerateObject().Select(p => p.Name));
        Assert.Contains("\n    \"slots\": {\n        \"slot_0\": {\n            \"group_id\": 1,\n", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigDumpV1_NoCodis2Product_CannotFind()
    {
        Fails("cann't find product = old [v1]", "--config-dump", "--product=old", "--filesystem=" + _root, "-1");
    }

    [Fact]
    public void Codis2Migration_DumpConvertRestore_NewProductHoldsTheConvertedConfig()
    {
        PrepareCodis2();
        string v1 = File("v1.json", Ok("--config-dump", "--product=old", "--filesystem=" + _root, "-1").StdOut);

        ProcessResult converted = Ok("--config-convert=" + v1);
        Assert.Equal(
            """
            {
                "slots": [
                    {
                        "id": 0,
                        "group_id": 1,
                        "action": {}
                    },
                    {
                        "id": 1,
                        "group_id": 2,
                        "action": {}
                    }
                ],
                "group": [
                    {
                        "id": 1,
                        "servers": [
                            {
                                "server": "192.0.2.11:7001",
                                "datacenter": "",
                                "action": {},
                                "replica_group": false
                            },
                            {
                                "server": "192.0.2.12:7002",
                                "datacenter": "",
                                "action": {},
                                "replica_group": false
                            }
                        ],
                        "promoting": {},
                        "out_of_sync": false
                    },
                    {
                        "id": 2,
                        "servers": [
                            {
                                "server": "192.0.2.13:7003",
                                "datacenter": "",
                                "action": {},
                                "replica_group": false
                            }
                        ],
                        "promoting": {},
                        "out_of_sync": false
                    }
                ]
            }

            """,
            converted.StdOut);
        string v3 = File("v3.json", converted.StdOut);

        // Without --confirm: the parsed config is printed and nothing is written.
        ProcessResult preview = Ok("--config-restore=" + v3, "--product=fresh", "--filesystem=" + _root);
        Assert.Equal(converted.StdOut, preview.StdOut);
        Assert.Null(Read("/codis3/fresh/group/group-0001"));

        Ok("--config-restore=" + v3, "--product=fresh", "--filesystem=" + _root, "--confirm");
        Assert.Equal(
            "{\n    \"id\": 1,\n    \"group_id\": 2,\n    \"action\": {}\n}",
            Encoding.UTF8.GetString(Read("/codis3/fresh/slots/slot-0001")!));
        using JsonDocument dump = JsonDocument.Parse(Ok("--config-dump", "--product=fresh", "--filesystem=" + _root).StdOut);
        Assert.Equal(1024, dump.RootElement.GetProperty("slots").GetArrayLength());
        Assert.Equal(2, dump.RootElement.GetProperty("group").GetArrayLength());
        Assert.False(dump.RootElement.TryGetProperty("proxy", out _));

        // A second restore finds the product in use.
        Fails("product fresh is not empty", "--config-restore=" + v3, "--product=fresh", "--filesystem=" + _root, "--confirm");
    }

    [Fact]
    public void ConfigConvert_UnknownSlotStatus_Fails()
    {
        string v1 = File("bad.json", """{"slots": {"slot_0": {"id": 0, "group_id": 1, "state": {"status": "migrate"}}}}""");
        Fails("invalid slot status", "--config-convert=" + v1);
    }

    [Fact]
    public async Task ConfigRestore_DumpWithPendingAction_RefusedAndNothingWritten()
    {
        PrepareDemo();
        string dump = File("demo.json", Ok("--config-dump", "--product=demo", "--filesystem=" + _root).StdOut);
        // slot 1 has a pending action: the first rule broken is reported.
        Fails("slot-0001 action is not empty", "--config-restore=" + dump, "--product=copy", "--filesystem=" + _root, "--confirm");
        Assert.Empty(await _fs.ListAsync("/codis3/copy", must: false));
    }

    [Fact]
    public void RemoveLock_TopomNodeDeleted_OtherNodesKept()
    {
        PrepareDemo();
        Put("/codis3/demo/topom", """{"token": "t", "admin_addr": "192.0.2.10:28080", "product_name": "demo"}""");
        ProcessResult r = Ok("-v", "--remove-lock", "--product=demo", "--filesystem=" + _root);
        Assert.Contains("[DEBUG] force remove-lock OK", r.StdErr, StringComparison.Ordinal);
        Assert.Null(Read("/codis3/demo/topom"));
        Assert.NotNull(Read("/codis3/demo/group/group-0001"));
        // Removing a lock nobody holds is not an error.
        Ok("--remove-lock", "--product=demo", "--filesystem=" + _root);
    }

    [Fact]
    public void DashboardList_ProductsWithAndWithoutDashboard()
    {
        PrepareDemo();
        Put("/codis3/demo/topom", """{"token": "t", "admin_addr": "192.0.2.10:28080", "product_name": "demo"}""");
        Put("/codis3/other/slots/slot-0000", """{"id": 0, "group_id": 0, "action": {}}""");
        ProcessResult r = Ok("--dashboard-list", "--filesystem=" + _root);
        Assert.Equal(
            "[\n    {\n        \"name\": \"demo\",\n        \"dashboard\": \"192.0.2.10:28080\"\n    },\n    {\n        \"name\": \"other\",\n        \"dashboard\": \"\"\n    }\n]\n",
            r.StdOut);
    }

    [Fact]
    public void DashboardList_EmptyCoordinator_EmptyList()
    {
        Assert.Equal("[]\n", Ok("--dashboard-list", "--filesystem=" + _root).StdOut);
    }
}
