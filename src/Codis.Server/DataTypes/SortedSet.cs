using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Node = Codis.Server.DataTypes.SortedSet.Level[];

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
    private readonly Node _header = NewNode(MaxLevel, [], 0);
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
        ref double stored = ref CollectionsMarshal.GetValueRefOrNullRef(_lookup, member);
        if (!Unsafe.IsNullRef(ref stored))
        {
            double current = stored;
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
            stored = score;
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
        Array.Clear(_header, 2, MaxLevel);
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

    // A node is one array so that all its levels sit next to its score, as in Redis's node with its inline
    // level array: a search hop then reads one object, where a node object with a separate array of upper
    // levels cost two cache misses per hop (the skiplist walks were over half of ZADD's time).
    // Cells: [0] member and score, [1] backward link, [2 + i] level i (forward link and span).
    private static Node NewNode(int levels, byte[] member, double score)
    {
        var node = new Level[levels + 2];
        node[0].Link = member;
        node[0].Span = BitConverter.DoubleToInt64Bits(score);
        return node;
    }

    /// <summary>One cell of a node: a link and a number (see <see cref="NewNode"/>).</summary>
    internal struct Level
    {
        public object? Link;
        public long Span;

        public Node? Forward
        {
            readonly get => Unsafe.As<Node>(Link);
            set => Link = value;
        }
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

    private void Insert(byte[] member, double score) => Link(NewNode(RandomLevel(), member, score));

    // zslInsert for a node already built (new, or unlinked by a score update): its level count stays, which
    // keeps the levels' distribution, and a score update allocates nothing.
    private void Link(Node node)
    {
        double score = node.Score;
        ReadOnlySpan<byte> member = node.Member;
        int level = node.Length - 2;
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

    // Moves the member's node to its new score in the skiplist (the caller updates the dictionary).
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
        Node? before = node.Backward;
        if ((before is null || before.Score < newScore
                || (before.Score == newScore && before.Member.AsSpan().SequenceCompareTo(node.Member) < 0))
            && (node.Level(0).Forward is not { } after || after.Score > newScore
                || (after.Score == newScore && after.Member.AsSpan().SequenceCompareTo(node.Member) > 0)))
        {
            node.Score = newScore;
        }
        else
        {
            DeleteNode(node, ref update);
            node.Score = newScore;
            Link(node);
        }
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

/// <summary>
/// Reads a skiplist node (an array of <see cref="SortedSet.Level"/> cells) by name; the cells are read without
/// bounds checks because a node's length is fixed at creation and every index is below its level count.
/// </summary>
internal static class SkipListNode
{
    extension(SortedSet.Level[] node)
    {
        public byte[] Member => Unsafe.As<byte[]>(node.Cell(0).Link)!;

        public double Score
        {
            get => BitConverter.Int64BitsToDouble(node.Cell(0).Span);
            set => node.Cell(0).Span = BitConverter.DoubleToInt64Bits(value);
        }

        public SortedSet.Level[]? Backward
        {
            get => Unsafe.As<SortedSet.Level[]>(node.Cell(1).Link);
            set => node.Cell(1).Link = value;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref SortedSet.Level Level(int i) => ref node.Cell(i + 2);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref SortedSet.Level Cell(int i) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(node), i);
    }
}
