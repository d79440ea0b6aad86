using System.Text;
using Codis.Core.Resp;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// Consumer groups: XGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM. Claims are propagated as Redis does,
/// as idempotent XCLAIM ... FORCE JUSTID commands (or XGROUP SETID when only the group moved).
/// </summary>
public static partial class StreamCommands
{
    private static readonly string[] s_xgroupHelp =
    [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];

    private static void RegisterGroups(CommandTable t)
    {
        t.Add("xgroup", -2, Write, 2, 2, 1, XGroup, ["create", "setid", "destroy", "createconsumer", "delconsumer", "help"]);
        t.Add("xack", -4, Write | Fast, 1, 1, 1, XAck);
        t.Add("xpending", -3, ReadOnly, 1, 1, 1, XPending);
        t.Add("xclaim", -6, Write | Fast, 1, 1, 1, XClaim);
        t.Add("xautoclaim", -6, Write | Fast, 1, 1, 1, XAutoClaim);
    }

    /// <summary>Checks a subcommand's name and arity as Redis 7's container commands do; false after replying.</summary>
    private static bool CheckSubcommand(CommandContext c, ReadOnlySpan<string> names, ReadOnlySpan<int> arities)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (!Ascii.EqualsIgnoreCase(c[1], names[i]))
                continue;
            int arity = arities[i];
            if ((arity > 0 && c.Count != arity) || c.Count < -arity)
            {
                ServerCommands.WrongSubcommandArity(c);
                return false;
            }
            return true;
        }
        ServerCommands.UnknownSubcommand(c);
        return false;
    }

    private static void SubcommandSyntaxError(CommandContext c) =>
        c.Error($"ERR unknown subcommand or wrong number of arguments for '{c.ArgString(1)}'. Try {c.ArgString(0).ToUpperInvariant()} HELP.");

    private static void XGroup(CommandContext c)
    {
        if (!CheckSubcommand(c, ["create", "setid", "destroy", "createconsumer", "delconsumer", "help"], [-5, -5, 4, 5, 5, 2]))
            return;
        if (c.Is(1, "HELP"u8))
        {
            c.Reply.Array(s_xgroupHelp.Length);
            foreach (string line in s_xgroupHelp)
                c.Reply.Simple(line);
            return;
        }
        bool create = c.Is(1, "CREATE"u8);
        bool setId = c.Is(1, "SETID"u8);
        bool mkStream = false;
        long entriesRead = StreamGroup.InvalidEntriesRead;
        for (int i = 5; i < c.Count;)
        {
            if (create && c.Is(i, "MKSTREAM"u8))
            {
                mkStream = true;
                i++;
            }
            else if ((create || setId) && c.Is(i, "ENTRIESREAD"u8) && i + 1 < c.Count)
            {
                entriesRead = c.Long(i + 1);
                if (entriesRead < 0 && entriesRead != StreamGroup.InvalidEntriesRead)
                    Errors.Throw("ERR value for ENTRIESREAD must be positive or -1");
                i += 2;
            }
            else
            {
                SubcommandSyntaxError(c);
                return;
            }
        }
        ReadOnlySpan<byte> key = c[2];
        RedisStream? s = ReadForWrite(c, key);
        byte[] groupName = c.ArgArray(3);
        StreamGroup? g = null;
        if (!mkStream)
        {
            if (s is null)
                Errors.Throw("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
            g = s.FindGroup(groupName);
            if (g is null && !create && !c.Is(1, "DESTROY"u8))
                Errors.Throw($"NOGROUP No such consumer group '{c.ArgString(3)}' for key name '{Encoding.UTF8.GetString(key)}'");
        }
        if (create)
        {
            if (c.Count > 8)
            {
                SubcommandSyntaxError(c);
                return;
            }
            StreamId id = c[4] is [(byte)'$'] ? s?.LastId ?? StreamId.Zero : StrictId(c[4]);
            if (s is null)
            {
                s = new RedisStream();
                c.Db.Add(key, s);
                c.KeyModified(key);
            }
            if (s.Groups.ContainsKey(groupName))
                Errors.Throw("BUSYGROUP Consumer Group name already exists");
            s.Groups.Add(groupName, new StreamGroup(id, entriesRead));
            c.Reply.Ok();
            c.Server.Stats.Dirty++;
            c.Notify(NotifyFlags.Stream, "xgroup-create", key);
        }
        else if (setId)
        {
            if (c.Count != 5 && c.Count != 7)
            {
                SubcommandSyntaxError(c);
                return;
            }
            g!.LastId = c[4] is [(byte)'$'] ? s!.LastId : RangeId(c[4], 0);
            g.EntriesRead = entriesRead;
            c.Reply.Ok();
            c.Server.Stats.Dirty++;
            c.Notify(NotifyFlags.Stream, "xgroup-setid", key);
        }
        else if (c.Is(1, "DESTROY"u8))
        {
            if (g is null)
            {
                c.Reply.Integer(0);
                return;
            }
            s!.Groups.Remove(groupName);
            c.Reply.Integer(1);
            c.Server.Stats.Dirty++;
            c.Notify(NotifyFlags.Stream, "xgroup-destroy", key);
            // Clients blocked reading this group are told it is gone.
            c.Server.SignalBlockedKey(c.Client.DbIndex, key);
        }
        else if (c.Is(1, "CREATECONSUMER"u8))
        {
            byte[] name = c.ArgArray(4);
            if (g!.Consumers.ContainsKey(name))
            {
                c.Reply.Integer(0);
                return;
            }
            g.Consumers.Add(name, new StreamConsumer(name, c.Now));
            c.Reply.Integer(1);
            c.Server.Stats.Dirty++;
            c.Notify(NotifyFlags.Stream, "xgroup-createconsumer", key);
        }
        else
        {
            long pending = 0;
            StreamConsumer? consumer = g!.FindConsumer(c.ArgArray(4));
            if (consumer is not null)
            {
                pending = consumer.Pending.Count;
                foreach (StreamId id in consumer.Pending.Keys)
                    g.Pending.Remove(id);
                g.Consumers.Remove(consumer.Name);
                c.Server.Stats.Dirty++;
                c.Notify(NotifyFlags.Stream, "xgroup-delconsumer", key);
            }
            c.Reply.Integer(pending);
        }
    }

    private static void XAck(CommandContext c)
    {
        RedisStream? s = ReadForWrite(c, c[1]);
        StreamGroup? g = s?.FindGroup(c[2]);
        if (g is null)
        {
            c.Reply.Integer(0);
            return;
        }
        Span<StreamId> ids = c.Count - 3 <= 16 ? stackalloc StreamId[c.Count - 3] : new StreamId[c.Count - 3];
        for (int j = 3; j < c.Count; j++)
            ids[j - 3] = StrictId(c[j]);
        int acked = 0;
        foreach (StreamId id in ids)
        {
            if (g.Pending.Remove(id, out PendingEntry? nack))
            {
                nack.Consumer.Pending.Remove(id);
                acked++;
            }
        }
        c.Server.Stats.Dirty += acked;
        c.Reply.Integer(acked);
    }

    private static void XPending(CommandContext c)
    {
        bool summary = c.Count == 3;
        if (c.Count != 3 && (c.Count < 6 || c.Count > 9))
            Errors.Throw(Errors.Syntax);
        StreamId start = default, end = default;
        long count = 0, minIdle = 0;
        byte[]? consumerName = null;
        if (!summary)
        {
            int startIdx = 3;
            if (c.Is(3, "IDLE"u8))
            {
                minIdle = c.Long(4);
                if (c.Count < 8)
                    Errors.Throw(Errors.Syntax);
                startIdx += 2;
            }
            count = Math.Max(0, c.Long(startIdx + 2));
            start = IntervalId(c[startIdx], 0, out bool startEx);
            if (startEx && !start.TryIncrement(out start))
                Errors.Throw("ERR invalid start ID for the interval");
            end = IntervalId(c[startIdx + 1], ulong.MaxValue, out bool endEx);
            if (endEx && !end.TryDecrement(out end))
                Errors.Throw("ERR invalid end ID for the interval");
            if (startIdx + 3 < c.Count)
                consumerName = c.ArgArray(startIdx + 3);
        }
        RedisStream? s = Read(c, c[1]);
        StreamGroup? g = s?.FindGroup(c[2]);
        if (g is null)
            Errors.Throw($"NOGROUP No such key '{c.ArgString(1)}' or consumer group '{c.ArgString(2)}'");
        ReplyWriter r = c.Reply;
        if (summary)
        {
            r.Array(4);
            r.Integer(g.Pending.Count);
            if (g.Pending.Count == 0)
            {
                r.Null();
                r.Null();
                r.NullArray();
                return;
            }
            BulkId(r, g.Pending.Keys[0]);
            BulkId(r, g.Pending.Keys[^1]);
            int withPending = 0;
            foreach (StreamConsumer consumer in g.Consumers.Values)
            {
                if (consumer.Pending.Count > 0)
                    withPending++;
            }
            r.Array(withPending);
            foreach (StreamConsumer consumer in g.Consumers.Values)
            {
                if (consumer.Pending.Count == 0)
                    continue;
                r.Array(2);
                r.Bulk(consumer.Name);
                r.BulkInteger(consumer.Pending.Count);
            }
            return;
        }
        SortedList<StreamId, PendingEntry> pel = g.Pending;
        if (consumerName is not null)
        {
            StreamConsumer? consumer = g.FindConsumer(consumerName);
            if (consumer is null)
            {
                r.Array(0);
                return;
            }
            pel = consumer.Pending;
        }
        long now = c.Now;
        int handle = r.BeginDeferredArray();
        int n = 0;
        for (int i = StreamGroup.LowerBound(pel, start); count > 0 && i < pel.Count && pel.Keys[i] <= end; i++)
        {
            PendingEntry nack = pel.Values[i];
            if (minIdle != 0 && now - nack.DeliveryTime < minIdle)
                continue;
            n++;
            count--;
            r.Array(4);
            BulkId(r, pel.Keys[i]);
            r.Bulk(nack.Consumer.Name);
            r.Integer(Math.Max(0, now - nack.DeliveryTime));
            r.Integer(nack.DeliveryCount);
        }
        r.EndDeferredArray(handle, n);
    }

    /// <summary>The consumer named <paramref name="name"/>, refreshed, or a new one (with its event).</summary>
    private static StreamConsumer ClaimingConsumer(CommandContext c, StreamGroup g, byte[] name)
    {
        StreamConsumer? consumer = g.FindConsumer(name);
        if (consumer is not null)
        {
            consumer.SeenTime = c.Now;
            return consumer;
        }
        consumer = new StreamConsumer(name, c.Now);
        g.Consumers.Add(name, consumer);
        c.Server.Stats.Dirty++;
        c.Notify(NotifyFlags.Stream, "xgroup-createconsumer", c[1]);
        return consumer;
    }

    /// <summary>Moves a pending entry to <paramref name="consumer"/>.</summary>
    private static void Reassign(PendingEntry nack, StreamId id, StreamConsumer consumer)
    {
        if (nack.Consumer == consumer)
            return;
        nack.Consumer?.Pending.Remove(id);
        consumer.Pending[id] = nack;
        nack.Consumer = consumer;
    }

    private static void XClaim(CommandContext c)
    {
        RedisStream? s = ReadForWrite(c, c[1]);
        StreamGroup? g = s?.FindGroup(c[2]);
        if (g is null)
            Errors.Throw($"NOGROUP No such key '{c.ArgString(1)}' or consumer group '{c.ArgString(2)}'");
        long minIdle = Math.Max(0, c.Long(4, "ERR Invalid min-idle-time argument for XCLAIM"));
        int j = 5;
        var ids = new List<StreamId>();
        for (; j < c.Count; j++)
        {
            if (!StreamId.TryParse(c[j], 0, allowSpecial: false, allowAutoSeq: false, out StreamId id, out _, out _))
                break;
            ids.Add(id);
        }
        long now = c.Now;
        long retryCount = -1, deliveryTime = -1;
        bool force = false, justId = false, propagateLastId = false;
        StreamId lastId = StreamId.Zero;
        for (; j < c.Count; j++)
        {
            bool more = j + 1 < c.Count;
            if (c.Is(j, "FORCE"u8))
            {
                force = true;
            }
            else if (c.Is(j, "JUSTID"u8))
            {
                justId = true;
            }
            else if (c.Is(j, "IDLE"u8) && more)
            {
                deliveryTime = now - c.Long(++j, "ERR Invalid IDLE option argument for XCLAIM");
            }
            else if (c.Is(j, "TIME"u8) && more)
            {
                deliveryTime = c.Long(++j, "ERR Invalid TIME option argument for XCLAIM");
            }
            else if (c.Is(j, "RETRYCOUNT"u8) && more)
            {
                retryCount = c.Long(++j, "ERR Invalid RETRYCOUNT option argument for XCLAIM");
            }
            else if (c.Is(j, "LASTID"u8) && more)
            {
                lastId = StrictId(c[++j]);
            }
            else
            {
                Errors.Throw($"ERR Unrecognized XCLAIM option '{c.ArgString(j)}'");
            }
        }
        if (lastId > g.LastId)
        {
            g.LastId = lastId;
            propagateLastId = true;
        }
        if (deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now)
            deliveryTime = now;
        c.PropagateNothing();
        byte[] groupName = c.ArgArray(2);
        byte[] name = c.ArgArray(3);
        StreamConsumer? consumer = null;
        ReplyWriter r = c.Reply;
        int handle = r.BeginDeferredArray();
        int n = 0;
        foreach (StreamId id in ids)
        {
            g.Pending.TryGetValue(id, out PendingEntry? nack);
            StreamEntry? entry = s!.Find(id);
            if (entry is null)
            {
                if (nack is not null)
                {
                    PropagateClaim(c, c[1], groupName, g, id, nack);
                    propagateLastId = false;
                    c.Server.Stats.Dirty++;
                    g.Pending.Remove(id);
                    nack.Consumer?.Pending.Remove(id);
                }
                continue;
            }
            if (force && nack is null)
            {
                nack = new PendingEntry(null!, now, 1);
                g.Pending.Add(id, nack);
            }
            if (nack is null)
                continue;
            if (nack.Consumer is not null && minIdle != 0 && now - nack.DeliveryTime < minIdle)
                continue;
            consumer ??= ClaimingConsumer(c, g, name);
            nack.DeliveryTime = deliveryTime;
            if (retryCount >= 0)
                nack.DeliveryCount = retryCount;
            else if (!justId)
                nack.DeliveryCount++;
            Reassign(nack, id, consumer);
            if (justId)
                BulkId(r, id);
            else
                ReplyEntry(r, entry);
            n++;
            PropagateClaim(c, c[1], groupName, g, id, nack);
            propagateLastId = false;
            c.Server.Stats.Dirty++;
        }
        if (propagateLastId)
        {
            PropagateSetId(c, c[1], groupName, g);
            c.Server.Stats.Dirty++;
        }
        r.EndDeferredArray(handle, n);
    }

    private static void XAutoClaim(CommandContext c)
    {
        long minIdle = Math.Max(0, c.Long(4, "ERR Invalid min-idle-time argument for XAUTOCLAIM"));
        StreamId start = IntervalId(c[5], 0, out bool startEx);
        if (startEx && !start.TryIncrement(out start))
            Errors.Throw("ERR invalid start ID for the interval");
        long count = 100;
        bool justId = false;
        for (int j = 6; j < c.Count; j++)
        {
            if (c.Is(j, "COUNT"u8) && j + 1 < c.Count)
            {
                if (!CommandContext.TryParseLong(c[j + 1], out count) || count < 1 || count > long.MaxValue / 16)
                    Errors.Throw("ERR COUNT must be > 0");
                j++;
            }
            else if (c.Is(j, "JUSTID"u8))
            {
                justId = true;
            }
            else
            {
                Errors.Throw(Errors.Syntax);
            }
        }
        RedisStream? s = ReadForWrite(c, c[1]);
        StreamGroup? g = s?.FindGroup(c[2]);
        if (g is null)
            Errors.Throw($"NOGROUP No such key '{c.ArgString(1)}' or consumer group '{c.ArgString(2)}'");
        c.PropagateNothing();
        byte[] groupName = c.ArgArray(2);
        byte[] name = c.ArgArray(3);
        long attempts = count * 10;
        long now = c.Now;
        StreamConsumer? consumer = null;
        var deleted = new List<StreamId>();
        ReplyWriter r = c.Reply;
        r.Array(3);
        int endHandle = r.BeginDeferredArray();
        int n = 0;
        SortedList<StreamId, PendingEntry> pel = g.Pending;
        int i = StreamGroup.LowerBound(pel, start);
        while (attempts-- > 0 && count > 0 && i < pel.Count)
        {
            StreamId id = pel.Keys[i];
            PendingEntry nack = pel.Values[i];
            StreamEntry? entry = s!.Find(id);
            if (entry is null)
            {
                PropagateClaim(c, c[1], groupName, g, id, nack);
                c.Server.Stats.Dirty++;
                pel.RemoveAt(i);
                nack.Consumer.Pending.Remove(id);
                deleted.Add(id);
                count--;
                continue;
            }
            i++;
            if (minIdle != 0 && now - nack.DeliveryTime < minIdle)
                continue;
            consumer ??= ClaimingConsumer(c, g, name);
            nack.DeliveryTime = now;
            if (!justId)
                nack.DeliveryCount++;
            Reassign(nack, id, consumer);
            if (justId)
                BulkId(r, id);
            else
                ReplyEntry(r, entry);
            n++;
            count--;
            PropagateClaim(c, c[1], groupName, g, id, nack);
            c.Server.Stats.Dirty++;
        }
        // The claimed entries went after a placeholder: write the cursor, then the array header before them.
        byte[] body = r.WrittenSpan[(endHandle + 16)..].ToArray();
        r.Truncate(endHandle);
        BulkId(r, i < pel.Count ? pel.Keys[i] : StreamId.Zero);
        r.Array(n);
        r.WriteRaw(body);
        r.Array(deleted.Count);
        foreach (StreamId id in deleted)
            BulkId(r, id);
    }
}
