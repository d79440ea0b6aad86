using System.Runtime.InteropServices;

namespace Codis.Server.DataTypes;

/// <summary>
/// One node of a stream, Redis's listpack of consecutive entries keyed by its master ID, kept as the
/// numbers that decide when Redis starts the next node (streamAppendItem) and which nodes approximate
/// trimming removes whole: the listpack's size, its live and deleted entries, its master entry's fields
/// and the ID of its last entry (deleted or not).
/// </summary>
public struct StreamNode
{
    /// <summary>The number the node's entries carry in <see cref="StreamEntry.Node"/>.</summary>
    public long Number { get; init; }

    /// <summary>The ID of the node's first entry, from which the others are delta-encoded.</summary>
    public StreamId MasterId { get; init; }

    /// <summary>The first entry's fields and values, alternating: its fields are the master entry's.</summary>
    public byte[][] MasterFields { get; init; }

    /// <summary>The ID of the last entry appended, still in the listpack when deleted.</summary>
    public StreamId LastId { get; set; }

    /// <summary>Entries not deleted (the master entry's count).</summary>
    public long Live { get; set; }

    /// <summary>Entries flagged deleted by XDEL or an exact trim (the master entry's deleted count).</summary>
    public long Deleted { get; set; }

    /// <summary>The listpack's bytes, except the two counters, whose size depends on their values.</summary>
    public long FixedBytes { get; set; }

    /// <summary>The listpack's size (lpBytes).</summary>
    public readonly long Bytes => FixedBytes + ListpackSize.Integer(Live) + ListpackSize.Integer(Deleted);
}

public sealed partial class RedisStream
{
    private const long FlagSameFields = 2;

    private readonly List<StreamNode> _nodes = [];
    private long _lastNode;

    /// <summary>The nodes in ID order (Redis's radix tree keys).</summary>
    public IReadOnlyList<StreamNode> Nodes => _nodes;

    /// <summary>
    /// Appends an entry whose ID is larger than <see cref="LastId"/>. As Redis's streamAppendItem, it
    /// goes into the last node unless that node's listpack plus the entry's fields and values would reach
    /// <paramref name="nodeMaxBytes"/> (0: the 1 GB a node can hold) or the node already holds
    /// <paramref name="nodeMaxEntries"/> entries, deleted ones included (0: no limit).
    /// </summary>
    public void Append(StreamId id, byte[][] fields, long nodeMaxBytes, long nodeMaxEntries)
    {
        long raw = 0;
        foreach (byte[] f in fields)
            raw += f.Length;
        long maxBytes = nodeMaxBytes <= 0 || nodeMaxBytes > ListpackSize.MaxStreamNode ? ListpackSize.MaxStreamNode : nodeMaxBytes;
        bool newNode = _nodes.Count == 0;
        if (!newNode)
        {
            StreamNode tail = _nodes[^1];
            newNode = tail.Bytes + raw >= maxBytes || (nodeMaxEntries > 0 && tail.Live + tail.Deleted >= nodeMaxEntries);
        }
        if (newNode)
            _nodes.Add(NewNode(id, fields));
        ref StreamNode node = ref CollectionsMarshal.AsSpan(_nodes)[^1];
        node.FixedBytes += EntryBytes(node, id, fields, newNode || SameFields(node.MasterFields, fields));
        node.Live++;
        node.LastId = id;
        _entries.Add(new StreamEntry(id, fields, node.Number));
        LastId = id;
        EntriesAdded++;
    }

    /// <summary>Adds an entry as loaded (RDB, RESTORE) into node <paramref name="node"/>: no counter changes.</summary>
    public void Load(StreamId id, byte[][] fields, long node) => _entries.Add(new StreamEntry(id, fields, node));

    /// <summary>
    /// Records a loaded node, after its entries went in through <see cref="Load"/>: its listpack was
    /// <paramref name="bytes"/> long, so appends after the load split as Redis's would.
    /// </summary>
    public void LoadNode(long number, StreamId masterId, byte[][] masterFields, StreamId lastId, long live, long deleted, long bytes)
    {
        _nodes.Add(new StreamNode
        {
            Number = number,
            MasterId = masterId,
            MasterFields = masterFields,
            LastId = lastId,
            Live = live,
            Deleted = deleted,
            FixedBytes = bytes - ListpackSize.Integer(live) - ListpackSize.Integer(deleted),
        });
        _lastNode = Math.Max(_lastNode, number);
    }

    /// <summary>How many nodes (Redis's listpacks) hold the entries.</summary>
    public long NodeCount() => _nodes.Count;

    private StreamNode NewNode(StreamId id, byte[][] fields)
    {
        // The master entry: count, deleted, the number of fields, the fields, a zero terminator.
        long bytes = ListpackSize.Empty + ListpackSize.Integer(fields.Length / 2) + ListpackSize.Integer(0);
        for (int f = 0; f < fields.Length; f += 2)
            bytes += ListpackSize.String(fields[f]);
        return new StreamNode { Number = ++_lastNode, MasterId = id, MasterFields = fields, LastId = id, FixedBytes = bytes };
    }

    // One entry: flags, the ID's deltas from the master ID, the number of fields and the fields unless
    // they are the master's, the values, and the count of elements the entry spans.
    private static long EntryBytes(in StreamNode node, StreamId id, byte[][] fields, bool same)
    {
        long count = fields.Length / 2;
        long bytes = ListpackSize.Integer(same ? FlagSameFields : 0)
            + ListpackSize.Integer(unchecked((long)(id.Ms - node.MasterId.Ms)))
            + ListpackSize.Integer(unchecked((long)(id.Seq - node.MasterId.Seq)));
        if (!same)
            bytes += ListpackSize.Integer(count);
        for (int f = 0; f < fields.Length; f++)
        {
            if (!same || f % 2 == 1)
                bytes += ListpackSize.String(fields[f]);
        }
        return bytes + ListpackSize.Integer(same ? count + 3 : 2 * count + 4);
    }

    /// <summary>True when <paramref name="fields"/> has exactly the master entry's fields, in order (SAMEFIELDS).</summary>
    public static bool SameFields(byte[][] master, byte[][] fields)
    {
        if (master.Length != fields.Length)
            return false;
        for (int f = 0; f < fields.Length; f += 2)
        {
            if (!fields[f].AsSpan().SequenceEqual(master[f]))
                return false;
        }
        return true;
    }

    // The index in _nodes of node number `number`.
    private int NodeIndex(long number)
    {
        int lo = 0, hi = _nodes.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long n = _nodes[mid].Number;
            if (n == number)
                return mid;
            if (n < number)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    // XDEL flags the entry deleted in its listpack; the node goes when its last live entry does.
    private void DeleteFromNode(long number)
    {
        int i = NodeIndex(number);
        if (i < 0)
            return;
        ref StreamNode node = ref CollectionsMarshal.AsSpan(_nodes)[i];
        if (node.Live <= 1)
        {
            _nodes.RemoveAt(i);
            return;
        }
        node.Live--;
        node.Deleted++;
    }
}
