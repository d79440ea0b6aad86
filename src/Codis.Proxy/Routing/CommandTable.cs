using System.Collections.Frozen;
using System.Text;

namespace Codis.Proxy.Routing;

/// <summary>Command flags of Codis's table (proxy.md §6); values as in Codis.</summary>
[Flags]
public enum OpFlags
{
    /// <summary>A read: may be served by a replica, dropped unsent when its client has gone.</summary>
    None = 0,

    /// <summary>Writes data.</summary>
    Write = 1,

    /// <summary>Never served by a replica.</summary>
    MasterOnly = 2,

    /// <summary>Unknown effect (unknown commands): treated as a write.</summary>
    MayWrite = 4,

    /// <summary>Refused by the proxy.</summary>
    NotAllow = 8,
}

/// <summary>What the proxy does with one command name; the special commands have their own kind.</summary>
public enum OpKind
{
    /// <summary>Dispatched by its routing key.</summary>
    Forward,

    /// <summary>QUIT.</summary>
    Quit,

    /// <summary>AUTH.</summary>
    Auth,

    /// <summary>SELECT.</summary>
    Select,

    /// <summary>PING.</summary>
    Ping,

    /// <summary>INFO.</summary>
    Info,

    /// <summary>MGET, split per key.</summary>
    MGet,

    /// <summary>MSET, split per pair.</summary>
    MSet,

    /// <summary>DEL, split per key.</summary>
    Del,

    /// <summary>EXISTS, split per key.</summary>
    Exists,

    /// <summary>TOUCH, split per key (quirks.md A.2 fix).</summary>
    Touch,

    /// <summary>UNLINK, split per key (quirks.md A.2 fix).</summary>
    Unlink,

    /// <summary>SLOTSINFO addr.</summary>
    SlotsInfo,

    /// <summary>SLOTSSCAN slot cursor.</summary>
    SlotsScan,

    /// <summary>SLOTSMAPPING [slot].</summary>
    SlotsMapping,

    /// <summary>FUNCTION subcommand ...: sent to every group's master or to one group (Session.Function.cs).</summary>
    Function,
}

/// <summary>One resolved command: its upper-case name, flags, kind and statistics index.</summary>
public sealed class OpInfo
{
    internal OpInfo(string name, OpFlags flags, OpKind kind, int index)
    {
        Name = name;
        NameBytes = Encoding.ASCII.GetBytes(name);
        Flags = flags;
        Kind = kind;
        Index = index;
        HasNumKeys = name is "EVAL" or "EVALSHA" or "FCALL" or "FCALL_RO";
        RoutingArg = HasNumKeys || name is "ZINTERSTORE" or "ZUNIONSTORE" ? 3 : 1;
    }

    /// <summary>EVAL, EVALSHA, FCALL, FCALL_RO: numkeys at argument 2, the keys after it (Session.ScriptKeys.cs).</summary>
    public bool HasNumKeys { get; }

    /// <summary>Upper-case name as reported in errors and statistics.</summary>
    public string Name { get; }

    /// <summary><see cref="Name"/> as ASCII bytes.</summary>
    public byte[] NameBytes { get; }

    /// <summary>Codis flags.</summary>
    public OpFlags Flags { get; }

    /// <summary>How the session handles it.</summary>
    public OpKind Kind { get; }

    /// <summary>Position in <see cref="CommandTable.All"/> (index of per-command statistics); -1 for unknown names.</summary>
    public int Index { get; }

    /// <summary>Argument holding the routing key (proxy.md §8).</summary>
    public int RoutingArg { get; }

    /// <summary>Refused by the proxy.</summary>
    public bool IsNotAllowed => (Flags & OpFlags.NotAllow) != 0;

    /// <summary>Neither writes nor may write: a replica may serve it, a broken session's copy is dropped.</summary>
    public bool IsReadOnly => (Flags & (OpFlags.Write | OpFlags.MayWrite)) == 0;

    /// <summary>May never be served by a replica.</summary>
    public bool IsMasterOnly => (Flags & (OpFlags.Write | OpFlags.MayWrite | OpFlags.MasterOnly)) != 0;
}

/// <summary>
/// Codis's command table (pkg/proxy/mapper.go, 197 entries) and name resolution. Unlike Codis, the lookup
/// uses the whole upper-cased name, so entries containing '-' (SLOTSMGRT-EXEC-WRAPPER, ...) are refused
/// as they were meant to be (quirks.md A.1).
/// </summary>
public static class CommandTable
{
    /// <summary>Longest accepted command name.</summary>
    public const int MaxNameLength = 64;

    private static readonly FrozenDictionary<string, OpInfo> Table;
    private static readonly FrozenDictionary<string, OpInfo>.AlternateLookup<ReadOnlySpan<char>> Lookup;

    static CommandTable()
    {
        var entries = new List<(string Name, OpFlags Flags)>();
        void Add(OpFlags flags, string names)
        {
            foreach (var n in names.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                entries.Add((n, flags));
            }
        }
        Add(OpFlags.NotAllow, "ASKING BGREWRITEAOF BGSAVE CLIENT CLUSTER CONFIG DBSIZE DEBUG DISCARD EXEC HOST: KEYS "
            + "LASTSAVE LATENCY MONITOR MULTI OBJECT POST PSUBSCRIBE PSYNC PUBLISH PUNSUBSCRIBE RANDOMKEY READONLY "
            + "READWRITE REPLCONF SAVE SCRIPT SHUTDOWN SLAVEOF SLOTSCHECK SLOTSMGRT-ASYNC-CANCEL SLOTSMGRT-ASYNC-FENCE "
            + "SLOTSMGRT-ASYNC-STATUS SLOWLOG SUBSCRIBE SYNC TIME UNSUBSCRIBE UNWATCH WAIT WATCH");
        Add(OpFlags.Write | OpFlags.NotAllow, "BITOP BLPOP BRPOP BRPOPLPUSH FLUSHALL FLUSHDB MIGRATE MOVE MSETNX RENAME "
            + "RENAMENX RESTORE RESTORE-ASKING SLOTSDEL SLOTSMGRT-EXEC-WRAPPER SLOTSMGRTONE SLOTSMGRTONE-ASYNC "
            + "SLOTSMGRTSLOT SLOTSMGRTSLOT-ASYNC SLOTSMGRTTAGONE SLOTSMGRTTAGONE-ASYNC SLOTSMGRTTAGSLOT "
            + "SLOTSMGRTTAGSLOT-ASYNC SLOTSRESTORE-ASYNC SLOTSRESTORE-ASYNC-ACK SLOTSRESTORE-ASYNC-AUTH");
        Add(OpFlags.MasterOnly | OpFlags.NotAllow, "SCAN");
        Add(OpFlags.MasterOnly, "HSCAN SLOTSINFO SLOTSSCAN SSCAN ZSCAN");
        Add(OpFlags.Write, "APPEND BITFIELD DECR DECRBY DEL EVAL EVALSHA EXPIRE EXPIREAT GEOADD GEORADIUS "
            + "GEORADIUSBYMEMBER GETSET HDEL HINCRBY HINCRBYFLOAT HMSET HSET HSETNX INCR INCRBY INCRBYFLOAT LINSERT "
            + "LPOP LPUSH LPUSHX LREM LSET LTRIM MSET PERSIST PEXPIRE PEXPIREAT PFADD PFDEBUG PFMERGE PSETEX RPOP "
            + "RPOPLPUSH RPUSH RPUSHX SADD SDIFFSTORE SET SETBIT SETEX SETNX SETRANGE SINTERSTORE SLOTSRESTORE SMOVE "
            + "SORT SPOP SREM SUNIONSTORE TOUCH ZADD ZINCRBY ZINTERSTORE ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK "
            + "ZREMRANGEBYSCORE ZUNIONSTORE");
        Add(OpFlags.None, "AUTH BITCOUNT BITPOS COMMAND DUMP ECHO EXISTS GEODIST GEOHASH GEOPOS GET GETBIT GETRANGE "
            + "HEXISTS HGET HGETALL HKEYS HLEN HMGET HSTRLEN HVALS INFO LINDEX LLEN LRANGE MGET PFCOUNT PFSELFTEST "
            + "PING PTTL PUBSUB QUIT ROLE SCARD SDIFF SELECT SINTER SISMEMBER SLOTSHASHKEY SLOTSMAPPING SMEMBERS "
            + "SRANDMEMBER STRLEN SUBSTR SUNION TTL TYPE ZCARD ZCOUNT ZLEXCOUNT ZRANGE ZRANGEBYLEX ZRANGEBYSCORE "
            + "ZRANK ZREVRANGE ZREVRANGEBYLEX ZREVRANGEBYSCORE ZREVRANK ZSCORE");
        // GEO commands of Redis 3.2.10+/6.2 that Codis 3.2's table lacks (it forwarded them as MayWrite): the
        // read-only ones may go to replicas; the store commands' keys must share a slot (Session.GeoStore.cs).
        Add(OpFlags.None, "GEORADIUS_RO GEORADIUSBYMEMBER_RO GEOSEARCH");
        Add(OpFlags.Write, "GEOSEARCHSTORE");
        // Redis 7's functions (Codis 3.2 had none): FCALL is routed like EVAL, FCALL_RO may go to replicas, FUNCTION
        // is fanned out to the groups' masters by the session.
        Add(OpFlags.Write, "FCALL FUNCTION");
        Add(OpFlags.None, "FCALL_RO");
        // UNLINK is not in Codis's table (forwarded as MayWrite); it is split like DEL here (quirks.md A.2).
        Add(OpFlags.MayWrite, "UNLINK");
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var all = new OpInfo[entries.Count];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = new OpInfo(entries[i].Name, entries[i].Flags, KindOf(entries[i].Name), i);
        }
        All = all;
        Table = all.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);
        Lookup = Table.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every table entry, sorted by name; <see cref="OpInfo.Index"/> indexes this list.</summary>
    public static IReadOnlyList<OpInfo> All { get; }

    private static OpKind KindOf(string name) => name switch
    {
        "QUIT" => OpKind.Quit,
        "AUTH" => OpKind.Auth,
        "SELECT" => OpKind.Select,
        "PING" => OpKind.Ping,
        "INFO" => OpKind.Info,
        "MGET" => OpKind.MGet,
        "MSET" => OpKind.MSet,
        "DEL" => OpKind.Del,
        "EXISTS" => OpKind.Exists,
        "TOUCH" => OpKind.Touch,
        "UNLINK" => OpKind.Unlink,
        "SLOTSINFO" => OpKind.SlotsInfo,
        "SLOTSSCAN" => OpKind.SlotsScan,
        "SLOTSMAPPING" => OpKind.SlotsMapping,
        "FUNCTION" => OpKind.Function,
        _ => OpKind.Forward,
    };

    /// <summary>
    /// Finds the table entry of <paramref name="name"/> (any case) without allocating; null when the name is
    /// not in the table (an unknown command: forwarded as MayWrite). The caller checks the length first.
    /// </summary>
    public static OpInfo? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return null;
        }
        Span<char> upper = stackalloc char[MaxNameLength];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            upper[i] = (char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b);
        }
        return Lookup.TryGetValue(upper[..name.Length], out var info) ? info : null;
    }

    /// <summary>
    /// Resolves any name of valid length: the table entry, or an unknown command (MayWrite, forwarded to the
    /// master), created once per distinct name so that statistics can name it without allocating later.
    /// </summary>
    public static OpInfo Resolve(ReadOnlySpan<byte> name)
    {
        var known = Find(name);
        if (known is not null)
        {
            return known;
        }
        Span<char> upper = stackalloc char[MaxNameLength];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            upper[i] = (char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b);
        }
        var key = upper[..name.Length];
        if (UnknownLookup.TryGetValue(key, out var info))
        {
            return info;
        }
        // A client sending endless random names must not grow this forever: past the cap they share one entry.
        if (Unknown.Count >= MaxUnknownNames)
        {
            return OtherUnknown;
        }
        var text = new string(key);
        return Unknown.GetOrAdd(text, static n => new OpInfo(n, OpFlags.MayWrite, OpKind.Forward, -1));
    }

    private const int MaxUnknownNames = 4096;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, OpInfo> Unknown = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, OpInfo>.AlternateLookup<ReadOnlySpan<char>> UnknownLookup =
        Unknown.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly OpInfo OtherUnknown = new("UNKNOWN", OpFlags.MayWrite, OpKind.Forward, -1);
}
