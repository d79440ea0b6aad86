using Codis.Server.Config;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;

namespace Codis.Server.Persistence;

/// <summary>
/// Converts between the values stored in the keyspace and the codec's <see cref="RdbValue"/>: DUMP and
/// RESTORE use it, and so will slot migration and RDB files. Conversion to <see cref="RdbValue"/> copies
/// nothing but the containers (the element arrays are shared with the stored value, so the result must be
/// encoded before the key is modified again); conversion back builds a fresh stored value whose encoding
/// follows the server's thresholds as Redis 7.0's RDB loading does.
/// </summary>
public static class StoredValue
{
    /// <summary>
    /// The codec form of a stored value: a string (<c>byte[]</c> or <see cref="MutableString"/>), a
    /// <see cref="RedisList"/>, <see cref="RedisHash"/>, <see cref="RedisSet"/>, <see cref="RedisZSet"/> or
    /// <see cref="RedisStream"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The value is of another type.</exception>
    public static RdbValue ToRdb(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (StringValue.TryGet(value, out ReadOnlySpan<byte> bytes))
            return RdbValue.FromString(value as byte[] ?? bytes.ToArray());
        switch (value)
        {
            case RedisList list:
                return RdbValue.FromList([.. list.Elements()]);
            case RedisSet set:
                return RdbValue.FromSet(set.ToList());
            case RedisHash hash:
                {
                    var pairs = new List<(byte[] Field, byte[] Value)>(hash.Count);
                    foreach (KeyValuePair<byte[], byte[]> p in hash.Pairs())
                        pairs.Add((p.Key, p.Value));
                    return RdbValue.FromHash(pairs);
                }
            case RedisZSet zset:
                {
                    var entries = new List<(byte[] Member, double Score)>(zset.Count);
                    foreach (SortedSetEntry e in zset.Set)
                        entries.Add((e.Member, e.Score));
                    return RdbValue.FromZSet(entries);
                }
            case RedisStream stream:
                return RdbValue.FromStream(stream);
            default:
                throw new NotSupportedException($"Values of type {value.GetType().Name} cannot be serialized.");
        }
    }

    /// <summary>
    /// A new stored value holding <paramref name="value"/> (whose arrays it takes over). The encoding is
    /// chosen from <paramref name="config"/> as Redis 7.0's <c>rdbLoadObject</c> does: sets start as an
    /// intset and become a hash table at the first non-integer member or past
    /// <see cref="ServerConfig.SetMaxIntsetEntries"/>; hashes stay a listpack while within
    /// <see cref="ServerConfig.HashMaxListpackEntries"/> / <see cref="ServerConfig.HashMaxListpackValue"/>;
    /// sorted sets are loaded whole and are a listpack when they fit
    /// <see cref="ServerConfig.ZsetMaxListpackEntries"/> / <see cref="ServerConfig.ZsetMaxListpackValue"/>.
    /// Strings become <c>byte[]</c>, lists a <see cref="RedisList"/> (always "quicklist" in Redis 7.0).
    /// When <paramref name="sourceType"/> is a ziplist or listpack hash / sorted set (types 12, 13, 16, 17),
    /// Redis keeps the compact form whatever the length of its values and converts only past the entry
    /// limit, and so does this method; other types (and null: unknown) apply both limits.
    /// </summary>
    public static object FromRdb(RdbValue value, ServerConfig config, RdbType? sourceType = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(config);
        switch (value.Kind)
        {
            case RdbValueKind.String:
                return value.String!;
            case RdbValueKind.List:
                return RedisList.FromElements(value.Elements!);
            case RdbValueKind.Set:
                {
                    var set = new RedisSet();
                    foreach (byte[] member in value.Elements!)
                        set.Add(member, config.SetMaxIntsetEntries);
                    return set;
                }
            case RdbValueKind.Stream:
                return value.Stream!;
            case RdbValueKind.Hash:
                {
                    bool compact = sourceType is RdbType.HashZiplist or RdbType.HashListpack;
                    return RedisHash.FromPairs(value.HashEntries!, config.HashMaxListpackEntries,
                        compact ? int.MaxValue : config.HashMaxListpackValue);
                }
            default:
                {
                    List<(byte[] Member, double Score)> src = value.ZSetEntries!;
                    var entries = new SortedSetEntry[src.Count];
                    for (int i = 0; i < src.Count; i++)
                        entries[i] = new SortedSetEntry(src[i].Member, src[i].Score);
                    bool compact = sourceType is RdbType.ZSetZiplist or RdbType.ZSetListpack;
                    return RedisZSet.FromEntries(entries, config.ZsetMaxListpackEntries,
                        compact ? int.MaxValue : config.ZsetMaxListpackValue, incremental: false);
                }
        }
    }

    /// <summary>True when <paramref name="value"/> is of a type <see cref="ToRdb"/> can convert.</summary>
    public static bool IsSerializable(object value) =>
        StringValue.TryGet(value, out _) || value is RedisList or RedisSet or RedisHash or RedisZSet or RedisStream;
}
