using Codis.Server.Commands;

namespace Codis.Server.DataTypes;

/// <summary>
/// Reading string values in either stored form: <c>byte[]</c> (the usual one) or
/// <see cref="MutableString"/> (strings modified in place). Every command family that reads strings
/// (SORT BY/GET, DUMP, RDB/AOF writers, MEMORY USAGE...) should go through these helpers instead of
/// testing for <c>byte[]</c>, so both forms behave the same.
/// </summary>
public static class StringValue
{
    /// <summary>Values 0..<see cref="SharedIntegers"/>-1 are stored as one shared array each (Redis's shared integers).</summary>
    public const int SharedIntegers = 10_000;

    private static readonly byte[][] s_integers = BuildIntegers();

    /// <summary>
    /// The stored form of the integer <paramref name="value"/>: a shared array for 0..9999 (as Redis
    /// shares those objects; no allocation for the counters INCR usually works on), else a new one.
    /// Stored <c>byte[]</c> values are never modified in place (writers convert to
    /// <see cref="MutableString"/> first), which is what makes sharing safe.
    /// </summary>
    public static byte[] FromInteger(long value)
    {
        if ((ulong)value < SharedIntegers)
            return s_integers[value];
        Span<byte> text = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(value, text, out int n);
        return text[..n].ToArray();
    }

    private static byte[][] BuildIntegers()
    {
        var all = new byte[SharedIntegers][];
        for (int i = 0; i < all.Length; i++)
            all[i] = System.Text.Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return all;
    }

    /// <summary>
    /// True when <paramref name="value"/> is a string (either form); <paramref name="bytes"/> then views
    /// its content (valid until the value is next modified). False for null and for other types.
    /// </summary>
    public static bool TryGet(object? value, out ReadOnlySpan<byte> bytes)
    {
        switch (value)
        {
            case byte[] a:
                bytes = a;
                return true;
            case MutableString m:
                bytes = m.Span;
                return true;
            default:
                bytes = default;
                return false;
        }
    }

    /// <summary>
    /// Looks <paramref name="key"/> up for reading (lazy expiry, hit/miss statistics): false when it is
    /// absent, throws the WRONGTYPE error when it holds another type.
    /// </summary>
    public static bool TryRead(CommandContext c, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> bytes)
    {
        object? v = c.Db.Lookup(key);
        if (v is null)
        {
            bytes = default;
            return false;
        }
        if (!TryGet(v, out bytes))
            Errors.ThrowWrongType();
        return true;
    }

    /// <summary>Like <see cref="TryRead"/> for write commands (no hit/miss statistics).</summary>
    public static bool TryReadForWrite(CommandContext c, ReadOnlySpan<byte> key, out ReadOnlySpan<byte> bytes)
    {
        object? v = c.Db.LookupWrite(key);
        if (v is null)
        {
            bytes = default;
            return false;
        }
        if (!TryGet(v, out bytes))
            Errors.ThrowWrongType();
        return true;
    }

    /// <summary>The content of a string value as a new array; throws WRONGTYPE for other types.</summary>
    public static byte[] ToArray(object value)
    {
        if (!TryGet(value, out ReadOnlySpan<byte> bytes))
            Errors.ThrowWrongType();
        return bytes.ToArray();
    }

    /// <summary>
    /// The string at <paramref name="key"/> ready for in-place modification, keeping its expiry (Redis's
    /// dbUnshareStringValue): a <c>byte[]</c> value is replaced by a <see cref="MutableString"/> copy.
    /// Null when the key is absent; WRONGTYPE when it holds another type.
    /// </summary>
    public static MutableString? ForUpdate(CommandContext c, ReadOnlySpan<byte> key)
    {
        object? v = c.Db.LookupWrite(key);
        switch (v)
        {
            case null:
                return null;
            case MutableString m:
                return m;
            case byte[] a:
                var copy = new MutableString(a);
                c.Db.Overwrite(key, copy);
                return copy;
            default:
                Errors.ThrowWrongType();
                return null;
        }
    }
}
