using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Codis.Server.DataTypes;

namespace Codis.Server.Persistence;

public ref partial struct RdbReader
{
    private const long StreamItemDeleted = 1;
    private const long StreamItemSameFields = 2;

    /// <summary>
    /// Reads a stream (types 15, 19 and 21): the listpack nodes keyed by their master ID, the length and
    /// IDs, the counters of types 19+ (type 15 derives them as Redis does), then the consumer groups with
    /// their PELs and consumers (type 21 adds each consumer's active time, which Redis 7.0 does not keep).
    /// </summary>
    private bool TryReadStream(RdbType type, [NotNullWhen(true)] out RedisStream? stream)
    {
        stream = null;
        var s = new RedisStream();
        if (!TryReadCount(out ulong nodes))
            return false;
        var items = new List<byte[]>();
        for (ulong node = 1; node <= nodes; node++)
        {
            if (!TryReadString(out byte[] key) || key.Length != 16 || !TryReadString(out byte[] lp))
                return false;
            var master = new StreamId(BinaryPrimitives.ReadUInt64BigEndian(key), BinaryPrimitives.ReadUInt64BigEndian(key.AsSpan(8)));
            items.Clear();
            if (!Listpack.TryParse(lp, items) || items.Count == 0 || !TryLoadNode(s, master, items, (long)node, lp.Length))
                return false;
        }
        if (!TryReadCount(out ulong length) || (ulong)s.Count != length
            || !TryReadId(out StreamId lastId))
            return false;
        s.LastId = lastId;
        if (type == RdbType.StreamListpacks)
        {
            s.EntriesAdded = s.Count;
        }
        else
        {
            if (!TryReadId(out _) || !TryReadId(out StreamId maxDeleted) || !TryReadCount(out ulong added))
                return false;
            s.MaxDeletedId = maxDeleted;
            s.EntriesAdded = (long)added;
        }
        if (!TryReadCount(out ulong groups))
            return false;
        for (ulong g = 0; g < groups; g++)
        {
            if (!TryReadString(out byte[] name) || !TryReadId(out StreamId groupLast))
                return false;
            long entriesRead;
            if (type == RdbType.StreamListpacks)
            {
                entriesRead = s.EstimateDistanceFromFirstEverEntry(groupLast);
            }
            else
            {
                if (!TryReadCount(out ulong read))
                    return false;
                entriesRead = (long)read;
            }
            var group = new StreamGroup(groupLast, entriesRead);
            if (!s.Groups.TryAdd(name, group) || !TryReadGroupPel(group) || !TryReadConsumers(group, type == RdbType.StreamListpacks3))
                return false;
            // Every PEL entry must belong to a consumer (Redis refuses the payload otherwise).
            foreach (PendingEntry nack in group.Pending.Values)
            {
                if (nack.Consumer is null)
                    return false;
            }
        }
        stream = s;
        return true;
    }

    private bool TryReadId(out StreamId id)
    {
        id = default;
        if (!TryReadCount(out ulong ms) || !TryReadCount(out ulong seq))
            return false;
        id = new StreamId(ms, seq);
        return true;
    }

    private bool TryReadRaw(int n, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (Remaining < n)
            return false;
        bytes = _data.Slice(_pos, n);
        _pos += n;
        return true;
    }

    private bool TryReadGroupPel(StreamGroup group)
    {
        if (!TryReadCount(out ulong size))
            return false;
        for (ulong i = 0; i < size; i++)
        {
            if (!TryReadRaw(16, out ReadOnlySpan<byte> raw) || !TryReadRaw(8, out ReadOnlySpan<byte> time) || !TryReadCount(out ulong count))
                return false;
            var id = new StreamId(BinaryPrimitives.ReadUInt64BigEndian(raw), BinaryPrimitives.ReadUInt64BigEndian(raw[8..]));
            if (!group.Pending.TryAdd(id, new PendingEntry(null!, BinaryPrimitives.ReadInt64LittleEndian(time), (long)count)))
                return false;
        }
        return true;
    }

    private bool TryReadConsumers(StreamGroup group, bool withActiveTime)
    {
        if (!TryReadCount(out ulong consumers))
            return false;
        for (ulong c = 0; c < consumers; c++)
        {
            if (!TryReadString(out byte[] name) || !TryReadRaw(8, out ReadOnlySpan<byte> seen))
                return false;
            if (withActiveTime && !TryReadRaw(8, out _))
                return false;
            var consumer = new StreamConsumer(name, BinaryPrimitives.ReadInt64LittleEndian(seen));
            if (!group.Consumers.TryAdd(name, consumer) || !TryReadCount(out ulong size))
                return false;
            for (ulong i = 0; i < size; i++)
            {
                if (!TryReadRaw(16, out ReadOnlySpan<byte> raw))
                    return false;
                var id = new StreamId(BinaryPrimitives.ReadUInt64BigEndian(raw), BinaryPrimitives.ReadUInt64BigEndian(raw[8..]));
                if (!group.Pending.TryGetValue(id, out PendingEntry? nack) || nack.Consumer is not null)
                    return false;
                nack.Consumer = consumer;
                consumer.Pending.Add(id, nack);
            }
        }
        return true;
    }

    /// <summary>
    /// Decodes one node (t_stream.c's layout): the master entry (count, deleted, master fields, 0), then
    /// per entry its flags, ID deltas from the master ID, fields (or only values when they are the
    /// master's) and its element count; deleted entries are skipped, but the node keeps their count and
    /// its listpack's size, which decide where the next XADD goes.
    /// </summary>
    private static bool TryLoadNode(RedisStream s, StreamId master, List<byte[]> items, long node, int bytes)
    {
        int p = 0;
        if (!Int(items, p++, out long count) || !Int(items, p++, out long deleted) || !Int(items, p++, out long masterFields)
            || masterFields < 0 || p + masterFields >= items.Count)
            return false;
        int masterStart = p;
        p += (int)masterFields;
        if (!Int(items, p++, out long terminator) || terminator != 0)
            return false;
        long live = 0, dead = 0;
        StreamId last = master;
        while (p < items.Count)
        {
            if (!Int(items, p++, out long flags) || !Int(items, p++, out long msDelta) || !Int(items, p++, out long seqDelta))
                return false;
            long fields;
            bool same = (flags & StreamItemSameFields) != 0;
            if (same)
            {
                fields = masterFields;
            }
            else if (!Int(items, p++, out fields) || fields < 0)
            {
                return false;
            }
            long elements = same ? fields : 2 * fields;
            if (p + elements >= items.Count)
                return false;
            var id = new StreamId(unchecked(master.Ms + (ulong)msDelta), unchecked(master.Seq + (ulong)seqDelta));
            last = id;
            if ((flags & StreamItemDeleted) != 0)
            {
                dead++;
            }
            else
            {
                if (s.Count > 0 && id <= s.Entries[^1].Id)
                    return false;
                var pairs = new byte[2 * fields][];
                for (int f = 0; f < fields; f++)
                {
                    pairs[2 * f] = same ? items[masterStart + f] : items[p + 2 * f];
                    pairs[2 * f + 1] = same ? items[p + f] : items[p + 2 * f + 1];
                }
                s.Load(id, pairs, node);
                live++;
            }
            p += (int)elements;
            if (!Int(items, p++, out long lpCount) || lpCount != (same ? fields + 3 : 2 * fields + 4))
                return false;
        }
        if (live != count || dead != deleted)
            return false;
        var masterFieldPairs = new byte[2 * masterFields][];
        for (int f = 0; f < masterFields; f++)
        {
            masterFieldPairs[2 * f] = items[masterStart + f];
            masterFieldPairs[2 * f + 1] = [];
        }
        s.LoadNode(node, master, masterFieldPairs, last, live, dead, bytes);
        return true;
    }

    private static bool Int(List<byte[]> items, int i, out long value)
    {
        value = 0;
        return i < items.Count && RdbText.TryParseCanonicalLong(items[i], out value);
    }
}
