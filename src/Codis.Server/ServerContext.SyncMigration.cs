using Codis.Server.Clients;
using Codis.Server.Commands;
using Codis.Server.Migration;

namespace Codis.Server;

/// <summary>
/// The server's side of the synchronous slot migration (SLOTSMGRT* without -ASYNC): the migrator with
/// its cached target connections, the key-change watches it uses to notice writes that race with a
/// migration (the calling client waits through ServerContext.DeferReply while the transfer runs outside the lock).
/// </summary>
public sealed partial class ServerContext
{
    private SyncMigrator? _syncMigrator;
    private readonly List<KeyChangeWatch> _keyChangeWatches = [];

    /// <summary>The synchronous migrator, created at first use (under the lock).</summary>
    internal SyncMigrator SyncMigrator => _syncMigrator ??= new SyncMigrator(this);

    /// <summary>Starts reporting changes of the watch's keys to it (under the lock).</summary>
    internal void AddKeyChangeWatch(KeyChangeWatch watch) => _keyChangeWatches.Add(watch);

    /// <summary>Stops reporting changes to the watch (under the lock).</summary>
    internal void RemoveKeyChangeWatch(KeyChangeWatch watch) => _keyChangeWatches.Remove(watch);

    private void ReportKeyChange(int db, ReadOnlySpan<byte> key)
    {
        foreach (KeyChangeWatch w in _keyChangeWatches)
        {
            if (w.Db == db)
                w.OnModified(key);
        }
    }

    private void ReportDatabaseChange(int db)
    {
        foreach (KeyChangeWatch w in _keyChangeWatches)
        {
            if (w.Db == db)
                w.OnAllModified();
        }
    }
}
