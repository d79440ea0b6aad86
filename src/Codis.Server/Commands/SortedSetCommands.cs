using Codis.Core.Resp;
using Codis.Core.Text;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The sorted-set command family with Redis 7.0's replies, errors and keyspace events. Values are
/// <see cref="RedisZSet"/>; a set that becomes empty is deleted.
/// </summary>
public static partial class SortedSetCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("zadd", -4, Write | DenyOom | Fast, 1, 1, 1, ZAdd);
        t.Add("zincrby", 4, Write | DenyOom | Fast, 1, 1, 1, ZIncrBy);
        t.Add("zrem", -3, Write | Fast, 1, 1, 1, ZRem);
        t.Add("zcard", 2, ReadOnly | Fast, 1, 1, 1, ZCard);
        t.Add("zscore", 3, ReadOnly | Fast, 1, 1, 1, ZScore);
        t.Add("zmscore", -3, ReadOnly | Fast, 1, 1, 1, ZMScore);
        t.Add("zrank", 3, ReadOnly | Fast, 1, 1, 1, ZRank);
        t.Add("zrevrank", 3, ReadOnly | Fast, 1, 1, 1, ZRevRank);
        t.Add("zcount", 4, ReadOnly | Fast, 1, 1, 1, ZCount);
        t.Add("zlexcount", 4, ReadOnly | Fast, 1, 1, 1, ZLexCount);
        t.Add("zrandmember", -2, ReadOnly | CommandFlags.Random, 1, 1, 1, ZRandMember);
        t.Add("zscan", -3, ReadOnly | CommandFlags.Random, 1, 1, 1, ZScan);
        RegisterRanges(t);
        RegisterPops(t);
        RegisterAlgebra(t);
    }

    private static RedisZSet? Read(CommandContext c, ReadOnlySpan<byte> key) => c.Get<RedisZSet>(key);

    private static RedisZSet? ReadForWrite(CommandContext c, ReadOnlySpan<byte> key) => c.GetForWrite<RedisZSet>(key);

    // The tail of every command that removed members: the family event, then "del" when it emptied the key.
    private static void AfterRemoval(CommandContext c, ReadOnlySpan<byte> key, RedisZSet zset, string eventName)
    {
        c.Notify(NotifyFlags.ZSet, eventName, key);
        if (zset.Count == 0)
        {
            c.Db.Delete(key);
            c.Notify(NotifyFlags.Generic, "del", key);
        }

        c.KeyModified(key);
    }

    // A (member, score) entry of a WITHSCORES reply: a two-element array in RESP3, flat in RESP2.
    private static void WriteEntry(ReplyWriter reply, SortedSetEntry entry, bool withScores)
    {
        if (withScores && reply.Protocol == 3)
            reply.Array(2);
        reply.Bulk(entry.Member);
        if (withScores)
            reply.Double(entry.Score);
    }

    // Array header for n entries, as Redis's zrange result handler writes it.
    private static void WriteEntriesHeader(ReplyWriter reply, long count, bool withScores) =>
        reply.Array(withScores && reply.Protocol != 3 ? count * 2 : count);

    private static void ZAdd(CommandContext c) => ZAddGeneric(c, 2, ZAddFlags.None);

    private static void ZIncrBy(CommandContext c) => ZAddGeneric(c, 2, ZAddFlags.Incr);

    private static void ZAddGeneric(CommandContext c, int scoreIndex, ZAddFlags flags)
    {
        bool ch = false;
        if ((flags & ZAddFlags.Incr) == 0)
        {
            for (; scoreIndex < c.Count; scoreIndex++)
            {
                if (c.Is(scoreIndex, "NX"u8))
                    flags |= ZAddFlags.Nx;
                else if (c.Is(scoreIndex, "XX"u8))
                    flags |= ZAddFlags.Xx;
                else if (c.Is(scoreIndex, "CH"u8))
                    ch = true;
                else if (c.Is(scoreIndex, "INCR"u8))
                    flags |= ZAddFlags.Incr;
                else if (c.Is(scoreIndex, "GT"u8))
                    flags |= ZAddFlags.Gt;
                else if (c.Is(scoreIndex, "LT"u8))
                    flags |= ZAddFlags.Lt;
                else
                    break;
            }
        }

        int elements = c.Count - scoreIndex;
        if (elements % 2 != 0 || elements == 0)
            Errors.ThrowSyntax();
        elements /= 2;
        bool nx = (flags & ZAddFlags.Nx) != 0, xx = (flags & ZAddFlags.Xx) != 0;
        bool gt = (flags & ZAddFlags.Gt) != 0, lt = (flags & ZAddFlags.Lt) != 0, incr = (flags & ZAddFlags.Incr) != 0;
        if (nx && xx)
            Errors.Throw("ERR XX and NX options at the same time are not compatible");
        if ((gt && nx) || (lt && nx) || (gt && lt))
            Errors.Throw("ERR GT, LT, and/or NX options at the same time are not compatible");
        if (incr && elements > 1)
            Errors.Throw("ERR INCR option supports a single increment-element pair");

        // Every score is checked before anything changes.
        var scores = elements <= 16 ? stackalloc double[elements] : new double[elements];
        for (int j = 0; j < elements; j++)
        {
            if (!ScoreParser.TryParseScore(c[scoreIndex + j * 2], out scores[j]))
                Errors.Throw(Errors.NotFloat);
        }

        ReadOnlySpan<byte> key = c[1];
        RedisZSet? zset = ReadForWrite(c, key);
        long added = 0, updated = 0, processed = 0;
        double score = 0;
        if (zset is null)
        {
            if (xx)
            {
                ReplyAdd(c, incr, ch, processed, score, added, updated);
                return;
            }

            zset = new RedisZSet();
            c.Db.Add(key, zset);
        }

        var config = c.Server.Config;
        for (int j = 0; j < elements; j++)
        {
            ZAddOutcome outcome = zset.Add(c[scoreIndex + j * 2 + 1], scores[j], flags,
                config.ZsetMaxListpackEntries, config.ZsetMaxListpackValue, out double newScore);
            if (outcome == ZAddOutcome.NotANumber)
            {
                c.Error("ERR resulting score is not a number (NaN)");
                FinishAdd(c, key, zset, incr, added + updated);
                return;
            }

            if (outcome == ZAddOutcome.Added)
                added++;
            else if (outcome == ZAddOutcome.Updated)
                updated++;
            if (outcome != ZAddOutcome.Skipped)
            {
                processed++;
                score = newScore;
            }
        }

        ReplyAdd(c, incr, ch, processed, score, added, updated);
        FinishAdd(c, key, zset, incr, added + updated);
    }

    private static void ReplyAdd(CommandContext c, bool incr, bool ch, long processed, double score, long added, long updated)
    {
        if (incr)
        {
            if (processed > 0)
                c.Reply.Double(score);
            else
                c.Reply.Null();
        }
        else
        {
            c.Reply.Integer(ch ? added + updated : added);
        }
    }

    private static void FinishAdd(CommandContext c, ReadOnlySpan<byte> key, RedisZSet zset, bool incr, long changed)
    {
        if (zset.Count == 0)
            c.Db.Delete(key);
        if (changed > 0)
        {
            c.KeyModified(key);
            c.Notify(NotifyFlags.ZSet, incr ? "zincr" : "zadd", key);
        }
    }

    private static void ZRem(CommandContext c)
    {
        ReadOnlySpan<byte> key = c[1];
        RedisZSet? zset = ReadForWrite(c, key);
        if (zset is null)
        {
            c.Reply.Integer(0);
            return;
        }

        long removed = 0;
        for (int i = 2; i < c.Count && zset.Count > 0; i++)
        {
            if (zset.Remove(c[i]))
                removed++;
        }

        if (removed > 0)
            AfterRemoval(c, key, zset, "zrem");
        c.Reply.Integer(removed);
    }

    private static void ZCard(CommandContext c) => c.Reply.Integer(Read(c, c[1])?.Count ?? 0);

    private static void ZScore(CommandContext c)
    {
        RedisZSet? zset = Read(c, c[1]);
        if (zset is not null && zset.Set.TryGetScore(c[2], out double score))
            c.Reply.Double(score);
        else
            c.Reply.Null();
    }

    private static void ZMScore(CommandContext c)
    {
        RedisZSet? zset = Read(c, c[1]);
        c.Reply.Array(c.Count - 2);
        for (int i = 2; i < c.Count; i++)
        {
            if (zset is not null && zset.Set.TryGetScore(c[i], out double score))
                c.Reply.Double(score);
            else
                c.Reply.Null();
        }
    }

    private static void ZRank(CommandContext c) => RankGeneric(c, reverse: false);

    private static void ZRevRank(CommandContext c) => RankGeneric(c, reverse: true);

    private static void RankGeneric(CommandContext c, bool reverse)
    {
        RedisZSet? zset = Read(c, c[1]);
        long rank = zset?.Set.GetRank(c[2], reverse) ?? -1;
        if (rank < 0)
            c.Reply.Null();
        else
            c.Reply.Integer(rank);
    }

    private static void ZCount(CommandContext c)
    {
        if (!ScoreRange.TryParse(c[2], c[3], out ScoreRange range))
            Errors.Throw("ERR min or max is not a float");
        RedisZSet? zset = Read(c, c[1]);
        c.Reply.Integer(zset?.Set.CountInScoreRange(range) ?? 0);
    }

    private static void ZLexCount(CommandContext c)
    {
        if (!LexRange.TryParse(c[2], c[3], out LexRange range))
            Errors.Throw("ERR min or max not valid string range item");
        RedisZSet? zset = Read(c, c[1]);
        c.Reply.Integer(zset?.Set.CountInLexRange(range) ?? 0);
    }

    private static void ZRandMember(CommandContext c)
    {
        if (c.Count == 2)
        {
            RedisZSet? one = Read(c, c[1]);
            if (one is null)
                c.Reply.Null();
            else
                c.Reply.Bulk(one.Set.GetRandom(c.Server.Random).Member);
            return;
        }

        if (!CommandContext.TryParseLong(c[2], out long count))
            Errors.Throw(Errors.NotInteger);
        if (count == long.MinValue)
            Errors.Throw("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        bool withScores = false;
        if (c.Count > 4 || (c.Count == 4 && !c.Is(3, "WITHSCORES"u8)))
            Errors.ThrowSyntax();
        if (c.Count == 4)
        {
            withScores = true;
            if (count < -long.MaxValue / 2 || count > long.MaxValue / 2)
                Errors.Throw("ERR value is out of range");
        }

        RedisZSet? zset = Read(c, c[1]);
        if (zset is null || count == 0)
        {
            c.Reply.Array(0);
            return;
        }

        var picked = new List<SortedSetEntry>();
        if (count < 0)
        {
            // Repetitions allowed: write as we draw, there may be many.
            long n = -count;
            WriteEntriesHeader(c.Reply, n, withScores);
            for (long i = 0; i < n; i++)
                WriteEntry(c.Reply, zset.Set.GetRandom(c.Server.Random), withScores);
            return;
        }

        zset.Set.GetRandomEntries(count, c.Server.Random, picked);
        WriteEntriesHeader(c.Reply, picked.Count, withScores);
        foreach (SortedSetEntry e in picked)
            WriteEntry(c.Reply, e, withScores);
    }

    private static void ZScan(CommandContext c)
    {
        if (!ulong.TryParse(c[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cursor))
            Errors.Throw("ERR invalid cursor");
        RedisZSet? zset = Read(c, c[1]);
        long count = 10;
        int pattern = -1;
        for (int i = 3; i < c.Count; i++)
        {
            bool more = i + 1 < c.Count;
            if (c.Is(i, "COUNT"u8) && more)
            {
                count = c.Long(i + 1);
                if (count < 1)
                    Errors.ThrowSyntax();
                i++;
            }
            else if (c.Is(i, "MATCH"u8) && more)
            {
                pattern = i + 1;
                i++;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        if (zset is null)
        {
            c.Reply.WriteRaw("*2\r\n$1\r\n0\r\n*0\r\n"u8);
            return;
        }

        // A listpack is returned whole in one call, as Redis does. The skiplist form walks ranks: the
        // cursor is the next rank (Redis walks hash buckets; the guarantees differ, see the notes).
        long start = 0, end = zset.Count;
        if (!zset.IsListpack)
        {
            start = (long)Math.Min(cursor, (ulong)zset.Count);
            end = Math.Min(zset.Count, start + count);
        }

        ulong next = zset.IsListpack || end >= zset.Count ? 0 : (ulong)end;
        c.Reply.Array(2);
        c.Reply.Bulk(next.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int handle = c.Reply.BeginDeferredArray();
        long written = 0;
        Span<byte> buffer = stackalloc byte[64];
        foreach (SortedSetEntry e in zset.Set.RangeByRank(start, end - 1))
        {
            if (pattern >= 0 && !Glob.Match(c[pattern], e.Member))
                continue;
            c.Reply.Bulk(e.Member);
            // Scores are bulk strings in every protocol (Redis formats them as text in the scan list).
            int n = ReplyWriter.FormatDouble(e.Score, buffer);
            c.Reply.Bulk(buffer[..n]);
            written += 2;
        }

        c.Reply.EndDeferredArray(handle, written);
    }
}
