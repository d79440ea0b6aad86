using System.Buffers.Binary;

namespace Codis.Server.Persistence;

/// <summary>
/// Redis's intset blob (RDB type 11): encoding (2, 4 or 8 bytes per element), length, then the elements in
/// strictly ascending order, all little-endian.
/// </summary>
public static class Intset
{
    private const int HeaderSize = 8;

    /// <summary>Parses an intset, appending the members as decimal text. False when malformed or not strictly ascending.</summary>
    public static bool TryParse(ReadOnlySpan<byte> blob, List<byte[]> members)
    {
        if (blob.Length < HeaderSize)
            return false;
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8) || (ulong)length * width != (ulong)(blob.Length - HeaderSize))
            return false;
        long previous = long.MinValue;
        for (int i = 0; i < (int)length; i++)
        {
            ReadOnlySpan<byte> d = blob.Slice(HeaderSize + i * (int)width, (int)width);
            long v = width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(d),
                4 => BinaryPrimitives.ReadInt32LittleEndian(d),
                _ => BinaryPrimitives.ReadInt64LittleEndian(d),
            };
            if (i > 0 && v <= previous)
                return false;
            previous = v;
            members.Add(RdbText.FormatLong(v));
        }
        return true;
    }

    /// <summary>Builds an intset of <paramref name="values"/> (any order, distinct) with the smallest width.</summary>
    public static byte[] Build(long[] values)
    {
        long[] sorted = (long[])values.Clone();
        Array.Sort(sorted);
        int width = 2;
        foreach (long v in sorted)
        {
            if (v < int.MinValue || v > int.MaxValue)
                width = 8;
            else if ((v < short.MinValue || v > short.MaxValue) && width < 4)
                width = 4;
        }
        byte[] blob = new byte[HeaderSize + sorted.Length * width];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), (uint)sorted.Length);
        for (int i = 0; i < sorted.Length; i++)
        {
            Span<byte> d = blob.AsSpan(HeaderSize + i * width, width);
            switch (width)
            {
                case 2: BinaryPrimitives.WriteInt16LittleEndian(d, (short)sorted[i]); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(d, (int)sorted[i]); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(d, sorted[i]); break;
            }
        }
        return blob;
    }
}
