namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    /// <summary>
    /// <c>PUT /api/topom/slots/assign</c> (migration.md §6): map slots to groups directly, without moving data
    /// (initial placement or recovery). Every group named is marked out of sync.
    /// </summary>
    public Task<object> SlotsAssignGroupAsync(IReadOnlyList<SlotMapping> mappings) => WithContextAsync(async ctx =>
    {
        foreach (SlotMapping m in mappings)
        {
            ctx.GetSlotMapping(m.Id);
            Group g = ctx.GetGroup(m.GroupId);
            if (g.Servers.Count == 0)
                throw new ApiException($"group-[{g.Id}] is empty");
            if (m.Action.State.Length != 0)
                throw new ApiException($"invalid slot-[{m.Id}] action = {m.Action.State}");
        }
        // Before the proxies learn the new owners: a group gaining its first slots gets the function libraries.
        await CopyFunctionsToNewGroupsAsync(ctx, mappings.Select(m => m.GroupId).Distinct().Order()).ConfigureAwait(false);
        foreach (int gid in mappings.Select(m => m.GroupId).Distinct().Order())
        {
            Group g = ctx.GetGroup(gid);
            await StoreUpdateGroupAsync(ctx, g with { OutOfSync = true }).ConfigureAwait(false);
        }
        var stored = new List<SlotMapping>();
        foreach (SlotMapping m in mappings)
        {
            var s = new SlotMapping { Id = m.Id, GroupId = m.GroupId };
            await StoreSlotAsync(ctx, s).ConfigureAwait(false);
            stored.Add(s);
        }
        await ResyncSlotMappingsAsync(ctx, stored).ConfigureAwait(false);
    });

    /// <summary><c>PUT /api/topom/slots/assign/offline</c>: set slots offline (every entry must have group 0).</summary>
    public Task<object> SlotsAssignOfflineAsync(IReadOnlyList<SlotMapping> mappings) => WithContextAsync(async ctx =>
    {
        foreach (SlotMapping m in mappings)
        {
            ctx.GetSlotMapping(m.Id);
            if (m.GroupId != 0)
                throw new ApiException($"group of slot-[{m.Id}] should be 0");
        }
        var stored = new List<SlotMapping>();
        foreach (SlotMapping m in mappings)
        {
            var s = new SlotMapping { Id = m.Id };
            await StoreSlotAsync(ctx, s).ConfigureAwait(false);
            stored.Add(s);
        }
        await ResyncSlotMappingsAsync(ctx, stored).ConfigureAwait(false);
    });
}
