using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    // The cache of coordinator.md §8. A null container means "reload everything of that kind"; a null entry
    // means "reload that entry" (removed if its node vanished). Only touched under _mutex.
    private SlotMapping?[]? _slots;
    private Dictionary<int, Group?>? _groups;
    private Dictionary<string, ProxyModel?>? _proxies;
    private Sentinel? _sentinel;

    // Dirty hooks queued by writes (and by reload), run before the next operation's refill.
    private readonly List<Action> _hooks = [];

    /// <summary>Queues "reload this slot".</summary>
    internal void DirtySlot(int sid) => AddHook(() =>
    {
        if (_slots is not null)
            _slots[sid] = null;
    });

    /// <summary>Queues "reload this group".</summary>
    internal void DirtyGroup(int gid) => AddHook(() =>
    {
        if (_groups is not null)
            _groups[gid] = null;
    });

    /// <summary>Queues "reload this proxy".</summary>
    internal void DirtyProxy(string token) => AddHook(() =>
    {
        if (_proxies is not null)
            _proxies[token] = null;
    });

    /// <summary>Queues "reload the sentinel record".</summary>
    internal void DirtySentinel() => AddHook(() => _sentinel = null);

    /// <summary>Queues "reload everything" (<c>PUT /api/topom/reload</c>).</summary>
    internal void DirtyAll() => AddHook(() =>
    {
        _slots = null;
        _groups = null;
        _proxies = null;
        _sentinel = null;
    });

    private void AddHook(Action hook)
    {
        lock (_hooks)
            _hooks.Add(hook);
    }

    /// <summary>Runs the dirty hooks, reloads what is invalid, and returns a snapshot (coordinator.md §8 steps 2-3).</summary>
    internal async Task<TopomContext> RefillCacheAsync()
    {
        Action[] hooks;
        lock (_hooks)
        {
            hooks = [.. _hooks];
            _hooks.Clear();
        }
        foreach (Action h in hooks)
            h();

        if (_slots is null)
        {
            _slots = await Store.LoadSlotsAsync().ConfigureAwait(false);
        }
        else
        {
            for (int i = 0; i < _slots.Length; i++)
                _slots[i] ??= await Store.LoadSlotAsync(i).ConfigureAwait(false);
        }

        if (_groups is null)
        {
            _groups = (await Store.ListGroupsAsync().ConfigureAwait(false)).ToDictionary(kv => kv.Key, kv => (Group?)kv.Value);
        }
        else
        {
            foreach (int gid in _groups.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
            {
                Group? g = await Store.LoadGroupAsync(gid).ConfigureAwait(false);
                if (g is null)
                    _groups.Remove(gid);
                else
                    _groups[gid] = g;
            }
        }

        if (_proxies is null)
        {
            _proxies = (await Store.ListProxiesAsync().ConfigureAwait(false)).ToDictionary(kv => kv.Key, kv => (ProxyModel?)kv.Value, StringComparer.Ordinal);
        }
        else
        {
            foreach (string token in _proxies.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
            {
                ProxyModel? p = await Store.LoadProxyAsync(token).ConfigureAwait(false);
                if (p is null)
                    _proxies.Remove(token);
                else
                    _proxies[token] = p;
            }
        }

        _sentinel ??= await Store.LoadSentinelAsync().ConfigureAwait(false);

        return new TopomContext(
            _slots.Select(m => m!).ToArray(),
            _groups.ToDictionary(kv => kv.Key, kv => kv.Value!),
            _proxies.ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal),
            _sentinel,
            Config.ForwardMethod);
    }

    // Writes: the coordinator first, then a dirty hook so that the next operation re-reads the entry; the
    // snapshot of the running operation is updated too, so its later steps see the change.

    /// <summary>Stores a slot mapping.</summary>
    internal async Task StoreSlotAsync(TopomContext ctx, SlotMapping m)
    {
        DirtySlot(m.Id);
        await Store.UpdateSlotAsync(m).ConfigureAwait(false);
        ctx.Slots[m.Id] = m;
    }

    /// <summary>Stores a new group.</summary>
    internal async Task StoreCreateGroupAsync(TopomContext ctx, Group g)
    {
        _logger.LogWarning("create group-[{Gid}]:\n{Group}", g.Id, Codis.Core.Json.CodisJson.Encode(g));
        DirtyGroup(g.Id);
        await Store.CreateGroupAsync(g).ConfigureAwait(false);
        ctx.Groups[g.Id] = g;
    }

    /// <summary>Stores a changed group.</summary>
    internal async Task StoreUpdateGroupAsync(TopomContext ctx, Group g)
    {
        _logger.LogWarning("update group-[{Gid}]:\n{Group}", g.Id, Codis.Core.Json.CodisJson.Encode(g));
        DirtyGroup(g.Id);
        await Store.UpdateGroupAsync(g).ConfigureAwait(false);
        ctx.Groups[g.Id] = g;
    }

    /// <summary>Deletes a group.</summary>
    internal async Task StoreRemoveGroupAsync(TopomContext ctx, int gid)
    {
        _logger.LogWarning("remove group-[{Gid}]", gid);
        DirtyGroup(gid);
        await Store.DeleteGroupAsync(gid).ConfigureAwait(false);
        ctx.Groups.Remove(gid);
    }

    /// <summary>Stores a new proxy.</summary>
    internal async Task StoreCreateProxyAsync(TopomContext ctx, ProxyModel p)
    {
        _logger.LogWarning("create proxy-[{Token}]:\n{Proxy}", p.Token, Codis.Core.Json.CodisJson.Encode(p));
        DirtyProxy(p.Token);
        await Store.CreateProxyAsync(p).ConfigureAwait(false);
        ctx.Proxies[p.Token] = p;
    }

    /// <summary>Stores a changed proxy.</summary>
    internal async Task StoreUpdateProxyAsync(TopomContext ctx, ProxyModel p)
    {
        _logger.LogWarning("update proxy-[{Token}]:\n{Proxy}", p.Token, Codis.Core.Json.CodisJson.Encode(p));
        DirtyProxy(p.Token);
        await Store.UpdateProxyAsync(p).ConfigureAwait(false);
        ctx.Proxies[p.Token] = p;
    }

    /// <summary>Deletes a proxy.</summary>
    internal async Task StoreRemoveProxyAsync(TopomContext ctx, string token)
    {
        _logger.LogWarning("remove proxy-[{Token}]", token);
        DirtyProxy(token);
        await Store.DeleteProxyAsync(token).ConfigureAwait(false);
        ctx.Proxies.Remove(token);
    }

    /// <summary>Stores the sentinel record.</summary>
    internal async Task StoreUpdateSentinelAsync(TopomContext ctx, Sentinel s)
    {
        _logger.LogWarning("update sentinel:\n{Sentinel}", Codis.Core.Json.CodisJson.Encode(s));
        DirtySentinel();
        await Store.UpdateSentinelAsync(s).ConfigureAwait(false);
        ctx.Sentinel = s;
    }
}
