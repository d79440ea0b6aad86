using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    /// <summary>
    /// <c>PUT /api/topom/group/promote</c> (ha.md §6): preparing → prepared (the group's slots locked on every
    /// proxy) → finished (servers reordered, SLAVEOF NO ONE on the new master) → done (slots re-pointed and
    /// unlocked). Each step is stored before the next, so a failed call is resumed by calling again with the
    /// address being promoted (after <c>finished</c>: the new master's).
    /// </summary>
    public Task<object> GroupPromoteServerAsync(int gid, string addr) => WithContextAsync(async ctx =>
    {
        Group g = ctx.GetGroup(gid);
        int index = TopomContext.GetGroupIndex(g, addr);
        if (g.Promoting.State.Length > 0)
        {
            if (index != g.Promoting.Index)
                throw new ApiException($"group-[{gid}] is promoting index = {g.Promoting.Index}");
        }
        else if (index == 0)
        {
            throw new ApiException($"group-[{gid}] can't promote master");
        }
        int executors = SlotActionStats.Executor;
        if (executors != 0)
            throw new ApiException($"slots-migration is running = {executors}");

        while (true)
        {
            switch (g.Promoting.State)
            {
                case ActionState.Nothing:
                    g = g with { Promoting = new GroupPromoting { Index = index, State = ActionState.Preparing } };
                    await StoreUpdateGroupAsync(ctx, g).ConfigureAwait(false);
                    break;

                case ActionState.Preparing:
                    {
                        // The views are computed with the group already prepared, so its slots go out locked.
                        Group prepared = g with { Promoting = g.Promoting with { State = ActionState.Prepared } };
                        ctx.Groups[gid] = prepared;
                        try
                        {
                            await ResyncSlotMappingsAsync(ctx, ctx.SlotsOfGroup(gid)).ConfigureAwait(false);
                        }
                        catch (ApiException)
                        {
                            _logger.LogWarning("group-[{Gid}] resync-rollback to preparing", gid);
                            ctx.Groups[gid] = g;
                            try
                            {
                                await ResyncSlotMappingsAsync(ctx, ctx.SlotsOfGroup(gid)).ConfigureAwait(false);
                            }
                            catch (ApiException e)
                            {
                                _logger.LogWarning("group-[{Gid}] resync-rollback to preparing failed: {Error}", gid, e.Message);
                            }
                            throw;
                        }
                        g = prepared;
                        await StoreUpdateGroupAsync(ctx, g).ConfigureAwait(false);
                        break;
                    }

                case ActionState.Prepared:
                    {
                        if (ctx.Sentinel.Servers.Count > 0)
                            await ForgetGroupOnSentinelsAsync(ctx, gid).ConfigureAwait(false);
                        int i = g.Promoting.Index;
                        var servers = new List<GroupServer> { g.Servers[i] };
                        servers.AddRange(g.Servers.Where((_, j) => j != 0 && j != i));
                        servers.Add(g.Servers[0]);
                        servers = servers.Select(s => s with { Action = new ServerAction() }).ToList();
                        g = g with { Servers = servers, Promoting = new GroupPromoting { State = ActionState.Finished } };
                        await StoreUpdateGroupAsync(ctx, g).ConfigureAwait(false);
                        try
                        {
                            await SetMasterAsync(servers[0].Server, "NO:ONE", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                        }
                        catch (ApiException e)
                        {
                            _logger.LogWarning("group-[{Gid}] promote server {Addr} to master failed: {Error}", gid, servers[0].Server, e.Message);
                        }
                        break;
                    }

                case ActionState.Finished:
                    await ResyncSlotMappingsAsync(ctx, ctx.SlotsOfGroup(gid)).ConfigureAwait(false);
                    g = new Group { Id = g.Id, Servers = g.Servers };
                    await StoreUpdateGroupAsync(ctx, g).ConfigureAwait(false);
                    _logger.LogWarning("group-[{Gid}] promoted server {Addr} to master", gid, g.Servers[0].Server);
                    RememberRepoint(g);
                    return;

                default:
                    throw new ApiException($"group-[{gid}] action state is invalid");
            }
        }
    });

    /// <summary>
    /// The <c>prepared</c> step's sentinel part: the sentinel record goes out of sync, <c>&lt;product&gt;-&lt;gid&gt;</c>
    /// is removed from every sentinel (errors only logged) and the gid leaves the masters map.
    /// </summary>
    private async Task ForgetGroupOnSentinelsAsync(TopomContext ctx, int gid)
    {
        await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { OutOfSync = true }).ConfigureAwait(false);
        await Task.WhenAll(ctx.Sentinel.Servers.Select(async addr =>
        {
            try
            {
                await SentinelOps.RemoveGroupsAsync(addr, [gid], SentinelTimeout).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                _logger.LogWarning("sentinel {Addr} remove group-[{Gid}] failed: {Error}", addr, gid, e.Message);
            }
        })).ConfigureAwait(false);
        lock (_watcherLock)
            _masters.Remove(gid);
    }
}
