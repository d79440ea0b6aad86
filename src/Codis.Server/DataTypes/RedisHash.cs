using System.Runtime.CompilerServices;
using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// A Redis hash. While small it is kept, like Redis's listpack, as pairs in insertion order (so HGETALL,
/// HKEYS, HSCAN... answer in the same order as Redis); once it grows past
/// <c>hash-max-listpack-entries</c> or gets a field or value longer than <c>hash-max-listpack-value</c>
/// it becomes a hash table for good (Redis never converts back).
/// </summary>
/// <remarks>
/// The table form is a <see cref="KeyTable{TValue}"/> rather than a Dictionary because HSCAN needs Redis's
/// reverse-binary cursor guarantees, which the key table gives.
/// </remarks>
public sealed class RedisHash : IRedisObject, IHashLike
{
    private List<KeyValuePair<byte[], byte[]>>? _pairs = [];
    private KeyTable<byte[]>? _table;

    /// <summary>
    /// A hash of <paramref name="pairs"/> (RDB loading, RESTORE): fields are expected distinct (a repeated
    /// field keeps its first position and takes the last value); the encoding follows the thresholds as
    /// if the pairs were set one by one.
    /// </summary>
    public static RedisHash FromPairs(IEnumerable<(byte[] Field, byte[] Value)> pairs, int maxListpackEntries, int maxListpackValue)
    {
        var hash = new RedisHash();
        foreach ((byte[] field, byte[] value) in pairs)
            hash.Set(field, value, maxListpackEntries, maxListpackValue);
        return hash;
    }

    /// <inheritdoc/>
    public string TypeName => "hash";

    /// <inheritdoc/>
    public string Encoding => _pairs is not null ? "listpack" : "hashtable";

    /// <summary>True while in the small (listpack) form.</summary>
    public bool IsListpack => _pairs is not null;

    /// <summary>Number of fields.</summary>
    public int Count => _pairs?.Count ?? _table!.Count;

    /// <inheritdoc/>
    public bool TryGetField(ReadOnlySpan<byte> field, out byte[] value)
    {
        if (_pairs is not null)
        {
            int i = IndexOf(field);
            value = i >= 0 ? _pairs[i].Value : null!;
            return i >= 0;
        }
        ref byte[] v = ref _table!.Find(field);
        if (Unsafe.IsNullRef(ref v))
        {
            value = null!;
            return false;
        }
        value = v;
        return true;
    }

    /// <summary>True when <paramref name="field"/> is present.</summary>
    public bool Contains(ReadOnlySpan<byte> field) => _pairs is not null ? IndexOf(field) >= 0 : _table!.Contains(field);

    /// <summary>
    /// Sets <paramref name="field"/> to <paramref name="value"/> (Redis's hashTypeSet), converting to the
    /// table form first when either is longer than <paramref name="maxListpackValue"/> and after when
    /// the hash has more than <paramref name="maxListpackEntries"/> fields. True when the field is new.
    /// </summary>
    public bool Set(ReadOnlySpan<byte> field, byte[] value, int maxListpackEntries, int maxListpackValue)
    {
        if (_pairs is not null && (field.Length > maxListpackValue || value.Length > maxListpackValue))
            ConvertToTable();
        if (_pairs is not null)
        {
            int i = IndexOf(field);
            if (i >= 0)
            {
                // An update keeps the field's position, as a listpack replaces the entry in place.
                _pairs[i] = new(_pairs[i].Key, value);
                return false;
            }
            _pairs.Add(new(field.ToArray(), value));
            if (_pairs.Count > maxListpackEntries)
                ConvertToTable();
            return true;
        }
        ref byte[] slot = ref _table!.GetOrAdd(field, null, out bool added);
        slot = value;
        return added;
    }

    /// <summary>Removes <paramref name="field"/>; true when it was present.</summary>
    public bool Remove(ReadOnlySpan<byte> field)
    {
        if (_pairs is not null)
        {
            int i = IndexOf(field);
            if (i < 0)
                return false;
            _pairs.RemoveAt(i);
            return true;
        }
        return _table!.Remove(field, out _, out _);
    }

    /// <summary>Switches to the table form (Redis's hashTypeConvert to OBJ_ENCODING_HT).</summary>
    public void ConvertToTable()
    {
        if (_pairs is null)
            return;
        var table = new KeyTable<byte[]>();
        foreach (KeyValuePair<byte[], byte[]> p in _pairs)
            table.GetOrAdd(p.Key, p.Key, out _) = p.Value;
        _table = table;
        _pairs = null;
    }

    /// <summary>
    /// The field/value pairs: insertion order in the listpack form, table order otherwise (the order
    /// HGETALL answers in).
    /// </summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Pairs() => _pairs is not null ? _pairs : _table!.Entries();

    /// <summary>
    /// One HSCAN step over the table form: appends field, value, field, value... of at least one bucket and
    /// returns the next cursor (0 = done). The listpack form appends everything and returns 0, as Redis.
    /// </summary>
    public ulong Scan(ulong cursor, long count, List<byte[]> output)
    {
        if (_pairs is not null)
        {
            foreach (KeyValuePair<byte[], byte[]> p in _pairs)
            {
                output.Add(p.Key);
                output.Add(p.Value);
            }
            return 0;
        }
        // As Redis's scanGenericCommand: up to count*10 buckets, stopping once count fields were found.
        long maxIterations = count * 10;
        int start = output.Count;
        var fields = new List<byte[]>();
        do
        {
            fields.Clear();
            cursor = _table!.ScanKeys(cursor, fields);
            foreach (byte[] f in fields)
            {
                output.Add(f);
                output.Add(_table.Find(f));
            }
        }
        while (cursor != 0 && maxIterations-- > 0 && (output.Count - start) / 2 < count);
        return cursor;
    }

    /// <summary>
    /// One bucket of the table form (Redis's single <c>dictScan</c> call, as async migration walks a hash):
    /// appends field, value, field, value... and returns the next cursor (0 = done). The listpack form
    /// appends everything and returns 0.
    /// </summary>
    public ulong ScanStep(ulong cursor, List<byte[]> output)
    {
        if (_pairs is not null)
            return Scan(cursor, 1, output);
        int start = output.Count;
        cursor = _table!.ScanKeys(cursor, output);
        // ScanKeys appended only fields: spread them out into field/value pairs in place.
        int fields = output.Count - start;
        for (int i = 0; i < fields; i++)
            output.Add(null!);
        for (int i = fields - 1; i >= 0; i--)
        {
            byte[] field = output[start + i];
            output[start + 2 * i] = field;
            output[start + 2 * i + 1] = _table.Find(field);
        }
        return cursor;
    }

    /// <summary>A uniformly chosen field and its value; the hash must not be empty.</summary>
    public KeyValuePair<byte[], byte[]> RandomPair(Random random)
    {
        if (_pairs is not null)
            return _pairs[random.Next(_pairs.Count)];
        byte[] field = _table!.RandomKey(random)!;
        return new(field, _table.Find(field));
    }

    /// <summary>
    /// A snapshot of the pairs as an array (HRANDFIELD's sampling without repetition works on it).
    /// </summary>
    public KeyValuePair<byte[], byte[]>[] ToArray() => [.. Pairs()];

    /// <inheritdoc/>
    public IRedisObject DeepCopy()
    {
        var copy = new RedisHash();
        if (_pairs is not null)
        {
            foreach (KeyValuePair<byte[], byte[]> p in _pairs)
                copy._pairs!.Add(new(p.Key.ToArray(), p.Value.ToArray()));
            return copy;
        }
        copy._pairs = null;
        copy._table = new KeyTable<byte[]>();
        foreach (KeyValuePair<byte[], byte[]> p in _table!.Entries())
        {
            byte[] k = p.Key.ToArray();
            copy._table.GetOrAdd(k, k, out _) = p.Value.ToArray();
        }
        return copy;
    }

    /// <inheritdoc/>
    public long MemoryUsage()
    {
        long bytes = 48;
        foreach (KeyValuePair<byte[], byte[]> p in Pairs())
            bytes += p.Key.Length + p.Value.Length + (_pairs is not null ? 4 : 64);
        return bytes;
    }

    private int IndexOf(ReadOnlySpan<byte> field)
    {
        List<KeyValuePair<byte[], byte[]>> pairs = _pairs!;
        for (int i = 0; i < pairs.Count; i++)
        {
            if (field.SequenceEqual(pairs[i].Key))
                return i;
        }
        return -1;
    }
}
