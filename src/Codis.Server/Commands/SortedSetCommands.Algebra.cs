using Codis.Server.DataTypes;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class SortedSetCommands
{
    private enum SetOp
    {
        Union,
        Inter,
        Diff,
    }

    private enum Aggregate
    {
        Sum,
        Min,
        Max,
    }

    // One input of ZUNION and friends: a sorted set, a plain set (every score 1), or a missing key.
    private readonly record struct Source(RedisZSet? ZSet, List<byte[]>? Plain, HashSet<byte[]>? PlainLookup, double Weight)
    {
        public long Count => ZSet?.Count ?? Plain?.Count ?? 0;

        public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
        {
            score = 1;
            if (ZSet is not null)
                return ZSet.Set.TryGetScore(member, out score);
            return PlainLookup is not null && PlainLookup.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(member);
        }
    }

    private static Source PlainSource(ISortable set)
    {
        var members = new List<byte[]>(set.SortElements());
        return new Source(null, members, new HashSet<byte[]>(members, ByteArrayComparer.Instance), 1);
    }

    private static void RegisterAlgebra(CommandTable t)
    {
        t.Add("zunionstore", -4, Write | DenyOom, 1, 1, 1, static c => SetOpGeneric(c, 2, SetOp.Union, store: true, cardinalityOnly: false));
        t.Add("zinterstore", -4, Write | DenyOom, 1, 1, 1, static c => SetOpGeneric(c, 2, SetOp.Inter, store: true, cardinalityOnly: false));
        t.Add("zdiffstore", -4, Write | DenyOom, 1, 1, 1, static c => SetOpGeneric(c, 2, SetOp.Diff, store: true, cardinalityOnly: false));
        t.Add("zunion", -3, ReadOnly, 0, 0, 0, static c => SetOpGeneric(c, 1, SetOp.Union, store: false, cardinalityOnly: false));
        t.Add("zinter", -3, ReadOnly, 0, 0, 0, static c => SetOpGeneric(c, 1, SetOp.Inter, store: false, cardinalityOnly: false));
        t.Add("zdiff", -3, ReadOnly, 0, 0, 0, static c => SetOpGeneric(c, 1, SetOp.Diff, store: false, cardinalityOnly: false));
        t.Add("zintercard", -3, ReadOnly, 0, 0, 0, static c => SetOpGeneric(c, 1, SetOp.Inter, store: false, cardinalityOnly: true));
    }

    // Redis's zunionInterDiffGenericCommand.
    private static void SetOpGeneric(CommandContext c, int numKeysIndex, SetOp op, bool store, bool cardinalityOnly)
    {
        long numKeys = c.Long(numKeysIndex);
        if (numKeys < 1)
            Errors.Throw($"ERR at least 1 input key is needed for '{c.Command.Name}' command");
        if (numKeys > c.Count - (numKeysIndex + 1))
            Errors.ThrowSyntax();

        var sources = new Source[numKeys];
        int j = numKeysIndex + 1;
        for (int i = 0; i < numKeys; i++, j++)
        {
            object? value = store ? c.Db.LookupWrite(c[j]) : c.Db.Lookup(c[j]);
            sources[i] = value switch
            {
                null => new Source(null, null, null, 1),
                RedisZSet z => new Source(z, null, null, 1),
                IRedisObject { TypeName: "set" } and ISortable s => PlainSource(s),
                _ => throw new CommandException(Errors.WrongType),
            };
        }

        var aggregate = Aggregate.Sum;
        bool withScores = false;
        long limit = 0;
        while (j < c.Count)
        {
            int remaining = c.Count - j;
            if (op != SetOp.Diff && !cardinalityOnly && remaining >= numKeys + 1 && c.Is(j, "WEIGHTS"u8))
            {
                j++;
                for (int i = 0; i < numKeys; i++, j++)
                {
                    if (!ScoreParser.TryParseScore(c[j], out double weight))
                        Errors.Throw("ERR weight value is not a float");
                    sources[i] = sources[i] with { Weight = weight };
                }
            }
            else if (op != SetOp.Diff && !cardinalityOnly && remaining >= 2 && c.Is(j, "AGGREGATE"u8))
            {
                j++;
                if (c.Is(j, "SUM"u8))
                    aggregate = Aggregate.Sum;
                else if (c.Is(j, "MIN"u8))
                    aggregate = Aggregate.Min;
                else if (c.Is(j, "MAX"u8))
                    aggregate = Aggregate.Max;
                else
                    Errors.ThrowSyntax();
                j++;
            }
            else if (!store && !cardinalityOnly && c.Is(j, "WITHSCORES"u8))
            {
                j++;
                withScores = true;
            }
            else if (cardinalityOnly && remaining >= 2 && c.Is(j, "LIMIT"u8))
            {
                j++;
                if (!CommandContext.TryParseLong(c[j], out limit) || limit < 0)
                    Errors.Throw("ERR LIMIT can't be negative");
                j++;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        List<SortedSetEntry> result = op switch
        {
            SetOp.Union => Union(sources, aggregate),
            SetOp.Inter => Inter(sources, aggregate, cardinalityOnly ? limit : 0),
            _ => Diff(sources),
        };

        if (cardinalityOnly)
        {
            c.Reply.Integer(result.Count);
            return;
        }

        if (store)
        {
            string eventName = op switch
            {
                SetOp.Union => "zunionstore",
                SetOp.Inter => "zinterstore",
                _ => "zdiffstore",
            };
            Store(c, c[1], result, eventName, incremental: false);
            return;
        }

        WriteEntriesHeader(c.Reply, result.Count, withScores);
        foreach (SortedSetEntry e in result)
            WriteEntry(c.Reply, e, withScores);
    }

    private static IEnumerable<SortedSetEntry> Entries(Source source)
    {
        if (source.ZSet is not null)
        {
            foreach (SortedSetEntry e in source.ZSet.Set)
                yield return e;
        }
        else if (source.Plain is not null)
        {
            foreach (byte[] m in source.Plain)
                yield return new SortedSetEntry(m, 1);
        }
    }

    // zunionInterAggregate: a NaN sum (inf + -inf) becomes 0.
    private static double Combine(double target, double value, Aggregate aggregate)
    {
        switch (aggregate)
        {
            case Aggregate.Sum:
                double sum = target + value;
                return double.IsNaN(sum) ? 0 : sum;
            case Aggregate.Min:
                return value < target ? value : target;
            default:
                return value > target ? value : target;
        }
    }

    private static double Weighted(double score, double weight)
    {
        double v = weight * score;
        return double.IsNaN(v) ? 0 : v;
    }

    // Redis sorts the inputs by size (smallest first) for union and intersection.
    private static Source[] BySize(Source[] sources)
    {
        var sorted = (Source[])sources.Clone();
        Array.Sort(sorted, static (a, b) => a.Count.CompareTo(b.Count));
        return sorted;
    }

    private static List<SortedSetEntry> Union(Source[] sources, Aggregate aggregate)
    {
        var scores = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        foreach (Source source in BySize(sources))
        {
            foreach (SortedSetEntry e in Entries(source))
            {
                double value = Weighted(e.Score, source.Weight);
                scores[e.Member] = scores.TryGetValue(e.Member, out double current) ? Combine(current, value, aggregate) : value;
            }
        }

        return Sorted(scores);
    }

    private static List<SortedSetEntry> Inter(Source[] sources, Aggregate aggregate, long limit)
    {
        Source[] sorted = BySize(sources);
        var scores = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        if (sorted[0].Count == 0)
            return [];
        foreach (SortedSetEntry e in Entries(sorted[0]))
        {
            double score = Weighted(e.Score, sorted[0].Weight);
            bool inAll = true;
            for (int i = 1; i < sorted.Length; i++)
            {
                if (!sorted[i].TryGetScore(e.Member, out double other))
                {
                    inAll = false;
                    break;
                }

                score = Combine(score, Weighted(other, sorted[i].Weight), aggregate);
            }

            if (!inAll)
                continue;
            scores[e.Member] = score;
            if (limit > 0 && scores.Count >= limit)
                break;
        }

        return Sorted(scores);
    }

    private static List<SortedSetEntry> Diff(Source[] sources)
    {
        var scores = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        foreach (SortedSetEntry e in Entries(sources[0]))
        {
            bool elsewhere = false;
            for (int i = 1; i < sources.Length && !elsewhere; i++)
                elsewhere = sources[i].TryGetScore(e.Member, out _);
            if (!elsewhere)
                scores[e.Member] = e.Score;
        }

        return Sorted(scores);
    }

    private static List<SortedSetEntry> Sorted(Dictionary<byte[], double> scores)
    {
        var list = new List<SortedSetEntry>(scores.Count);
        foreach (KeyValuePair<byte[], double> kv in scores)
            list.Add(new SortedSetEntry(kv.Key, kv.Value));
        list.Sort(static (a, b) =>
        {
            int cmp = a.Score.CompareTo(b.Score);
            return cmp != 0 ? cmp : a.Member.AsSpan().SequenceCompareTo(b.Member);
        });
        return list;
    }
}
