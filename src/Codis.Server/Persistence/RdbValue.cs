namespace Codis.Server.Persistence;

/// <summary>The kind of value an <see cref="RdbValue"/> holds.</summary>
public enum RdbValueKind : byte
{
    /// <summary>A string: <see cref="RdbValue.String"/>.</summary>
    String,

    /// <summary>A list: <see cref="RdbValue.Elements"/> in list order.</summary>
    List,

    /// <summary>A set: <see cref="RdbValue.Elements"/> (distinct members).</summary>
    Set,

    /// <summary>A sorted set: <see cref="RdbValue.ZSetEntries"/> (distinct members, no NaN score).</summary>
    ZSet,

    /// <summary>A hash: <see cref="RdbValue.HashEntries"/> (distinct fields).</summary>
    Hash,

    /// <summary>A stream: <see cref="RdbValue.Stream"/>.</summary>
    Stream,
}

/// <summary>
/// A value as the RDB codec sees it, independent of the server's in-memory data structures: the command
/// layer converts its objects to and from this form. Order is preserved as given or as decoded.
/// </summary>
public sealed class RdbValue
{
    private RdbValue(RdbValueKind kind, byte[]? str, List<byte[]>? elements,
        List<(byte[] Member, double Score)>? zset, List<(byte[] Field, byte[] Value)>? hash)
    {
        Kind = kind;
        String = str;
        Elements = elements;
        ZSetEntries = zset;
        HashEntries = hash;
    }

    /// <summary>What the value is.</summary>
    public RdbValueKind Kind { get; }

    /// <summary>The bytes of a string value; null for other kinds.</summary>
    public byte[]? String { get; }

    /// <summary>The elements of a list or the members of a set; null for other kinds.</summary>
    public List<byte[]>? Elements { get; }

    /// <summary>The members and scores of a sorted set; null for other kinds.</summary>
    public List<(byte[] Member, double Score)>? ZSetEntries { get; }

    /// <summary>The fields and values of a hash; null for other kinds.</summary>
    public List<(byte[] Field, byte[] Value)>? HashEntries { get; }

    /// <summary>
    /// A stream, as the server holds it: its entries, counters, groups and PELs are the codec's model too
    /// (the listpack nodes are an encoding of the entries). Null for other kinds.
    /// </summary>
    public Codis.Server.DataTypes.RedisStream? Stream { get; private init; }

    /// <summary>A stream value (kept, not copied).</summary>
    public static RdbValue FromStream(Codis.Server.DataTypes.RedisStream stream) =>
        new(RdbValueKind.Stream, null, null, null, null) { Stream = stream };

    /// <summary>The number of elements, members, pairs, or 1 for a string or a stream (which may be empty).</summary>
    public int Count => Kind switch
    {
        RdbValueKind.String or RdbValueKind.Stream => 1,
        RdbValueKind.List or RdbValueKind.Set => Elements!.Count,
        RdbValueKind.ZSet => ZSetEntries!.Count,
        _ => HashEntries!.Count,
    };

    /// <summary>A string value (the array is kept, not copied).</summary>
    public static RdbValue FromString(byte[] value) => new(RdbValueKind.String, value, null, null, null);

    /// <summary>A list value (the list is kept, not copied).</summary>
    public static RdbValue FromList(List<byte[]> elements) => new(RdbValueKind.List, null, elements, null, null);

    /// <summary>A set value; members must be distinct (the list is kept, not copied).</summary>
    public static RdbValue FromSet(List<byte[]> members) => new(RdbValueKind.Set, null, members, null, null);

    /// <summary>A sorted-set value; members must be distinct and scores not NaN (the list is kept).</summary>
    public static RdbValue FromZSet(List<(byte[] Member, double Score)> entries) => new(RdbValueKind.ZSet, null, null, entries, null);

    /// <summary>A hash value; fields must be distinct (the list is kept, not copied).</summary>
    public static RdbValue FromHash(List<(byte[] Field, byte[] Value)> entries) => new(RdbValueKind.Hash, null, null, null, entries);
}
