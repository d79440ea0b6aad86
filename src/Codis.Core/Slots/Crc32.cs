using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Codis.Core.Slots;

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), slicing-by-8 for speed on short keys.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The crc32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        // Runs for every key of every command (the slot index): table and input are read through refs
        // so that the JIT emits no bounds checks; indexes are masked to the table's 8 x 256 entries.
        uint crc = 0xFFFFFFFFu;
        ref uint t = ref MemoryMarshal.GetArrayDataReference(Table);
        ref byte p = ref MemoryMarshal.GetReference(data);
        int n = data.Length;
        int i = 0;
        for (; n - i >= 8; i += 8)
        {
            uint one = ReadLittleEndian(ref Unsafe.Add(ref p, i)) ^ crc;
            uint two = ReadLittleEndian(ref Unsafe.Add(ref p, i + 4));
            crc = Unsafe.Add(ref t, (7 * 256) + (int)(one & 0xFF)) ^ Unsafe.Add(ref t, (6 * 256) + (int)((one >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, (5 * 256) + (int)((one >> 16) & 0xFF)) ^ Unsafe.Add(ref t, (4 * 256) + (int)(one >> 24))
                ^ Unsafe.Add(ref t, (3 * 256) + (int)(two & 0xFF)) ^ Unsafe.Add(ref t, (2 * 256) + (int)((two >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, (1 * 256) + (int)((two >> 16) & 0xFF)) ^ Unsafe.Add(ref t, (int)(two >> 24));
        }
        for (; i < n; i++)
            crc = Unsafe.Add(ref t, (int)((crc ^ Unsafe.Add(ref p, i)) & 0xFF)) ^ (crc >> 8);
        return ~crc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadLittleEndian(ref byte b)
    {
        uint v = Unsafe.ReadUnaligned<uint>(ref b);
        return BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
    }

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int n = 0; n < 256; n++)
        {
            for (int s = 1; s < 8; s++)
                t[(s * 256) + n] = (t[((s - 1) * 256) + n] >> 8) ^ t[t[((s - 1) * 256) + n] & 0xFF];
        }
        return t;
    }
}
