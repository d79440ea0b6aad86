using System.Globalization;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// XREAD and XREADGROUP. When nothing can be served and BLOCK was given they block the client on the
/// keys; the server runs the command again when one is modified (with <c>$</c> rewritten to the ID it
/// stood for), so one code path serves the first attempt and the wake-up.
/// </summary>
public static partial class StreamCommands
{
    // Redis's XREAD_BLOCKED_DEFAULT_COUNT: a woken reader without COUNT gets at most this many.
    private const long BlockedDefaultCount = 1000;

    private static void RegisterRead(CommandTable t)
    {
        t.Add("xread", -4, ReadOnly | Blocking, 0, 0, 0, XRead);
        t.Add("xreadgroup", -7, Write | Blocking, 0, 0, 0, XRead);
    }

    private static void XRead(CommandContext c)
    {
        bool group = c.Command.Name == "xreadgroup";
        long timeout = -1;
        long count = 0;
        int streamsArg = 0;
        int streams = 0;
        bool noAck = false;
        int groupArg = 0;
        for (int i = 1; i < c.Count; i++)
        {
            int more = c.Count - i - 1;
            if (c.Is(i, "BLOCK"u8) && more > 0)
            {
                if (c.InScript)
                    Errors.Throw($"ERR {c.ArgString(0)} command is not allowed with BLOCK option from scripts");
                i++;
                timeout = BlockTimeout(c, i);
            }
            else if (c.Is(i, "COUNT"u8) && more > 0)
            {
                i++;
                count = Math.Max(0, c.Long(i));
            }
            else if (c.Is(i, "STREAMS"u8) && more > 0)
            {
                streamsArg = i + 1;
                streams = c.Count - streamsArg;
                if (streams % 2 != 0)
                    Errors.Throw("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                streams /= 2;
                break;
            }
            else if (c.Is(i, "GROUP"u8) && more >= 2)
            {
                if (!group)
                    Errors.Throw("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                groupArg = i + 1;
                i += 2;
            }
            else if (c.Is(i, "NOACK"u8))
            {
                if (!group)
                    Errors.Throw("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                noAck = true;
            }
            else
            {
                Errors.Throw(Errors.Syntax);
            }
        }
        if (streamsArg == 0)
            Errors.Throw(Errors.Syntax);
        if (group && groupArg == 0)
            Errors.Throw("ERR Missing GROUP option for XREADGROUP");

        Span<StreamId> ids = streams <= 8 ? stackalloc StreamId[streams] : new StreamId[streams];
        StreamGroup?[]? groups = group ? new StreamGroup?[streams] : null;
        bool dollar = false;
        for (int k = 0; k < streams; k++)
        {
            int idArg = streamsArg + streams + k;
            ReadOnlySpan<byte> key = c[streamsArg + k];
            if (group && c.Reprocessing && c.Db.LookupWrite(key) is not RedisStream)
            {
                // Served again after its key was deleted or overwritten: Redis 7 ends the wait with this.
                c.FailBlocked("UNBLOCKED the stream key no longer exists");
                return;
            }
            // XREADGROUP changes the group: a write lookup (so snapshots in progress keep the old state).
            RedisStream? s = group ? ReadForWrite(c, key) : Read(c, key);
            if (groups is not null)
            {
                StreamGroup? g = s?.FindGroup(c[groupArg]);
                if (g is null && c.Reprocessing)
                {
                    c.FailBlocked("NOGROUP the consumer group this client was blocked on no longer exists");
                    return;
                }
                if (g is null)
                {
                    Errors.Throw($"NOGROUP No such key '{Encoding.UTF8.GetString(key)}' or consumer group '{c.ArgString(groupArg)}' in XREADGROUP with GROUP option");
                }
                groups[k] = g;
            }
            ReadOnlySpan<byte> idText = c[idArg];
            if (idText.Length == 1 && idText[0] == '$')
            {
                if (group)
                    Errors.Throw("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                ids[k] = s?.LastId ?? StreamId.Zero;
                dollar = true;
            }
            else if (idText.Length == 1 && idText[0] == '>')
            {
                if (!group)
                    Errors.Throw("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                ids[k] = StreamId.Max;
            }
            else
            {
                ids[k] = StrictId(idText);
            }
        }

        if (c.Reprocessing && count == 0)
            count = BlockedDefaultCount;
        if (group)
            c.PropagateNothing();
        ReplyWriter r = c.Reply;
        int handle = -1;
        int served = 0;
        for (int k = 0; k < streams; k++)
        {
            RedisStream? s = group ? ReadForWrite(c, c[streamsArg + k]) : Read(c, c[streamsArg + k]);
            if (s is null)
                continue;
            StreamId gt = ids[k];
            bool history = false;
            bool serve;
            if (groups is not null)
            {
                history = gt != StreamId.Max;
                serve = history || (s.Count > 0 && s.Entries[^1].Id > groups[k]!.LastId);
            }
            else
            {
                serve = s.Count > 0 && s.Entries[^1].Id > gt;
            }
            if (!serve)
                continue;
            if (served++ == 0)
                handle = r.BeginDeferredArray();
            if (r.Protocol != 3)
                r.Array(2);
            r.Bulk(c[streamsArg + k]);
            if (groups is not null && !history)
                gt = groups[k]!.LastId;
            gt.TryIncrement(out StreamId start);
            if (groups is null)
            {
                ReplyRange(r, s, start, StreamId.Max, count, rev: false);
                continue;
            }
            StreamGroup g = groups[k]!;
            StreamConsumer consumer = LookupOrCreateConsumer(c, s, g, c[streamsArg + k], groupArg + 1, noAck);
            if (history)
                ReplyHistory(c, s, consumer, start, count);
            else
                ReplyNew(c, s, g, consumer, c[streamsArg + k], groupArg, start, count, noAck);
            c.Server.Stats.Dirty++;
        }
        if (served > 0)
        {
            if (r.Protocol == 3)
                r.EndDeferredArray(handle, served, (byte)'%');
            else
                r.EndDeferredArray(handle, served);
            return;
        }
        if (timeout == -1)
        {
            if (!c.Reprocessing)
                r.NullArray();
            return;
        }
        if (c.InExec || c.Reprocessing)
        {
            c.Block([], timeout, nullArrayOnTimeout: true);
            return;
        }
        var keys = new List<byte[]>(streams);
        for (int k = 0; k < streams; k++)
            keys.Add(c.ArgArray(streamsArg + k));
        if (dollar)
        {
            // The wake-up must read past the IDs "$" stood for now, not the stream's top then.
            byte[][] args = new byte[c.Count][];
            for (int i = 0; i < args.Length; i++)
                args[i] = c.ArgArray(i);
            for (int k = 0; k < streams; k++)
            {
                if (args[streamsArg + streams + k] is [(byte)'$'])
                    args[streamsArg + streams + k] = ids[k].ToBytes();
            }
            c.Args.Set(args);
        }
        c.Block(keys, timeout, nullArrayOnTimeout: true);
    }

    /// <summary>BLOCK's milliseconds (Redis's getTimeoutFromObjectOrReply in milliseconds): 0 waits forever.</summary>
    private static long BlockTimeout(CommandContext c, int i)
    {
        if (!CommandContext.TryParseLong(c[i], out long ms))
            Errors.Throw("ERR timeout is not an integer or out of range");
        if (ms < 0)
            Errors.Throw("ERR timeout is negative");
        return ms > 3_155_760_000_000L ? 0 : ms;
    }

    /// <summary>
    /// The consumer named by argument <paramref name="nameArg"/>, refreshing its seen time, or a new one
    /// (with its keyspace event; propagated as XGROUP CREATECONSUMER under NOACK, where no XCLAIM creates it).
    /// </summary>
    private static StreamConsumer LookupOrCreateConsumer(CommandContext c, RedisStream s, StreamGroup g, ReadOnlySpan<byte> key, int nameArg, bool propagate)
    {
        byte[] name = c.ArgArray(nameArg);
        StreamConsumer? consumer = g.FindConsumer(name);
        if (consumer is not null)
        {
            consumer.SeenTime = c.Now;
            return consumer;
        }
        consumer = new StreamConsumer(name, c.Now);
        g.Consumers.Add(name, consumer);
        c.Notify(NotifyFlags.Stream, "xgroup-createconsumer", key);
        if (propagate)
            c.PropagateAlso("XGROUP"u8.ToArray(), "CREATECONSUMER"u8.ToArray(), key.ToArray(), c.ArgArray(nameArg - 1), name);
        return consumer;
    }

    /// <summary>Redis's streamReplyWithRangeFromConsumerPEL: the consumer's pending entries from start.</summary>
    private static void ReplyHistory(CommandContext c, RedisStream s, StreamConsumer consumer, StreamId start, long count)
    {
        ReplyWriter r = c.Reply;
        SortedList<StreamId, PendingEntry> pel = consumer.Pending;
        int from = StreamGroup.LowerBound(pel, start);
        long n = pel.Count - from;
        if (count > 0 && n > count)
            n = count;
        r.Array(n);
        IList<StreamId> keys = pel.Keys;
        IList<PendingEntry> values = pel.Values;
        for (int i = from; i < from + n; i++)
        {
            StreamEntry? e = s.Find(keys[i]);
            if (e is null)
            {
                r.Array(2);
                BulkId(r, keys[i]);
                r.NullArray();
                continue;
            }
            ReplyEntry(r, e);
            values[i].DeliveryTime = c.Now;
            values[i].DeliveryCount++;
        }
    }

    /// <summary>
    /// Delivers the entries after the group's last ID (Redis's streamReplyWithRange with a group):
    /// advances the group, adds them to the PELs and propagates each as XCLAIM (NOACK: XGROUP SETID).
    /// </summary>
    private static void ReplyNew(CommandContext c, RedisStream s, StreamGroup g, StreamConsumer consumer,
        ReadOnlySpan<byte> key, int groupArg, StreamId start, long count, bool noAck)
    {
        ReplyWriter r = c.Reply;
        IReadOnlyList<StreamEntry> entries = s.Entries;
        int from = s.LowerBound(start);
        long n = entries.Count - from;
        if (count > 0 && n > count)
            n = count;
        r.Array(n);
        bool advanced = false;
        for (int i = from; i < from + n; i++)
        {
            StreamEntry e = entries[i];
            if (e.Id > g.LastId)
            {
                if (g.EntriesRead != StreamGroup.InvalidEntriesRead && !s.RangeHasTombstones(e.Id, StreamId.Max))
                    g.EntriesRead++;
                else if (s.EntriesAdded > 0)
                    g.EntriesRead = s.EstimateDistanceFromFirstEverEntry(e.Id);
                g.LastId = e.Id;
                advanced = true;
            }
            ReplyEntry(r, e);
            if (noAck)
                continue;
            PendingEntry nack = Deliver(g, consumer, e.Id, c.Now);
            PropagateClaim(c, key, c.ArgArray(groupArg), g, e.Id, nack);
        }
        if (noAck && advanced)
            PropagateSetId(c, key, c.ArgArray(groupArg), g);
    }

    /// <summary>Puts <paramref name="id"/> in the group's and the consumer's PEL, delivered now for the first time.</summary>
    private static PendingEntry Deliver(StreamGroup g, StreamConsumer consumer, StreamId id, long now)
    {
        if (g.Pending.TryGetValue(id, out PendingEntry? nack))
        {
            nack.Consumer.Pending.Remove(id);
            nack.Consumer = consumer;
            nack.DeliveryTime = now;
            nack.DeliveryCount = 1;
        }
        else
        {
            nack = new PendingEntry(consumer, now, 1);
            g.Pending.Add(id, nack);
        }
        consumer.Pending[id] = nack;
        return nack;
    }

    /// <summary>Redis's streamPropagateXCLAIM: an idempotent XCLAIM that recreates the PEL entry.</summary>
    private static void PropagateClaim(CommandContext c, ReadOnlySpan<byte> key, byte[] group, StreamGroup g, StreamId id, PendingEntry nack) =>
        c.PropagateAlso("XCLAIM"u8.ToArray(), key.ToArray(), group, nack.Consumer.Name, "0"u8.ToArray(), id.ToBytes(),
            "TIME"u8.ToArray(), Number(nack.DeliveryTime), "RETRYCOUNT"u8.ToArray(), Number(nack.DeliveryCount),
            "FORCE"u8.ToArray(), "JUSTID"u8.ToArray(), "LASTID"u8.ToArray(), g.LastId.ToBytes());

    /// <summary>Redis's streamPropagateGroupID: XGROUP SETID with the group's last ID and read counter.</summary>
    private static void PropagateSetId(CommandContext c, ReadOnlySpan<byte> key, byte[] group, StreamGroup g) =>
        c.PropagateAlso("XGROUP"u8.ToArray(), "SETID"u8.ToArray(), key.ToArray(), group, g.LastId.ToBytes(),
            "ENTRIESREAD"u8.ToArray(), Number(g.EntriesRead));

    private static byte[] Number(long n) => Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture));
}
