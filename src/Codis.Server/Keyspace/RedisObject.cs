using Codis.Server.Config;

namespace Codis.Server.Keyspace;

/// <summary>
/// What every non-string value type implements (lists, hashes, sets, sorted sets, streams), so that
/// generic key commands (TYPE, OBJECT, COPY, MEMORY USAGE, DEBUG OBJECT) work on any of them. Strings
/// are stored as <c>byte[]</c> (or a type implementing this interface with <see cref="TypeName"/>
/// "string", for in-place mutable strings).
/// </summary>
public interface IRedisObject
{
    /// <summary>TYPE's answer: "list", "hash", "set", "zset", "stream" or "string".</summary>
    string TypeName { get; }

    /// <summary>OBJECT ENCODING's answer under the current thresholds ("listpack", "quicklist", ...).</summary>
    string Encoding { get; }

    /// <summary>A deep copy (COPY).</summary>
    IRedisObject DeepCopy();

    /// <summary>Approximate bytes used (MEMORY USAGE, eviction).</summary>
    long MemoryUsage();
}

/// <summary>Type-independent helpers over stored values.</summary>
public static class RedisObject
{
    /// <summary>The TYPE name of a stored value.</summary>
    public static string TypeOf(object value) => value switch
    {
        byte[] => "string",
        IRedisObject o => o.TypeName,
        _ => "none",
    };

    /// <summary>True when the value is a string.</summary>
    public static bool IsString(object value) => value is byte[] || (value is IRedisObject o && o.TypeName == "string");

    /// <summary>
    /// OBJECT ENCODING of a stored value. Plain strings: "int" when they hold a 64-bit integer in
    /// canonical form of at most 20 chars, "embstr" up to 44 bytes, "raw" beyond (Redis 7 rules).
    /// </summary>
    public static string EncodingOf(object value) => value switch
    {
        byte[] s => StringEncoding(s),
        IRedisObject o => o.Encoding,
        _ => "unknown",
    };

    /// <summary>The encoding Redis gives a freshly stored string value.</summary>
    public static string StringEncoding(ReadOnlySpan<byte> s)
    {
        if (s.Length <= 20 && Commands.CommandContext.TryParseLong(s, out _))
            return "int";
        return s.Length <= 44 ? "embstr" : "raw";
    }

    /// <summary>A deep copy of a stored value (COPY).</summary>
    public static object Copy(object value) => value switch
    {
        byte[] s => s.ToArray(),
        IRedisObject o => o.DeepCopy(),
        _ => value,
    };

    /// <summary>Approximate memory of a key and its value, as MEMORY USAGE reports.</summary>
    public static long MemoryUsage(ReadOnlySpan<byte> key, object value)
    {
        long keyBytes = 16 + key.Length;
        long valueBytes = value switch
        {
            byte[] s => 16 + s.Length,
            IRedisObject o => o.MemoryUsage(),
            _ => 16,
        };
        return 24 + keyBytes + valueBytes;
    }
}
