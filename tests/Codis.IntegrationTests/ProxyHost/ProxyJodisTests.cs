using System.Text;
using System.Text.Json;
using Codis.Cluster.Coordinator;
using Codis.Core.Security;
using Codis.IntegrationTests.Coordinator;
using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>
/// Jodis (coordinator.md §6, proxy.md §1) on the real codis-proxy process registering in a real etcd: nothing
/// before start, the record and its path (both layouts), re-registration, removal on shutdown, expiry when
/// the proxy dies without closing.
/// </summary>
public sealed class ProxyJodisTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _product = "jodis-" + Guid.NewGuid().ToString("N")[..8];

    private ProxyProcess StartProxy(string extra = "", string timeout = "5s") =>
        ProxyProcess.Start($"product_name = \"{_product}\"\njodis_name = \"etcd\"\njodis_addr = \"{fixture.Etcd.Address}\"\njodis_timeout = \"{timeout}\"\n" + extra);

    private ICoordinator Client() => Coordinators.Create("etcd", fixture.Etcd.Address, "", TimeSpan.FromSeconds(10));

    /// <summary>The proxy's model from its admin API (shared with the ZooKeeper jodis tests).</summary>
    internal static JsonElement Model(ProxyProcess p)
    {
        using JsonDocument d = JsonDocument.Parse(p.Get("/api/proxy/model").Body);
        return d.RootElement.Clone();
    }

    private string XAuth(JsonElement model) => XAuth(_product, model);

    /// <summary>The admin API's xauth for <paramref name="product"/>'s proxy.</summary>
    internal static string XAuth(string product, JsonElement model) => CodisAuth.ProxyXAuth(product, "", model.GetProperty("token").GetString()!);

    private static Task<byte[]?> WaitFor(ICoordinator c, string path, bool present) => WaitFor(() => c.ReadAsync(path, false), path, present);

    /// <summary>Polls <paramref name="read"/> until the node is present (returns its data) or absent.</summary>
    internal static async Task<T?> WaitFor<T>(Func<Task<T?>> read, string path, bool present)
        where T : class
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            T? data = await read();
            if ((data is not null) == present)
                return data;
            Assert.True(DateTime.UtcNow < deadline, $"{path} still {(present ? "absent" : "present")} after {Patience}");
            await Task.Delay(100);
        }
    }

    /// <summary>The jodis record Codis writes for the proxy of <paramref name="model"/>.</summary>
    internal static string ExpectedRecord(JsonElement model) =>
        "{\n" +
        $"    \"addr\": \"{model.GetProperty("proxy_addr").GetString()}\",\n" +
        $"    \"admin\": \"{model.GetProperty("admin_addr").GetString()}\",\n" +
        $"    \"start\": \"{model.GetProperty("start_time").GetString()}\",\n" +
        "    \"state\": \"online\",\n" +
        $"    \"token\": \"{model.GetProperty("token").GetString()}\"\n" +
        "}";

    [Fact]
    public async Task Start_RegistersRecord_ShutdownRemovesIt()
    {
        using ProxyProcess p = StartProxy();
        await using ICoordinator c = Client();
        JsonElement model = Model(p);
        string token = model.GetProperty("token").GetString()!;
        string path = $"/jodis/{_product}/proxy-{token}";
        Assert.Equal(path, model.GetProperty("jodis_path").GetString());
        // Not started yet: nothing registered.
        Assert.Empty(await c.ListAsync("/jodis/" + _product, false));

        Assert.Equal("\"OK\"", p.Put("/api/proxy/start/" + XAuth(model)).Body);
        byte[] record = (await WaitFor(c, path, present: true))!;
        Assert.Equal(ExpectedRecord(model), Encoding.UTF8.GetString(record));
        Assert.Equal([path], await c.ListAsync("/jodis/" + _product, true));

        p.Put("/api/proxy/shutdown/" + XAuth(model));
        Assert.True(p.WaitForExit(Patience), "the proxy did not exit");
        // Deleted on close, not left to expire with the lease.
        Assert.Null(await c.ReadAsync(path, false));
    }

    [Fact]
    public async Task Compatible_RegistersCodis2Path()
    {
        using ProxyProcess p = StartProxy("jodis_compatible = true");
        await using ICoordinator c = Client();
        JsonElement model = Model(p);
        string path = $"/zk/codis/db_{_product}/proxy/{model.GetProperty("token").GetString()}";
        Assert.Equal(path, model.GetProperty("jodis_path").GetString());
        p.Put("/api/proxy/start/" + XAuth(model));
        byte[] record = (await WaitFor(c, path, present: true))!;
        Assert.Equal(ExpectedRecord(model), Encoding.UTF8.GetString(record));
        Assert.Empty(await c.ListAsync("/jodis/" + _product, false));
    }

    [Fact]
    public async Task DeletedBySomeoneElse_ComesBack()
    {
        using ProxyProcess p = StartProxy();
        await using ICoordinator c = Client();
        JsonElement model = Model(p);
        string path = model.GetProperty("jodis_path").GetString()!;
        p.Put("/api/proxy/start/" + XAuth(model));
        await WaitFor(c, path, present: true);
        await c.DeleteAsync(path);
        byte[] again = (await WaitFor(c, path, present: true))!;
        Assert.Equal(ExpectedRecord(model), Encoding.UTF8.GetString(again));
    }

    [Fact]
    public async Task ProxyKilled_NodeExpiresWithItsLease()
    {
        ProxyProcess p = StartProxy(timeout: "2s");
        await using ICoordinator c = Client();
        string path;
        try
        {
            JsonElement model = Model(p);
            path = model.GetProperty("jodis_path").GetString()!;
            p.Put("/api/proxy/start/" + XAuth(model));
            await WaitFor(c, path, present: true);
        }
        finally
        {
            // SIGKILL by PID: no close, no delete, no more keep-alives.
            p.Dispose();
        }
        await WaitFor(c, path, present: false);
    }

    [Fact]
    public async Task FillSlotsMode_RegistersAtStart()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string slots = Path.Combine(dir, "slots.json");
            File.WriteAllText(slots, "[]");
            using ProxyProcess p = ProxyProcess.Start(
                $"product_name = \"{_product}\"\njodis_name = \"etcd\"\njodis_addr = \"{fixture.Etcd.Address}\"\n", "--fillslots=" + slots);
            await using ICoordinator c = Client();
            JsonElement model = Model(p);
            await WaitFor(c, model.GetProperty("jodis_path").GetString()!, present: true);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
