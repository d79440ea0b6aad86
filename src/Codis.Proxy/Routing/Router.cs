using System.Diagnostics;
using Codis.Core.Slots;
using Codis.Core.Topology;
using Codis.Proxy.Backend;
using Codis.Proxy.Session;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Routing;

/// <summary>
/// The proxy's routing state (proxy.md §9-§11): the 1024 slots, the primary and replica connection pools,
/// the online flag and the keep-alive ticker. Fills are serialised by one lock; forwarding reads each
/// slot's model without locks. Errors of <see cref="FillSlots"/> and <see cref="Start"/> are thrown as
/// <see cref="RouterException"/> carrying Codis's texts.
/// </summary>
public sealed partial class Router : IDisposable
{
    private readonly RouterOptions _options;
    private readonly ILogger _logger;
    private readonly SlotState[] _slots = new SlotState[SlotHash.SlotCount];
    private readonly object _fillLock = new();
    private readonly object _poolLock = new();   // pools only: never held while waiting for anything
    private readonly BackendPool _primary;
    private readonly BackendPool _replica;
    private readonly Timer _ticker;
    private volatile bool _online;
    private volatile bool _closed;
    private long _lastPingTicks;

    /// <summary>Creates an offline router with every slot offline.</summary>
    public Router(RouterOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new SlotState(i);
        }
        _primary = new BackendPool(options.PrimaryParallel, options, logger);
        _replica = new BackendPool(options.ReplicaParallel, options, logger);
        _ticker = new Timer(static s => ((Router)s!).Tick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The options this router was built with.</summary>
    public RouterOptions Options => _options;

    /// <summary>True once started: sessions are accepted.</summary>
    public bool IsOnline => _online && !_closed;

    /// <summary>True after <see cref="Close"/>.</summary>
    public bool IsClosed => _closed;

    /// <summary>Marks the router online (idempotent).</summary>
    /// <exception cref="RouterException">The router is closed.</exception>
    public void Start()
    {
        lock (_fillLock)
        {
            if (_closed)
            {
                throw new RouterException(RouterException.Closed);
            }
            _online = true;
        }
    }

    /// <summary>
    /// Fills slots in order (proxy.md §9.3): each slot is locked, in-flight requests drain, the new
    /// connections are taken, and the slot is unlocked unless the pushed slot is <c>locked</c>. Stops at the
    /// first invalid slot; slots before it stay filled.
    /// </summary>
    /// <exception cref="RouterException">Invalid slot id or forward method, or the router is closed.</exception>
    public void FillSlots(IReadOnlyList<Slot> slots) => FillSlots(slots, switched: false);

    /// <summary>As <see cref="FillSlots(IReadOnlyList{Slot})"/>; <paramref name="switched"/> marks sentinel switches.</summary>
    public void FillSlots(IReadOnlyList<Slot> slots, bool switched)
    {
        ArgumentNullException.ThrowIfNull(slots);
        lock (_fillLock)
        {
            foreach (var slot in slots)
            {
                if (_closed)
                {
                    throw new RouterException(RouterException.Closed);
                }
                if (slot.Id is < 0 or >= SlotHash.SlotCount)
                {
                    throw new RouterException(RouterException.InvalidSlotId);
                }
                if (slot.ForwardMethod is not (0 or 1))
                {
                    throw new RouterException(RouterException.InvalidForwardMethod);
                }
                Fill(_slots[slot.Id], slot, switched);
            }
        }
    }

    /// <summary>The 1024 slots as currently held (the <c>/proxy/slots</c> view).</summary>
    public IReadOnlyList<Slot> GetSlots()
    {
        var result = new Slot[_slots.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _slots[i].Model.Config;
        }
        return result;
    }

    /// <summary>The slot <paramref name="id"/> as currently held.</summary>
    public Slot GetSlot(int id) => _slots[id].Model.Config;

    /// <summary>True when some slot was re-pointed by a sentinel switch.</summary>
    public bool HasSwitchedSlots()
    {
        foreach (var s in _slots)
        {
            if (s.Model.Switched)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Closes the router: offline, every slot released (held requests fail with <c>use of closed router</c>,
    /// in-flight ones with <c>backend conn reset</c>), keep-alive stopped. Idempotent.
    /// </summary>
    public void Close()
    {
        lock (_fillLock)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _online = false;
            _ticker.Dispose();
            foreach (var s in _slots)
            {
                Request[] held;
                SlotModel m;
                lock (s)
                {
                    m = s.Model;
                    s.Publish(new SlotModel(new Slot { Id = s.Id }, null, null, [], m.Method, false, false));
                    held = s.Waiters.ToArray();
                    s.Waiters.Clear();
                }
                ReleaseModel(m);
                foreach (var r in held)
                {
                    r.FailRequest(RouterException.Closed);
                    r.Owner?.OnDispatched(r);
                }
            }
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    private void Fill(SlotState s, Slot slot, bool switched)
    {
        var old = s.Model;
        if (!old.Locked)
        {
            s.Publish(old with { Locked = true });
        }
        // Barrier: in-flight requests of this slot finish on the old backends before they are released.
        var spin = new SpinWait();
        while (s.Refs > 0)
        {
            if (spin.NextSpinWillYield)
            {
                Thread.Sleep(1);
            }
            else
            {
                spin.SpinOnce();
            }
        }
        BackendEntry? backend, migrate;
        var replicas = new List<BackendEntry[]>();
        var replicaConfig = new List<IReadOnlyList<string>>();
        lock (_poolLock)
        {
            backend = slot.BackendAddr.Length > 0 ? _primary.Retain(slot.BackendAddr) : null;
            migrate = slot.MigrateFrom.Length > 0 ? _primary.Retain(slot.MigrateFrom) : null;
        }
        if (!_options.BackendPrimaryOnly)
        {
            foreach (var group in slot.ReplicaGroups)
            {
                if (group.Count == 0)
                {
                    continue;
                }
                var entries = new BackendEntry[group.Count];
                lock (_poolLock)
                {
                    for (var i = 0; i < group.Count; i++)
                    {
                        entries[i] = _replica.Retain(group[i]);
                    }
                }
                replicas.Add(entries);
                replicaConfig.Add(group);
            }
        }
        ReleaseModel(old);
        var config = slot with { ReplicaGroups = replicaConfig };
        var model = new SlotModel(config, backend, migrate, [.. replicas], slot.ForwardMethod, slot.Locked, switched);
        if (slot.Locked)
        {
            s.Publish(model);
            return;
        }
        Request[] held;
        lock (s)
        {
            s.Publish(model);
            held = s.Waiters.Count == 0 ? [] : s.Waiters.ToArray();
            s.Waiters.Clear();
        }
        // Held requests go out in arrival order; a request of the same session for this slot that arrived
        // meanwhile waits in its session behind the held one, so per-connection order is kept.
        foreach (var r in held)
        {
            if (Dispatch(r))
            {
                r.Owner?.OnDispatched(r);
            }
        }
    }

    private void ReleaseModel(SlotModel m)
    {
        lock (_poolLock)
        {
            ReleaseEntries(m);
        }
    }

    private void ReleaseEntries(SlotModel m)
    {
        if (m.Backend is not null)
        {
            _primary.Release(m.Backend);
        }
        if (m.Migrate is not null)
        {
            _primary.Release(m.Migrate);
        }
        foreach (var group in m.Replicas)
        {
            foreach (var e in group)
            {
                _replica.Release(e);
            }
        }
    }

    /// <summary>
    /// The connection to <paramref name="addr"/> for database <paramref name="db"/> if the proxy holds one
    /// and it is connected (PING/INFO/SLOTSINFO with an address; masters first, then replicas).
    /// </summary>
    internal BackendConnection? FindConnected(ReadOnlySpan<byte> addr, int db, int seed)
    {
        var text = System.Text.Encoding.UTF8.GetString(addr);
        lock (_poolLock)
        {
            var entry = _primary.Find(text) ?? _replica.Find(text);
            return entry?.Get(db, seed, must: false);
        }
    }

    private void Tick()
    {
        if (_closed)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var period = _options.BackendPingPeriod;
        var ping = false;
        if (period > TimeSpan.Zero)
        {
            if (period < TimeSpan.FromSeconds(1))
            {
                period = TimeSpan.FromSeconds(1);
            }
            if (now - _lastPingTicks >= period.TotalSeconds * Stopwatch.Frequency * 0.95)
            {
                ping = true;
                _lastPingTicks = now;
            }
        }
        try
        {
            BackendEntry[] entries;
            lock (_poolLock)
            {
                entries = [.. _primary.Entries, .. _replica.Entries];
            }
            foreach (var e in entries)
            {
                foreach (var c in e.Connections)
                {
                    c.Tick(now, ping);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.TickFailed(_logger, e);
        }
    }
}
