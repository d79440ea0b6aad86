using Codis.Server.Clients;
using Codis.Server.Keyspace;

namespace Codis.Server;

/// <summary>
/// The periodic housekeeping of Redis's serverCron: active expiry, idle-client timeouts and the
/// instantaneous statistics, run <c>hz</c> times a second under the server lock.
/// </summary>
public sealed partial class ServerContext
{
    private ITimer? _cron;
    private long _cronRuns;
    private long _lastOpsSampleMs;
    private long _lastOpsSampleCount;

    /// <summary>Operations per second measured over the last second (INFO instantaneous_ops_per_sec).</summary>
    public long InstantaneousOps { get; private set; }

    /// <summary>False until two samples were taken (the first one has nothing to compare with).</summary>
    private bool InstantaneousOpsValid { get; set; }

    /// <summary>Whether the active expire cycle runs (DEBUG SET-ACTIVE-EXPIRE).</summary>
    public bool ActiveExpireEnabled { get; set; } = true;

    /// <summary>Extra work each cron tick (persistence and replication register here).</summary>
    public event Action? CronTick;

    /// <summary>Starts the periodic timer.</summary>
    public void StartCron()
    {
        int period = Math.Max(1, 1000 / Math.Max(1, Config.Hz));
        _cron = TimeProvider.System.CreateTimer(static s => ((ServerContext)s!).Cron(), this, TimeSpan.FromMilliseconds(period), TimeSpan.FromMilliseconds(period));
    }

    /// <summary>Stops the periodic timer.</summary>
    public void StopCron() => _cron?.Dispose();

    private void Cron()
    {
        try
        {
            CronUnderLock();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A timer callback that throws would end the process: a bug in housekeeping must only be
            // logged, and the next tick tries again.
            Logging.ServerLog.Warning($"Internal error in the server cron: {e}");
        }
    }

    private static readonly TimeSpan CronLockWait = TimeSpan.FromMilliseconds(100);

    private void CronUnderLock()
    {
        // A long command (a script past lua-time-limit) holds the lock: skip the tick instead of parking
        // a thread-pool thread per tick, which would starve the connections that answer BUSY meanwhile.
        if (!Lock.TryEnter(CronLockWait))
            return;
        try
        {
            UpdateClock();
            _cronRuns++;
            if (ActiveExpireEnabled && !IsReplica)
            {
                foreach (Database db in Databases)
                    db.ActiveExpireCycle(Config.ActiveExpireEffort);
            }
            if (_now - _lastOpsSampleMs >= 1000)
            {
                long elapsed = _now - _lastOpsSampleMs;
                InstantaneousOpsValid = _lastOpsSampleMs != 0;
                InstantaneousOps = InstantaneousOpsValid ? (Stats.CommandsProcessed - _lastOpsSampleCount) * 1000 / Math.Max(1, elapsed) : 0;
                _lastOpsSampleMs = _now;
                _lastOpsSampleCount = Stats.CommandsProcessed;
            }
            if (Config.Timeout > 0 && _cronRuns % Math.Max(1, Config.Hz) == 0)
                CloseIdleClients();
            if (_cronRuns % Math.Max(1, Config.Hz) == 0)
                TrimWhenIdle();
            // Async migration: batch timeouts and idle connections, checked once a second as in Codis.
            if (_cronRuns % Math.Max(1, Config.Hz) == 0)
                _asyncMigrator?.Cron();
            CronTick?.Invoke();
        }
        finally
        {
            Lock.Exit();
        }
    }

    private void CloseIdleClients()
    {
        long limit = Config.Timeout * 1000;
        foreach (Client c in Clients.Values)
        {
            if (c.IsReplica || c.IsMaster || c.Blocked is not null || c.SubscriptionCount > 0)
                continue;
            if (_now - c.LastInteractionMs > limit)
                c.Transport.Close(now: true);
        }
    }
}
