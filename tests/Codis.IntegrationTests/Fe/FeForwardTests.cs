using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Fe;

/// <summary>
/// codis-fe (fe.md §1-2) in front of a real codis-dashboard: the product list from a <c>--dashboard-list</c> file
/// and from the filesystem coordinator, the 403 rule before the first <c>/list</c>, and requests forwarded with
/// their method, path, query and body.
/// </summary>
public sealed class FeForwardTests : IDisposable
{
    private const string Product = "codis-demo";
    private readonly DashboardProcess _dashboard = DashboardProcess.Start($"product_name = \"{Product}\"");
    private readonly string _dir = ServerProcess.NewTempDirectory();
    private FeProcess? _fe;

    public void Dispose()
    {
        _fe?.Dispose();
        _dashboard.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private string X => _dashboard.XAuth;

    private string WriteList(string json)
    {
        string file = Path.Combine(_dir, "dashboards.json");
        File.WriteAllText(file, json);
        return file;
    }

    private FeProcess StartWithList(string extraEntries = "")
    {
        string file = WriteList($"[{extraEntries}{{\"name\": \"{Product}\", \"dashboard\": \"{_dashboard.AdminAddr}\"}}]");
        return _fe = FeProcess.Start("--dashboard-list=" + file);
    }

    /// <summary>The ids of the groups the dashboard knows.</summary>
    private int[] GroupIds()
    {
        using JsonDocument topom = JsonDocument.Parse(_dashboard.Get("/topom").Body);
        JsonElement groups = topom.RootElement.GetProperty("stats").GetProperty("group").GetProperty("models");
        return groups.ValueKind == JsonValueKind.Array ? [.. groups.EnumerateArray().Select(g => g.GetProperty("id").GetInt32())] : [];
    }

    [Fact]
    public void List_DashboardListFile_SortedIndentedTextPlainWithoutEmptyEntries()
    {
        FeProcess fe = StartWithList("{\"name\": \"zeta\", \"dashboard\": \"127.0.0.1:1\"}, {\"name\": \"alpha\", \"dashboard\": \"127.0.0.1:2\"}, "
            + "{\"name\": \"\", \"dashboard\": \"127.0.0.1:3\"}, {\"name\": \"nodash\", \"dashboard\": \"\"}, ");

        FeReply list = fe.Get("/list");

        Assert.Equal(200, list.Status);
        Assert.Equal("text/plain; charset=utf-8", list.ContentType);
        Assert.Equal("[\n    \"alpha\",\n    \"codis-demo\",\n    \"zeta\"\n]", list.Body);
    }

    [Fact]
    public void Forward_BeforeFirstList_Forbidden()
    {
        FeProcess fe = StartWithList();

        FeReply before = fe.Get("/topom?forward=" + Product);
        fe.Get("/list");
        FeReply after = fe.Get("/topom?forward=" + Product);

        Assert.Equal(403, before.Status);
        Assert.Equal("", before.Body);
        Assert.Equal(200, after.Status);
        using JsonDocument topom = JsonDocument.Parse(after.Body);
        Assert.Equal(Product, topom.RootElement.GetProperty("model").GetProperty("product_name").GetString());
        Assert.Equal(_dashboard.AdminAddr, topom.RootElement.GetProperty("model").GetProperty("admin_addr").GetString());
    }

    [Fact]
    public void Forward_UnknownOrMissingProduct_ForbiddenWithEmptyBody()
    {
        FeProcess fe = StartWithList();
        fe.Get("/list");

        FeReply unknown = fe.Get("/topom?forward=nosuch");
        FeReply missing = fe.Get("/topom");
        FeReply put = fe.Put($"/api/topom/group/create/{X}/1?forward=nosuch");

        Assert.All([unknown, missing, put], r => Assert.Equal((403, ""), (r.Status, r.Body)));
        Assert.Empty(GroupIds());
    }

    [Fact]
    public void Forward_Put_ReachesDashboardAndRemoteErrorsPassThrough()
    {
        FeProcess fe = StartWithList();
        fe.Get("/list");

        FeReply created = fe.Put($"/api/topom/group/create/{X}/7?forward={Product}");
        FeReply again = fe.Put($"/api/topom/group/create/{X}/7?forward={Product}");
        FeReply badAuth = fe.Put($"/api/topom/group/create/0123456789abcdef0123456789abcdef/8?forward={Product}");

        Assert.Equal(200, created.Status);
        Assert.Equal(800, again.Status);
        Assert.Contains("group-[7] already exists", again.Body, StringComparison.Ordinal);
        Assert.StartsWith("application/json", again.ContentType, StringComparison.Ordinal);
        Assert.Equal(800, badAuth.Status);
        Assert.Equal([7], GroupIds());
    }

    [Fact]
    public void Forward_PutBody_ReachesDashboard()
    {
        FeProcess fe = StartWithList();
        fe.Get("/list");

        FeReply malformed = fe.Put($"/api/topom/slots/assign/{X}?forward={Product}", "{");
        FeReply empty = fe.Put($"/api/topom/slots/assign/{X}?forward={Product}", "[]");

        // The dashboard decoded what the FE sent: a broken body is refused, an empty list accepted.
        Assert.Equal(800, malformed.Status);
        Assert.Contains("invalid request body", malformed.Body, StringComparison.Ordinal);
        Assert.Equal(200, empty.Status);
    }

    [Fact]
    public void Forward_QueryAndOpenGet_Forwarded()
    {
        FeProcess fe = StartWithList();
        fe.Get("/list");

        FeReply stats = fe.Get($"/api/topom/stats/{X}?forward={Product}&extra=1");
        FeReply model = fe.Get($"/api/topom/model?forward={Product}");

        Assert.Equal(200, stats.Status);
        Assert.Contains("\"closed\": false", stats.Body, StringComparison.Ordinal);
        Assert.Equal(200, model.Status);
        Assert.Contains($"\"product_name\": \"{Product}\"", model.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void ProxyStats_ProxyOfTheProduct_FullStatsWithCommandTable_OthersNotFound()
    {
        using ProxyProcess proxy = ProxyProcess.Start($"product_name = \"{Product}\"");
        Assert.Equal(200, _dashboard.Put($"/api/topom/proxy/create/{X}/{proxy.AdminAddr}").Status);
        // No slots are assigned, so the proxy answers "slot is not ready": the command is counted all the same.
        using (RespConnection c = proxy.Connect())
            Assert.NotNull(c.Command("PING").Text);
        FeProcess fe = StartWithList();
        fe.Get("/list");

        FeReply stats = fe.Get($"/fe/proxy/stats/{proxy.AdminAddr}?forward={Product}");
        FeReply stranger = fe.Get($"/fe/proxy/stats/127.0.0.1:1?forward={Product}");
        FeReply noProduct = fe.Get($"/fe/proxy/stats/{proxy.AdminAddr}?forward=nosuch");

        Assert.Equal(200, stats.Status);
        using JsonDocument d = JsonDocument.Parse(stats.Body);
        JsonElement cmd = d.RootElement.GetProperty("ops").GetProperty("cmd");
        Assert.Contains(cmd.EnumerateArray(), c => c.GetProperty("opstr").GetString() == "PING");
        Assert.Equal(404, stranger.Status);
        Assert.Equal($"127.0.0.1:1 is not the admin address of a proxy of product {Product}", stranger.Body);
        Assert.Equal(403, noProduct.Status);
    }

    [Fact]
    public void Forward_DashboardDown_BadGatewayAndLogged()
    {
        int closed = FreePort.Get();
        FeProcess fe = StartWithList($"{{\"name\": \"down\", \"dashboard\": \"127.0.0.1:{closed}\"}}, ");
        fe.Get("/list");

        FeReply reply = fe.Get("/topom?forward=down");

        Assert.Equal((502, ""), (reply.Status, reply.Body));
        Assert.True(fe.Process.WaitForOutput($"forward GET http://127.0.0.1:{closed}/topom?forward=down failed", TimeSpan.FromSeconds(10)), fe.Process.OutputTail());
        Assert.Equal(200, fe.Get("/topom?forward=" + Product).Status);
    }

    [Fact]
    public void List_FileEdited_ReloadedAfterFiveSeconds()
    {
        FeProcess fe = StartWithList();
        Assert.Equal($"[\n    \"{Product}\"\n]", fe.Get("/list").Body);
        WriteList($"[{{\"name\": \"other\", \"dashboard\": \"{_dashboard.AdminAddr}\"}}]");

        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string body;
        do
        {
            Thread.Sleep(500);
            body = fe.Get("/list").Body;
        }
        while (body.Contains(Product, StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Equal("[\n    \"other\"\n]", body);
        Assert.Equal(403, fe.Get("/topom?forward=" + Product).Status);
        Assert.Equal(200, fe.Get("/topom?forward=other").Status);
    }

    [Fact]
    public void List_UnreadableDashboardList_EmptyAndForwardForbidden()
    {
        string file = WriteList("{ not a list");
        _fe = FeProcess.Start("--dashboard-list=" + file);

        FeReply list = _fe.Get("/list");

        Assert.Equal((200, "[]"), (list.Status, list.Body));
        Assert.Equal(403, _fe.Get("/topom?forward=" + Product).Status);
        Assert.True(_fe.Process.WaitForOutput("reload reverse proxy failed", TimeSpan.FromSeconds(10)), _fe.Process.OutputTail());
    }

    [Fact]
    public void List_FilesystemCoordinator_ProductsWithALockOnly()
    {
        // A product directory without a lock (no dashboard running) and one whose lock is not JSON are skipped.
        Directory.CreateDirectory(_dashboard.NodeFile("/codis3/stopped/group"));
        File.WriteAllText(_dashboard.NodeFile("/codis3/stopped/group/group-0001"), "{}");
        Directory.CreateDirectory(_dashboard.NodeFile("/codis3/broken"));
        File.WriteAllText(_dashboard.NodeFile("/codis3/broken/topom"), "{ not json");
        _fe = FeProcess.Start("--filesystem=" + _dashboard.CoordinatorRoot);

        FeReply list = _fe.Get("/list");
        FeReply topom = _fe.Get("/topom?forward=" + Product);

        Assert.Equal($"[\n    \"{Product}\"\n]", list.Body);
        Assert.Equal(200, topom.Status);
        Assert.True(_fe.Process.WaitForOutput("decode /codis3/broken/topom failed", TimeSpan.FromSeconds(10)), _fe.Process.OutputTail());
    }
}
