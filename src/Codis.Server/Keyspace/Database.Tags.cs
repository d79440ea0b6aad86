using System.Runtime.CompilerServices;
using Codis.Core.Slots;
using Codis.Server.DataTypes;

namespace Codis.Server.Keyspace;

public sealed partial class Database
{
    // Codis's tagged_keys: every key that has a hash tag, grouped by the crc32 of that tag. Codis orders
    // them in a sorted set scored by the crc and looks a group up by score, so keys whose different tags
    // share a crc form one group there too (they always share a slot, so migrating them together is
    // harmless). The sets hold the keyspace's own key objects.
    private Dictionary<uint, HashSet<byte[]>> _tagged = [];

    /// <summary>Number of keys with a hash tag (the size of Codis's <c>tagged_keys</c>).</summary>
    public int TaggedCount { get; private set; }

    /// <summary>
    /// Every key of this database that has the same hash tag (tag crc) as <paramref name="key"/>, in no
    /// particular order, found through the tag index in O(number of such keys). Keys whose expiry has
    /// passed are left out. Empty when <paramref name="key"/> has no tag (braces); <paramref name="key"/>
    /// itself is included when it exists. The result is a snapshot: the caller may delete keys while
    /// walking it.
    /// </summary>
    public IEnumerable<byte[]> KeysWithTag(ReadOnlySpan<byte> key)
    {
        if (!SlotHash.HasTag(key) || !_tagged.TryGetValue(SlotHash.TagCrc(key), out HashSet<byte[]>? group))
            return [];
        var keys = new List<byte[]>(group.Count);
        foreach (byte[] k in group)
        {
            if (!IsExpired(k))
                keys.Add(k);
        }
        return keys;
    }

    /// <summary>
    /// Checks the slot and tag indexes against each other, as Codis's SLOTSCHECK: step 1, every key of
    /// a slot table hashes to that slot; step 2, the per-slot counts add up to <see cref="Count"/>;
    /// step 3, every member of the tag index is a key of the keyspace and every tagged key is in the tag
    /// index. Returns null when consistent, else the failing step and key.
    /// </summary>
    public (int Step, byte[] Key)? CheckIndexes()
    {
        int total = 0;
        int tagged = 0;
        for (int slot = 0; slot < SlotHash.SlotCount; slot++)
        {
            KeyTable<object>? t = _slots[slot];
            if (t is null)
                continue;
            for (int i = 0; i < t.EntrySlots; i++)
            {
                if (!t.TryGetAt(i, out byte[] k, out _))
                    continue;
                total++;
                if (SlotOf(k) != slot)
                    return (1, k);
                if (SlotHash.HasTag(k))
                {
                    tagged++;
                    if (!_tagged.TryGetValue(SlotHash.TagCrc(k), out HashSet<byte[]>? group) || !group.Contains(k))
                        return (3, k);
                }
            }
        }
        if (total != _count)
            return (2, []);
        foreach (HashSet<byte[]> group in _tagged.Values)
        {
            foreach (byte[] k in group)
            {
                if (Unsafe.IsNullRef(ref Peek(k)))
                    return (3, k);
            }
        }
        if (tagged != TaggedCount)
            return (3, []);
        return null;
    }

    // Called after a key object with a tag was inserted into the keyspace.
    private void TagAdd(byte[] storedKey)
    {
        uint crc = SlotHash.TagCrc(storedKey);
        if (!_tagged.TryGetValue(crc, out HashSet<byte[]>? group))
            _tagged[crc] = group = new HashSet<byte[]>(ByteArrayComparer.Instance);
        if (group.Add(storedKey))
            TaggedCount++;
    }

    // Called after a key was removed from the keyspace.
    private void TagRemove(byte[] storedKey)
    {
        if (!SlotHash.HasTag(storedKey))
            return;
        uint crc = SlotHash.TagCrc(storedKey);
        if (_tagged.TryGetValue(crc, out HashSet<byte[]>? group) && group.Remove(storedKey))
        {
            TaggedCount--;
            if (group.Count == 0)
                _tagged.Remove(crc);
        }
    }
}
