using System.Runtime.InteropServices;
using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// One stream entry: its ID, its field/value pairs flattened (field, value, field, value...) and the
/// number of the node (<see cref="StreamNode"/>, Redis's listpack) it went into, which approximate
/// (<c>~</c>) trimming removes whole.
/// </summary>
public sealed class StreamEntry(StreamId id, byte[][] fields, long node)
{
    /// <summary>The node the entry belongs to.</summary>
    public long Node { get; } = node;

    /// <summary>The entry's ID.</summary>
    public StreamId Id { get; } = id;

    /// <summary>Fields and values, alternating.</summary>
    public byte[][] Fields { get; } = fields;
}

/// <summary>
/// A Redis stream: entries in ID order (a list searched by binary search: appends, the hot path, go at
/// the end), the counters Redis 7 keeps (last ID, entries added, max deleted ID, first ID) and the
/// consumer groups.
/// </summary>
public sealed partial class RedisStream : IRedisObject
{
    private readonly List<StreamEntry> _entries = [];

    /// <inheritdoc/>
    public string TypeName => "stream";

    /// <inheritdoc/>
    public string Encoding => "stream";

    /// <summary>Number of entries (XLEN).</summary>
    public int Count => _entries.Count;

    /// <summary>The entries in ID order.</summary>
    public IReadOnlyList<StreamEntry> Entries => _entries;

    /// <summary>The ID of the last entry ever added (or set by XSETID).</summary>
    public StreamId LastId { get; set; }

    /// <summary>The ID of the first entry (0-0 when empty).</summary>
    public StreamId FirstId => _entries.Count > 0 ? _entries[0].Id : StreamId.Zero;

    /// <summary>How many entries were ever added.</summary>
    public long EntriesAdded { get; set; }

    /// <summary>The largest ID ever deleted (XDEL, trimming).</summary>
    public StreamId MaxDeletedId { get; set; }

    /// <summary>Consumer groups by name, in name order (Redis keeps them in a radix tree).</summary>
    public SortedDictionary<byte[], StreamGroup> Groups { get; } = new(ByteOrder.Instance);

    /// <summary>
    /// Redis's streamTrim: removes entries from the start while the stream is longer than
    /// <paramref name="maxLen"/> (when non-negative) or they are below <paramref name="minId"/>. Whole
    /// nodes go first; with <paramref name="approx"/> only whole nodes, at most <paramref name="limit"/>
    /// entries (0: no limit), otherwise the entries of the next node are flagged deleted in it. Returns
    /// how many were removed.
    /// </summary>
    public long Trim(long maxLen, StreamId minId, bool approx, long limit)
    {
        long length = _entries.Count;
        long removed = 0;
        int nodesGone = 0;
        Span<StreamNode> nodes = CollectionsMarshal.AsSpan(_nodes);
        while (nodesGone < nodes.Length)
        {
            if (maxLen >= 0 && length <= maxLen)
                break;
            ref StreamNode node = ref nodes[nodesGone];
            if (limit > 0 && removed + node.Live > limit)
                break;
            // MINID compares the node's last entry as Redis reads it from the listpack, deleted or not.
            bool removeNode = maxLen >= 0 ? length - node.Live >= maxLen : node.LastId < minId;
            if (removeNode)
            {
                length -= node.Live;
                removed += node.Live;
                nodesGone++;
                continue;
            }
            if (approx)
                break;
            long flagged = 0;
            int next = (int)removed;
            while (flagged < node.Live && (maxLen >= 0 ? length > maxLen : _entries[next].Id < minId))
            {
                flagged++;
                next++;
                length--;
            }
            node.Live -= flagged;
            node.Deleted += flagged;
            removed += flagged;
            break;
        }
        _nodes.RemoveRange(0, nodesGone);
        RemoveFirst((int)removed);
        return removed;
    }

    /// <summary>Index of the first entry with ID ≥ <paramref name="id"/> (Count when none).</summary>
    public int LowerBound(StreamId id)
    {
        int lo = 0, hi = _entries.Count;
        if (hi > 0 && _entries[hi - 1].Id < id)
            return hi;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_entries[mid].Id < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// <summary>Index of the entry with ID <paramref name="id"/>, or -1.</summary>
    public int IndexOf(StreamId id)
    {
        int i = LowerBound(id);
        return i < _entries.Count && _entries[i].Id == id ? i : -1;
    }

    /// <summary>The entry with ID <paramref name="id"/>, or null.</summary>
    public StreamEntry? Find(StreamId id)
    {
        int i = IndexOf(id);
        return i >= 0 ? _entries[i] : null;
    }

    /// <summary>Deletes the entry <paramref name="id"/> (XDEL); true when it was there.</summary>
    public bool Delete(StreamId id)
    {
        int i = IndexOf(id);
        if (i < 0)
            return false;
        DeleteFromNode(_entries[i].Node);
        _entries.RemoveAt(i);
        if (id > MaxDeletedId)
            MaxDeletedId = id;
        return true;
    }

    // Removes the first n entries (trimming, which Redis does not count as deletion).
    private void RemoveFirst(int n)
    {
        if (n > 0)
            _entries.RemoveRange(0, n);
    }

    /// <summary>True when an entry between start and end (inclusive) was deleted (streamRangeHasTombstones).</summary>
    public bool RangeHasTombstones(StreamId start, StreamId end)
    {
        if (_entries.Count == 0 || MaxDeletedId.IsZero)
            return false;
        if (FirstId > MaxDeletedId)
            return false;
        return start <= MaxDeletedId && MaxDeletedId <= end;
    }

    /// <summary>The logical read counter of <paramref name="id"/>, or -1 when unknown (streamEstimateDistanceFromFirstEverEntry).</summary>
    public long EstimateDistanceFromFirstEverEntry(StreamId id)
    {
        if (EntriesAdded == 0)
            return 0;
        if (_entries.Count == 0 && id <= LastId)
            return EntriesAdded;
        int cmpLast = id.CompareTo(LastId);
        if (cmpLast == 0)
            return EntriesAdded;
        if (cmpLast > 0)
            return StreamGroup.InvalidEntriesRead;
        int cmpFirst = id.CompareTo(FirstId);
        if (MaxDeletedId.IsZero || MaxDeletedId < FirstId)
        {
            if (cmpFirst < 0)
                return EntriesAdded - _entries.Count;
            if (cmpFirst == 0)
                return EntriesAdded - _entries.Count + 1;
        }
        return StreamGroup.InvalidEntriesRead;
    }

    /// <summary>A group's lag, or null when it cannot be told (streamReplyWithCGLag).</summary>
    public long? Lag(StreamGroup group)
    {
        if (EntriesAdded == 0)
            return 0;
        if (group.EntriesRead != StreamGroup.InvalidEntriesRead && !RangeHasTombstones(group.LastId, StreamId.Max))
            return EntriesAdded - group.EntriesRead;
        long read = EstimateDistanceFromFirstEverEntry(group.LastId);
        return read != StreamGroup.InvalidEntriesRead ? EntriesAdded - read : null;
    }

    /// <summary>The group named <paramref name="name"/>, or null.</summary>
    public StreamGroup? FindGroup(ReadOnlySpan<byte> name) => Groups.TryGetValue(name.ToArray(), out StreamGroup? g) ? g : null;

    /// <inheritdoc/>
    public IRedisObject DeepCopy()
    {
        var copy = new RedisStream { LastId = LastId, EntriesAdded = EntriesAdded, MaxDeletedId = MaxDeletedId, _lastNode = _lastNode };
        copy._entries.AddRange(_entries);   // entries are immutable
        copy._nodes.AddRange(_nodes);       // nodes are values
        foreach ((byte[] name, StreamGroup g) in Groups)
            copy.Groups.Add(name, g.DeepCopy());
        return copy;
    }

    /// <inheritdoc/>
    public long MemoryUsage()
    {
        long bytes = 64;
        foreach (StreamEntry e in _entries)
        {
            bytes += 40;
            foreach (byte[] f in e.Fields)
                bytes += 24 + f.Length;
        }
        foreach (StreamGroup g in Groups.Values)
            bytes += g.MemoryUsage();
        return bytes;
    }
}

/// <summary>Orders byte strings as memcmp does (radix-tree order of group and consumer names).</summary>
public sealed class ByteOrder : IComparer<byte[]>
{
    /// <summary>The one instance.</summary>
    public static ByteOrder Instance { get; } = new();

    /// <inheritdoc/>
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
