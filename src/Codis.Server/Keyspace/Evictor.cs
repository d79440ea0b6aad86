using System.Runtime.CompilerServices;
using Codis.Server.Config;

namespace Codis.Server.Keyspace;

/// <summary>Redis's performEvictions: frees keys under the maxmemory policy until memory fits.</summary>
public static class Evictor
{
    /// <summary>True when memory is under maxmemory (after evicting what the policy allows).</summary>
    public static bool FreeMemoryIfNeeded(ServerContext server)
    {
        long max = server.Config.MaxMemory;
        if (max <= 0)
            return true;
        long used = server.UsedMemory();
        if (used <= max)
        {
            // Under the limit by the estimate; re-measure when a large credit could be hiding growth.
            if (server.FreedMemoryCredit > max / 8 && server.TryCollectGarbage())
                used = server.UsedMemory();
            if (used <= max)
                return true;
        }
        // The heap may hold garbage (deleted keys, finished requests): measure for real before evicting.
        if (server.TryCollectGarbage())
        {
            used = server.UsedMemory();
            if (used <= max)
                return true;
        }
        Policy policy = ParsePolicy(server.Config.MaxMemoryPolicy);
        while (used > max)
        {
            if (policy == Policy.NoEviction || !EvictOne(server, policy, out long freed))
                return RecheckBeforeRefusing(server);
            used -= freed;
        }
        return true;
    }

    /// <summary>
    /// The last chance before an OOM error: when data changed since the last measure (a DEL may have
    /// made room), measure again sooner than the usual throttle allows.
    /// </summary>
    private static bool RecheckBeforeRefusing(ServerContext server) =>
        server.TryCollectGarbage(beforeRefusing: true) && server.UsedMemory() <= server.Config.MaxMemory;

    private enum Policy
    {
        NoEviction,
        AllKeysLru,
        AllKeysLfu,
        AllKeysRandom,
        VolatileLru,
        VolatileLfu,
        VolatileRandom,
        VolatileTtl,
    }

    private static Policy ParsePolicy(string name) => name switch
    {
        "allkeys-lru" => Policy.AllKeysLru,
        "allkeys-lfu" => Policy.AllKeysLfu,
        "allkeys-random" => Policy.AllKeysRandom,
        "volatile-lru" => Policy.VolatileLru,
        "volatile-lfu" => Policy.VolatileLfu,
        "volatile-random" => Policy.VolatileRandom,
        "volatile-ttl" => Policy.VolatileTtl,
        _ => Policy.NoEviction,
    };

    private static bool IsVolatile(Policy p) => p is Policy.VolatileLru or Policy.VolatileLfu or Policy.VolatileRandom or Policy.VolatileTtl;

    /// <summary>Picks a victim under <paramref name="policy"/> and deletes it; false when none can be found.</summary>
    private static bool EvictOne(ServerContext server, Policy policy, out long freed)
    {
        freed = 0;
        Database? db;
        byte[]? key;
        if (policy is Policy.AllKeysRandom or Policy.VolatileRandom)
            (db, key) = PickRandom(server, IsVolatile(policy));
        else
            (db, key) = PickFromPool(server, policy);
        if (db is null || key is null)
            return false;
        ref DbEntry entry = ref db.Peek(key);
        if (Unsafe.IsNullRef(ref entry))
            return false;
        object value = entry.Value;
        freed = RedisObject.MemoryUsage(key, value);
        db.Delete(key);
        server.CreditFreedMemory(freed);
        server.Stats.EvictedKeys++;
        server.KeyModified(db.Id, key, 0);
        server.Notify(NotifyFlags.Evicted, "evicted", key, db.Id);
        // Replicas and the AOF learn about the eviction as a DEL, like an expiry.
        server.ExpiredKeyPropagate?.Invoke(db.Id, key);
        return true;
    }

    private static (Database?, byte[]?) PickRandom(ServerContext server, bool volatileOnly)
    {
        // Round-robin over the databases, as Redis's static next_db, so one database is not drained first.
        Database[] dbs = server.Databases;
        for (int i = 0; i < dbs.Length; i++)
        {
            Database db = dbs[server.EvictionPool.NextDb++ % dbs.Length];
            if (server.EvictionPool.NextDb >= dbs.Length)
                server.EvictionPool.NextDb = 0;
            byte[]? key = volatileOnly ? db.SampleVolatileKey(server.Random) : db.SampleKey(server.Random);
            if (key is not null)
                return (db, key);
        }
        return (null, null);
    }

    private static (Database?, byte[]?) PickFromPool(ServerContext server, Policy policy)
    {
        EvictionPool pool = server.EvictionPool;
        bool volatileOnly = IsVolatile(policy);
        int samples = Math.Max(1, server.Config.MaxMemorySamples);
        while (true)
        {
            long candidates = 0;
            foreach (Database db in server.Databases)
            {
                int size = volatileOnly ? db.ExpiresCount : db.Count;
                if (size == 0)
                    continue;
                candidates += size;
                for (int i = 0; i < Math.Min(samples, size); i++)
                {
                    byte[]? key = volatileOnly ? db.SampleVolatileKey(server.Random) : db.SampleKey(server.Random);
                    if (key is null)
                        continue;
                    ref DbEntry e = ref db.Peek(key);
                    if (Unsafe.IsNullRef(ref e))
                        continue;
                    pool.Offer(Score(server, policy, db, key, e.Access), db.Id, key);
                }
            }
            if (candidates == 0)
                return (null, null);
            // Best candidates first; a pooled key may have been deleted or changed since it was sampled.
            while (pool.TakeBest(out int dbId, out byte[] best))
            {
                if (dbId >= server.Databases.Length)
                    continue;
                Database db = server.Databases[dbId];
                bool present = volatileOnly ? db.GetExpire(best) >= 0 : db.ContainsRaw(best);
                if (present)
                    return (db, best);
            }
        }
    }

    /// <summary>Higher is a better victim (Redis's "idle" value of the eviction pool).</summary>
    private static ulong Score(ServerContext server, Policy policy, Database db, byte[] key, uint access) => policy switch
    {
        Policy.AllKeysLfu or Policy.VolatileLfu => 255UL - server.Eviction.Frequency(access),
        Policy.VolatileTtl => ulong.MaxValue - (ulong)Math.Max(0, db.GetExpire(key)),
        _ => (ulong)server.Eviction.IdleSeconds(access),
    };
}

/// <summary>
/// Redis's eviction pool: the best victims seen by sampling, kept across evictions so each eviction
/// compares against more than one sample's worth of keys.
/// </summary>
internal sealed class EvictionPool
{
    private const int Size = 16;

    private readonly ulong[] _scores = new ulong[Size];
    private readonly int[] _dbs = new int[Size];
    private readonly byte[]?[] _keys = new byte[]?[Size];
    private int _count;

    /// <summary>The database the random policies try next.</summary>
    public int NextDb;

    /// <summary>Adds a candidate when the pool has room or it beats the worst one; kept sorted ascending.</summary>
    public void Offer(ulong score, int db, byte[] key)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_dbs[i] == db && key.AsSpan().SequenceEqual(_keys[i]))
            {
                // Already pooled: refresh its score by re-inserting.
                Remove(i);
                break;
            }
        }
        if (_count == Size)
        {
            if (score <= _scores[0])
                return;
            Remove(0);
        }
        int pos = _count;
        while (pos > 0 && _scores[pos - 1] > score)
        {
            _scores[pos] = _scores[pos - 1];
            _dbs[pos] = _dbs[pos - 1];
            _keys[pos] = _keys[pos - 1];
            pos--;
        }
        _scores[pos] = score;
        _dbs[pos] = db;
        _keys[pos] = key;
        _count++;
    }

    /// <summary>Removes and returns the best candidate.</summary>
    public bool TakeBest(out int db, out byte[] key)
    {
        if (_count == 0)
        {
            db = 0;
            key = null!;
            return false;
        }
        _count--;
        db = _dbs[_count];
        key = _keys[_count]!;
        _keys[_count] = null;
        return true;
    }

    private void Remove(int index)
    {
        for (int i = index; i < _count - 1; i++)
        {
            _scores[i] = _scores[i + 1];
            _dbs[i] = _dbs[i + 1];
            _keys[i] = _keys[i + 1];
        }
        _count--;
        _keys[_count] = null;
    }
}
