using System.Diagnostics;
using Codis.Server.Clients;
using Codis.Server.Keyspace;

namespace Codis.Server;

/// <summary>maxmemory: measuring memory and evicting keys before a command that may grow it.</summary>
/// <remarks>
/// The managed heap is the measure, as malloc's counter is Redis's. Its raw size
/// (<see cref="GC.GetTotalMemory(bool)"/>) lags behind deletions: an evicted key stays counted until a
/// full collection frees it. So eviction credits the estimated size of every key it frees until the next
/// gen-2 collection (which is when the heap size really drops), and when memory still looks over the
/// limit a full collection is forced to get a true figure, at most every 100 ms and never more often
/// than ten times its own duration, so collections cost at most about a tenth of the time. Before a
/// command is refused with OOM, twice that duration is enough when data changed since (a DEL may have
/// made room). A credit grown beyond an eighth of maxmemory also forces a collection when allowed:
/// keys evicted while still young are freed by cheap collections, and their credit would otherwise
/// hide real growth.
/// </remarks>
public sealed partial class ServerContext
{
    private const long MinForcedGcGapMs = 100;

    private long _evictedCredit;
    private int _creditGen2Count = -1;
    private long _nextForcedGcTimestamp;
    private long _lastForcedGcEnd;
    private long _lastForcedGcDuration;
    private long _dirtyAtForcedGc = -1;

    /// <summary>Sampling state of the LRU/LFU/TTL eviction policies (Redis's eviction pool).</summary>
    internal EvictionPool EvictionPool { get; } = new();

    /// <summary>Bytes in use as INFO used_memory reports it.</summary>
    public long UsedMemory()
    {
        int gen2 = GC.CollectionCount(2);
        if (gen2 != _creditGen2Count)
        {
            // A full collection ran: what eviction freed is no longer in the heap size.
            _creditGen2Count = gen2;
            _evictedCredit = 0;
        }
        return Math.Max(0, GC.GetTotalMemory(false) - _evictedCredit);
    }

    /// <summary>Records bytes freed by eviction that the heap size does not show yet.</summary>
    internal void CreditFreedMemory(long bytes)
    {
        UsedMemory();   // drops a stale credit first
        _evictedCredit += bytes;
    }

    /// <summary>The bytes eviction freed that the heap size does not show yet.</summary>
    internal long FreedMemoryCredit => _evictedCredit;

    /// <summary>
    /// Forces a full blocking collection when the throttle allows it (see the type remarks); true when
    /// one ran, so <see cref="UsedMemory"/> is exact again. When data changed since the last forced
    /// collection (a DEL may have made room) and <paramref name="beforeRefusing"/> is set, the wait is only
    /// twice the last collection's duration, so a client that frees memory can soon write again.
    /// </summary>
    internal bool TryCollectGarbage(bool beforeRefusing = false)
    {
        long start = Stopwatch.GetTimestamp();
        long earliest = beforeRefusing && Stats.Dirty != _dirtyAtForcedGc
            ? _lastForcedGcEnd + (_lastForcedGcDuration * 2)
            : _nextForcedGcTimestamp;
        if (start < earliest)
            return false;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        long end = Stopwatch.GetTimestamp();
        _lastForcedGcDuration = end - start;
        _lastForcedGcEnd = end;
        _dirtyAtForcedGc = Stats.Dirty;
        _nextForcedGcTimestamp = end + Math.Max(MinForcedGcGapMs * Stopwatch.Frequency / 1000, _lastForcedGcDuration * 10);
        UsedMemory();
        return true;
    }

    /// <summary>
    /// True when a command flagged deny-oom may run: no maxmemory, or memory is (or could be brought,
    /// by evicting keys under the configured policy) below the limit.
    /// </summary>
    internal bool HasMemoryForScript(Client client) => HasMemoryFor(client);

    private bool HasMemoryFor(Client client)
    {
        if (Config.MaxMemory <= 0 || client.IsMaster)
            return true;
        return Evictor.FreeMemoryIfNeeded(this);
    }
}
