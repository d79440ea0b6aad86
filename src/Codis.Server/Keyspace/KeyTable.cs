using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Codis.Server.Keyspace;

/// <summary>
/// A hash table keyed by byte strings that is looked up by span (no key copies on reads), with
/// power-of-two buckets so that <see cref="Scan"/> can use Redis's reverse-binary cursor: an element
/// present for the whole scan is returned at least once, even across resizes.
/// </summary>
public sealed class KeyTable<TValue>
{
    /// <summary>
    /// One key and its value, plus the value's access clock (LRU/LFU, 24 bits) sharing a word with the
    /// top 8 bits of the key's hash: 24 bytes an entry instead of 32 with a separate full hash, which
    /// is a tenth of the memory of a small key. The hash bits still spare most key comparisons; the
    /// full hash is recomputed when the table resizes.
    /// </summary>
    public struct Entry
    {
        /// <summary>The key; null when the entry is free.</summary>
        public byte[]? Key;

        /// <summary>The value.</summary>
        public TValue Value;

        private uint _meta;   // top 8 bits: hash tag; low 24 bits: access clock
        internal int Next;    // index of the next entry in the chain, -1 = end; free list when Key is null

        /// <summary>LRU clock (seconds, 24 bits) or LFU (16 bits minutes, 8 bits log counter).</summary>
        public uint Access
        {
            readonly get => _meta & AccessMask;
            set => _meta = (_meta & ~AccessMask) | (value & AccessMask);
        }

        internal readonly bool TagMatches(int hash) => (_meta >> 24) == (uint)hash >> 24;

        internal void SetTag(int hash) => _meta = ((uint)hash & ~AccessMask) | (_meta & AccessMask);
    }

    private const uint AccessMask = 0x00FFFFFF;

    private static readonly int Seed = Random.Shared.Next();

    private int[] _buckets = [];   // 1-based index into _entries, 0 = empty
    private Entry[] _entries = [];
    private int _used;             // entries ever handed out (high-water mark)
    private int _freeList = -1;
    private int _freeCount;

    /// <summary>Number of keys.</summary>
    public int Count => _used - _freeCount;

    /// <summary>The hash this table uses for <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HashOf(ReadOnlySpan<byte> key)
    {
        // Multiply-rotate over 8-byte words, then murmur3's 64-bit finalizer. The rotation carries every
        // byte into the low bits the bucket index uses, and the finalizer spreads them: a plain
        // multiply only moves bits upwards, which left keys such as "element:000000012345" (differing
        // in their later bytes) in a tenth of the buckets with chains of 30.
        ulong h = 14695981039346656037UL ^ (uint)Seed;
        ref byte p = ref MemoryMarshal.GetReference(key);
        int n = key.Length;
        int i = 0;
        for (; i + 8 <= n; i += 8)
            h = BitOperations.RotateLeft((h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i))) * 0x9E3779B97F4A7C15UL, 31);
        ulong tail = 0;
        for (int s = 0; i < n; i++, s += 8)
            tail |= (ulong)Unsafe.Add(ref p, i) << s;
        h ^= tail ^ ((ulong)n << 56);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return (int)h;
    }

    /// <summary>A reference to the value of <paramref name="key"/>, or a null reference when absent.</summary>
    public ref Entry Find(ReadOnlySpan<byte> key)
    {
        if (_buckets.Length == 0)
            return ref Unsafe.NullRef<Entry>();
        int hash = HashOf(key);
        int i = _buckets[hash & (_buckets.Length - 1)] - 1;
        Entry[] entries = _entries;
        while (i >= 0)
        {
            ref Entry e = ref entries[i];
            if (e.TagMatches(hash) && key.SequenceEqual(e.Key))
                return ref e;
            i = e.Next;
        }
        return ref Unsafe.NullRef<Entry>();
    }

    /// <summary>The stored key object equal to <paramref name="key"/>, or null.</summary>
    public byte[]? FindKey(ReadOnlySpan<byte> key)
    {
        int i = IndexOf(key);
        return i < 0 ? null : _entries[i].Key;
    }

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => IndexOf(key) >= 0;

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding it (with a default value and
    /// the key bytes from <paramref name="keyFactory"/> or a copy) when absent.
    /// </summary>
    public ref Entry GetOrAdd(ReadOnlySpan<byte> key, byte[]? keyObject, out bool added)
    {
        int hash = HashOf(key);
        if (_buckets.Length > 0)
        {
            int i = _buckets[hash & (_buckets.Length - 1)] - 1;
            while (i >= 0)
            {
                ref Entry e = ref _entries[i];
                if (e.TagMatches(hash) && key.SequenceEqual(e.Key))
                {
                    added = false;
                    return ref e;
                }
                i = e.Next;
            }
        }
        added = true;
        // Insert may replace _entries (growth): index the array only after it returns.
        int index = Insert(keyObject ?? key.ToArray(), hash);
        return ref _entries[index];
    }

    /// <summary>Removes <paramref name="key"/>; returns the stored key and value.</summary>
    public bool Remove(ReadOnlySpan<byte> key, out byte[] storedKey, out TValue value)
    {
        storedKey = null!;
        value = default!;
        if (_buckets.Length == 0)
            return false;
        int hash = HashOf(key);
        ref int bucket = ref _buckets[hash & (_buckets.Length - 1)];
        int prev = -1;
        int i = bucket - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
            if (e.TagMatches(hash) && key.SequenceEqual(e.Key))
            {
                if (prev < 0)
                    bucket = e.Next + 1;
                else
                    _entries[prev].Next = e.Next;
                storedKey = e.Key!;
                value = e.Value;
                e = default;
                e.Next = _freeList;
                _freeList = i;
                _freeCount++;
                MaybeShrink();
                return true;
            }
            prev = i;
            i = e.Next;
        }
        return false;
    }

    /// <summary>Removes every key.</summary>
    public void Clear()
    {
        _buckets = [];
        _entries = [];
        _used = 0;
        _freeList = -1;
        _freeCount = 0;
    }

    /// <summary>
    /// Visits the bucket at <paramref name="cursor"/> and returns the next cursor (0 = done), like
    /// Redis's dictScan.
    /// </summary>
    public ulong Scan(ulong cursor, Action<byte[], TValue> visit)
    {
        if (Count == 0)
            return 0;
        ulong mask = (ulong)_buckets.Length - 1;
        int i = _buckets[(int)(cursor & mask)] - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
            visit(e.Key!, e.Value);
            i = e.Next;
        }
        cursor |= ~mask;
        cursor = ReverseBits(cursor);
        cursor++;
        cursor = ReverseBits(cursor);
        return cursor;
    }

    /// <summary>
    /// Like <see cref="Scan(ulong, Action{byte[], TValue})"/> but appends the bucket's keys to a list
    /// (no delegate needed).
    /// </summary>
    public ulong ScanKeys(ulong cursor, List<byte[]> keys)
    {
        if (Count == 0)
            return 0;
        ulong mask = (ulong)_buckets.Length - 1;
        int i = _buckets[(int)(cursor & mask)] - 1;
        while (i >= 0)
        {
            keys.Add(_entries[i].Key!);
            i = _entries[i].Next;
        }
        cursor |= ~mask;
        cursor = ReverseBits(cursor);
        cursor++;
        cursor = ReverseBits(cursor);
        return cursor;
    }

    /// <summary>A uniformly chosen key, or null when empty.</summary>
    public byte[]? RandomKey(Random random)
    {
        if (Count == 0)
            return null;
        while (true)
        {
            int i = random.Next(_used);
            if (_entries[i].Key is { } k)
                return k;
        }
    }

    /// <summary>Entry slots ever used: bounds for <see cref="TryGetAt"/>.</summary>
    public int EntrySlots => _used;

    /// <summary>The key and value at entry slot <paramref name="index"/> when it is in use.</summary>
    public bool TryGetAt(int index, out byte[] key, out TValue value)
    {
        ref Entry e = ref _entries[index];
        key = e.Key!;
        value = e.Value;
        return e.Key is not null;
    }

    /// <summary>A reference to the value at entry slot <paramref name="index"/> (must be in use).</summary>
    public ref Entry EntryAt(int index) => ref _entries[index];

    /// <summary>All keys (a snapshot).</summary>
    public IEnumerable<KeyValuePair<byte[], TValue>> Entries()
    {
        for (int i = 0; i < _used; i++)
        {
            if (_entries[i].Key is { } k)
                yield return new(k, _entries[i].Value);
        }
    }

    private int IndexOf(ReadOnlySpan<byte> key)
    {
        if (_buckets.Length == 0)
            return -1;
        int hash = HashOf(key);
        int i = _buckets[hash & (_buckets.Length - 1)] - 1;
        while (i >= 0)
        {
            ref Entry e = ref _entries[i];
            if (e.TagMatches(hash) && key.SequenceEqual(e.Key))
                return i;
            i = e.Next;
        }
        return -1;
    }

    private int Insert(byte[] key, int hash)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _freeList;
            _freeList = _entries[index].Next;
            _freeCount--;
        }
        else
        {
            if (_used == _entries.Length)
                Grow();
            index = _used++;
        }
        ref Entry e = ref _entries[index];
        e.Key = key;
        e.SetTag(hash);
        ref int bucket = ref _buckets[hash & (_buckets.Length - 1)];
        e.Next = bucket - 1;
        bucket = index + 1;
        return index;
    }

    private void Grow()
    {
        int size = _entries.Length == 0 ? 4 : _entries.Length * 2;
        Array.Resize(ref _entries, size);
        Rehash(size);
    }

    private void MaybeShrink()
    {
        // Compact when the table is mostly empty, so that deleting keys gives memory back.
        if (_entries.Length <= 64 || Count * 8 > _entries.Length)
            return;
        int size = _entries.Length;
        while (size > 4 && Count * 2 <= size / 2)
            size /= 2;
        var entries = new Entry[size];
        int n = 0;
        for (int i = 0; i < _used; i++)
        {
            if (_entries[i].Key is not null)
                entries[n++] = _entries[i];
        }
        _entries = entries;
        _used = n;
        _freeList = -1;
        _freeCount = 0;
        Rehash(size);
    }

    private void Rehash(int size)
    {
        _buckets = new int[size];
        int mask = size - 1;
        for (int i = 0; i < _used; i++)
        {
            ref Entry e = ref _entries[i];
            if (e.Key is null)
                continue;
            ref int bucket = ref _buckets[HashOf(e.Key) & mask];
            e.Next = bucket - 1;
            bucket = i + 1;
        }
        if (_freeCount > 0)
        {
            // Rebuild the free list: chains were overwritten above only for used entries.
            _freeList = -1;
            for (int i = _used - 1; i >= 0; i--)
            {
                if (_entries[i].Key is null)
                {
                    _entries[i].Next = _freeList;
                    _freeList = i;
                }
            }
        }
    }

    private static ulong ReverseBits(ulong v)
    {
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
    }
}
