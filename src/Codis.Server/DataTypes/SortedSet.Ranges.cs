using Node = Codis.Server.DataTypes.SortedSet.Level[];

namespace Codis.Server.DataTypes;

public sealed partial class SortedSet
{
    /// <summary>
    /// ZRANGE by index: <paramref name="start"/> and <paramref name="stop"/> are inclusive and may be
    /// negative (counted from the end), normalised as Redis does; with <paramref name="reverse"/> the
    /// indexes count from the highest score.
    /// </summary>
    public SortedSetRange RangeByRank(long start, long stop, bool reverse = false)
    {
        if (!NormalizeRankRange(ref start, ref stop))
            return default;
        Node? first = NodeAtRank(reverse ? _length - start : start + 1);
        return new SortedSetRange(first, stop - start + 1, reverse);
    }

    /// <summary>
    /// ZRANGEBYSCORE / ZREVRANGEBYSCORE with LIMIT: entries whose score is in <paramref name="range"/>,
    /// skipping <paramref name="offset"/> (negative: nothing) and taking at most
    /// <paramref name="limit"/> (negative: all).
    /// </summary>
    public SortedSetRange RangeByScore(ScoreRange range, bool reverse = false, long offset = 0, long limit = -1)
    {
        Node? first = FirstInScoreRange(range, out long firstRank);
        if (first is null)
            return default;
        Node last = LastInScoreRange(range, out long lastRank)!;
        return Slice(first, firstRank, last, lastRank, reverse, offset, limit);
    }

    /// <summary>ZRANGEBYLEX / ZREVRANGEBYLEX with LIMIT; meaningful when all scores are equal.</summary>
    public SortedSetRange RangeByLex(LexRange range, bool reverse = false, long offset = 0, long limit = -1)
    {
        Node? first = FirstInLexRange(range, out long firstRank);
        if (first is null)
            return default;
        Node? last = LastInLexRange(range, out long lastRank);
        if (last is null)
            return default;
        return Slice(first, firstRank, last, lastRank, reverse, offset, limit);
    }

    /// <summary>ZCOUNT in O(log n).</summary>
    public long CountInScoreRange(ScoreRange range)
    {
        if (FirstInScoreRange(range, out long firstRank) is null)
            return 0;
        LastInScoreRange(range, out long lastRank);
        return lastRank - firstRank + 1;
    }

    /// <summary>ZLEXCOUNT in O(log n).</summary>
    public long CountInLexRange(LexRange range)
    {
        if (FirstInLexRange(range, out long firstRank) is null || LastInLexRange(range, out long lastRank) is null)
            return 0;
        return Math.Max(0, lastRank - firstRank + 1);
    }

    /// <summary>ZREMRANGEBYRANK with Redis's index normalisation; returns how many were removed.</summary>
    public long RemoveRangeByRank(long start, long stop)
    {
        if (!NormalizeRankRange(ref start, ref stop))
            return 0;
        // zslDeleteRangeByRank works with 1-based ranks.
        long from = start + 1, to = stop + 1;
        var update = new NodePath();
        long traversed = 0;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && traversed + x.Level(i).Span < from)
            {
                traversed += x.Level(i).Span;
                x = next;
            }

            update[i] = x;
        }

        traversed++;
        Node? node = x.Level(0).Forward;
        long removed = 0;
        while (node is not null && traversed <= to)
        {
            Node? next = node.Level(0).Forward;
            DeleteNode(node, ref update);
            _dict.Remove(node.Member);
            removed++;
            traversed++;
            node = next;
        }

        return removed;
    }

    /// <summary>ZREMRANGEBYSCORE; returns how many were removed.</summary>
    public long RemoveRangeByScore(ScoreRange range)
    {
        var update = new NodePath();
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && !range.IsAboveMin(next.Score))
                x = next;
            update[i] = x;
        }

        Node? node = x.Level(0).Forward;
        long removed = 0;
        while (node is not null && range.IsBelowMax(node.Score))
        {
            Node? next = node.Level(0).Forward;
            DeleteNode(node, ref update);
            _dict.Remove(node.Member);
            removed++;
            node = next;
        }

        return removed;
    }

    /// <summary>ZREMRANGEBYLEX; returns how many were removed.</summary>
    public long RemoveRangeByLex(LexRange range)
    {
        var update = new NodePath();
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && !range.IsAboveMin(next.Member))
                x = next;
            update[i] = x;
        }

        Node? node = x.Level(0).Forward;
        long removed = 0;
        while (node is not null && range.IsBelowMax(node.Member))
        {
            Node? next = node.Level(0).Forward;
            DeleteNode(node, ref update);
            _dict.Remove(node.Member);
            removed++;
            node = next;
        }

        return removed;
    }

    /// <summary>A uniformly chosen entry; the set must not be empty.</summary>
    public SortedSetEntry GetRandom(Random random)
    {
        if (_length == 0)
            throw EmptySet();
        return Entry(NodeAtRank(random.NextInt64(_length) + 1)!);
    }

    /// <summary>
    /// ZRANDMEMBER with a count: a negative <paramref name="count"/> picks |count| entries that may
    /// repeat; a positive one picks min(count, Count) distinct entries. Redis does not define the order.
    /// </summary>
    public void GetRandomEntries(long count, Random random, List<SortedSetEntry> results)
    {
        if (_length == 0 || count == 0)
            return;
        if (count < 0)
        {
            for (long i = 0; i < -count; i++)
                results.Add(GetRandom(random));
            return;
        }

        if (count >= _length)
        {
            foreach (var entry in this)
                results.Add(entry);
            return;
        }

        // Partial Fisher–Yates over ranks, sparse so it costs O(count) memory.
        var swapped = new Dictionary<long, long>();
        for (long i = 0; i < count; i++)
        {
            long j = i + random.NextInt64(_length - i);
            long atJ = swapped.TryGetValue(j, out long vj) ? vj : j;
            long atI = swapped.TryGetValue(i, out long vi) ? vi : i;
            swapped[j] = atI;
            results.Add(Entry(NodeAtRank(atJ + 1)!));
        }
    }

    private bool NormalizeRankRange(ref long start, ref long stop)
    {
        long length = _length;
        if (start < 0)
            start += length;
        if (stop < 0)
            stop += length;
        if (start < 0)
            start = 0;
        if (start > stop || start >= length)
            return false;
        if (stop >= length)
            stop = length - 1;
        return true;
    }

    private SortedSetRange Slice(Node first, long firstRank, Node last, long lastRank, bool reverse, long offset, long limit)
    {
        long total = lastRank - firstRank + 1;
        if (offset < 0 || offset >= total || limit == 0)
            return default;
        long count = total - offset;
        if (limit > 0 && limit < count)
            count = limit;
        Node? start = reverse
            ? (offset == 0 ? last : NodeAtRank(lastRank - offset))
            : (offset == 0 ? first : NodeAtRank(firstRank + offset));
        return new SortedSetRange(start, count, reverse);
    }

    private Node? FirstInScoreRange(ScoreRange range, out long rank)
    {
        rank = 0;
        if (range.IsEmpty || _tail is null || !range.IsAboveMin(_tail.Score) || !range.IsBelowMax(_header.Level(0).Forward!.Score))
            return null;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && !range.IsAboveMin(next.Score))
            {
                rank += x.Level(i).Span;
                x = next;
            }
        }

        Node node = x.Level(0).Forward!;
        rank++;
        return range.IsBelowMax(node.Score) ? node : null;
    }

    private Node? LastInScoreRange(ScoreRange range, out long rank)
    {
        rank = 0;
        if (range.IsEmpty || _tail is null || !range.IsAboveMin(_tail.Score) || !range.IsBelowMax(_header.Level(0).Forward!.Score))
            return null;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && range.IsBelowMax(next.Score))
            {
                rank += x.Level(i).Span;
                x = next;
            }
        }

        return range.IsAboveMin(x.Score) ? x : null;
    }

    private Node? FirstInLexRange(LexRange range, out long rank)
    {
        rank = 0;
        if (range.IsEmpty || _tail is null || !range.IsAboveMin(_tail.Member) || !range.IsBelowMax(_header.Level(0).Forward!.Member))
            return null;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && !range.IsAboveMin(next.Member))
            {
                rank += x.Level(i).Span;
                x = next;
            }
        }

        Node? node = x.Level(0).Forward;
        rank++;
        return node is not null && range.IsBelowMax(node.Member) ? node : null;
    }

    private Node? LastInLexRange(LexRange range, out long rank)
    {
        rank = 0;
        if (range.IsEmpty || _tail is null || !range.IsAboveMin(_tail.Member) || !range.IsBelowMax(_header.Level(0).Forward!.Member))
            return null;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && range.IsBelowMax(next.Member))
            {
                rank += x.Level(i).Span;
                x = next;
            }
        }

        return x != _header && range.IsAboveMin(x.Member) ? x : null;
    }
}
