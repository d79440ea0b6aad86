using System.Buffers.Binary;
using Codis.Server.DataTypes;

namespace Codis.Server.Persistence;

public sealed partial class RdbWriter
{
    private static readonly byte[] s_zero = RdbText.FormatLong(0);

    /// <summary>
    /// Writes a stream as type 19 (Redis 7's RDB_TYPE_STREAM_LISTPACKS_2): one listpack per node, as
    /// Redis split them, keyed by its master ID with its master entry's fields, entries that repeat
    /// those fields flagged SAMEFIELDS (deleted entries are not kept, so they are left out); then the
    /// length, last ID, first ID, max deleted ID, entries added and the groups.
    /// </summary>
    private void WriteStream(RedisStream s)
    {
        WriteType(RdbType.StreamListpacks2);
        IReadOnlyList<StreamEntry> entries = s.Entries;
        IReadOnlyList<StreamNode> nodes = s.Nodes;
        WriteLength((ulong)nodes.Count);
        Span<byte> key = stackalloc byte[16];
        var elements = new List<byte[]>();
        int i = 0;
        foreach (StreamNode node in nodes)
        {
            int j = i + (int)node.Live;
            int masterFields = node.MasterFields.Length / 2;
            elements.Clear();
            elements.Add(RdbText.FormatLong(node.Live));
            elements.Add(s_zero);
            elements.Add(RdbText.FormatLong(masterFields));
            for (int f = 0; f < masterFields; f++)
                elements.Add(node.MasterFields[2 * f]);
            elements.Add(s_zero);
            for (int k = i; k < j; k++)
                AddNodeEntry(elements, node, entries[k]);
            BinaryPrimitives.WriteUInt64BigEndian(key, node.MasterId.Ms);
            BinaryPrimitives.WriteUInt64BigEndian(key[8..], node.MasterId.Seq);
            // rdbSaveRawString: the listpack may go LZF-compressed, as Redis writes it.
            WriteString(key);
            WriteString(Listpack.Build(elements));
            i = j;
        }
        WriteLength((ulong)s.Count);
        WriteId(s.LastId);
        WriteId(s.FirstId);
        WriteId(s.MaxDeletedId);
        WriteLength((ulong)s.EntriesAdded);
        WriteLength((ulong)s.Groups.Count);
        Span<byte> raw = stackalloc byte[16];
        foreach ((byte[] name, StreamGroup g) in s.Groups)
        {
            WriteString(name);
            WriteId(g.LastId);
            WriteLength(unchecked((ulong)g.EntriesRead));
            WriteLength((ulong)g.Pending.Count);
            foreach ((StreamId id, PendingEntry nack) in g.Pending)
            {
                WriteRawId(raw, id);
                Span<byte> time = raw[..8];
                BinaryPrimitives.WriteInt64LittleEndian(time, nack.DeliveryTime);
                WriteRaw(time);
                WriteLength((ulong)nack.DeliveryCount);
            }
            WriteLength((ulong)g.Consumers.Count);
            foreach (StreamConsumer consumer in g.Consumers.Values)
            {
                WriteString(consumer.Name);
                Span<byte> time = raw[..8];
                BinaryPrimitives.WriteInt64LittleEndian(time, consumer.SeenTime);
                WriteRaw(time);
                WriteLength((ulong)consumer.Pending.Count);
                foreach (StreamId id in consumer.Pending.Keys)
                    WriteRawId(raw, id);
            }
        }
    }

    private static void AddNodeEntry(List<byte[]> elements, in StreamNode node, StreamEntry e)
    {
        int fields = e.Fields.Length / 2;
        bool same = RedisStream.SameFields(node.MasterFields, e.Fields);
        elements.Add(RdbText.FormatLong(same ? 2 : 0));
        elements.Add(RdbText.FormatLong(unchecked((long)(e.Id.Ms - node.MasterId.Ms))));
        elements.Add(RdbText.FormatLong(unchecked((long)(e.Id.Seq - node.MasterId.Seq))));
        if (same)
        {
            for (int f = 0; f < fields; f++)
                elements.Add(e.Fields[2 * f + 1]);
        }
        else
        {
            elements.Add(RdbText.FormatLong(fields));
            elements.AddRange(e.Fields);
        }
        elements.Add(RdbText.FormatLong(same ? fields + 3 : 2 * fields + 4));
    }

    private void WriteId(StreamId id)
    {
        WriteLength(id.Ms);
        WriteLength(id.Seq);
    }

    private void WriteRawId(Span<byte> buffer, StreamId id)
    {
        BinaryPrimitives.WriteUInt64BigEndian(buffer, id.Ms);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[8..], id.Seq);
        WriteRaw(buffer[..16]);
    }
}
