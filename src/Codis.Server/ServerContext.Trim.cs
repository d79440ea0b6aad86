namespace Codis.Server;

/// <summary>
/// Giving memory back to the operating system after a burst. The garbage collector keeps the memory a
/// burst of writes made it commit (free space between live objects, in retained regions), which can be
/// a fifth of the resident size after a bulk load, and its own statistics do not reliably show it. So
/// once the server has gone quiet after many changes, one compacting collection returns it. It runs
/// only while the load is low (a full compacting collection pauses the server for a moment), at most
/// every <see cref="TrimIntervalMs"/>, and only after <see cref="TrimMinChanges"/> changes since the
/// last one, so an idle server is left alone. Redis gets the same effect from jemalloc's purging.
/// </summary>
public sealed partial class ServerContext
{
    private const long TrimIntervalMs = 10_000;
    private const long TrimIdleOpsPerSecond = 100;
    private const long TrimMinChanges = 10_000;

    private long _lastTrimMs;
    private long _dirtyAtLastTrim;
    private int _quietSeconds;
    private long _dirtyAtLastCheck;

    /// <summary>Compacts the heap when idle after a burst of changes (called by the cron once a second).</summary>
    private void TrimWhenIdle()
    {
        // Two quiet seconds in a row (few commands and no change at all): the burst is over, not
        // pausing between two reads.
        bool quiet = InstantaneousOpsValid && InstantaneousOps <= TrimIdleOpsPerSecond && Stats.Dirty == _dirtyAtLastCheck;
        _dirtyAtLastCheck = Stats.Dirty;
        _quietSeconds = quiet ? _quietSeconds + 1 : 0;
        if (_quietSeconds < 2 || _now - _lastTrimMs < TrimIntervalMs || Stats.Dirty - _dirtyAtLastTrim < TrimMinChanges)
            return;
        _lastTrimMs = _now;
        _dirtyAtLastTrim = Stats.Dirty;
        long before = Environment.WorkingSet;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Logging.ServerLog.Verbose($"Compacted memory after a burst of writes: resident {before >> 20} MiB -> {Environment.WorkingSet >> 20} MiB");
    }
}
