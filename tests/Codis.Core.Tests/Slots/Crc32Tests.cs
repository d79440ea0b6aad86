using System.Text;
using Codis.Core.Slots;

namespace Codis.Core.Tests.Slots;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("abc", 0x352441C2u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Compute_KnownAnswer_Matches(string text, uint expected)
    {
        Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Compute_AllLengthsUpTo64_MatchesBitwiseReference()
    {
        // Slicing-by-8 has a fast loop and a tail loop: every length mod 8 must agree with the plain algorithm.
        var data = new byte[64];
        new Random(1234).NextBytes(data);
        for (int len = 0; len <= data.Length; len++)
        {
            for (int start = 0; start + len <= data.Length; start += 7)
            {
                ReadOnlySpan<byte> slice = data.AsSpan(start, len);
                Assert.Equal(BitwiseCrc32(slice), Crc32.Compute(slice));
            }
        }
    }

    [Fact]
    public void Compute_ZeroBytes_MatchesKnownAnswer()
    {
        // crc32 of 32 zero bytes (zlib.crc32(bytes(32))).
        Assert.Equal(0x190A55ADu, Crc32.Compute(new byte[32]));
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
