using Codis.Cluster.Redis;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    // Beyond Codis (auto_repoint_replicas): servers to re-point after a promotion, gid → addresses. A server is
    // queued (a pending sync action) as soon as it answers; one that is down (the old master) waits here until
    // it is back. Kept in memory only: a restarted dashboard forgets them (the operator's wrench still works).
    private readonly Dictionary<int, HashSet<string>> _repoint = [];
    private readonly Lock _repointLock = new();

    /// <summary>
    /// One round of the replica-sync loop (ha.md §5): the pending server with the smallest index is marked
    /// <c>syncing</c>, re-pointed to its group's master with the SetMaster transaction, then marked
    /// <c>synced</c> or <c>synced_failed</c>. A promoting group holds the whole queue. With
    /// <c>auto_repoint_replicas</c>, servers remembered after a promotion are queued first.
    /// </summary>
    /// <exception cref="ApiException">The sync failed (after <c>synced_failed</c> was stored) or a store failed.</exception>
    public async Task ProcessSyncActionAsync()
    {
        if (Config.AutoRepointReplicas)
            await QueueRepointsAsync().ConfigureAwait(false);

        (string Addr, string Master)? next = await WithContextAsync<(string, string)?>(async ctx =>
        {
            Group? group = null;
            int index = -1, best = int.MaxValue;
            foreach (Group g in ctx.SortedGroups())
            {
                for (int i = 0; i < g.Servers.Count; i++)
                {
                    ServerAction a = g.Servers[i].Action;
                    if (a.State == ActionState.Pending && a.Index < best)
                        (group, index, best) = (g, i, a.Index);
                }
            }
            if (group is null || group.Promoting.State.Length > 0)
                return null;
            var servers = group.Servers.Select((s, i) => i == index ? s with { Action = new ServerAction { State = ActionState.Syncing } } : s).ToList();
            await StoreUpdateGroupAsync(ctx, group with { Servers = servers }).ConfigureAwait(false);
            return (group.Servers[index].Server, index == 0 ? "NO:ONE" : group.Servers[0].Server);
        }).ConfigureAwait(false);
        if (next is not (string addr, string master))
            return;

        string? error = null;
        try
        {
            await SetMasterAsync(addr, master, TimeSpan.FromMinutes(30)).ConfigureAwait(false);
            _logger.LogWarning("server-[{Addr}] sync to master {Master}: synced", addr, master);
        }
        catch (ApiException e)
        {
            error = e.Message;
        }

        await WithContextAsync(async ctx =>
        {
            (Group g, int index) found;
            try
            {
                found = ctx.GetGroupByServer(addr);
            }
            catch (ApiException)
            {
                return;
            }
            (Group g, int i) = found;
            if (g.Promoting.State.Length > 0 || g.Servers[i].Action.State != ActionState.Syncing)
                return;
            string state = error is null ? ActionState.Synced : ActionState.SyncedFailed;
            var servers = g.Servers.Select((s, j) => j == i ? s with { Action = new ServerAction { State = state } } : s).ToList();
            await StoreUpdateGroupAsync(ctx, g with { Servers = servers }).ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (error is not null)
            throw new ApiException($"server-[{addr}] sync to master {master} failed: {error}");
    }

    /// <summary>
    /// The SetMaster transaction (server.md §8.3) on one connection with <c>product_auth</c>: MULTI, CONFIG SET
    /// masterauth, SLAVEOF host port (<c>NO:ONE</c> → SLAVEOF NO ONE), CONFIG REWRITE, CLIENT KILL TYPE normal,
    /// EXEC; any error element of EXEC fails it.
    /// </summary>
    /// <exception cref="ApiException">Connection, address or command failure.</exception>
    internal async Task SetMasterAsync(string addr, string master, TimeSpan timeout)
    {
        string host, port;
        int colon = master.LastIndexOf(':');
        if (colon <= 0 || colon == master.Length - 1)
            throw new ApiException($"invalid master address {master}");
        (host, port) = (master[..colon], master[(colon + 1)..]);
        try
        {
            RespClient c;
            using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
                c = await RespClient.ConnectAsync(addr, connect.Token).ConfigureAwait(false);
            await using (c.ConfigureAwait(false))
            {
                using var cts = new CancellationTokenSource(timeout);
                if (Config.ProductAuth.Length > 0)
                    await c.CommandAsync(cts.Token, "AUTH", Config.ProductAuth).ConfigureAwait(false);
                string[][] commands =
                [
                    ["MULTI"],
                    ["CONFIG", "SET", "masterauth", Config.ProductAuth],
                    ["SLAVEOF", host, port],
                    ["CONFIG", "REWRITE"],
                    ["CLIENT", "KILL", "TYPE", "normal"],
                    ["EXEC"],
                ];
                foreach (string[] cmd in commands)
                    await c.SendAsync(cts.Token, cmd).ConfigureAwait(false);
                for (int i = 0; i < commands.Length - 1; i++)
                    await c.ReadAsync(cts.Token).ConfigureAwait(false);
                if (await c.ReadAsync(cts.Token).ConfigureAwait(false) is not List<object?> results)
                    throw new ApiException("EXEC aborted");
                foreach (object? r in results)
                {
                    if (r is RespErrorException e)
                        throw new ApiException(e.Message);
                }
            }
        }
        catch (RespErrorException e)
        {
            throw new ApiException(e.Message);
        }
        catch (OperationCanceledException)
        {
            throw new ApiException($"dial tcp {addr}: i/o timeout");
        }
        catch (Exception e) when (e is IOException or FormatException or System.Net.Sockets.SocketException)
        {
            throw new ApiException(e.Message);
        }
    }

    /// <summary>Remembers the group's servers other than its master for an automatic re-point (auto_repoint_replicas).</summary>
    private void RememberRepoint(Group g)
    {
        if (!Config.AutoRepointReplicas || g.Servers.Count <= 1)
            return;
        lock (_repointLock)
        {
            if (!_repoint.TryGetValue(g.Id, out HashSet<string>? set))
                _repoint[g.Id] = set = new HashSet<string>(StringComparer.Ordinal);
            foreach (GroupServer s in g.Servers.Skip(1))
                set.Add(s.Server);
        }
    }

    /// <summary>
    /// Queues a pending sync action for every remembered server that answers PING now (a server still down,
    /// e.g. the killed old master, stays remembered). Servers no longer in the group, or already queued or
    /// syncing, are dropped from the list.
    /// </summary>
    private async Task QueueRepointsAsync()
    {
        List<(int Gid, string Addr)> candidates;
        lock (_repointLock)
            candidates = _repoint.SelectMany(kv => kv.Value.Select(a => (kv.Key, a))).ToList();
        if (candidates.Count == 0)
            return;
        var alive = new List<(int, string)>();
        foreach ((int gid, string addr) in candidates)
        {
            if (await PingAsync(addr).ConfigureAwait(false))
                alive.Add((gid, addr));
        }
        if (alive.Count == 0)
            return;
        await WithContextAsync(async ctx =>
        {
            foreach ((int gid, string addr) in alive)
            {
                bool drop = true;
                if (ctx.Groups.TryGetValue(gid, out Group? g) && g.Promoting.State.Length == 0)
                {
                    int index = -1;
                    for (int i = 0; i < g.Servers.Count; i++)
                    {
                        if (g.Servers[i].Server == addr)
                            index = i;
                    }
                    if (index > 0 && g.Servers[index].Action.State is not (ActionState.Pending or ActionState.Syncing))
                    {
                        int max = ctx.Groups.Values.SelectMany(x => x.Servers).Where(s => s.Action.State == ActionState.Pending)
                            .Select(s => s.Action.Index).DefaultIfEmpty(0).Max();
                        var servers = g.Servers.Select((s, i) => i == index ? s with { Action = new ServerAction { Index = max + 1, State = ActionState.Pending } } : s).ToList();
                        Group updated = g with { Servers = servers };
                        await StoreUpdateGroupAsync(ctx, updated).ConfigureAwait(false);
                        _logger.LogWarning("group-[{Gid}] server-[{Addr}] re-pointed to master {Master} automatically (auto_repoint_replicas)", gid, addr, g.Servers[0].Server);
                    }
                }
                else if (ctx.Groups.TryGetValue(gid, out Group? promoting) && promoting.Servers.Any(s => s.Server == addr))
                {
                    drop = false;
                }
                if (drop)
                {
                    lock (_repointLock)
                    {
                        if (_repoint.TryGetValue(gid, out HashSet<string>? set) && set.Remove(addr) && set.Count == 0)
                            _repoint.Remove(gid);
                    }
                }
            }
        }).ConfigureAwait(false);
    }

    private async Task<bool> PingAsync(string addr)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await using RespClient c = await RespClient.ConnectAsync(addr, cts.Token).ConfigureAwait(false);
            if (Config.ProductAuth.Length > 0)
                await c.CommandAsync(cts.Token, "AUTH", Config.ProductAuth).ConfigureAwait(false);
            await c.CommandAsync(cts.Token, "PING").ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or RespErrorException or FormatException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
