using System.Diagnostics;

namespace Codis.Server.Keyspace;

public sealed partial class Database
{
    // Redis's active expire defaults (expire.c), scaled by active-expire-effort.
    private const int KeysPerLoop = 20;
    private const int CycleSlowTimePercent = 25;
    private const int AcceptableStalePercent = 10;

    private ulong _expiresCursor;
    private readonly List<byte[]> _expireSample = [];

    /// <summary>
    /// One run of the active expire cycle on this database: samples keys with an expiry and deletes the
    /// expired ones, within a time budget that grows with <paramref name="effort"/> (1..10).
    /// </summary>
    /// <remarks>
    /// Redis's slow cycle: walk the expires table with a scan cursor, <c>20 + 5 * (effort - 1)</c> keys
    /// per round, and do another round while more than <c>10 - (effort - 1)</c> percent of the sampled
    /// keys were expired. The time budget (<c>25 + 2 * (effort - 1)</c> percent of a cron period) is
    /// shared by all databases in one cron tick, which is recognised by the command clock: the cron sets
    /// it once per tick.
    /// </remarks>
    public void ActiveExpireCycle(int effort)
    {
        if (_expires.Count == 0 || Server.IsReplica)
            return;
        int e = Math.Clamp(effort, 1, 10) - 1;
        int keysPerLoop = KeysPerLoop + (KeysPerLoop / 4 * e);
        int stalePercent = AcceptableStalePercent - e;
        if (Server.ExpireCycleTickNow != Server.Now)
        {
            int hz = Math.Max(1, Server.Config.Hz);
            long budgetMicros = (CycleSlowTimePercent + (2 * e)) * 1_000_000L / hz / 100;
            Server.ExpireCycleTickNow = Server.Now;
            Server.ExpireCycleDeadline = Stopwatch.GetTimestamp() + (budgetMicros * Stopwatch.Frequency / 1_000_000);
        }
        else if (Stopwatch.GetTimestamp() > Server.ExpireCycleDeadline)
        {
            return;
        }

        int iteration = 0;
        while (true)
        {
            int num = Math.Min(_expires.Count, keysPerLoop);
            if (num == 0)
                return;
            iteration++;
            int sampled = 0;
            int expired = 0;
            int maxBuckets = num * 20;
            for (int buckets = 0; sampled < num && buckets < maxBuckets; buckets++)
            {
                _expireSample.Clear();
                _expiresCursor = _expires.ScanKeys(_expiresCursor, _expireSample);
                foreach (byte[] key in _expireSample)
                {
                    sampled++;
                    if (ExpireIfNeeded(key))
                        expired++;
                }
                if (_expires.Count == 0)
                    break;
            }
            _expireSample.Clear();
            // Checking the clock is not free: do it every 16 rounds, as Redis does.
            if ((iteration & 0xF) == 0 && Stopwatch.GetTimestamp() > Server.ExpireCycleDeadline)
                return;
            bool repeat = sampled == 0 || expired * 100 / sampled > stalePercent;
            if (!repeat)
                return;
        }
    }
}
