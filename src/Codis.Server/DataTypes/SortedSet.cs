using System.Runtime.CompilerServices;

namespace Codis.Server.DataTypes;

/// <summary>
/// The ZSET value: a skiplist with spans ordered by (score, member bytes) for rank and range queries
/// in O(log n), plus a member → score dictionary for O(1) lookups, as in Redis's <c>t_zset.c</c>.
/// Not thread-safe; enumerators are invalidated by any modification.
/// </summary>
public sealed partial class SortedSet
{
    private const int MaxLevel = 32;

    private readonly Dictionary<byte[], double> _dict;
    private readonly Dictionary<byte[], double>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly Node _header = new(MaxLevel, [], 0);
    private Node? _tail;
    private int _level = 1;

    /// <summary>Creates an empty sorted set.</summary>
    public SortedSet()
    {
        _dict = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        _lookup = _dict.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Number of members.</summary>
    public int Count => _dict.Count;

    /// <summary>The lowest entry; the set must not be empty.</summary>
    public SortedSetEntry First => Entry(_header.Level(0).Forward ?? throw EmptySet());

    /// <summary>The highest entry; the set must not be empty.</summary>
    public SortedSetEntry Last => Entry(_tail ?? throw EmptySet());

    /// <summary>Looks up the score of <paramref name="member"/> without allocating.</summary>
    public bool TryGetScore(ReadOnlySpan<byte> member, out double score) => _lookup.TryGetValue(member, out score);

    /// <summary>True when <paramref name="member"/> is in the set.</summary>
    public bool Contains(ReadOnlySpan<byte> member) => _lookup.ContainsKey(member);

    /// <summary>
    /// ZADD for one member with Redis's <c>zsetAdd</c> semantics. <paramref name="newScore"/> is the
    /// member's score afterwards when the outcome is Added, Updated or Unchanged.
    /// </summary>
    public ZAddOutcome Add(ReadOnlySpan<byte> member, double score, ZAddFlags flags, out double newScore)
    {
        newScore = double.NaN;
        if (double.IsNaN(score))
            return ZAddOutcome.NotANumber;
        if (_lookup.TryGetValue(member, out double current))
        {
            if ((flags & ZAddFlags.Nx) != 0)
                return ZAddOutcome.Skipped;
            if ((flags & ZAddFlags.Incr) != 0)
            {
                score += current;
                if (double.IsNaN(score))
                    return ZAddOutcome.NotANumber;
            }

            if (((flags & ZAddFlags.Lt) != 0 && score >= current) || ((flags & ZAddFlags.Gt) != 0 && score <= current))
                return ZAddOutcome.Skipped;
            newScore = score;
            if (score == current)
                return ZAddOutcome.Unchanged;
            UpdateScore(member, current, score);
            return ZAddOutcome.Updated;
        }

        if ((flags & ZAddFlags.Xx) != 0)
            return ZAddOutcome.Skipped;
        byte[] copy = member.ToArray();
        Insert(copy, score);
        _dict.Add(copy, score);
        newScore = score;
        return ZAddOutcome.Added;
    }

    /// <summary>Adds or updates <paramref name="member"/> unconditionally; true when it was new.</summary>
    public bool Set(ReadOnlySpan<byte> member, double score)
    {
        var outcome = Add(member, score, ZAddFlags.None, out _);
        if (outcome == ZAddOutcome.NotANumber)
            throw new ArgumentOutOfRangeException(nameof(score), "A sorted set score cannot be NaN.");
        return outcome == ZAddOutcome.Added;
    }

    /// <summary>ZINCRBY: adds <paramref name="increment"/> to the score (0 when absent).</summary>
    public ZAddOutcome IncrBy(ReadOnlySpan<byte> member, double increment, out double newScore) =>
        Add(member, increment, ZAddFlags.Incr, out newScore);

    /// <summary>ZREM for one member; true when it was present.</summary>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (!_lookup.Remove(member, out byte[]? stored, out double score))
            return false;
        DeleteFromList(stored, score);
        return true;
    }

    /// <summary>
    /// ZRANK / ZREVRANK: the 0-based rank of <paramref name="member"/>, or -1 when it is absent.
    /// </summary>
    public long GetRank(ReadOnlySpan<byte> member, bool reverse = false)
    {
        if (!_lookup.TryGetValue(member, out double score))
            return -1;
        long rank = RankOf(score, member);
        return reverse ? Count - rank : rank - 1;
    }

    /// <summary>The entry at 0-based <paramref name="rank"/> in ascending (or descending) order.</summary>
    public SortedSetEntry GetByRank(long rank, bool reverse = false)
    {
        if ((ulong)rank >= (ulong)Count)
            throw new ArgumentOutOfRangeException(nameof(rank));
        return Entry(NodeAtRank(reverse ? Count - rank : rank + 1)!);
    }

    /// <summary>ZPOPMIN of one entry.</summary>
    public bool TryPopMin(out SortedSetEntry entry) => TryPop(_header.Level(0).Forward, out entry);

    /// <summary>ZPOPMAX of one entry.</summary>
    public bool TryPopMax(out SortedSetEntry entry) => TryPop(_tail, out entry);

    /// <summary>Removes every member.</summary>
    public void Clear()
    {
        _dict.Clear();
        _header.ClearLevels();
        _tail = null;
        _level = 1;
        _length = 0;
    }

    /// <summary>Ascending enumeration of every entry.</summary>
    public SortedSetRange.Enumerator GetEnumerator() => new SortedSetRange(_header.Level(0).Forward, _length, false).GetEnumerator();

    /// <summary>Descending enumeration of every entry.</summary>
    public SortedSetRange Reverse() => new(_tail, _length, true);

    private bool TryPop(Node? node, out SortedSetEntry entry)
    {
        if (node is null)
        {
            entry = default;
            return false;
        }

        entry = Entry(node);
        _dict.Remove(node.Member);
        DeleteFromList(node.Member, node.Score);
        return true;
    }

    private static SortedSetEntry Entry(Node node) => new(node.Member, node.Score);

    private static InvalidOperationException EmptySet() => new("The sorted set is empty.");

    // ---- skiplist (zslInsert, zslDelete, zslGetRank, zslGetElementByRank) ----

    private long _length;

    [InlineArray(MaxLevel)]
    private struct NodePath
    {
        private Node _element;
    }

    // The two lowest levels live inside the node: three nodes in four have one level and most hops of a
    // search are on the lowest levels, so a hop reads one object instead of a node and its level array
    // (Redis's node carries its levels inline too). Higher levels are in a separate array.
    internal sealed class Node(int levels, byte[] member, double score)
    {
        public readonly byte[] Member = member;
        public double Score = score;
        public Node? Backward;
        private Level _level0;
        private Level _level1;
        private readonly Level[]? _upper = levels > 2 ? new Level[levels - 2] : null;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref Level Level(int i) => ref i == 0 ? ref _level0 : ref (i == 1 ? ref _level1 : ref _upper![i - 2]);

        public void ClearLevels()
        {
            _level0 = default;
            _level1 = default;
            if (_upper is not null)
                Array.Clear(_upper);
        }
    }

    internal struct Level
    {
        public Node? Forward;
        public long Span;
    }

    // (score, member) ordering with memcmp-then-length member comparison, as sdscmp.
    private static bool Precedes(Node node, double score, ReadOnlySpan<byte> member) =>
        node.Score < score || (node.Score == score && node.Member.AsSpan().SequenceCompareTo(member) < 0);

    private static int RandomLevel()
    {
        // Redis: each extra level with probability 1/4.
        int level = 1;
        while (level < MaxLevel && (Random.Shared.Next() & 0xFFFF) < 0x4000)
            level++;
        return level;
    }

    private Node Insert(byte[] member, double score)
    {
        var update = new NodePath();
        Span<long> rank = stackalloc long[MaxLevel];
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            rank[i] = i == _level - 1 ? 0 : rank[i + 1];
            while (x.Level(i).Forward is { } next && Precedes(next, score, member))
            {
                rank[i] += x.Level(i).Span;
                x = next;
            }

            update[i] = x;
        }

        int level = RandomLevel();
        if (level > _level)
        {
            for (int i = _level; i < level; i++)
            {
                rank[i] = 0;
                update[i] = _header;
                _header.Level(i).Span = _length;
            }

            _level = level;
        }

        var node = new Node(level, member, score);
        for (int i = 0; i < level; i++)
        {
            ref Level prev = ref update[i].Level(i);
            node.Level(i).Forward = prev.Forward;
            prev.Forward = node;
            node.Level(i).Span = prev.Span - (rank[0] - rank[i]);
            prev.Span = rank[0] - rank[i] + 1;
        }

        for (int i = level; i < _level; i++)
            update[i].Level(i).Span++;
        node.Backward = update[0] == _header ? null : update[0];
        if (node.Level(0).Forward is { } after)
            after.Backward = node;
        else
            _tail = node;
        _length++;
        return node;
    }

    private void DeleteNode(Node node, ref NodePath update)
    {
        for (int i = 0; i < _level; i++)
        {
            ref Level prev = ref update[i].Level(i);
            if (prev.Forward == node)
            {
                prev.Span += node.Level(i).Span - 1;
                prev.Forward = node.Level(i).Forward;
            }
            else
            {
                prev.Span--;
            }
        }

        if (node.Level(0).Forward is { } after)
            after.Backward = node.Backward;
        else
            _tail = node.Backward;
        while (_level > 1 && _header.Level(_level - 1).Forward is null)
            _level--;
        _length--;
    }

    private void DeleteFromList(ReadOnlySpan<byte> member, double score)
    {
        var update = new NodePath();
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && Precedes(next, score, member))
                x = next;
            update[i] = x;
        }

        Node? target = x.Level(0).Forward;
        if (target is null || target.Score != score || !target.Member.AsSpan().SequenceEqual(member))
            throw new InvalidOperationException("Sorted set dictionary and skiplist disagree.");
        DeleteNode(target, ref update);
    }

    private void UpdateScore(ReadOnlySpan<byte> member, double oldScore, double newScore)
    {
        var update = new NodePath();
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && Precedes(next, oldScore, member))
                x = next;
            update[i] = x;
        }

        Node node = x.Level(0).Forward!;
        // Still in order with its neighbours: change the score in place, as zslUpdateScore does.
        if ((node.Backward is null || node.Backward.Score < newScore
                || (node.Backward.Score == newScore && node.Backward.Member.AsSpan().SequenceCompareTo(node.Member) < 0))
            && (node.Level(0).Forward is not { } after || after.Score > newScore
                || (after.Score == newScore && after.Member.AsSpan().SequenceCompareTo(node.Member) > 0)))
        {
            node.Score = newScore;
        }
        else
        {
            DeleteNode(node, ref update);
            Insert(node.Member, newScore);
        }

        _dict[node.Member] = newScore;
    }

    // 1-based rank of the node holding (score, member), 0 when absent.
    private long RankOf(double score, ReadOnlySpan<byte> member)
    {
        long rank = 0;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next
                   && (next.Score < score || (next.Score == score && next.Member.AsSpan().SequenceCompareTo(member) <= 0)))
            {
                rank += x.Level(i).Span;
                x = next;
            }

            if (x != _header && x.Score == score && x.Member.AsSpan().SequenceEqual(member))
                return rank;
        }

        return 0;
    }

    // Node at 1-based rank, null when out of range.
    private Node? NodeAtRank(long rank)
    {
        long traversed = 0;
        Node x = _header;
        for (int i = _level - 1; i >= 0; i--)
        {
            while (x.Level(i).Forward is { } next && traversed + x.Level(i).Span <= rank)
            {
                traversed += x.Level(i).Span;
                x = next;
            }

            if (traversed == rank)
                return x == _header ? null : x;
        }

        return null;
    }
}
