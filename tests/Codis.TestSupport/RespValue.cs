using System.Text;

namespace Codis.TestSupport;

/// <summary>The type byte of a RESP2 or RESP3 reply.</summary>
public enum RespType : byte
{
    /// <summary><c>+</c></summary>
    SimpleString = (byte)'+',

    /// <summary><c>-</c></summary>
    Error = (byte)'-',

    /// <summary><c>:</c></summary>
    Integer = (byte)':',

    /// <summary><c>$</c> (null when the length is -1)</summary>
    BulkString = (byte)'$',

    /// <summary><c>*</c> (null when the count is -1)</summary>
    Array = (byte)'*',

    /// <summary><c>_</c> (RESP3)</summary>
    Null = (byte)'_',

    /// <summary><c>,</c> (RESP3)</summary>
    Double = (byte)',',

    /// <summary><c>#</c> (RESP3)</summary>
    Boolean = (byte)'#',

    /// <summary><c>(</c> (RESP3)</summary>
    BigNumber = (byte)'(',

    /// <summary><c>!</c> (RESP3)</summary>
    BlobError = (byte)'!',

    /// <summary><c>=</c> (RESP3), text is <c>fmt:payload</c></summary>
    VerbatimString = (byte)'=',

    /// <summary><c>%</c> (RESP3), children are key, value, key, value...</summary>
    Map = (byte)'%',

    /// <summary><c>~</c> (RESP3)</summary>
    Set = (byte)'~',

    /// <summary><c>&gt;</c> (RESP3)</summary>
    Push = (byte)'>',

    /// <summary><c>|</c> (RESP3); never a value's own type: attributes hang on the value they precede.</summary>
    Attribute = (byte)'|',
}

/// <summary>A parsed reply: its type, its payload (strings, numbers) or its children (aggregates).</summary>
public sealed class RespValue
{
    /// <summary>Creates a value.</summary>
    public RespValue(RespType type, byte[]? bytes, long integer, IReadOnlyList<RespValue>? children, bool isNull)
    {
        Type = type;
        Bytes = bytes;
        Integer = integer;
        Children = children;
        IsNull = isNull;
    }

    /// <summary>The reply type.</summary>
    public RespType Type { get; }

    /// <summary>Payload of a string-like reply (simple, error, bulk, verbatim, double, big number, boolean
    /// as "t"/"f", and the text of an integer); null for aggregates and nulls.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The value of an integer reply (0 otherwise).</summary>
    public long Integer { get; }

    /// <summary>Elements of an aggregate (for a map: key, value, key, value...); null otherwise or when null.</summary>
    public IReadOnlyList<RespValue>? Children { get; }

    /// <summary>True for <c>$-1</c>, <c>*-1</c> and <c>_</c>.</summary>
    public bool IsNull { get; }

    /// <summary>Attributes (a RESP3 <c>|</c> map) sent just before this value, if any.</summary>
    public RespValue? Attributes { get; internal set; }

    /// <summary>The payload as UTF-8 text (null when there is none).</summary>
    public string? Text => Bytes is null ? null : Encoding.UTF8.GetString(Bytes);

    /// <summary>True for <c>-</c> and <c>!</c> replies.</summary>
    public bool IsError => Type is RespType.Error or RespType.BlobError;

    /// <summary>Element <paramref name="index"/> of an aggregate.</summary>
    public RespValue this[int index] => (Children ?? throw new InvalidOperationException($"{Type} has no children"))[index];

    /// <summary>Number of elements of an aggregate (0 otherwise).</summary>
    public int Count => Children?.Count ?? 0;

    /// <summary>The redis-cli style rendering.</summary>
    public override string ToString() => RespRender.Render(this);
}
