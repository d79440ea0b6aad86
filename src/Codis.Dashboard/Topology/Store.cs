using System.Globalization;
using System.Text;
using System.Text.Json;
using Codis.Core.Json;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

/// <summary>
/// The product's nodes in the coordinator (coordinator.md §2, <c>pkg/models/store.go</c>): typed reads and
/// writes of slots, groups, proxies, the sentinel record and the lock. Every failure is an
/// <see cref="ApiException"/> with Codis's text (<c>store: update group-[N] failed</c>...); the backend's own
/// message is logged, since Codis's callers only ever see the short form.
/// </summary>
public sealed class Store(ICoordinator coordinator, string product, ILogger logger)
{
    /// <summary>The coordinator client.</summary>
    public ICoordinator Coordinator => coordinator;

    /// <summary>The product name.</summary>
    public string Product => product;

    /// <summary><c>/codis3/&lt;p&gt;/topom</c>.</summary>
    public string LockPath => CoordinatorPaths.Topom(product);

    private string SlotPath(int sid) => CoordinatorPaths.ProductDir(product) + "/slots/slot-" + sid.ToString("D4", CultureInfo.InvariantCulture);

    private string GroupDir => CoordinatorPaths.ProductDir(product) + "/group";

    private string GroupPath(int gid) => GroupDir + "/group-" + gid.ToString("D4", CultureInfo.InvariantCulture);

    private string ProxyDir => CoordinatorPaths.ProductDir(product) + "/proxy";

    private string ProxyPath(string token) => CoordinatorPaths.Proxy(product, token);

    private string SentinelPath => CoordinatorPaths.ProductDir(product) + "/sentinel";

    /// <summary>The 1024 slot mappings; a missing node is <c>{id, group_id: 0}</c>.</summary>
    public async Task<SlotMapping[]> LoadSlotsAsync()
    {
        var slots = new SlotMapping[Topom.MaxSlotNum];
        for (int i = 0; i < slots.Length; i++)
            slots[i] = await LoadSlotAsync(i).ConfigureAwait(false);
        return slots;
    }

    /// <summary>One slot mapping; a missing node is <c>{id, group_id: 0}</c>.</summary>
    public async Task<SlotMapping> LoadSlotAsync(int sid)
    {
        byte[]? data = await Call(() => coordinator.ReadAsync(SlotPath(sid), false), "store: load slots failed").ConfigureAwait(false);
        if (data is null)
            return new SlotMapping { Id = sid };
        SlotMapping m = Decode<SlotMapping>(data, "store: load slots failed") ?? new SlotMapping();
        return m with { Id = sid };
    }

    /// <summary>Writes a slot mapping.</summary>
    public Task UpdateSlotAsync(SlotMapping m) =>
        Call(() => coordinator.UpdateAsync(SlotPath(m.Id), Encode(m)), $"store: update slot-[{m.Id}] failed");

    /// <summary>Every group, keyed by its JSON id.</summary>
    public async Task<Dictionary<int, Group>> ListGroupsAsync()
    {
        IReadOnlyList<string> paths = await Call(() => coordinator.ListAsync(GroupDir, false), "store: load group failed").ConfigureAwait(false);
        var groups = new Dictionary<int, Group>();
        foreach (string p in paths)
        {
            byte[]? data = await Call(() => coordinator.ReadAsync(p, true), "store: load group failed").ConfigureAwait(false);
            Group g = Decode<Group>(data!, "store: load group failed") ?? new Group();
            groups[g.Id] = g;
        }
        return groups;
    }

    /// <summary>One group, or null when its node is gone.</summary>
    public async Task<Group?> LoadGroupAsync(int gid)
    {
        byte[]? data = await Call(() => coordinator.ReadAsync(GroupPath(gid), false), "store: load group failed").ConfigureAwait(false);
        return data is null ? null : Decode<Group>(data, "store: load group failed");
    }

    /// <summary>Writes a group.</summary>
    public Task UpdateGroupAsync(Group g) =>
        Call(() => coordinator.UpdateAsync(GroupPath(g.Id), Encode(g)), $"store: update group-[{g.Id}] failed");

    /// <summary>Creates a group node.</summary>
    public Task CreateGroupAsync(Group g) =>
        Call(() => coordinator.UpdateAsync(GroupPath(g.Id), Encode(g)), $"store: create group-[{g.Id}] failed");

    /// <summary>Deletes a group node.</summary>
    public Task DeleteGroupAsync(int gid) =>
        Call(() => coordinator.DeleteAsync(GroupPath(gid)), $"store: remove group-[{gid}] failed");

    /// <summary>Every proxy, keyed by token.</summary>
    public async Task<Dictionary<string, ProxyModel>> ListProxiesAsync()
    {
        IReadOnlyList<string> paths = await Call(() => coordinator.ListAsync(ProxyDir, false), "store: load proxy failed").ConfigureAwait(false);
        var proxies = new Dictionary<string, ProxyModel>(StringComparer.Ordinal);
        foreach (string p in paths)
        {
            byte[]? data = await Call(() => coordinator.ReadAsync(p, true), "store: load proxy failed").ConfigureAwait(false);
            ProxyModel m = Decode<ProxyModel>(data!, "store: load proxy failed") ?? new ProxyModel();
            proxies[m.Token] = m;
        }
        return proxies;
    }

    /// <summary>One proxy, or null when its node is gone.</summary>
    public async Task<ProxyModel?> LoadProxyAsync(string token)
    {
        byte[]? data = await Call(() => coordinator.ReadAsync(ProxyPath(token), false), "store: load proxy failed").ConfigureAwait(false);
        return data is null ? null : Decode<ProxyModel>(data, "store: load proxy failed");
    }

    /// <summary>Creates a proxy node.</summary>
    public Task CreateProxyAsync(ProxyModel p) =>
        Call(() => coordinator.UpdateAsync(ProxyPath(p.Token), Encode(p)), $"store: create proxy-[{p.Token}] failed");

    /// <summary>Writes a proxy node.</summary>
    public Task UpdateProxyAsync(ProxyModel p) =>
        Call(() => coordinator.UpdateAsync(ProxyPath(p.Token), Encode(p)), $"store: update proxy-[{p.Token}] failed");

    /// <summary>Deletes a proxy node.</summary>
    public Task DeleteProxyAsync(string token) =>
        Call(() => coordinator.DeleteAsync(ProxyPath(token)), $"store: remove proxy-[{token}] failed");

    /// <summary>The sentinel record; a missing node is <c>{}</c>.</summary>
    public async Task<Sentinel> LoadSentinelAsync()
    {
        byte[]? data = await Call(() => coordinator.ReadAsync(SentinelPath, false), "store: load sentinel failed").ConfigureAwait(false);
        return data is null ? new Sentinel() : Decode<Sentinel>(data, "store: load sentinel failed") ?? new Sentinel();
    }

    /// <summary>Writes the sentinel record.</summary>
    public Task UpdateSentinelAsync(Sentinel s) =>
        Call(() => coordinator.UpdateAsync(SentinelPath, Encode(s)), "store: update sentinel failed");

    /// <summary>Codis's encoding of a stored value: 4-space JSON, no trailing newline.</summary>
    public static byte[] Encode<T>(T value) => Encoding.UTF8.GetBytes(CodisJson.Encode(value));

    private T? Decode<T>(byte[] data, string error)
    {
        try
        {
            return CodisJson.Decode<T>(Encoding.UTF8.GetString(data));
        }
        catch (JsonException e)
        {
            logger.LogError("{Error}: cannot decode {Type}: {Cause}", error, typeof(T).Name, e.Message);
            throw new ApiException(error);
        }
    }

    private async Task Call(Func<Task> op, string error)
    {
        try
        {
            await op().ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            logger.LogError("{Error}: {Cause}", error, e.Message);
            throw new ApiException(error);
        }
    }

    private async Task<T> Call<T>(Func<Task<T>> op, string error)
    {
        try
        {
            return await op().ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            logger.LogError("{Error}: {Cause}", error, e.Message);
            throw new ApiException(error);
        }
    }
}
