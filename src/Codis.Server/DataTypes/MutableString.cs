using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// A string value that is modified in place (APPEND, SETRANGE, SETBIT, BITFIELD) or that Redis creates
/// without its usual encoding pass (BITOP results, INCRBYFLOAT results). Plain strings are stored as
/// <c>byte[]</c> and get their OBJECT ENCODING from their content; this type carries Redis's encoding
/// explicitly, because Redis reports "raw" for a string it modified in place even when it is short and
/// numeric. Read it through <see cref="StringValue"/>, which accepts both forms.
/// </summary>
public sealed class MutableString : IRedisObject
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a string holding a copy of <paramref name="content"/>.</summary>
    public MutableString(ReadOnlySpan<byte> content, string encoding = "raw")
    {
        _buffer = content.ToArray();
        _length = content.Length;
        Encoding = encoding;
    }

    /// <summary>Creates a zero-filled string of <paramref name="length"/> bytes.</summary>
    public MutableString(int length)
    {
        _buffer = new byte[length];
        _length = length;
        Encoding = "raw";
    }

    /// <inheritdoc/>
    public string TypeName => "string";

    /// <summary>"raw" once modified in place; "embstr" for an INCRBYFLOAT result that Redis created embedded.</summary>
    public string Encoding { get; private set; }

    /// <summary>Length in bytes.</summary>
    public int Length => _length;

    /// <summary>The content (valid until the next growth).</summary>
    public Span<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Makes the string at least <paramref name="length"/> bytes long, padding with zero bytes (Redis's
    /// sdsgrowzero). True when the length changed.
    /// </summary>
    public bool GrowZero(int length)
    {
        Encoding = "raw";
        if (length <= _length)
            return false;
        if (length > _buffer.Length)
        {
            // Grow geometrically so that repeated APPEND/SETBIT stay amortised O(1), like sds.
            long size = Math.Max(length, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
            Array.Resize(ref _buffer, (int)Math.Max(size, length));
        }
        else
        {
            _buffer.AsSpan(_length, length - _length).Clear();
        }
        _length = length;
        return true;
    }

    /// <summary>Appends bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        int start = _length;
        GrowZero(checked(_length + data.Length));
        data.CopyTo(_buffer.AsSpan(start));
    }

    /// <summary>The content as a new array.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <inheritdoc/>
    public IRedisObject DeepCopy() => new MutableString(Span, Encoding);

    /// <inheritdoc/>
    public long MemoryUsage() => 16 + _buffer.Length;
}
