namespace Codis.Server.Persistence;

/// <summary>
/// Redis's CRC-64 ("Jones" polynomial 0xAD93D23594C935A9, reflected, initial value 0, no final XOR),
/// which guards DUMP payloads and RDB files. <c>Compute("123456789")</c> is 0xe9c6d914c4b8d9ca.
/// </summary>
public static class Crc64
{
    // The reflected form of the polynomial: the table is built least-significant bit first.
    private const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    private static readonly ulong[] Table = BuildTable();

    /// <summary>Continues <paramref name="crc"/> (0 to start) over <paramref name="data"/>.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        ulong[] table = Table;
        foreach (byte b in data)
            crc = table[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC-64 of <paramref name="data"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (int i = 0; i < 256; i++)
        {
            ulong c = (ulong)i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPolynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
