using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Codis.Admin.CommandLine;
using Codis.Admin.Models;
using Codis.Admin.Output;
using Codis.Cluster.Coordinator;
using Codis.Core.Json;
using Codis.Core.Topology;

namespace Codis.Admin;

/// <summary>
/// The forms that talk to a coordinator directly, without a dashboard (admin-cli.md §5): <c>--remove-lock</c>,
/// <c>--config-dump [-1]</c>, <c>--config-convert</c>, <c>--config-restore</c>, <c>--dashboard-list</c>.
/// The Codis 2 conversion and the restore validation are in <c>ConfigFiles.cs</c>.
/// </summary>
internal sealed class CoordinatorCommands(AdminContext ctx, ParsedArgs args)
{
    /// <summary>Number of slots, as Codis's <c>MaxSlotNum</c>.</summary>
    public const int MaxSlotNum = 1024;

    private readonly string _product = args.Get("--product") ?? "";

    /// <summary>Runs the matched form.</summary>
    /// <exception cref="AdminFailure">Any failure.</exception>
    public async Task RunAsync()
    {
        if (args.Has("--remove-lock"))
            await RemoveLockAsync().ConfigureAwait(false);
        else if (args.Has("--config-dump") && args.Has("-1"))
            await DumpV1Async().ConfigureAwait(false);
        else if (args.Has("--config-dump"))
            await DumpV3Async().ConfigureAwait(false);
        else if (args.Has("--config-convert"))
            ctx.Print(JsonText.Of(ConfigFiles.Convert(ConfigFiles.LoadJson(args.Must("--config-convert")), ctx.Debug)));
        else if (args.Has("--config-restore"))
            await RestoreAsync().ConfigureAwait(false);
        else
            await DashboardListAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The client of <c>--zookeeper</c>, <c>--etcd</c> or <c>--filesystem</c> (with its <c>-auth</c>), 1-minute timeout.
    /// </summary>
    private ICoordinator Connect()
    {
        (string name, string addr, string auth) = args.Get("--zookeeper") is { } zk ? ("zookeeper", zk, args.Get("--zookeeper-auth") ?? "")
            : args.Get("--etcd") is { } etcd ? ("etcd", etcd, args.Get("--etcd-auth") ?? "")
            : args.Get("--filesystem") is { } fs ? ("filesystem", fs, "")
            : throw new AdminFailure("invalid coordinator");
        ctx.Debug($"create '{name}' client to '{addr}'");
        try
        {
            return Coordinators.Create(name, addr, auth, Coordinators.DefaultTimeout);
        }
        catch (CoordinatorException e)
        {
            throw new AdminFailure($"create '{name}' client to '{addr}' failed", e.Message, e);
        }
    }

    /// <summary>The client for the product forms: the product name is checked first, as Codis's store does.</summary>
    private ICoordinator ConnectStore()
    {
        if (!CoordinatorPaths.IsValidProduct(_product))
            throw new AdminFailure("invalid product name", $"bad product name = {_product}");
        return Connect();
    }

    private async Task RemoveLockAsync()
    {
        await using ICoordinator c = ConnectStore();
        ctx.Debug("force remove-lock");
        await Coordinate("force remove-lock failed", () => c.DeleteAsync(CoordinatorPaths.Topom(_product))).ConfigureAwait(false);
        ctx.Debug("force remove-lock OK");
    }

    private async Task DumpV3Async()
    {
        await using ICoordinator c = ConnectStore();
        List<Group> groups = await ReadAllAsync<Group>(c, ProductPath("group"), "list group failed").ConfigureAwait(false);
        List<ProxyModel> proxies = await ReadAllAsync<ProxyModel>(c, ProductPath("proxy"), "list proxy failed").ConfigureAwait(false);
        if (groups.Count == 0 && proxies.Count == 0)
            throw new AdminFailure($"cann't find product = {_product} [v3]");
        var slots = new List<SlotMapping>(MaxSlotNum);
        for (int i = 0; i < MaxSlotNum; i++)
        {
            byte[]? b = await Coordinate("list slots failed", () => c.ReadAsync(SlotPath(i), must: false)).ConfigureAwait(false);
            slots.Add(b is null || b.Length == 0 ? new SlotMapping { Id = i } : Decode<SlotMapping>(b, "list slots failed"));
        }
        var config = new ConfigV3
        {
            Slots = slots,
            Group = groups.OrderBy(g => g.Id).ToList(),
            Proxy = proxies.OrderBy(p => p.Id).ToList(),
        };
        ctx.Print(JsonText.Of(config));
    }

    private async Task DumpV1Async()
    {
        await using ICoordinator c = Connect();
        string prefix = "/zk/codis/db_" + _product;
        JsonNode? tree = await DumpTreeAsync(c, prefix).ConfigureAwait(false);
        if (tree is not JsonObject)
            throw new AdminFailure($"cann't find product = {_product} [v1]");
        ctx.Print(JsonText.Sorted(tree));
    }

    /// <summary>A directory as an object of its children by name; a leaf as its JSON value, null when empty.</summary>
    private async Task<JsonNode?> DumpTreeAsync(ICoordinator c, string path)
    {
        IReadOnlyList<string> children;
        try
        {
            children = await c.ListAsync(path, must: false).ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            // ZooKeeper lists a leaf as having no children; the filesystem refuses to list a file. Both are
            // leaves here, so a node that cannot be listed but can be read is dumped as a leaf.
            if (await TryReadAsync(c, path).ConfigureAwait(false) is null)
                throw new AdminFailure($"list path = {path} failed", e.Message, e);
            children = [];
        }
        if (children.Count != 0)
        {
            var obj = new JsonObject();
            foreach (string child in children)
                obj[child[(child.LastIndexOf('/') + 1)..]] = await DumpTreeAsync(c, child).ConfigureAwait(false);
            return obj;
        }
        byte[]? b = await Coordinate($"read file = {path} failed", () => c.ReadAsync(path, must: false)).ConfigureAwait(false);
        if (b is null || b.Length == 0)
            return null;
        try
        {
            return JsonNode.Parse(b);
        }
        catch (JsonException e)
        {
            throw new AdminFailure("json unmarshal failed", $"{path}: {e.Message}", e);
        }
    }

    private static async Task<byte[]?> TryReadAsync(ICoordinator c, string path)
    {
        try
        {
            return await c.ReadAsync(path, must: false).ConfigureAwait(false);
        }
        catch (CoordinatorException)
        {
            return null;
        }
    }

    private async Task RestoreAsync()
    {
        await using ICoordinator c = ConnectStore();
        ConfigV3 config = ConfigFiles.LoadRestore(args.Must("--config-restore"));
        if (!args.Has("--confirm"))
        {
            ctx.Print(JsonText.Of(config));
            return;
        }
        List<ProxyModel> proxies = await ReadAllAsync<ProxyModel>(c, ProductPath("proxy"), "list proxy failed").ConfigureAwait(false);
        List<Group> groups = await ReadAllAsync<Group>(c, ProductPath("group"), "list group failed").ConfigureAwait(false);
        if (groups.Count != 0 || proxies.Count != 0)
            throw new AdminFailure($"product {_product} is not empty");
        foreach (SlotMapping s in config.Slots)
            await Coordinate($"restore slot-{s.Id:D4} failed", () => c.UpdateAsync(SlotPath(s.Id), Encode(s))).ConfigureAwait(false);
        foreach (Group g in config.Group)
            await Coordinate($"restore group-{g.Id:D4} failed", () => c.UpdateAsync(ProductPath("group") + $"/group-{g.Id:D4}", Encode(g))).ConfigureAwait(false);
        foreach (ProxyModel p in config.Proxy)
            await Coordinate($"restore proxy-{p.Token} failed", () => c.UpdateAsync(CoordinatorPaths.Proxy(_product, p.Token), Encode(p))).ConfigureAwait(false);
    }

    private async Task DashboardListAsync()
    {
        await using ICoordinator c = Connect();
        IReadOnlyList<string> products = await Coordinate("list products failed", () => c.ListAsync("/codis3", must: false)).ConfigureAwait(false);
        var list = new List<DashboardEntry>();
        foreach (string path in products)
        {
            string name = path[(path.LastIndexOf('/') + 1)..];
            byte[]? b = await Coordinate($"read topom of product {name} failed", () => c.ReadAsync(CoordinatorPaths.Topom(name), must: false)).ConfigureAwait(false);
            string dashboard = b is null ? "" : Decode<TopomModel>(b, "decode json failed").AdminAddr;
            list.Add(new DashboardEntry { Name = name, Dashboard = dashboard });
        }
        ctx.Print(JsonText.Of(list));
    }

    /// <summary>Lists a directory and decodes every child (read with must = true, as Codis's store does).</summary>
    private async Task<List<T>> ReadAllAsync<T>(ICoordinator c, string dir, string failure)
    {
        var result = new List<T>();
        IReadOnlyList<string> paths = await Coordinate(failure, () => c.ListAsync(dir, must: false)).ConfigureAwait(false);
        foreach (string path in paths)
        {
            byte[]? b = await Coordinate(failure, () => c.ReadAsync(path, must: true)).ConfigureAwait(false);
            result.Add(Decode<T>(b ?? [], failure));
        }
        return result;
    }

    private static T Decode<T>(byte[] data, string failure)
    {
        try
        {
            return CodisJson.Decode<T>(data) ?? throw new AdminFailure(failure, "the node holds null");
        }
        catch (JsonException e)
        {
            throw new AdminFailure(failure, e.Message, e);
        }
    }

    private static byte[] Encode<T>(T value) => Encoding.UTF8.GetBytes(CodisJson.Encode(value));

    private static async Task<T> Coordinate<T>(string failure, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            throw new AdminFailure(failure, e.Message, e);
        }
    }

    private static Task Coordinate(string failure, Func<Task> call) =>
        Coordinate(failure, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    private string ProductPath(string dir) => CoordinatorPaths.ProductDir(_product) + "/" + dir;

    private string SlotPath(int sid) => ProductPath("slots") + "/slot-" + sid.ToString("D4", CultureInfo.InvariantCulture);
}
