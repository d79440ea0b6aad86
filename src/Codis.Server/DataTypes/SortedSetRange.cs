using Node = Codis.Server.DataTypes.SortedSet.Level[];

namespace Codis.Server.DataTypes;

/// <summary>
/// A run of consecutive entries of a <see cref="SortedSet"/>, ascending or descending, produced by the
/// range queries. Enumerating it does not allocate; it is invalid once the set is modified.
/// </summary>
public readonly struct SortedSetRange
{
    private readonly Node? _start;

    internal SortedSetRange(Node? start, long count, bool reverse)
    {
        _start = count > 0 ? start : null;
        Count = _start is null ? 0 : count;
        IsReverse = reverse;
    }

    /// <summary>Number of entries in the run.</summary>
    public long Count { get; }

    /// <summary>True when the entries come in descending order.</summary>
    public bool IsReverse { get; }

    /// <summary>Returns the struct enumerator.</summary>
    public Enumerator GetEnumerator() => new(_start, Count, IsReverse);

    /// <summary>Copies the run into a new list (for tests and non-hot paths).</summary>
    public List<SortedSetEntry> ToList()
    {
        var list = new List<SortedSetEntry>((int)Math.Min(Count, 1 << 20));
        foreach (var entry in this)
            list.Add(entry);
        return list;
    }

    /// <summary>Walks the run.</summary>
    public struct Enumerator
    {
        private Node? _next;
        private long _remaining;
        private readonly bool _reverse;

        internal Enumerator(Node? start, long count, bool reverse)
        {
            _next = start;
            _remaining = count;
            _reverse = reverse;
            Current = default;
        }

        /// <summary>The entry at the current position.</summary>
        public SortedSetEntry Current { get; private set; }

        /// <summary>Advances; false at the end of the run.</summary>
        public bool MoveNext()
        {
            if (_remaining <= 0 || _next is null)
                return false;
            Current = new SortedSetEntry(_next.Member, _next.Score);
            _next = _reverse ? _next.Backward : _next.Level(0).Forward;
            _remaining--;
            return true;
        }
    }
}
