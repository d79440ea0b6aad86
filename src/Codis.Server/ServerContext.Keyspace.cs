using Codis.Server.Clients;
using Codis.Server.Keyspace;

namespace Codis.Server;

/// <summary>Whole-database operations of the keyspace commands (FLUSHDB, FLUSHALL, SWAPDB).</summary>
public sealed partial class ServerContext
{
    /// <summary>
    /// Redis's touchAllWatchedKeysInDb: invalidates the WATCH of every client watching a key of
    /// database <paramref name="db"/> that exists in <paramref name="emptied"/> (the contents about to
    /// go away) or in <paramref name="replacedWith"/> (the contents about to take their place). Keys
    /// that exist in neither did not change, so their watchers are left alone, as in Redis 7.
    /// </summary>
    public void TouchWatchedKeys(int db, Database emptied, Database? replacedWith)
    {
        if (_keyChangeWatches.Count > 0)
            ReportDatabaseChange(db);
        if (db >= _watched.Length || _watched[db] is not { } watched || watched.Count == 0)
            return;
        foreach ((byte[] key, List<Client> clients) in watched)
        {
            if (emptied.ContainsRaw(key) || (replacedWith is not null && replacedWith.ContainsRaw(key)))
            {
                foreach (Client c in clients)
                    c.DirtyCas = true;
            }
        }
    }

    /// <summary>
    /// Redis's scanDatabaseForReadyKeys: after SWAPDB, a key that clients of <paramref name="db"/> block
    /// on may now exist; mark those keys ready so the clients are served.
    /// </summary>
    public void ScanDatabaseForReadyKeys(int db)
    {
        if (db >= _blocking.Length || _blocking[db] is not { } map || map.Count == 0)
            return;
        Database d = Databases[db];
        foreach (byte[] key in map.Keys)
        {
            if (d.Exists(key))
                SignalKeyReady(db, key);
        }
    }

    /// <summary>Value of <see cref="Now"/> when the active expire cycle last started a cron tick.</summary>
    internal long ExpireCycleTickNow { get; set; } = -1;

    /// <summary>Stopwatch timestamp after which the active expire cycle of this tick must stop.</summary>
    internal long ExpireCycleDeadline { get; set; }
}
