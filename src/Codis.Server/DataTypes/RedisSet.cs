using System.Buffers.Text;
using Codis.Core.Resp;
using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// A set value with Redis 7.0's two encodings. While every member is the canonical text of a 64-bit
/// integer and there are at most <c>set-max-intset-entries</c> of them, the set is an "intset": a sorted
/// array of longs (so SMEMBERS and SSCAN list it in ascending numeric order, as Redis does). The first
/// other member, or one member too many, converts it to a "hashtable" for good. The hash-table form is a
/// <see cref="KeyTable{TValue}"/> rather than a HashSet: it offers Redis's reverse-binary scan cursor
/// (SSCAN guarantees across resizes) and O(1) random members (SPOP, SRANDMEMBER).
/// </summary>
public sealed class RedisSet : IRedisObject, ISortable
{
    private long[] _ints = [];
    private int _intCount;
    private KeyTable<byte>? _table;

    /// <inheritdoc/>
    public string TypeName => "set";

    /// <inheritdoc/>
    public string Encoding => _table is null ? "intset" : "hashtable";

    /// <summary>True while the set is in the intset form.</summary>
    public bool IsIntset => _table is null;

    /// <summary>Number of members.</summary>
    public int Count => _table?.Count ?? _intCount;

    /// <summary>
    /// True when <paramref name="member"/> can live in an intset (Redis's string2ll: canonical decimal,
    /// no sign '+', no leading zeros, fits 64 bits).
    /// </summary>
    public static bool TryParseMember(ReadOnlySpan<byte> member, out long value) => RequestParser.TryParseLong(member, out value);

    /// <summary>
    /// Adds <paramref name="member"/>; true when it was not already there. Converts to the hash-table
    /// form when the member is not an integer or the intset grows beyond <paramref name="maxIntsetEntries"/>.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> member, int maxIntsetEntries)
    {
        if (_table is null)
        {
            if (TryParseMember(member, out long v))
            {
                int i = IntIndex(v);
                if (i >= 0)
                    return false;
                InsertInt(~i, v);
                if (_intCount > maxIntsetEntries)
                    ConvertToTable();
                return true;
            }
            ConvertToTable();
        }
        _table!.GetOrAdd(member, null, out bool added);
        return added;
    }

    /// <summary>Adds a member given as an array (stored as is in the hash-table form).</summary>
    public bool Add(byte[] member, int maxIntsetEntries)
    {
        if (_table is null)
            return Add(member.AsSpan(), maxIntsetEntries);
        _table.GetOrAdd(member, member, out bool added);
        return added;
    }

    /// <summary>Removes <paramref name="member"/>; true when it was there.</summary>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_table is not null)
            return _table.Remove(member, out _, out _);
        if (!TryParseMember(member, out long v))
            return false;
        int i = IntIndex(v);
        if (i < 0)
            return false;
        RemoveIntAt(i);
        return true;
    }

    /// <summary>True when <paramref name="member"/> is in the set.</summary>
    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_table is not null)
            return _table.Contains(member);
        return TryParseMember(member, out long v) && IntIndex(v) >= 0;
    }

    /// <summary>
    /// Every member, intsets in ascending numeric order, hash tables in table order. Enumerating while
    /// changing the set is not allowed (take a <see cref="ToList"/> first).
    /// </summary>
    public IEnumerable<byte[]> Members()
    {
        if (_table is null)
        {
            for (int i = 0; i < _intCount; i++)
                yield return FormatInt(_ints[i]);
            yield break;
        }
        for (int i = 0; i < _table.EntrySlots; i++)
        {
            if (_table.TryGetAt(i, out byte[] k, out _))
                yield return k;
        }
    }

    /// <summary>A snapshot of the members in <see cref="Members"/> order.</summary>
    public List<byte[]> ToList()
    {
        var list = new List<byte[]>(Count);
        list.AddRange(Members());
        return list;
    }

    /// <summary>The members for SORT (the order SORT ... BY nosort shows, as <see cref="Members"/>).</summary>
    public IEnumerable<byte[]> SortElements() => Members();

    /// <summary>Writes every member as bulk strings in <see cref="Members"/> order (no header).</summary>
    public void WriteMembers(ReplyWriter reply)
    {
        if (_table is null)
        {
            for (int i = 0; i < _intCount; i++)
                reply.BulkInteger(_ints[i]);
            return;
        }
        for (int i = 0; i < _table.EntrySlots; i++)
        {
            if (_table.TryGetAt(i, out byte[] k, out _))
                reply.Bulk(k);
        }
    }

    /// <summary>A uniformly chosen member (the set must not be empty).</summary>
    public byte[] RandomMember(Random random)
    {
        if (_table is null)
            return FormatInt(_ints[random.Next(_intCount)]);
        return _table.RandomKey(random)!;
    }

    /// <summary>Removes and returns a uniformly chosen member (the set must not be empty).</summary>
    public byte[] PopRandom(Random random)
    {
        if (_table is null)
        {
            int i = random.Next(_intCount);
            byte[] m = FormatInt(_ints[i]);
            RemoveIntAt(i);
            return m;
        }
        byte[] k = _table.RandomKey(random)!;
        _table.Remove(k, out _, out _);
        return k;
    }

    /// <summary>
    /// One step of SSCAN over the hash-table form (the bucket at <paramref name="cursor"/>); returns the
    /// next cursor, 0 when done. Intsets are listed whole by the caller.
    /// </summary>
    public ulong ScanStep(ulong cursor, List<byte[]> into) => _table is null ? 0 : _table.ScanKeys(cursor, into);

    /// <inheritdoc/>
    public IRedisObject DeepCopy()
    {
        var copy = new RedisSet();
        if (_table is null)
        {
            copy._ints = _ints.AsSpan(0, _intCount).ToArray();
            copy._intCount = _intCount;
            return copy;
        }
        copy._table = new KeyTable<byte>();
        for (int i = 0; i < _table.EntrySlots; i++)
        {
            if (_table.TryGetAt(i, out byte[] k, out _))
                copy._table.GetOrAdd(k, k.ToArray(), out _);
        }
        return copy;
    }

    /// <inheritdoc/>
    public long MemoryUsage()
    {
        if (_table is null)
            return 16 + 8 + (long)_ints.Length * 8;
        long bytes = 48;
        for (int i = 0; i < _table.EntrySlots; i++)
        {
            if (_table.TryGetAt(i, out byte[] k, out _))
                bytes += 40 + k.Length;
        }
        return bytes;
    }

    /// <summary>The decimal text of an intset member.</summary>
    public static byte[] FormatInt(long v)
    {
        Span<byte> buf = stackalloc byte[20];
        Utf8Formatter.TryFormat(v, buf, out int n);
        return buf[..n].ToArray();
    }

    private int IntIndex(long v) => Array.BinarySearch(_ints, 0, _intCount, v);

    private void InsertInt(int at, long v)
    {
        if (_intCount == _ints.Length)
            Array.Resize(ref _ints, Math.Max(4, _intCount * 2));
        Array.Copy(_ints, at, _ints, at + 1, _intCount - at);
        _ints[at] = v;
        _intCount++;
    }

    private void RemoveIntAt(int i)
    {
        _intCount--;
        Array.Copy(_ints, i + 1, _ints, i, _intCount - i);
    }

    /// <summary>
    /// Switches to the hash-table form for good (a no-op when already there): async migration creates
    /// sets in Redis's big encoding whatever their members.
    /// </summary>
    public void ConvertToTable()
    {
        if (_table is not null)
            return;
        var table = new KeyTable<byte>();
        for (int i = 0; i < _intCount; i++)
        {
            byte[] m = FormatInt(_ints[i]);
            table.GetOrAdd(m, m, out _);
        }
        _table = table;
        _ints = [];
        _intCount = 0;
    }
}
