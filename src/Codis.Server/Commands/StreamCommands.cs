using Codis.Core.Resp;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// Stream commands (XADD ... XINFO) with Redis 7.0's replies, error texts, keyspace events and
/// propagation (generated IDs and approximate trims are propagated as their concrete effect).
/// </summary>
public static partial class StreamCommands
{
    private const string InvalidId = "ERR Invalid stream ID specified as stream command argument";

    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("xadd", -5, Write | DenyOom | Fast, 1, 1, 1, XAdd);
        t.Add("xrange", -4, ReadOnly, 1, 1, 1, XRange);
        t.Add("xrevrange", -4, ReadOnly, 1, 1, 1, XRevRange);
        t.Add("xlen", 2, ReadOnly | Fast, 1, 1, 1, XLen);
        t.Add("xdel", -3, Write | Fast, 1, 1, 1, XDel);
        t.Add("xtrim", -4, Write, 1, 1, 1, XTrim);
        t.Add("xsetid", -3, Write | DenyOom | Fast, 1, 1, 1, XSetId);
        RegisterRead(t);
        RegisterGroups(t);
        RegisterInfo(t);
    }

    /// <summary>Parses a strict ID ("ms" or "ms-seq"; not <c>-</c>/<c>+</c>) or throws Redis's error.</summary>
    private static StreamId StrictId(ReadOnlySpan<byte> arg, ulong missingSeq = 0)
    {
        if (!StreamId.TryParse(arg, missingSeq, allowSpecial: false, allowAutoSeq: false, out StreamId id, out _, out _))
            Errors.Throw(InvalidId);
        return id;
    }

    /// <summary>Parses an ID where <c>-</c> and <c>+</c> are allowed, or throws.</summary>
    private static StreamId RangeId(ReadOnlySpan<byte> arg, ulong missingSeq)
    {
        if (!StreamId.TryParse(arg, missingSeq, allowSpecial: true, allowAutoSeq: false, out StreamId id, out _, out _))
            Errors.Throw(InvalidId);
        return id;
    }

    /// <summary>Writes an ID as a bulk string without allocating.</summary>
    internal static void BulkId(ReplyWriter r, StreamId id)
    {
        Span<byte> buffer = stackalloc byte[48];
        r.Bulk(buffer[..id.Format(buffer)]);
    }

    /// <summary>Writes <c>[id, [field, value, ...]]</c>.</summary>
    internal static void ReplyEntry(ReplyWriter r, StreamEntry e)
    {
        r.Array(2);
        BulkId(r, e.Id);
        r.Array(e.Fields.Length);
        foreach (byte[] f in e.Fields)
            r.Bulk(f);
    }

    private static RedisStream? Read(CommandContext c, ReadOnlySpan<byte> key) => c.Get<RedisStream>(key);

    private static RedisStream? ReadForWrite(CommandContext c, ReadOnlySpan<byte> key) => c.GetForWrite<RedisStream>(key);

    // ---- XADD / XTRIM ---------------------------------------------------------------------------------

    /// <summary>The parsed options of XADD and XTRIM (Redis's streamAddTrimArgs).</summary>
    private struct TrimArgs
    {
        public bool MaxLenGiven;
        public bool MinIdGiven;
        public bool Approx;
        public long MaxLen;
        public StreamId MinId;
        public long Limit;
        public int StrategyArg;     // index of the count/ID argument of MAXLEN/MINID
        public bool NoMkStream;
        public bool IdGiven;
        public bool SeqGiven;
        public StreamId Id;

        public readonly bool HasStrategy => MaxLenGiven || MinIdGiven;
    }

    /// <summary>Redis's streamParseAddOrTrimArgsOrReply: returns the index of XADD's ID.</summary>
    private static int ParseTrimArgs(CommandContext c, bool xadd, out TrimArgs a)
    {
        a = default;
        bool limitGiven = false;
        int i = 2;
        for (; i < c.Count; i++)
        {
            int more = c.Count - 1 - i;
            ReadOnlySpan<byte> opt = c[i];
            if (xadd && opt.Length == 1 && opt[0] == '*')
                break;
            if ((c.Is(i, "MAXLEN"u8) || c.Is(i, "MINID"u8)) && more > 0)
            {
                bool maxLen = c.Is(i, "MAXLEN"u8);
                if (a.HasStrategy)
                    Errors.Throw("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                a.Approx = false;
                ReadOnlySpan<byte> next = c[i + 1];
                if (more >= 2 && next.Length == 1 && (next[0] == '~' || next[0] == '='))
                {
                    a.Approx = next[0] == '~';
                    i++;
                }
                if (maxLen)
                {
                    a.MaxLen = c.Long(i + 1);
                    if (a.MaxLen < 0)
                        Errors.Throw("ERR The MAXLEN argument must be >= 0.");
                    a.MaxLenGiven = true;
                }
                else
                {
                    a.MinId = StrictId(c[i + 1]);
                    a.MinIdGiven = true;
                }
                i++;
                a.StrategyArg = i;
            }
            else if (c.Is(i, "LIMIT"u8) && more > 0)
            {
                a.Limit = c.Long(i + 1);
                if (a.Limit < 0)
                    Errors.Throw("ERR The LIMIT argument must be >= 0.");
                limitGiven = true;
                i++;
            }
            else if (xadd && c.Is(i, "NOMKSTREAM"u8))
            {
                a.NoMkStream = true;
            }
            else if (xadd)
            {
                if (!StreamId.TryParse(opt, 0, allowSpecial: false, allowAutoSeq: true, out a.Id, out a.SeqGiven, out bool auto))
                    Errors.Throw(InvalidId);
                a.SeqGiven = !auto;
                a.IdGiven = true;
                break;
            }
            else
            {
                Errors.Throw(Errors.Syntax);
            }
        }
        if (a.Limit != 0 && !a.HasStrategy)
            Errors.Throw("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        if (!xadd && !a.HasStrategy)
            Errors.Throw("ERR syntax error, XTRIM must be called with a trimming strategy");
        if (c.Client.IsMaster)
        {
            // What a master sends was rewritten to the exact effect: never limit it.
            a.Limit = 0;
        }
        else if (limitGiven)
        {
            if (!a.Approx)
                Errors.Throw("ERR syntax error, LIMIT cannot be used without the special ~ option");
        }
        else if (a.Approx)
        {
            long limit = 100 * c.Server.Config.StreamNodeMaxEntries;
            a.Limit = limit <= 0 ? 10000 : Math.Min(limit, 1000000);
        }
        else
        {
            a.Limit = 0;
        }
        return i;
    }

    private static long Trim(CommandContext c, RedisStream s, in TrimArgs a) =>
        s.Trim(a.MaxLenGiven ? a.MaxLen : -1, a.MinId, a.Approx, a.Limit);

    private static void XAdd(CommandContext c)
    {
        int idPos = ParseTrimArgs(c, xadd: true, out TrimArgs a);
        int fieldPos = idPos + 1;
        if (c.Count - fieldPos < 2 || (c.Count - fieldPos) % 2 == 1)
            Errors.Throw(Errors.WrongArgs(c.Command.Name));
        if (a.IdGiven && a.SeqGiven && a.Id.IsZero)
            Errors.Throw("ERR The ID specified in XADD must be greater than 0-0");
        RedisStream? s = ReadForWrite(c, c[1]);
        if (s is null)
        {
            if (a.NoMkStream)
            {
                c.Reply.Null();
                return;
            }
            s = new RedisStream();
            c.Db.Add(c[1], s);
        }
        if (s.LastId == StreamId.Max)
            Errors.Throw("ERR The stream has exhausted the last possible ID, unable to add more items");
        if (!NextId(c, s, in a, out StreamId id))
            Errors.Throw("ERR The ID specified in XADD is equal or smaller than the target stream top item");

        var fields = new byte[c.Count - fieldPos][];
        for (int i = 0; i < fields.Length; i++)
            fields[i] = c.ArgArray(fieldPos + i);
        s.Append(id, fields, c.Server.Config.StreamNodeMaxBytes, c.Server.Config.StreamNodeMaxEntries);
        BulkId(c.Reply, id);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.Stream, "xadd", c[1]);

        bool rewriteTrim = false;
        if (a.HasStrategy)
        {
            if (Trim(c, s, in a) > 0)
                c.Notify(NotifyFlags.Stream, "xtrim", c[1]);
            rewriteTrim = a.Approx;
        }
        bool rewriteId = !a.IdGiven || !a.SeqGiven;
        if (rewriteTrim || rewriteId)
        {
            byte[][] args = ConcreteArgs(c, s, in a, rewriteTrim, fieldPos, fields);
            if (rewriteId)
                args[idPos] = id.ToBytes();
            c.PropagateAs(args);
        }
    }

    /// <summary>
    /// The command's arguments for replicas and the AOF, with an approximate trim made exact (<c>=</c>
    /// and what it left, Redis's streamRewriteTrimArgument); the arguments from
    /// <paramref name="fieldPos"/> on are the stored <paramref name="fields"/> (not copied again).
    /// </summary>
    private static byte[][] ConcreteArgs(CommandContext c, RedisStream s, in TrimArgs a, bool rewriteTrim, int fieldPos, byte[][] fields)
    {
        var args = new byte[c.Count][];
        for (int i = 0; i < args.Length; i++)
            args[i] = i >= fieldPos ? fields[i - fieldPos] : c.ArgArray(i);
        if (rewriteTrim)
        {
            args[a.StrategyArg - 1] = "="u8.ToArray();
            args[a.StrategyArg] = TrimArgument(s, in a);
        }
        return args;
    }

    // The length left, or the first ID left.
    private static byte[] TrimArgument(RedisStream s, in TrimArgs a) =>
        a.MaxLenGiven ? System.Text.Encoding.ASCII.GetBytes(s.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
                      : s.FirstId.ToBytes();

    /// <summary>The ID streamAppendItem gives the new entry; false when it is not above the top item.</summary>
    private static bool NextId(CommandContext c, RedisStream s, in TrimArgs a, out StreamId id)
    {
        StreamId last = s.LastId;
        if (a.IdGiven)
        {
            if (a.SeqGiven)
            {
                id = a.Id;
                return id > last;
            }
            // ms-*: the next sequence of that millisecond, or 0 in a later one.
            if (a.Id.Ms == last.Ms)
            {
                id = new StreamId(last.Ms, last.Seq + 1);
                return last.Seq != ulong.MaxValue;
            }
            id = new StreamId(a.Id.Ms, 0);
            return a.Id.Ms > last.Ms;
        }
        ulong now = (ulong)Math.Max(0, c.Now);
        if (now > last.Ms)
        {
            id = new StreamId(now, 0);
            return true;
        }
        return last.TryIncrement(out id);
    }

    private static void XTrim(CommandContext c)
    {
        ParseTrimArgs(c, xadd: false, out TrimArgs a);
        RedisStream? s = ReadForWrite(c, c[1]);
        if (s is null)
        {
            c.Reply.Integer(0);
            return;
        }
        long deleted = Trim(c, s, in a);
        if (deleted > 0)
        {
            c.Notify(NotifyFlags.Stream, "xtrim", c[1]);
            if (a.Approx)
                c.PropagateAs(ConcreteArgs(c, s, in a, rewriteTrim: true, c.Count, []));
            c.KeyModified(c[1], (int)deleted);
        }
        c.Reply.Integer(deleted);
    }

    // ---- XRANGE / XLEN / XDEL / XSETID ------------------------------------------------------------------

    private static void XRange(CommandContext c) => RangeCommand(c, rev: false);

    private static void XRevRange(CommandContext c) => RangeCommand(c, rev: true);

    private static void RangeCommand(CommandContext c, bool rev)
    {
        ReadOnlySpan<byte> startArg = rev ? c[3] : c[2];
        ReadOnlySpan<byte> endArg = rev ? c[2] : c[3];
        StreamId start = IntervalId(startArg, 0, out bool startEx);
        if (startEx && !start.TryIncrement(out start))
            Errors.Throw("ERR invalid start ID for the interval");
        StreamId end = IntervalId(endArg, ulong.MaxValue, out bool endEx);
        if (endEx && !end.TryDecrement(out end))
            Errors.Throw("ERR invalid end ID for the interval");
        long count = -1;
        for (int j = 4; j < c.Count; j++)
        {
            if (c.Is(j, "COUNT"u8) && j + 1 < c.Count)
            {
                count = Math.Max(0, c.Long(j + 1));
                j++;
            }
            else
            {
                Errors.Throw(Errors.Syntax);
            }
        }
        RedisStream? s = Read(c, c[1]);
        if (s is null)
        {
            c.Reply.Array(0);
            return;
        }
        if (count == 0)
        {
            c.Reply.NullArray();
            return;
        }
        ReplyRange(c.Reply, s, start, end, count < 0 ? 0 : count, rev);
    }

    /// <summary>Parses a range bound, <c>(</c> marking it exclusive (then strict).</summary>
    private static StreamId IntervalId(ReadOnlySpan<byte> arg, ulong missingSeq, out bool exclusive)
    {
        exclusive = arg.Length > 1 && arg[0] == '(';
        return exclusive ? StrictId(arg[1..], missingSeq) : RangeId(arg, missingSeq);
    }

    /// <summary>Replies the entries between start and end (inclusive), at most count (0: all).</summary>
    internal static void ReplyRange(ReplyWriter r, RedisStream s, StreamId start, StreamId end, long count, bool rev)
    {
        IReadOnlyList<StreamEntry> entries = s.Entries;
        if (start > end)
        {
            r.Array(0);
            return;
        }
        int from = s.LowerBound(start);
        int to = end == StreamId.Max ? entries.Count : s.LowerBound(end);
        if (to < entries.Count && entries[to].Id == end)
            to++;
        long n = to - from;
        if (count > 0 && n > count)
            n = count;
        r.Array(n);
        if (rev)
        {
            for (int i = to - 1; i >= to - n; i--)
                ReplyEntry(r, entries[i]);
        }
        else
        {
            for (int i = from; i < from + n; i++)
                ReplyEntry(r, entries[i]);
        }
    }

    private static void XLen(CommandContext c) => c.Reply.Integer(Read(c, c[1])?.Count ?? 0);

    private static void XDel(CommandContext c)
    {
        RedisStream? s = ReadForWrite(c, c[1]);
        if (s is null)
        {
            c.Reply.Integer(0);
            return;
        }
        Span<StreamId> ids = c.Count - 2 <= 16 ? stackalloc StreamId[c.Count - 2] : new StreamId[c.Count - 2];
        for (int j = 2; j < c.Count; j++)
            ids[j - 2] = StrictId(c[j]);
        int deleted = 0;
        foreach (StreamId id in ids)
        {
            if (s.Delete(id))
                deleted++;
        }
        if (deleted > 0)
        {
            c.KeyModified(c[1], deleted);
            c.Notify(NotifyFlags.Stream, "xdel", c[1]);
        }
        c.Reply.Integer(deleted);
    }

    private static void XSetId(CommandContext c)
    {
        StreamId id = StrictId(c[2]);
        long entriesAdded = -1;
        StreamId maxDeleted = StreamId.Zero;
        for (int i = 3; i < c.Count;)
        {
            bool more = i + 1 < c.Count;
            if (c.Is(i, "ENTRIESADDED"u8) && more)
            {
                entriesAdded = c.Long(i + 1);
                if (entriesAdded < 0)
                    Errors.Throw("ERR entries_added must be positive");
            }
            else if (c.Is(i, "MAXDELETEDID"u8) && more)
            {
                maxDeleted = StrictId(c[i + 1]);
                if (id < maxDeleted)
                    Errors.Throw("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
            }
            else
            {
                Errors.Throw(Errors.Syntax);
            }
            i += 2;
        }
        RedisStream s = ReadForWrite(c, c[1]) ?? throw new CommandException(Errors.NoSuchKey);
        if (s.Count > 0)
        {
            if (id < s.Entries[^1].Id)
                Errors.Throw("ERR The ID specified in XSETID is smaller than the target stream top item");
            if (entriesAdded != -1 && s.Count > entriesAdded)
                Errors.Throw("ERR The entries_added specified in XSETID is smaller than the target stream length");
        }
        s.LastId = id;
        if (entriesAdded != -1)
            s.EntriesAdded = entriesAdded;
        if (!maxDeleted.IsZero)
            s.MaxDeletedId = maxDeleted;
        c.Reply.Ok();
        c.Server.Stats.Dirty++;
        c.Notify(NotifyFlags.Stream, "xsetid", c[1]);
    }
}
