using System.Runtime.CompilerServices;
using Codis.Core.Slots;

namespace Codis.Server.Keyspace;

/// <summary>
/// One numbered database. Keys live in 1024 per-slot tables, so the keys of a slot are found, counted
/// and scanned without touching the others (what Codis's migration needs); expiry times live in one
/// side table as in Redis. Callers hold the server lock.
/// Invariant (checked by SLOTSCHECK): every key lives in the table of its own slot, the tables together
/// hold <see cref="Count"/> keys, and a key is in the tag index (Database.Tags.cs) exactly when it is in
/// the keyspace and has a hash tag. Every method below that adds or removes a key (Add, Set, Delete,
/// Take, Clear, SwapWith; expiry and eviction go through Delete) keeps the tag index in step.
/// </summary>
public sealed partial class Database
{
    private readonly KeyTable<object>?[] _slots = new KeyTable<object>?[SlotHash.SlotCount];
    private KeyTable<long> _expires = new();
    private int _count;

    /// <summary>Creates database number <paramref name="id"/>.</summary>
    public Database(int id, ServerContext server)
    {
        Id = id;
        Server = server;
    }

    /// <summary>The database number.</summary>
    public int Id { get; }

    /// <summary>The server that owns this database.</summary>
    public ServerContext Server { get; }

    /// <summary>Number of keys (expired but not yet removed keys included, as Redis's DBSIZE).</summary>
    public int Count => _count;

    /// <summary>Number of keys with an expiry.</summary>
    public int ExpiresCount => _expires.Count;

    /// <summary>The expiry side table (for the active expire cycle and INFO).</summary>
    internal KeyTable<long> Expires => _expires;

    /// <summary>The key table of <paramref name="slot"/>, or null when the slot never held a key.</summary>
    public KeyTable<object>? SlotTable(int slot) => _slots[slot];

    /// <summary>Number of keys in <paramref name="slot"/>.</summary>
    public int SlotCount(int slot) => _slots[slot]?.Count ?? 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SlotOf(ReadOnlySpan<byte> key) => SlotHash.Slot(key);

    /// <summary>
    /// The entry of <paramref name="key"/> without the expiry check or access update (for internal
    /// inspection); a null reference when absent.
    /// </summary>
    public ref DbEntry Peek(ReadOnlySpan<byte> key)
    {
        KeyTable<object>? t = _slots[SlotOf(key)];
        return ref t is null ? ref Unsafe.NullRef<DbEntry>() : ref t.Find(key);
    }

    /// <summary>
    /// Looks a key up for a command: an expired key is deleted first (lazy expiry) and reported absent;
    /// a hit refreshes the key's access clock. Counts keyspace hits and misses.
    /// </summary>
    public object? Lookup(ReadOnlySpan<byte> key, bool countStats = true)
    {
        ref DbEntry e = ref Peek(key);
        if (Unsafe.IsNullRef(ref e))
        {
            if (countStats)
                Server.Stats.KeyspaceMisses++;
            return null;
        }
        if (_expires.Count > 0 && ExpireIfNeeded(key))
        {
            if (countStats)
                Server.Stats.KeyspaceMisses++;
            return null;
        }
        if (countStats)
            Server.Stats.KeyspaceHits++;
        e.Access = Server.Eviction.Touch(e.Access);
        return e.Value;
    }

    /// <summary>Looks a key up for writing: lazy expiry, no hit/miss statistics.</summary>
    public object? LookupWrite(ReadOnlySpan<byte> key)
    {
        BeforeChange(key);
        return Lookup(key, countStats: false);
    }

    /// <summary>
    /// <see cref="LookupWrite"/> returning the entry itself (a null reference when absent), so that a
    /// command replacing the value (SET, INCR) probes the table once. The reference is valid only until
    /// the keyspace next changes.
    /// </summary>
    public ref DbEntry LookupWriteEntry(ReadOnlySpan<byte> key)
    {
        BeforeChange(key);
        ref DbEntry e = ref Peek(key);
        if (Unsafe.IsNullRef(ref e))
            return ref e;
        if (_expires.Count > 0 && ExpireIfNeeded(key))
            return ref Unsafe.NullRef<DbEntry>();
        e.Access = Server.Eviction.Touch(e.Access);
        return ref e;
    }

    /// <summary>
    /// Replaces the value of the entry <paramref name="e"/> of <paramref name="key"/> just found by
    /// <see cref="LookupWriteEntry"/>: what <see cref="Set"/> does to an existing key, without looking
    /// it up again.
    /// </summary>
    public void SetFound(ref DbEntry e, ReadOnlySpan<byte> key, object value, bool keepTtl)
    {
        // LookupWriteEntry already preserved the key for running snapshots.
        e.Value = value;
        // The lookup already refreshed the access clock: under LRU that is NewAccess's value, and under
        // LFU an overwritten key keeps its (just incremented) frequency, as Set does.
        if (!keepTtl && _expires.Count > 0)
            _expires.Remove(key, out _, out _);
    }

    /// <summary>True when the key exists (after lazy expiry), without touching the access clock.</summary>
    public bool Exists(ReadOnlySpan<byte> key)
    {
        ref DbEntry e = ref Peek(key);
        if (Unsafe.IsNullRef(ref e))
            return false;
        return _expires.Count == 0 || !ExpireIfNeeded(key);
    }

    /// <summary>
    /// Adds a key that must not exist. The key object is stored as given (or copied from the span).
    /// </summary>
    public void Add(ReadOnlySpan<byte> key, object value, byte[]? keyObject = null)
    {
        BeforeChange(key);
        int slot = SlotOf(key);
        KeyTable<object> t = _slots[slot] ??= new KeyTable<object>();
        ref DbEntry e = ref t.GetOrAdd(key, keyObject, out bool added);
        if (added)
        {
            _count++;
            if (SlotHash.HasTag(key))
                TagAdd(keyObject ?? t.FindKey(key)!);
        }
        e.Value = value;
        e.Access = Server.Eviction.NewAccess();
    }

    /// <summary>
    /// Sets a key to <paramref name="value"/> (adding or overwriting), clearing its expiry unless
    /// <paramref name="keepTtl"/>. Does not signal watchers: commands call <see cref="ServerContext.KeyModified"/>.
    /// </summary>
    public void Set(ReadOnlySpan<byte> key, object value, bool keepTtl = false)
    {
        BeforeChange(key);
        int slot = SlotOf(key);
        KeyTable<object> t = _slots[slot] ??= new KeyTable<object>();
        ref DbEntry e = ref t.GetOrAdd(key, null, out bool added);
        if (added)
        {
            _count++;
            if (SlotHash.HasTag(key))
                TagAdd(t.FindKey(key)!);
        }
        else if (!keepTtl && _expires.Count > 0)
            _expires.Remove(key, out _, out _);
        e.Value = value;
        // Under LFU an overwritten key keeps its access frequency (Redis's dbSetValue).
        if (added || !Server.Eviction.UsesLfu)
            e.Access = Server.Eviction.NewAccess();
    }

    /// <summary>Replaces the value of an existing key, keeping its expiry.</summary>
    public void Overwrite(ReadOnlySpan<byte> key, object value)
    {
        BeforeChange(key);
        ref DbEntry e = ref Peek(key);
        if (!Unsafe.IsNullRef(ref e))
            e.Value = value;
    }

    /// <summary>Deletes a key (and its expiry). True when it existed.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        BeforeChange(key);
        KeyTable<object>? t = _slots[SlotOf(key)];
        if (t is null || !t.Remove(key, out byte[] storedKey, out _))
            return false;
        _count--;
        TagRemove(storedKey);
        if (_expires.Count > 0)
            _expires.Remove(key, out _, out _);
        return true;
    }

    /// <summary>Removes a key and returns its value (for RENAME/MOVE), or null.</summary>
    public object? Take(ReadOnlySpan<byte> key, out byte[] storedKey, out long expireAt)
    {
        BeforeChange(key);
        expireAt = GetExpire(key);
        KeyTable<object>? t = _slots[SlotOf(key)];
        if (t is null || !t.Remove(key, out storedKey, out object? value))
        {
            storedKey = null!;
            return null;
        }
        _count--;
        TagRemove(storedKey);
        if (expireAt >= 0)
            _expires.Remove(key, out _, out _);
        return value;
    }

    /// <summary>The absolute expiry (unix ms) of a key, or -1.</summary>
    public long GetExpire(ReadOnlySpan<byte> key)
    {
        if (_expires.Count == 0)
            return -1;
        ref KeyTable<long>.Entry when = ref _expires.Find(key);
        return Unsafe.IsNullRef(ref when) ? -1 : when.Value;
    }

    /// <summary>Sets the absolute expiry (unix ms) of an existing key.</summary>
    public void SetExpire(ReadOnlySpan<byte> key, long whenMs)
    {
        BeforeChange(key);
        KeyTable<object>? t = _slots[SlotOf(key)];
        byte[]? stored = t?.FindKey(key);
        if (stored is null)
            return;
        _expires.GetOrAdd(key, stored, out _).Value = whenMs;
    }

    /// <summary>Removes the expiry of a key; true when it had one.</summary>
    public bool Persist(ReadOnlySpan<byte> key)
    {
        if (_expires.Count == 0)
            return false;
        BeforeChange(key);
        return _expires.Remove(key, out _, out _);
    }

    /// <summary>True when the key has an expiry that has passed (without deleting it).</summary>
    public bool IsExpired(ReadOnlySpan<byte> key)
    {
        long when = GetExpire(key);
        return when >= 0 && when <= Server.Now;
    }

    /// <summary>
    /// Deletes the key when its expiry passed (lazy expiry), counting it and notifying as Redis does.
    /// Replicas keep expired keys (the master sends the DEL) but report them as absent.
    /// </summary>
    public bool ExpireIfNeeded(ReadOnlySpan<byte> key)
    {
        long when = GetExpire(key);
        if (when < 0 || when > Server.Now)
            return false;
        if (Server.IsReplica)
            return true;
        byte[] k = key.ToArray();
        Delete(key);
        Server.Stats.ExpiredKeys++;
        Server.OnKeyExpired(this, k);
        return true;
    }

    /// <summary>Removes every key.</summary>
    public void Clear()
    {
        BeforeWholesaleChange();
        Array.Clear(_slots);
        _expires = new KeyTable<long>();
        _count = 0;
        _tagged = [];
        TaggedCount = 0;
    }

    /// <summary>Moves all contents to and from <paramref name="other"/> (SWAPDB).</summary>
    public void SwapWith(Database other)
    {
        BeforeWholesaleChange();
        other.BeforeWholesaleChange();
        var slots = new KeyTable<object>?[SlotHash.SlotCount];
        Array.Copy(_slots, slots, slots.Length);
        Array.Copy(other._slots, _slots, slots.Length);
        Array.Copy(slots, other._slots, slots.Length);
        (_expires, other._expires) = (other._expires, _expires);
        (_count, other._count) = (other._count, _count);
        (_tagged, other._tagged) = (other._tagged, _tagged);
        (TaggedCount, other.TaggedCount) = (other.TaggedCount, TaggedCount);
    }

    /// <summary>A random key (expired keys are returned as in Redis only when nothing else is found).</summary>
    public byte[]? RandomKey(Random random)
    {
        if (_count == 0)
            return null;
        // Pick a slot weighted by its size, then a key in it.
        int target = random.Next(_count);
        for (int s = 0; s < SlotHash.SlotCount; s++)
        {
            int n = _slots[s]?.Count ?? 0;
            if (target < n)
                return _slots[s]!.RandomKey(random);
            target -= n;
        }
        return null;
    }

    /// <summary>Every key of the database (a snapshot list; for KEYS and FLUSH-like scans).</summary>
    public List<byte[]> AllKeys()
    {
        var keys = new List<byte[]>(_count);
        foreach (KeyTable<object>? t in _slots)
        {
            if (t is null)
                continue;
            for (int i = 0; i < t.EntrySlots; i++)
            {
                if (t.TryGetAt(i, out byte[] k, out _))
                    keys.Add(k);
            }
        }
        return keys;
    }

    /// <summary>
    /// One step of a keyspace SCAN. The cursor holds the slot in its low 10 bits and the slot table's
    /// cursor above them; returns the next cursor (0 = done).
    /// </summary>
    public ulong Scan(ulong cursor, List<byte[]> keys)
    {
        int slot = (int)(cursor & (SlotHash.SlotCount - 1));
        ulong inner = cursor >> 10;
        int before = keys.Count;   // the list may already hold keys from earlier steps of the same SCAN
        while (true)
        {
            KeyTable<object>? t = _slots[slot];
            if (t is not null && t.Count > 0)
            {
                inner = t.ScanKeys(inner, keys);
                if (inner != 0)
                    return (inner << 10) | (uint)slot;
            }
            else
            {
                inner = 0;
            }
            slot++;
            if (slot == SlotHash.SlotCount)
                return 0;
            if (keys.Count > before)
                return (ulong)slot;
        }
    }
}
