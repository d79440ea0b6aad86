using System.Buffers.Binary;
using System.Text;

namespace Codis.Server.Persistence;

/// <summary>
/// Writes RDB primitives (lengths, strings, doubles) and whole objects into a growable buffer, choosing
/// the encodings Redis 3.2 writes (RDB version 7) so that both Codis 3.2's codis-server and Redis 7 load
/// the result.
/// </summary>
public sealed partial class RdbWriter
{
    private const int LzfMinLength = 20;

    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with a small initial buffer.</summary>
    public RdbWriter(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(16, initialCapacity)];
    }

    /// <summary>
    /// Whether strings longer than 20 bytes are LZF-compressed when that saves at least 4 bytes
    /// (Redis's <c>rdbcompression yes</c>, the default).
    /// </summary>
    public bool Compression { get; set; } = true;

    /// <summary>The number of bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Forgets the bytes written so far, keeping the buffer for reuse.</summary>
    public void Clear() => _length = 0;

    /// <summary>A copy of the bytes written so far.</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Appends one byte (an object type, an opcode).</summary>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>Appends bytes as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        Ensure(data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>Appends the type byte of an object.</summary>
    public void WriteType(RdbType type) => WriteByte((byte)type);

    /// <summary>
    /// Appends a length: 6 bits in one byte, 14 bits in two (big-endian), otherwise 0x80 and 32 bits
    /// big-endian, or 0x81 and 64 bits big-endian beyond 2^32 - 1 (RDB 8; Redis 3.2 cannot read that).
    /// </summary>
    public void WriteLength(ulong length)
    {
        if (length < 1 << 6)
        {
            WriteByte((byte)length);
        }
        else if (length < 1 << 14)
        {
            Ensure(2);
            _buffer[_length++] = (byte)(0x40 | (length >> 8));
            _buffer[_length++] = (byte)length;
        }
        else if (length <= uint.MaxValue)
        {
            Ensure(5);
            _buffer[_length++] = 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), (uint)length);
            _length += 4;
        }
        else
        {
            Ensure(9);
            _buffer[_length++] = 0x81;
            BinaryPrimitives.WriteUInt64BigEndian(_buffer.AsSpan(_length), length);
            _length += 8;
        }
    }

    /// <summary>
    /// Appends a string as Redis's <c>rdbSaveRawString</c> does: the canonical decimal form of an int32 in
    /// at most 11 bytes as an integer encoding, otherwise LZF when enabled, longer than 20 bytes and at
    /// least 4 bytes smaller, otherwise length and bytes.
    /// </summary>
    public void WriteString(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 11 && RdbText.TryParseCanonicalLong(value, out long integer) && TryWriteInteger(integer))
            return;
        if (Compression && value.Length > LzfMinLength && TryWriteLzf(value))
            return;
        WriteRawString(value);
    }

    /// <summary>Appends a string as length and bytes, without integer or LZF encodings.</summary>
    public void WriteRawString(ReadOnlySpan<byte> value)
    {
        WriteLength((ulong)value.Length);
        WriteRaw(value);
    }

    /// <summary>
    /// Appends a double in the text form of RDB type 3 (<c>rdbSaveDoubleValue</c>): one length byte and
    /// ASCII, with 253 = NaN, 254 = +inf, 255 = -inf.
    /// </summary>
    public void WriteStringDouble(double value)
    {
        if (double.IsNaN(value))
        {
            WriteByte(253);
            return;
        }
        if (double.IsInfinity(value))
        {
            WriteByte(value < 0 ? (byte)255 : (byte)254);
            return;
        }
        string text = RdbText.FormatFinite(value);
        WriteByte((byte)text.Length);
        WriteRaw(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Appends a double as 8 bytes little-endian IEEE 754 (RDB type 5, RDB 8).</summary>
    public void WriteBinaryDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    private bool TryWriteInteger(long value)
    {
        if (value >= sbyte.MinValue && value <= sbyte.MaxValue)
        {
            Ensure(2);
            _buffer[_length++] = 0xC0;
            _buffer[_length++] = (byte)value;
        }
        else if (value >= short.MinValue && value <= short.MaxValue)
        {
            Ensure(3);
            _buffer[_length++] = 0xC1;
            BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(_length), (short)value);
            _length += 2;
        }
        else if (value >= int.MinValue && value <= int.MaxValue)
        {
            Ensure(5);
            _buffer[_length++] = 0xC2;
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), (int)value);
            _length += 4;
        }
        else
        {
            return false;
        }
        return true;
    }

    private bool TryWriteLzf(ReadOnlySpan<byte> value)
    {
        // Redis gives the compressor len - 4 bytes of room: compression must save at least that much.
        byte[] output = new byte[value.Length - 4];
        int compressed = Lzf.Compress(value, output);
        if (compressed == 0)
            return false;
        WriteByte(0xC3);
        WriteLength((ulong)compressed);
        WriteLength((ulong)value.Length);
        WriteRaw(output.AsSpan(0, compressed));
        return true;
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
            return;
        long size = Math.Max((long)_buffer.Length * 2, (long)_length + extra);
        if (size > Array.MaxLength)
            size = (long)_length + extra <= Array.MaxLength ? Array.MaxLength : throw new InvalidOperationException("RDB output too large.");
        Array.Resize(ref _buffer, (int)size);
    }
}
