using Codis.Core.Topology;
using Codis.Proxy.Backend;
using Codis.Proxy.Session;

namespace Codis.Proxy.Routing;

/// <summary>
/// Immutable view of one slot: the configuration as filled and the pool entries it holds. Replaced as a
/// whole by a fill, read without a lock by forwarders.
/// </summary>
internal sealed record SlotModel(
    Slot Config,
    BackendEntry? Backend,
    BackendEntry? Migrate,
    BackendEntry[][] Replicas,
    int Method,
    bool Locked,
    bool Switched);

/// <summary>
/// One of the 1024 slots (proxy.md §9): the current <see cref="SlotModel"/>, the count of requests in
/// flight (a fill waits for it to reach zero), and the requests held while the slot is locked. Unlike
/// Codis, a held request does not block its session: the session keeps reading and other slots keep
/// flowing (quirks.md A.10); only later requests of the same session for the same slot wait behind it.
/// </summary>
internal sealed class SlotState
{
    private SlotModel _model;
    private int _refs;

    /// <summary>Creates an offline slot.</summary>
    public SlotState(int id)
    {
        Id = id;
        _model = new SlotModel(new Slot { Id = id }, null, null, [], 0, false, false);
    }

    /// <summary>Slot number.</summary>
    public int Id { get; }

    /// <summary>Requests held while the slot is locked, in arrival order. Guarded by this object.</summary>
    public Queue<Request> Waiters { get; } = new();

    /// <summary>The current model.</summary>
    public SlotModel Model => Volatile.Read(ref _model);

    /// <summary>Requests in flight.</summary>
    public int Refs => Volatile.Read(ref _refs);

    /// <summary>Publishes a new model with a full fence (the barrier with <see cref="Acquire"/>).</summary>
    public void Publish(SlotModel model) => Interlocked.Exchange(ref _model, model);

    /// <summary>Counts a request in flight; the caller reads <see cref="Model"/> after this.</summary>
    public void Acquire() => Interlocked.Increment(ref _refs);

    /// <summary>A request in flight finished.</summary>
    public void Release() => Interlocked.Decrement(ref _refs);
}
