using Codis.Dashboard.Slots;

namespace Codis.Dashboard.Topology;

public sealed partial class TopomContext
{
    // Host → IP resolutions of one computation (migration.md §2: "result cached per computation").
    private readonly HostResolver _resolver = new();

    /// <summary>The views of <paramref name="mappings"/> for one proxy (null: no particular proxy, <c>/topom/slots</c>).</summary>
    public Slot[] ToSlots(IEnumerable<SlotMapping> mappings, ProxyModel? proxy) =>
        [.. SlotViews.ToSlots(mappings, Groups, proxy, (MigrationMethod)ForwardMethod, _resolver)];

    /// <summary>What <paramref name="proxy"/> must be told about one slot in its action state (migration.md §2).</summary>
    /// <exception cref="ApiException"><c>slot-[sid] action state is invalid</c>.</exception>
    public Slot ToSlot(SlotMapping m, ProxyModel? proxy) =>
        SlotViews.ToSlot(m, Groups, proxy, (MigrationMethod)ForwardMethod, _resolver);
}
