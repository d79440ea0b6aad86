using Codis.Admin.Models;
using Codis.Admin.Output;
using Codis.Core.Json;
using Codis.Core.Topology;

namespace Codis.Admin;

/// <summary>The proxy, group, sentinel, sync-action and slot-action forms of the dashboard.</summary>
internal sealed partial class DashboardCommands
{
    private async Task ProxyCommandAsync()
    {
        if (args.Has("--create-proxy"))
        {
            await PutAsync("create-proxy", "proxy/create", args.Must("--addr")).ConfigureAwait(false);
        }
        else if (args.Has("--online-proxy"))
        {
            await PutAsync("online-proxy", "proxy/online", args.Must("--addr")).ConfigureAwait(false);
        }
        else if (args.Has("--remove-proxy"))
        {
            string force = args.Has("--force") ? "1" : "0";
            foreach (string token in await ProxyTokensAsync().ConfigureAwait(false))
                await PutAsync("remove-proxy", "proxy/remove", token, force).ConfigureAwait(false);
        }
        else if (args.Has("--reinit-proxy") && args.Has("--all"))
        {
            DashboardStats stats = await StatsAsync().ConfigureAwait(false);
            foreach (ProxyModel p in stats.Proxy.Models)
            {
                ctx.Print("reinit proxy: " + CodisJson.Encode(p));
                await PutAsync("reinit-proxy", "proxy/reinit", p.Token).ConfigureAwait(false);
            }
        }
        else if (args.Has("--reinit-proxy"))
        {
            foreach (string token in await ProxyTokensAsync().ConfigureAwait(false))
                await PutAsync("reinit-proxy", "proxy/reinit", token).ConfigureAwait(false);
        }
        else
        {
            DashboardStats stats = await StatsAsync().ConfigureAwait(false);
            foreach (string line in StatusLines.Proxies(stats))
                ctx.Print(line);
        }
    }

    /// <summary>
    /// The tokens named by <c>--token</c>, or of every proxy with that <c>--pid</c> id or <c>--addr</c> admin
    /// address; none found is an error unless <c>--force</c>.
    /// </summary>
    private async Task<IReadOnlyList<string>> ProxyTokensAsync()
    {
        if (args.Get("--token") is { } token)
            return [token];
        Func<ProxyModel, bool> match;
        string what;
        if (args.GetInt("--pid") is { } pid)
        {
            match = p => p.Id == pid;
            what = "id = " + Num(pid);
        }
        else if (args.Get("--addr") is { } addr)
        {
            match = p => p.AdminAddr == addr;
            what = "addr = " + addr;
        }
        else
        {
            throw new AdminFailure("can't find specific proxy");
        }
        DashboardStats stats = await StatsAsync().ConfigureAwait(false);
        List<string> tokens = stats.Proxy.Models.Where(match).Select(p => p.Token).ToList();
        if (tokens.Count == 0 && !args.Has("--force"))
            throw new AdminFailure("can't find specific proxy with " + what);
        return tokens;
    }

    private async Task GroupCommandAsync()
    {
        if (args.Has("--create-group"))
        {
            await PutAsync("create-group", "group/create", Num(args.MustInt("--gid"))).ConfigureAwait(false);
        }
        else if (args.Has("--remove-group"))
        {
            await PutAsync("remove-group", "group/remove", Num(args.MustInt("--gid"))).ConfigureAwait(false);
        }
        else if (args.Has("--resync-group") && args.Has("--all"))
        {
            DashboardStats stats = await StatsAsync().ConfigureAwait(false);
            foreach (Group g in stats.Group.Models)
                await PutAsync("resync-group", "group/resync", Num(g.Id)).ConfigureAwait(false);
        }
        else if (args.Has("--resync-group"))
        {
            await PutAsync("resync-group", "group/resync", Num(args.MustInt("--gid"))).ConfigureAwait(false);
        }
        else if (args.Has("--group-add"))
        {
            int gid = args.MustInt("--gid");
            string addr = args.Must("--addr");
            string? dc = args.Get("--datacenter");
            if (dc is null)
                await PutAsync("group-add-server", "group/add", Num(gid), addr).ConfigureAwait(false);
            else
                await PutAsync("group-add-server", "group/add", Num(gid), addr, dc).ConfigureAwait(false);
        }
        else if (args.Has("--group-del"))
        {
            await PutAsync("group-del-server", "group/del", Num(args.MustInt("--gid")), args.Must("--addr")).ConfigureAwait(false);
        }
        else if (args.Has("--replica-groups"))
        {
            string value = args.Has("--enable") ? "1" : "0";
            await PutAsync("replica-groups", "group/replica-groups", Num(args.MustInt("--gid")), args.Must("--addr"), value).ConfigureAwait(false);
        }
        else
        {
            // --promote-server prints the group status once the promotion is done, as --group-status does.
            if (args.Has("--promote-server"))
                await PutAsync("group-promote-server", "group/promote", Num(args.MustInt("--gid")), args.Must("--addr")).ConfigureAwait(false);
            DashboardStats stats = await StatsAsync().ConfigureAwait(false);
            foreach (string line in StatusLines.Groups(stats))
                ctx.Print(line);
        }
    }

    private Task SentinelCommandAsync()
    {
        if (args.Has("--sentinel-add"))
            return PutAsync("add-sentinel", "sentinels/add", args.Must("--addr"));
        if (args.Has("--sentinel-del"))
            return PutAsync("del-sentinel", "sentinels/del", args.Must("--addr"), args.Has("--force") ? "1" : "0");
        return PutAsync("resync-sentinels", "sentinels/resync-all");
    }

    private Task SyncActionAsync() =>
        args.Has("--create")
            ? PutAsync("create-sync-action", "group/action/create", args.Must("--addr"))
            : PutAsync("remove-sync-action", "group/action/remove", args.Must("--addr"));

    private Task SlotActionAsync()
    {
        if (args.Has("--create"))
            return PutAsync("create-slot-action", "slots/action/create", Num(args.MustInt("--sid")), Num(args.MustInt("--gid")));
        if (args.Has("--remove"))
            return PutAsync("remove-slot-action", "slots/action/remove", Num(args.MustInt("--sid")));
        if (args.Has("--create-some"))
        {
            return PutAsync("create-slot-action-some", "slots/action/create-some",
                Num(args.MustInt("--gid-from")), Num(args.MustInt("--gid-to")), Num(args.MustInt("--num-slots")));
        }
        if (args.Has("--create-range"))
        {
            return PutAsync("create-slot-action-range", "slots/action/create-range",
                Num(args.MustInt("--beg")), Num(args.MustInt("--end")), Num(args.MustInt("--gid")));
        }
        if (args.Has("--interval"))
            return PutAsync("slot-action-interval", "slots/action/interval", Num(args.MustInt("--interval")));
        return PutAsync("slot-action-disabled", "slots/action/disabled", args.MustInt("--disabled") != 0 ? "1" : "0");
    }
}
