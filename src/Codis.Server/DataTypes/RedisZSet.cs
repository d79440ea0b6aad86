using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// The stored sorted-set value. The data always lives in a <see cref="SortedSet"/>; what Redis 7.0's
/// two encodings change visibly is tracked here: OBJECT ENCODING ("listpack" until the set grows past
/// <c>zset-max-listpack-entries</c> or receives a member longer than <c>zset-max-listpack-value</c>,
/// then "skiplist" for good) and the fact that a listpack stores a score of -0 as 0 while the
/// skiplist keeps the sign.
/// </summary>
public sealed class RedisZSet : IRedisObject, ISortable
{
    private readonly SortedSet _set;
    private bool _skiplist;

    /// <summary>Creates an empty set in the listpack form.</summary>
    public RedisZSet()
        : this(new SortedSet(), false)
    {
    }

    private RedisZSet(SortedSet set, bool skiplist)
    {
        _set = set;
        _skiplist = skiplist;
    }

    /// <inheritdoc/>
    public string TypeName => "zset";

    /// <inheritdoc/>
    public string Encoding => _skiplist ? "skiplist" : "listpack";

    /// <summary>True while the set is in the listpack form.</summary>
    public bool IsListpack => !_skiplist;

    /// <summary>Number of members.</summary>
    public int Count => _set.Count;

    /// <summary>
    /// The entries, for reading and for removals (ZREM, pops, range removals never change the
    /// encoding). Add members through <see cref="Add"/> so the encoding and -0 rules hold.
    /// </summary>
    public SortedSet Set => _set;

    /// <summary>
    /// ZADD / ZINCRBY for one member. <paramref name="newScore"/> is the score as Redis replies it
    /// (ZADD INCR of -0 on a new member replies "-0" even though a listpack stores 0). Converts to the
    /// skiplist form when a new member exceeds the thresholds.
    /// </summary>
    public ZAddOutcome Add(ReadOnlySpan<byte> member, double score, ZAddFlags flags, int maxEntries, int maxValue, out double newScore)
    {
        // Redis converts before inserting a member that would break the limits, so that member's -0
        // already lands in the skiplist and keeps its sign.
        if (!_skiplist && (flags & ZAddFlags.Xx) == 0 && (_set.Count + 1 > maxEntries || member.Length > maxValue)
            && !_set.Contains(member))
            _skiplist = true;
        bool negativeZero = !_skiplist && score == 0 && double.IsNegative(score);
        ZAddOutcome outcome = _set.Add(member, negativeZero ? 0.0 : score, flags, out newScore);
        if (outcome == ZAddOutcome.Added && negativeZero)
            newScore = score;
        return outcome;
    }

    /// <summary>
    /// An empty set in the skiplist form (async migration creates sorted sets in Redis's big encoding,
    /// whatever their size).
    /// </summary>
    public static RedisZSet CreateSkiplist() => new(new SortedSet(), true);

    /// <summary>Removes <paramref name="member"/>; true when it was there.</summary>
    public bool Remove(ReadOnlySpan<byte> member) => _set.Remove(member);

    /// <summary>
    /// Builds the value a store command writes. ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE build a skiplist
    /// and convert it to a listpack when it fits the thresholds (<paramref name="incremental"/> false);
    /// ZRANGESTORE creates the destination by the result's length and then adds the entries one by one,
    /// converting when a member outgrows the value limit (<paramref name="incremental"/> true), so only the
    /// entries added before that lose a -0 sign.
    /// Members must be distinct.
    /// </summary>
    public static RedisZSet FromEntries(IReadOnlyList<SortedSetEntry> entries, int maxEntries, int maxValue, bool incremental)
    {
        // Both forms size the destination by the result's length up front (zsetTypeCreate with a size
        // hint); only the store-at-once form also looks at the longest member before adding.
        bool skiplist = entries.Count > maxEntries;
        if (!incremental)
        {
            for (int i = 0; i < entries.Count && !skiplist; i++)
                skiplist = entries[i].Member.Length > maxValue;
        }

        var set = new SortedSet();
        foreach (SortedSetEntry e in entries)
        {
            if (incremental && !skiplist && (set.Count + 1 > maxEntries || e.Member.Length > maxValue))
                skiplist = true;
            set.Set(e.Member, !skiplist && e.Score == 0 ? 0.0 : e.Score);
        }

        return new RedisZSet(set, skiplist);
    }

    /// <summary>The members in rank order (SORT, and SORT ... BY nosort keeps this order).</summary>
    public IEnumerable<byte[]> SortElements()
    {
        foreach (SortedSetEntry e in _set)
            yield return e.Member;
    }

    /// <inheritdoc/>
    public IRedisObject DeepCopy()
    {
        var copy = new SortedSet();
        foreach (SortedSetEntry e in _set)
            copy.Set(e.Member, e.Score);
        return new RedisZSet(copy, _skiplist);
    }

    /// <inheritdoc/>
    public long MemoryUsage()
    {
        long total = 64;
        foreach (SortedSetEntry e in _set)
            total += _skiplist ? 96 + e.Member.Length : 12 + e.Member.Length;
        return total;
    }
}
