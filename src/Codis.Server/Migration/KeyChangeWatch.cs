using Codis.Server.DataTypes;

namespace Codis.Server.Migration;

/// <summary>
/// Records which of a set of keys of one database change while it is registered with
/// <see cref="ServerContext.AddKeyChangeWatch"/>: the sync migration snapshots keys under the lock,
/// sends them without it, and must not then delete a key that another client wrote meanwhile. Fed by
/// the same calls that invalidate WATCH (every write, expiry, eviction, FLUSH and SWAPDB), so it sees
/// exactly what a transaction would. Touched only under the server lock.
/// </summary>
internal sealed class KeyChangeWatch
{
    private readonly HashSet<byte[]> _keys;

    /// <summary>Watches <paramref name="keys"/> of database <paramref name="db"/>.</summary>
    public KeyChangeWatch(int db, IEnumerable<byte[]> keys)
    {
        Db = db;
        _keys = new HashSet<byte[]>(keys, ByteArrayComparer.Instance);
    }

    /// <summary>The database of the keys.</summary>
    public int Db { get; }

    /// <summary>The watched keys that changed (the watch's own key objects).</summary>
    public HashSet<byte[]> Changed { get; } = new(ByteArrayComparer.Instance);

    /// <summary>A key of <see cref="Db"/> was modified.</summary>
    public void OnModified(ReadOnlySpan<byte> key)
    {
        if (_keys.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out byte[]? stored))
            Changed.Add(stored);
    }

    /// <summary>The whole database was emptied or swapped: every key counts as changed.</summary>
    public void OnAllModified() => Changed.UnionWith(_keys);
}
