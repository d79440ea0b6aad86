using System.Buffers.Binary;
using Codis.Server.DataTypes;

namespace Codis.Server.Persistence;

/// <summary>
/// Reads RDB primitives and objects from a span. Every method returns false on malformed or truncated
/// input (the position is then unspecified); lengths are checked against the remaining input before
/// anything is allocated, so hostile input can neither throw nor make it allocate more than a small
/// multiple of its own size.
/// </summary>
public ref partial struct RdbReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    /// <summary>Reads from <paramref name="data"/>, starting at its first byte.</summary>
    public RdbReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _pos;

    /// <summary>The number of bytes not read yet.</summary>
    public readonly int Remaining => _data.Length - _pos;

    /// <summary>Reads one byte.</summary>
    public bool TryReadByte(out byte value)
    {
        if (_pos >= _data.Length)
        {
            value = 0;
            return false;
        }
        value = _data[_pos++];
        return true;
    }

    /// <summary>
    /// Reads a length (<c>rdbLoadLen</c>). When the first byte is <c>11xxxxxx</c>, <paramref name="encoded"/> is
    /// true and <paramref name="length"/> is the special string encoding <c>x</c> (0-3).
    /// </summary>
    public bool TryReadLength(out ulong length, out bool encoded)
    {
        length = 0;
        encoded = false;
        if (!TryReadByte(out byte b))
            return false;
        switch (b >> 6)
        {
            case 0:
                length = (ulong)(b & 0x3F);
                return true;
            case 1:
                if (!TryReadByte(out byte low))
                    return false;
                length = ((ulong)(b & 0x3F) << 8) | low;
                return true;
            case 3:
                encoded = true;
                length = (ulong)(b & 0x3F);
                return true;
        }
        if (b == 0x80)
        {
            if (Remaining < 4)
                return false;
            length = BinaryPrimitives.ReadUInt32BigEndian(_data[_pos..]);
            _pos += 4;
            return true;
        }
        if (b == 0x81)
        {
            if (Remaining < 8)
                return false;
            length = BinaryPrimitives.ReadUInt64BigEndian(_data[_pos..]);
            _pos += 8;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Reads a length where no string encoding is expected (element counts, LZF sizes). Like Redis's
    /// <c>rdbLoadLen(rdb, NULL)</c>, a <c>11xxxxxx</c> byte then simply means the length <c>x</c>.
    /// </summary>
    public bool TryReadCount(out ulong count) => TryReadLength(out count, out _);

    /// <summary>
    /// Reads a string in any encoding: raw, int8/16/32 (returned as decimal text) or LZF. The declared
    /// uncompressed size of LZF data must be reachable from its compressed size.
    /// </summary>
    public bool TryReadString(out byte[] value)
    {
        value = [];
        if (!TryReadLength(out ulong length, out bool encoded))
            return false;
        if (!encoded)
        {
            if (length > (ulong)Remaining)
                return false;
            value = _data.Slice(_pos, (int)length).ToArray();
            _pos += (int)length;
            return true;
        }
        switch (length)
        {
            case 0:
                if (Remaining < 1)
                    return false;
                value = RdbText.FormatLong((sbyte)_data[_pos]);
                _pos += 1;
                return true;
            case 1:
                if (Remaining < 2)
                    return false;
                value = RdbText.FormatLong(BinaryPrimitives.ReadInt16LittleEndian(_data[_pos..]));
                _pos += 2;
                return true;
            case 2:
                if (Remaining < 4)
                    return false;
                value = RdbText.FormatLong(BinaryPrimitives.ReadInt32LittleEndian(_data[_pos..]));
                _pos += 4;
                return true;
            case 3:
                return TryReadLzf(out value);
            default:
                return false;
        }
    }

    /// <summary>Reads a type-3 zset score: a length byte and text (<c>%lg</c>), or 253/254/255 for NaN/+inf/-inf.</summary>
    public bool TryReadStringDouble(out double value)
    {
        value = 0;
        if (!TryReadByte(out byte length))
            return false;
        switch (length)
        {
            case 253:
                value = double.NaN;
                return true;
            case 254:
                value = double.PositiveInfinity;
                return true;
            case 255:
                value = double.NegativeInfinity;
                return true;
        }
        if (length > Remaining)
            return false;
        ReadOnlySpan<byte> text = _data.Slice(_pos, length);
        _pos += length;
        // sscanf("%lg") takes the longest numeric prefix of the NUL-terminated text and fails without one.
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            text = text[..nul];
        value = ScoreParser.Strtod(text, out int consumed, out _);
        return consumed > 0;
    }

    /// <summary>Reads an 8-byte little-endian IEEE 754 double (zset type 5).</summary>
    public bool TryReadBinaryDouble(out double value)
    {
        value = 0;
        if (Remaining < 8)
            return false;
        value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_pos..]);
        _pos += 8;
        return true;
    }

    private bool TryReadLzf(out byte[] value)
    {
        value = [];
        if (!TryReadCount(out ulong compressed) || !TryReadCount(out ulong length))
            return false;
        if (compressed > (ulong)Remaining)
            return false;
        if (length == 0)
        {
            // Redis's lzf_decompress "fails" with 0 bytes, which equals the expected 0: an empty string.
            _pos += (int)compressed;
            return true;
        }
        if (length > compressed * Lzf.MaxExpansion || length > (ulong)Array.MaxLength)
            return false;
        byte[] output = new byte[(int)length];
        if (!Lzf.TryDecompress(_data.Slice(_pos, (int)compressed), output))
            return false;
        _pos += (int)compressed;
        value = output;
        return true;
    }
}
