using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class SortedSetCommands
{
    private enum RangeKind
    {
        Auto,
        Rank,
        Score,
        Lex,
    }

    private static void RegisterRanges(CommandTable t)
    {
        t.Add("zrange", -4, ReadOnly, 1, 1, 1, static c => RangeGeneric(c, 1, false, RangeKind.Auto, null));
        t.Add("zrangestore", -5, Write | DenyOom, 1, 2, 1, static c => RangeGeneric(c, 2, true, RangeKind.Auto, null));
        t.Add("zrevrange", -4, ReadOnly, 1, 1, 1, static c => RangeGeneric(c, 1, false, RangeKind.Rank, true));
        t.Add("zrangebyscore", -4, ReadOnly, 1, 1, 1, static c => RangeGeneric(c, 1, false, RangeKind.Score, false));
        t.Add("zrevrangebyscore", -4, ReadOnly, 1, 1, 1, static c => RangeGeneric(c, 1, false, RangeKind.Score, true));
        t.Add("zrangebylex", -4, ReadOnly, 1, 1, 1, static c => RangeGeneric(c, 1, false, RangeKind.Lex, false));
        t.Add("zrevrangebylex", -4, ReadOnly, 1, 1, 1, static c => RangeGeneric(c, 1, false, RangeKind.Lex, true));
        t.Add("zremrangebyrank", 4, Write, 1, 1, 1, static c => RemoveRangeGeneric(c, RangeKind.Rank));
        t.Add("zremrangebyscore", 4, Write, 1, 1, 1, static c => RemoveRangeGeneric(c, RangeKind.Score));
        t.Add("zremrangebylex", 4, Write, 1, 1, 1, static c => RemoveRangeGeneric(c, RangeKind.Lex));
    }

    // Redis's zrangeGenericCommand: `source` is the index of the source key; the options follow min max.
    private static void RangeGeneric(CommandContext c, int source, bool store, RangeKind kind, bool? reverseFixed)
    {
        bool withScores = false;
        bool? reverse = reverseFixed;
        long offset = 0, limit = -1;
        for (int j = source + 3; j < c.Count; j++)
        {
            int left = c.Count - j - 1;
            if (!store && c.Is(j, "WITHSCORES"u8))
            {
                withScores = true;
            }
            else if (c.Is(j, "LIMIT"u8) && left >= 2)
            {
                offset = c.Long(j + 1);
                limit = c.Long(j + 2);
                j += 2;
            }
            else if (reverse is null && c.Is(j, "REV"u8))
            {
                reverse = true;
            }
            else if (kind == RangeKind.Auto && c.Is(j, "BYLEX"u8))
            {
                kind = RangeKind.Lex;
            }
            else if (kind == RangeKind.Auto && c.Is(j, "BYSCORE"u8))
            {
                kind = RangeKind.Score;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        bool rev = reverse ?? false;
        if (kind == RangeKind.Auto)
            kind = RangeKind.Rank;
        if (limit != -1 && kind == RangeKind.Rank)
            Errors.Throw("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        if (withScores && kind == RangeKind.Lex)
            Errors.Throw("ERR syntax error, WITHSCORES not supported in combination with BYLEX");

        int minIndex = source + 1, maxIndex = source + 2;
        if (rev && kind != RangeKind.Rank)
            (minIndex, maxIndex) = (maxIndex, minIndex);

        long start = 0, stop = 0;
        ScoreRange scoreRange = default;
        LexRange lexRange = default;
        switch (kind)
        {
            case RangeKind.Rank:
                start = c.Long(minIndex);
                stop = c.Long(maxIndex);
                break;
            case RangeKind.Score:
                if (!ScoreRange.TryParse(c[minIndex], c[maxIndex], out scoreRange))
                    Errors.Throw("ERR min or max is not a float");
                break;
            default:
                if (!LexRange.TryParse(c[minIndex], c[maxIndex], out lexRange))
                    Errors.Throw("ERR min or max not valid string range item");
                break;
        }

        RedisZSet? zset = Read(c, c[source]);
        SortedSetRange range = zset is null ? default : kind switch
        {
            RangeKind.Rank => zset.Set.RangeByRank(start, stop, rev),
            RangeKind.Score => zset.Set.RangeByScore(scoreRange, rev, offset, limit),
            _ => zset.Set.RangeByLex(lexRange, rev, offset, limit),
        };

        if (store)
        {
            Store(c, c[1], range.ToList(), "zrangestore", incremental: true);
            return;
        }

        WriteEntriesHeader(c.Reply, range.Count, withScores);
        foreach (SortedSetEntry e in range)
            WriteEntry(c.Reply, e, withScores);
    }

    // The destination of a *STORE command: set (dropping any TTL) when the result is not empty,
    // otherwise deleted, with Redis's events; the reply is the result's size.
    private static void Store(CommandContext c, ReadOnlySpan<byte> destination, List<SortedSetEntry> result, string eventName, bool incremental)
    {
        if (result.Count > 0)
        {
            var config = c.Server.Config;
            c.Db.Set(destination, RedisZSet.FromEntries(result, config.ZsetMaxListpackEntries, config.ZsetMaxListpackValue, incremental), false);
            c.KeyModified(destination);
            c.Reply.Integer(result.Count);
            c.Notify(NotifyFlags.ZSet, eventName, destination);
            return;
        }

        c.Reply.Integer(0);
        if (c.Db.Delete(destination))
        {
            c.KeyModified(destination);
            c.Notify(NotifyFlags.Generic, "del", destination);
        }
    }

    private static void RemoveRangeGeneric(CommandContext c, RangeKind kind)
    {
        long start = 0, stop = 0;
        ScoreRange scoreRange = default;
        LexRange lexRange = default;
        switch (kind)
        {
            case RangeKind.Rank:
                start = c.Long(2);
                stop = c.Long(3);
                break;
            case RangeKind.Score:
                if (!ScoreRange.TryParse(c[2], c[3], out scoreRange))
                    Errors.Throw("ERR min or max is not a float");
                break;
            default:
                if (!LexRange.TryParse(c[2], c[3], out lexRange))
                    Errors.Throw("ERR min or max not valid string range item");
                break;
        }

        ReadOnlySpan<byte> key = c[1];
        RedisZSet? zset = ReadForWrite(c, key);
        if (zset is null)
        {
            c.Reply.Integer(0);
            return;
        }

        long removed = kind switch
        {
            RangeKind.Rank => zset.Set.RemoveRangeByRank(start, stop),
            RangeKind.Score => zset.Set.RemoveRangeByScore(scoreRange),
            _ => zset.Set.RemoveRangeByLex(lexRange),
        };
        if (removed > 0)
        {
            AfterRemoval(c, key, zset, kind switch
            {
                RangeKind.Rank => "zremrangebyrank",
                RangeKind.Score => "zremrangebyscore",
                _ => "zremrangebylex",
            });
        }

        c.Reply.Integer(removed);
    }
}
