using System.Buffers.Binary;

namespace Codis.Server.Persistence;

/// <summary>
/// The Redis 2.4 zipmap blob (RDB type 9), read only: <c>count</c> byte (254 = unknown), then
/// <c>len key len free value [free bytes]</c> pairs and an 0xFF end byte. Lengths are one byte below 254,
/// else 254 and 4 bytes little-endian.
/// </summary>
public static class Zipmap
{
    private const byte BigLength = 254;
    private const byte End = 255;

    /// <summary>Parses a zipmap, appending field and value alternately. False when malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> zm, List<byte[]> entries)
    {
        if (zm.Length < 2 || zm[^1] != End)
            return false;
        int headerCount = zm[0];
        int limit = zm.Length - 1;
        int pos = 1;
        int pairs = 0;
        while (pos < limit)
        {
            if (!TryReadLength(zm, limit, ref pos, out int keyLength) || keyLength > limit - pos)
                return false;
            entries.Add(zm.Slice(pos, keyLength).ToArray());
            pos += keyLength;
            if (pos >= limit || !TryReadLength(zm, limit, ref pos, out int valueLength) || pos >= limit)
                return false;
            int free = zm[pos++];
            if (valueLength > limit - pos || free > limit - pos - valueLength)
                return false;
            entries.Add(zm.Slice(pos, valueLength).ToArray());
            pos += valueLength + free;
            pairs++;
        }
        return headerCount >= BigLength || headerCount == pairs;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> zm, int limit, ref int pos, out int length)
    {
        length = 0;
        byte b = zm[pos];
        if (b < BigLength)
        {
            length = b;
            pos++;
            return true;
        }
        if (b != BigLength || pos + 5 > limit)
            return false;
        uint l = BinaryPrimitives.ReadUInt32LittleEndian(zm[(pos + 1)..]);
        if (l > int.MaxValue)
            return false;
        length = (int)l;
        pos += 5;
        return true;
    }
}
