using System.Globalization;
using System.Text.Json;
using Codis.Admin.CommandLine;
using Codis.Admin.Models;
using Codis.Admin.Output;
using Codis.Core.Security;
using Codis.Core.Topology;

namespace Codis.Admin;

/// <summary>
/// The <c>--dashboard=ADDR</c> forms (admin-cli.md §4). Every form first reads the dashboard's model and pings
/// it with <c>xauth(product)</c>; then one or more calls of dashboard-api.md §4. Proxy, group, sentinel and
/// action forms are in <c>DashboardCommands.Topology.cs</c>.
/// </summary>
internal sealed partial class DashboardCommands(AdminContext ctx, ParsedArgs args)
{
    private readonly string _addr = args.Must("--dashboard");
    private readonly string _target = "dashboard " + args.Must("--dashboard");
    private string _xauth = "";

    /// <summary>Runs the matched form.</summary>
    /// <exception cref="AdminFailure">Any failure.</exception>
    public async Task RunAsync()
    {
        await ConnectAsync().ConfigureAwait(false);
        if (args.Has("--shutdown"))
            await PutAsync("shutdown", "shutdown").ConfigureAwait(false);
        else if (args.Has("--reload"))
            await PutAsync("reload", "reload").ConfigureAwait(false);
        else if (args.Has("--log-level"))
            await PutAsync("loglevel", "loglevel", ProxyCommands.LogLevelName(args.Must("--log-level"))).ConfigureAwait(false);
        else if (args.Has("--slots-status"))
            ctx.Print(JsonText.Of(await ctx.CallAsync("slots", _target, api => api.GetAsync<JsonElement>(Url("slots", _xauth))).ConfigureAwait(false)));
        else if (args.Has("--slots-assign"))
            await SlotsAssignAsync().ConfigureAwait(false);
        else if (args.Has("--create-proxy") || args.Has("--online-proxy") || args.Has("--remove-proxy") || args.Has("--reinit-proxy") || args.Has("--proxy-status"))
            await ProxyCommandAsync().ConfigureAwait(false);
        else if (args.Has("--create-group") || args.Has("--remove-group") || args.Has("--resync-group") || args.Has("--group-add")
            || args.Has("--group-del") || args.Has("--group-status") || args.Has("--replica-groups") || args.Has("--promote-server"))
            await GroupCommandAsync().ConfigureAwait(false);
        else if (args.Has("--sentinel-add") || args.Has("--sentinel-del") || args.Has("--sentinel-resync"))
            await SentinelCommandAsync().ConfigureAwait(false);
        else if (args.Has("--sync-action"))
            await SyncActionAsync().ConfigureAwait(false);
        else if (args.Has("--slot-action"))
            await SlotActionAsync().ConfigureAwait(false);
        else if (args.Has("--rebalance"))
            await RebalanceAsync().ConfigureAwait(false);
        else
            await OverviewAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The body of <c>--slots-assign</c>: <c>{id, group_id, action: {}}</c> for every slot from
    /// <paramref name="beg"/> to <paramref name="end"/> (none when beg &gt; end); group 0 for <c>--offline</c>.
    /// </summary>
    internal static List<SlotMapping> AssignPlan(int beg, int end, int gid)
    {
        var slots = new List<SlotMapping>();
        for (int i = beg; i <= end; i++)
            slots.Add(new SlotMapping { Id = i, GroupId = gid });
        return slots;
    }

    /// <summary>The rebalance reply (slot id as a string → group) as numbers.</summary>
    /// <exception cref="AdminFailure">A key that is not a slot id.</exception>
    internal static Dictionary<int, int> ParsePlan(IReadOnlyDictionary<string, int> reply)
    {
        var plan = new Dictionary<int, int>();
        foreach ((string key, int gid) in reply)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int sid))
                throw new AdminFailure("call rpc slot-rebalance failed", $"invalid slot id '{key}' in the plan");
            plan[sid] = gid;
        }
        return plan;
    }

    private async Task ConnectAsync()
    {
        TopomModel model = await ctx.CallAsync("model", _target, api => api.GetAsync<TopomModel>(Http("/api/topom/model"))).ConfigureAwait(false);
        _xauth = CodisAuth.DashboardXAuth(model.ProductName);
        await ctx.CallAsync("xping", _target, api => api.GetAsync<JsonElement>(Url("xping", _xauth))).ConfigureAwait(false);
    }

    private async Task OverviewAsync()
    {
        JsonElement o = await ctx.CallAsync("overview", _target, api => api.GetAsync<JsonElement>(Http("/topom"))).ConfigureAwait(false);
        string? word = new[] { "config", "model", "slots", "stats", "group", "proxy", "--list-group", "--list-proxy" }.LastOrDefault(args.Has);
        JsonElement? shown = word switch
        {
            null => o,
            "config" or "model" or "stats" => JsonText.Member(o, word),
            "slots" or "group" or "proxy" => JsonText.Member(o, "stats", word),
            "--list-group" => JsonText.Member(o, "stats", "group", "models"),
            _ => JsonText.Member(o, "stats", "proxy", "models"),
        };
        ctx.Print(JsonText.Of(shown));
    }

    private async Task SlotsAssignAsync()
    {
        int beg = args.MustInt("--beg");
        int end = args.MustInt("--end");
        bool offline = args.Has("--offline");
        List<SlotMapping> slots = AssignPlan(beg, end, offline ? 0 : args.MustInt("--gid"));
        if (!args.Has("--confirm"))
        {
            ctx.Print(JsonText.Of(slots));
            return;
        }
        string url = Url("slots/assign", _xauth) + (offline ? "/offline" : "");
        await ctx.CallAsync("slots-assign", _target, api => api.PutAsync(url, slots)).ConfigureAwait(false);
    }

    private async Task RebalanceAsync()
    {
        string confirm = args.Has("--confirm") ? "1" : "0";
        Dictionary<string, int> reply = await ctx.CallAsync("slot-rebalance", _target,
            api => api.PutAsync<Dictionary<string, int>>(Url("slots/rebalance", _xauth, confirm))).ConfigureAwait(false);
        foreach (string line in StatusLines.Rebalance(ParsePlan(reply)))
            ctx.Print(line);
    }

    private Task<DashboardStats> StatsAsync() =>
        ctx.CallAsync("stats", _target, api => api.GetAsync<DashboardStats>(Url("stats", _xauth)));

    /// <summary>A PUT to <c>/api/topom/&lt;route&gt;/&lt;xauth&gt;/&lt;params...&gt;</c> whose reply is ignored.</summary>
    private Task PutAsync(string op, string route, params string[] parameters) =>
        ctx.CallAsync(op, _target, api => api.PutAsync(Url(route, [_xauth, .. parameters])));

    /// <summary><c>http://ADDR/api/topom/&lt;route&gt;/&lt;segments...&gt;</c>; addresses go raw into the path, as Codis sends them.</summary>
    private string Url(string route, params string[] segments) =>
        Http("/api/topom/" + route + string.Concat(segments.Select(s => "/" + s)));

    private string Http(string path) => "http://" + _addr + path;

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
