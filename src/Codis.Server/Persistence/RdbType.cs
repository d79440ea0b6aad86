namespace Codis.Server.Persistence;

/// <summary>Object type bytes of the RDB format (Redis 7.2 numbering; on-disk values, append-only).</summary>
public enum RdbType : byte
{
    /// <summary>A string (one RDB string).</summary>
    String = 0,

    /// <summary>A linked list: count, then count strings.</summary>
    List = 1,

    /// <summary>A hash-table set: count, then count strings.</summary>
    Set = 2,

    /// <summary>A skiplist zset with scores as length-prefixed text (RDB versions before 8).</summary>
    ZSet = 3,

    /// <summary>A hash-table hash: count, then field/value string pairs.</summary>
    Hash = 4,

    /// <summary>A skiplist zset with binary little-endian doubles (RDB 8, Redis 4.0).</summary>
    ZSet2 = 5,

    /// <summary>A module value (RDB 8); not supported by this codec.</summary>
    Module = 6,

    /// <summary>A module value with an EOF marker (RDB 8); not supported by this codec.</summary>
    Module2 = 7,

    /// <summary>A Redis 2.4 zipmap hash, stored as one string.</summary>
    HashZipmap = 9,

    /// <summary>A list stored as one ziplist string.</summary>
    ListZiplist = 10,

    /// <summary>An all-integer set stored as one intset string.</summary>
    SetIntset = 11,

    /// <summary>A small zset stored as one ziplist string (member, score, ...).</summary>
    ZSetZiplist = 12,

    /// <summary>A small hash stored as one ziplist string (field, value, ...).</summary>
    HashZiplist = 13,

    /// <summary>A quicklist: node count, then one ziplist string per node (Redis 3.2 to 6.2).</summary>
    ListQuicklist = 14,

    /// <summary>A stream (RDB 9); not supported yet.</summary>
    StreamListpacks = 15,

    /// <summary>A small hash stored as one listpack string (RDB 10, Redis 7.0).</summary>
    HashListpack = 16,

    /// <summary>A small zset stored as one listpack string (RDB 10, Redis 7.0).</summary>
    ZSetListpack = 17,

    /// <summary>A quicklist of listpack or plain nodes (RDB 10, Redis 7.0).</summary>
    ListQuicklist2 = 18,

    /// <summary>A stream (RDB 10); not supported yet.</summary>
    StreamListpacks2 = 19,

    /// <summary>A small set stored as one listpack string (RDB 11, Redis 7.2).</summary>
    SetListpack = 20,

    /// <summary>A stream (RDB 11); not supported yet.</summary>
    StreamListpacks3 = 21,
}
