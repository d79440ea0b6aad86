using Codis.Cluster.Redis;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    /// <summary>Largest group id.</summary>
    public const int MaxGroupId = 9999;

    /// <summary><c>PUT /api/topom/group/create</c> (dashboard-api.md §4.4).</summary>
    public Task<object> CreateGroupAsync(int gid) => WithContextAsync(async ctx =>
    {
        if (gid <= 0 || gid > MaxGroupId)
            throw new ApiException($"invalid group id = {gid}, out of range");
        if (ctx.Groups.ContainsKey(gid))
            throw new ApiException($"group-[{gid}] already exists");
        await StoreCreateGroupAsync(ctx, new Group { Id = gid, Servers = [] }).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/group/remove</c>.</summary>
    public Task<object> RemoveGroupAsync(int gid) => WithContextAsync(async ctx =>
    {
        Group g = ctx.GetGroup(gid);
        if (g.Servers.Count != 0)
            throw new ApiException($"group-[{gid}] isn't empty");
        await StoreRemoveGroupAsync(ctx, gid).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/group/resync</c>: push the group's slots to every proxy, then clear out_of_sync.</summary>
    public Task<object> ResyncGroupAsync(int gid) => WithContextAsync(ctx => ResyncGroupInContextAsync(ctx, gid));

    /// <summary><c>PUT /api/topom/group/resync-all</c>: every group, one after the other (stops at the first failure).</summary>
    public Task<object> ResyncGroupAllAsync() => WithContextAsync(async ctx =>
    {
        foreach (Group g in ctx.SortedGroups())
            await ResyncGroupInContextAsync(ctx, g.Id).ConfigureAwait(false);
    });

    private async Task ResyncGroupInContextAsync(TopomContext ctx, int gid)
    {
        Group g = ctx.GetGroup(gid);
        await ResyncSlotMappingsAsync(ctx, ctx.SlotsOfGroup(gid)).ConfigureAwait(false);
        if (g.OutOfSync)
            await StoreUpdateGroupAsync(ctx, g with { OutOfSync = false }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>PUT /api/topom/group/add</c>: the server must be a codis-server (answers <c>SLOTSINFO</c>), then it
    /// is appended to the group (no replication is configured here).
    /// </summary>
    public async Task<object> GroupAddServerAsync(int gid, string datacenter, string addr)
    {
        if (addr.Length == 0)
            throw new ApiException("invalid server address");
        await CheckCodisServerAsync(addr).ConfigureAwait(false);
        return await WithContextAsync(async ctx =>
        {
            foreach (Group other in ctx.Groups.Values)
            {
                if (other.Servers.Any(s => s.Server == addr))
                    throw new ApiException($"server-[{addr}] already exists");
            }
            Group g = ctx.GetGroup(gid);
            if (g.Promoting.State.Length > 0)
                throw new ApiException($"group-[{gid}] is promoting");
            if (ctx.Sentinel.Servers.Count > 0)
                await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { OutOfSync = true }).ConfigureAwait(false);
            var server = new GroupServer { Server = addr, DataCenter = datacenter };
            await StoreUpdateGroupAsync(ctx, g with { Servers = [.. g.Servers, server] }).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Connects with product_auth (1 s timeouts) and sends SLOTSINFO: a plain redis fails here.</summary>
    private async Task CheckCodisServerAsync(string addr)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await using RespClient c = await RespClient.ConnectAsync(addr, cts.Token).ConfigureAwait(false);
            if (Config.ProductAuth.Length > 0)
                await c.CommandAsync(cts.Token, "AUTH", Config.ProductAuth).ConfigureAwait(false);
            await c.CommandAsync(cts.Token, "SLOTSINFO").ConfigureAwait(false);
        }
        catch (RespErrorException e)
        {
            throw new ApiException(e.Message);
        }
        catch (OperationCanceledException)
        {
            throw new ApiException($"dial tcp {addr}: i/o timeout");
        }
        catch (IOException e)
        {
            throw new ApiException(e.Message);
        }
        catch (FormatException e)
        {
            throw new ApiException($"invalid server address {addr}: {e.Message}");
        }
    }

    /// <summary><c>PUT /api/topom/group/del</c>.</summary>
    public Task<object> GroupDelServerAsync(int gid, string addr) => WithContextAsync(async ctx =>
    {
        Group g = ctx.GetGroup(gid);
        int index = TopomContext.GetGroupIndex(g, addr);
        if (g.Promoting.State.Length > 0)
            throw new ApiException($"group-[{gid}] is promoting");
        if (index == 0 && (g.Servers.Count != 1 || ctx.IsGroupInUse(gid)))
            throw new ApiException($"group-[{gid}] can't remove master, still in use");
        if (ctx.Sentinel.Servers.Count > 0)
            await StoreUpdateSentinelAsync(ctx, ctx.Sentinel with { OutOfSync = true }).ConfigureAwait(false);
        bool outOfSync = g.OutOfSync || (index != 0 && g.Servers[index].ReplicaGroup);
        var servers = g.Servers.Where((_, i) => i != index).ToList();
        if (servers.Count == 0)
            outOfSync = false;
        await StoreUpdateGroupAsync(ctx, g with { Servers = servers, OutOfSync = outOfSync }).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/group/replica-groups</c>.</summary>
    public Task<object> EnableReplicaGroupsAsync(int gid, string addr, bool value) => WithContextAsync(async ctx =>
    {
        Group g = ctx.GetGroup(gid);
        int index = TopomContext.GetGroupIndex(g, addr);
        if (g.Promoting.State.Length > 0)
            throw new ApiException($"group-[{gid}] is promoting");
        bool outOfSync = g.OutOfSync || (g.Servers.Count != 1 && ctx.IsGroupInUse(gid));
        var servers = g.Servers.Select((s, i) => i == index ? s with { ReplicaGroup = value } : s).ToList();
        await StoreUpdateGroupAsync(ctx, g with { Servers = servers, OutOfSync = outOfSync }).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/group/replica-groups-all</c>: every group in id order; a promoting group aborts.</summary>
    public Task<object> EnableReplicaGroupsAllAsync(bool value) => WithContextAsync(async ctx =>
    {
        foreach (Group g in ctx.SortedGroups())
        {
            if (g.Promoting.State.Length > 0)
                throw new ApiException($"group-[{g.Id}] is promoting");
            if (g.Servers.All(s => s.ReplicaGroup == value))
                continue;
            bool outOfSync = g.OutOfSync || (g.Servers.Count != 1 && ctx.IsGroupInUse(g.Id));
            var servers = g.Servers.Select(s => s with { ReplicaGroup = value }).ToList();
            await StoreUpdateGroupAsync(ctx, g with { Servers = servers, OutOfSync = outOfSync }).ConfigureAwait(false);
        }
    });

    /// <summary><c>PUT /api/topom/group/action/create</c>: queue a replica-sync action (ha.md §5).</summary>
    public Task<object> SyncCreateActionAsync(string addr) => WithContextAsync(async ctx =>
    {
        (Group g, int index) = ctx.GetGroupByServer(addr);
        if (g.Promoting.State.Length > 0)
            throw new ApiException($"group-[{g.Id}] is promoting");
        if (g.Servers[index].Action.State == ActionState.Pending)
            throw new ApiException($"server-[{addr}] action already exist");
        int max = ctx.Groups.Values.SelectMany(x => x.Servers).Where(s => s.Action.State == ActionState.Pending)
            .Select(s => s.Action.Index).DefaultIfEmpty(0).Max();
        var servers = g.Servers.Select((s, i) => i == index ? s with { Action = new ServerAction { Index = max + 1, State = ActionState.Pending } } : s).ToList();
        await StoreUpdateGroupAsync(ctx, g with { Servers = servers }).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/group/action/remove</c>: clear a replica-sync action (any state).</summary>
    public Task<object> SyncRemoveActionAsync(string addr) => WithContextAsync(async ctx =>
    {
        (Group g, int index) = ctx.GetGroupByServer(addr);
        if (g.Promoting.State.Length > 0)
            throw new ApiException($"group-[{g.Id}] is promoting");
        if (g.Servers[index].Action.State.Length == 0)
            throw new ApiException($"server-[{addr}] action doesn't exist");
        var servers = g.Servers.Select((s, i) => i == index ? s with { Action = new ServerAction() } : s).ToList();
        await StoreUpdateGroupAsync(ctx, g with { Servers = servers }).ConfigureAwait(false);
    });
}
