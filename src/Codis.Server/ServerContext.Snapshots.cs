using Codis.Server.Persistence;

namespace Codis.Server;

/// <summary>The running point-in-time snapshots (BGSAVE, AOF rewrite, replicas' full resync).</summary>
public sealed partial class ServerContext
{
    /// <summary>
    /// The snapshots in progress, or null when none runs: the keyspace tests this one field before
    /// every change, so the write path costs one predictable branch while no snapshot runs.
    /// </summary>
    internal RdbSnapshot[]? ActiveSnapshots { get; private set; }

    /// <summary>The persistence layer (RDB and AOF), when attached (<see cref="Persister.Attach"/>).</summary>
    public Persister? Persister { get; set; }

    /// <summary>
    /// Asked before each write command of a normal client: an error reply refuses the command (MISCONF
    /// after a failed save), null lets it run.
    /// </summary>
    public Func<string?>? WriteGuard { get; set; }

    /// <summary>
    /// Why a write command of a normal client must be refused now, or null: MISCONF after a failed save
    /// (<see cref="WriteGuard"/>), NOREPLICAS when a master has fewer good replicas than
    /// min-replicas-to-write.
    /// </summary>
    internal string? WriteRefusal()
    {
        if (WriteGuard?.Invoke() is { } refusal)
            return refusal;
        if (Config.MinReplicasToWrite > 0 && Config.MinReplicasMaxLag > 0 && !IsReplica
            && Replicator.GoodReplicas() < Config.MinReplicasToWrite)
            return "NOREPLICAS Not enough good replicas to write.";
        return null;
    }

    /// <summary>Registers a starting snapshot (under the lock); each counts as one of Redis's forks.</summary>
    internal void AddSnapshot(RdbSnapshot snapshot)
    {
        ActiveSnapshots = [.. ActiveSnapshots ?? [], snapshot];
        Stats.TotalForks++;
    }

    /// <summary>Forgets a finished snapshot (under the lock).</summary>
    internal void RemoveSnapshot(RdbSnapshot snapshot)
    {
        if (ActiveSnapshots is null)
            return;
        RdbSnapshot[] rest = Array.FindAll(ActiveSnapshots, s => !ReferenceEquals(s, snapshot));
        ActiveSnapshots = rest.Length == 0 ? null : rest;
    }
}
