using System.Text.Json;
using Codis.Admin.CommandLine;
using Codis.Admin.Output;
using Codis.Cluster.Logging;
using Codis.Cluster.Rpc;
using Codis.Core.Json;
using Codis.Core.Security;
using Codis.Core.Topology;

namespace Codis.Admin;

/// <summary>
/// The <c>--proxy=ADDR</c> forms (admin-cli.md §3): the overview needs no xauth; every other form first reads
/// the proxy's model and pings it with <c>xauth(product, --auth, token)</c>.
/// </summary>
internal sealed class ProxyCommands(AdminContext ctx, ParsedArgs args)
{
    private readonly string _addr = args.Must("--proxy");
    private readonly string _target = "proxy " + args.Must("--proxy");
    private string _xauth = "";

    /// <summary>Runs the matched form.</summary>
    /// <exception cref="AdminFailure">Any failure.</exception>
    public async Task RunAsync()
    {
        if (args.Has("--start"))
        {
            await ConnectAsync().ConfigureAwait(false);
            await ctx.CallAsync("start", _target, api => api.PutAsync(Url("/api/proxy/start/" + _xauth))).ConfigureAwait(false);
        }
        else if (args.Has("--shutdown"))
        {
            await ConnectAsync().ConfigureAwait(false);
            await ctx.CallAsync("shutdown", _target, api => api.PutAsync(Url("/api/proxy/shutdown/" + _xauth))).ConfigureAwait(false);
        }
        else if (args.Has("--log-level"))
        {
            await ConnectAsync().ConfigureAwait(false);
            string level = LogLevelName(args.Must("--log-level"));
            await ctx.CallAsync("loglevel", _target, api => api.PutAsync(Url($"/api/proxy/loglevel/{_xauth}/{level}"))).ConfigureAwait(false);
        }
        else if (args.Has("--fillslots"))
        {
            await ConnectAsync().ConfigureAwait(false);
            List<Slot> slots = LoadSlots(args.Must("--fillslots"), args.Has("--locked"));
            await ctx.CallAsync("fillslots", _target, api => api.PutAsync(Url("/api/proxy/fillslots/" + _xauth), slots)).ConfigureAwait(false);
        }
        else if (args.Has("--reset-stats"))
        {
            await ConnectAsync().ConfigureAwait(false);
            await ctx.CallAsync("reset-stats", _target, api => api.PutAsync(Url("/api/proxy/stats/reset/" + _xauth))).ConfigureAwait(false);
        }
        else if (args.Has("--forcegc"))
        {
            await ConnectAsync().ConfigureAwait(false);
            await ctx.CallAsync("forcegc", _target, api => api.PutAsync(Url("/api/proxy/forcegc/" + _xauth))).ConfigureAwait(false);
        }
        else
        {
            await OverviewAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A level name as the proxy and the dashboard accept it, normalised (<c>warning</c> → <c>WARN</c>).
    /// </summary>
    /// <exception cref="AdminFailure"><c>option --log-level = X</c> for anything else.</exception>
    internal static string LogLevelName(string text) =>
        CodisLog.TryParseLevel(text, out CodisLogLevel level) ? level.ToString().ToUpperInvariant()
            : throw new AdminFailure($"option --log-level = {text}");

    /// <summary>
    /// The slots of a <c>--fillslots</c> file: a JSON array of <c>Slot</c>, ids 0..1023, all locked with
    /// <paramref name="locked"/>.
    /// </summary>
    /// <exception cref="AdminFailure">The file cannot be read or decoded, or an id is out of range.</exception>
    internal static List<Slot> LoadSlots(string file, bool locked)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdminFailure("load slots from file failed", e.Message, e);
        }
        List<Slot> slots;
        try
        {
            slots = CodisJson.Decode<List<Slot>>(text) ?? [];
        }
        catch (JsonException e)
        {
            throw new AdminFailure("decode slots from json failed", e.Message, e);
        }
        foreach (Slot s in slots)
        {
            if (s.Id is < 0 or >= 1024)
                throw new AdminFailure($"invalid slot id = {s.Id}");
        }
        return locked ? slots.Select(s => s with { Locked = true }).ToList() : slots;
    }

    private async Task OverviewAsync()
    {
        JsonElement o = await ctx.CallAsync("overview", _target, api => api.GetAsync<JsonElement>(Url("/proxy"))).ConfigureAwait(false);
        string? member = new[] { "config", "model", "stats", "slots" }.LastOrDefault(args.Has);
        ctx.Print(JsonText.Of(member is null ? o : JsonText.Member(o, member)));
    }

    /// <summary>Reads the model and checks the xauth made of its product name, <c>--auth</c> and its token.</summary>
    private async Task ConnectAsync()
    {
        ProxyModel model = await ctx.CallAsync("model", _target, api => api.GetAsync<ProxyModel>(Url("/api/proxy/model"))).ConfigureAwait(false);
        _xauth = CodisAuth.ProxyXAuth(model.ProductName, args.Raw("--auth") ?? "", model.Token);
        await ctx.CallAsync("xping", _target, api => api.GetAsync<JsonElement>(Url("/api/proxy/xping/" + _xauth)), "call rpc xping failed").ConfigureAwait(false);
    }

    private string Url(string path) => "http://" + _addr + path;
}
