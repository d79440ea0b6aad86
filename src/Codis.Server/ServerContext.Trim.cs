namespace Codis.Server;

/// <summary>
/// Giving memory back to the operating system after a burst. The garbage collector keeps the memory a
/// burst of writes made it commit (free space between live objects, in retained regions), which can be
/// a third of the resident size after a bulk load. When the server has gone quiet, a compacting
/// collection returns it. It runs only while the load is low (a full compacting collection pauses the
/// server for a moment), at most every <see cref="TrimIntervalMs"/>, and only when enough is retained
/// to be worth it. Redis gets the same effect from jemalloc's purging and active defragmentation.
/// </summary>
public sealed partial class ServerContext
{
    private const long TrimIntervalMs = 10_000;
    private const long TrimIdleOpsPerSecond = 100;
    private const long TrimMinRetainedBytes = 16L * 1024 * 1024;

    private long _lastTrimMs;

    /// <summary>Compacts the heap when idle and fragmented (called by the cron once a second).</summary>
    private void TrimWhenIdle()
    {
        if (InstantaneousOps > TrimIdleOpsPerSecond || _now - _lastTrimMs < TrimIntervalMs)
            return;
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        long retained = info.TotalCommittedBytes - info.HeapSizeBytes + info.FragmentedBytes;
        if (retained < TrimMinRetainedBytes || retained < info.HeapSizeBytes / 8)
            return;
        _lastTrimMs = _now;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
