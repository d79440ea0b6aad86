using Codis.Core.Topology;

namespace Codis.Dashboard.Tests.Slots;

/// <summary>Builds slot tables and groups for the pure slot-logic tests.</summary>
internal static class TopologyBuilder
{
    /// <summary>1024 slots; <paramref name="owner"/> gives each slot's group (0 = offline).</summary>
    public static SlotMapping[] Table(Func<int, int> owner)
    {
        var slots = new SlotMapping[1024];
        for (int i = 0; i < slots.Length; i++)
            slots[i] = new SlotMapping { Id = i, GroupId = owner(i) };
        return slots;
    }

    /// <summary>A group whose servers are <paramref name="servers"/> (first = master).</summary>
    public static Group Group(int id, params string[] servers) =>
        new() { Id = id, Servers = [.. servers.Select(s => new GroupServer { Server = s })] };

    /// <summary>Groups by id.</summary>
    public static Dictionary<int, Group> ById(params Group[] groups) => groups.ToDictionary(g => g.Id);

    /// <summary>A slot with an action.</summary>
    public static SlotMapping WithAction(int id, int gid, string state, int target, int index = 1) =>
        new() { Id = id, GroupId = gid, Action = new SlotAction { State = state, TargetId = target, Index = index } };
}
