using System.Buffers.Binary;

namespace Codis.Server.Persistence;

/// <summary>
/// Redis's ziplist blob (RDB types 10, 12, 13 and the nodes of 14): building the exact bytes Redis 3.2
/// writes, and strict parsing (every header, length and back-link is checked; nothing reads out of bounds).
/// </summary>
public static class Ziplist
{
    /// <summary>Size of the header (zlbytes, zltail, zllen); also zltail of an empty ziplist.</summary>
    public const int HeaderSize = 10;

    /// <summary>Size of an empty ziplist (header and end marker).</summary>
    public const int EmptySize = HeaderSize + 1;

    private const byte End = 0xFF;

    /// <summary>
    /// Parses a ziplist, appending every entry to <paramref name="entries"/> (integers as their decimal
    /// text). Returns false when the blob is malformed in any way.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> zl, List<byte[]> entries)
    {
        if (zl.Length < EmptySize || BinaryPrimitives.ReadUInt32LittleEndian(zl) != (uint)zl.Length || zl[^1] != End)
            return false;
        uint tail = BinaryPrimitives.ReadUInt32LittleEndian(zl[4..]);
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(zl[8..]);
        int limit = zl.Length - 1; // entries must end before the end marker
        int pos = HeaderSize;
        int previousSize = 0;
        int last = HeaderSize;
        int count = 0;
        while (pos < limit && zl[pos] != End)
        {
            int start = pos;
            int prevlen;
            if (zl[pos] < 254)
            {
                prevlen = zl[pos++];
            }
            else
            {
                if (pos + 5 > limit)
                    return false;
                uint p = BinaryPrimitives.ReadUInt32LittleEndian(zl[(pos + 1)..]);
                if (p > int.MaxValue)
                    return false;
                prevlen = (int)p;
                pos += 5;
            }
            if (prevlen != previousSize || pos >= limit)
                return false;

            byte enc = zl[pos];
            switch (enc >> 6)
            {
                case 0:
                case 1:
                case 2:
                    int len;
                    if (enc >> 6 == 0)
                    {
                        len = enc & 0x3F;
                        pos += 1;
                    }
                    else if (enc >> 6 == 1)
                    {
                        if (pos + 2 > limit)
                            return false;
                        len = ((enc & 0x3F) << 8) | zl[pos + 1];
                        pos += 2;
                    }
                    else
                    {
                        if (pos + 5 > limit)
                            return false;
                        uint l = BinaryPrimitives.ReadUInt32BigEndian(zl[(pos + 1)..]);
                        if (l > (uint)limit)
                            return false;
                        len = (int)l;
                        pos += 5;
                    }
                    if (len > limit - pos)
                        return false;
                    entries.Add(zl.Slice(pos, len).ToArray());
                    pos += len;
                    break;
                default:
                    int size = enc switch
                    {
                        0xC0 => 2,
                        0xD0 => 4,
                        0xE0 => 8,
                        0xF0 => 3,
                        0xFE => 1,
                        >= 0xF1 and <= 0xFD => 0,
                        _ => -1,
                    };
                    if (size < 0 || size > limit - pos - 1)
                        return false;
                    ReadOnlySpan<byte> d = zl.Slice(pos + 1, size);
                    long value = enc switch
                    {
                        0xC0 => BinaryPrimitives.ReadInt16LittleEndian(d),
                        0xD0 => BinaryPrimitives.ReadInt32LittleEndian(d),
                        0xE0 => BinaryPrimitives.ReadInt64LittleEndian(d),
                        0xF0 => (d[0] | (d[1] << 8) | (d[2] << 16)) << 8 >> 8, // sign-extend 24 bits
                        0xFE => (sbyte)d[0],
                        _ => (enc & 0x0F) - 1,
                    };
                    entries.Add(RdbText.FormatLong(value));
                    pos += 1 + size;
                    break;
            }
            previousSize = pos - start;
            last = start;
            count++;
        }
        if (pos != limit || tail != (uint)last)
            return false;
        return headerCount == ushort.MaxValue || headerCount == count;
    }

    /// <summary>The encoded size of an entry holding <paramref name="value"/> after an entry of <paramref name="previousSize"/> bytes.</summary>
    internal static int EntrySize(ReadOnlySpan<byte> value, int previousSize)
    {
        int prev = previousSize < 254 ? 1 : 5;
        if (TryInteger(value, out long v))
            return prev + 1 + IntegerSize(v);
        int header = value.Length <= 0x3F ? 1 : value.Length <= 0x3FFF ? 2 : 5;
        return prev + header + value.Length;
    }

    // Redis stores an entry as an integer when it is the canonical text of a 64-bit integer shorter than 32 bytes.
    internal static bool TryInteger(ReadOnlySpan<byte> value, out long v)
    {
        v = 0;
        return value.Length is > 0 and < 32 && RdbText.TryParseCanonicalLong(value, out v);
    }

    private static int IntegerSize(long v) => v switch
    {
        >= 0 and <= 12 => 0,
        >= sbyte.MinValue and <= sbyte.MaxValue => 1,
        >= short.MinValue and <= short.MaxValue => 2,
        >= -(1 << 23) and <= (1 << 23) - 1 => 3,
        >= int.MinValue and <= int.MaxValue => 4,
        _ => 8,
    };

    /// <summary>Builds a ziplist entry by entry, as Redis 3.2's <c>ziplistPush</c> at the tail does.</summary>
    public sealed class Builder
    {
        private byte[] _buffer = new byte[64];
        private int _length = HeaderSize;
        private int _previousSize;
        private int _last = HeaderSize;

        /// <summary>The number of entries appended.</summary>
        public int Count { get; private set; }

        /// <summary>The size of the finished ziplist so far (including the end marker).</summary>
        public int Size => _length + 1;

        /// <summary>Appends one entry (stored as an integer when Redis would).</summary>
        public void Add(ReadOnlySpan<byte> value)
        {
            int start = _length;
            Ensure(EntrySize(value, _previousSize));
            if (_previousSize < 254)
            {
                _buffer[_length++] = (byte)_previousSize;
            }
            else
            {
                _buffer[_length++] = 254;
                BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), (uint)_previousSize);
                _length += 4;
            }

            if (TryInteger(value, out long v))
            {
                int size = IntegerSize(v);
                Span<byte> d = _buffer.AsSpan(_length + 1, size);
                switch (size)
                {
                    case 0: _buffer[_length] = (byte)(0xF1 + v); break;
                    case 1: _buffer[_length] = 0xFE; d[0] = (byte)v; break;
                    case 2: _buffer[_length] = 0xC0; BinaryPrimitives.WriteInt16LittleEndian(d, (short)v); break;
                    case 3: _buffer[_length] = 0xF0; d[0] = (byte)v; d[1] = (byte)(v >> 8); d[2] = (byte)(v >> 16); break;
                    case 4: _buffer[_length] = 0xD0; BinaryPrimitives.WriteInt32LittleEndian(d, (int)v); break;
                    default: _buffer[_length] = 0xE0; BinaryPrimitives.WriteInt64LittleEndian(d, v); break;
                }
                _length += 1 + size;
            }
            else
            {
                int n = value.Length;
                if (n <= 0x3F)
                {
                    _buffer[_length++] = (byte)n;
                }
                else if (n <= 0x3FFF)
                {
                    _buffer[_length++] = (byte)(0x40 | (n >> 8));
                    _buffer[_length++] = (byte)n;
                }
                else
                {
                    _buffer[_length++] = 0x80;
                    BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), (uint)n);
                    _length += 4;
                }
                value.CopyTo(_buffer.AsSpan(_length));
                _length += n;
            }
            _previousSize = _length - start;
            _last = start;
            Count++;
        }

        /// <summary>The finished ziplist.</summary>
        public byte[] ToArray()
        {
            byte[] zl = new byte[_length + 1];
            _buffer.AsSpan(0, _length).CopyTo(zl);
            BinaryPrimitives.WriteUInt32LittleEndian(zl, (uint)zl.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(zl.AsSpan(4), (uint)_last);
            BinaryPrimitives.WriteUInt16LittleEndian(zl.AsSpan(8), (ushort)Math.Min(Count, ushort.MaxValue));
            zl[^1] = End;
            return zl;
        }

        private void Ensure(int extra)
        {
            if (_length + extra + 1 > _buffer.Length)
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra + 1));
        }
    }
}
