using System.Text;
using Codis.Server.Persistence;

namespace Codis.Server.Tests.Persistence;

public sealed class Crc64LzfTests
{
    [Fact]
    public void Compute_CheckString_MatchesRedisVector()
    {
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Compute("123456789"u8));
    }

    [Fact]
    public void Update_InPieces_EqualsWhole()
    {
        byte[] data = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        ulong crc = Crc64.Update(Crc64.Update(0, data.AsSpan(0, 10)), data.AsSpan(10));
        Assert.Equal(Crc64.Compute(data), crc);
        Assert.Equal(0UL, Crc64.Compute([]));
    }

    public static TheoryData<int, int> Inputs => new()
    {
        { 3, 0 }, { 21, 0 }, { 40, 1 }, { 100, 2 }, { 1000, 3 }, { 8192, 4 }, { 70000, 5 }, { 300, 6 },
    };

    // Kinds: 0 random, 1 one repeated byte, 2 short period, 3 text-like, 4 mixed runs, 5 long repetitive, 6 match lengths 17-20 near the end.
    private static byte[] Make(int length, int kind)
    {
        var rng = new Random(length * 31 + kind);
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = kind switch
            {
                0 => (byte)rng.Next(256),
                1 => (byte)'a',
                2 => (byte)(i % 7),
                3 => (byte)"the cat sat on the mat "[i % 23],
                4 => (byte)(rng.Next(10) < 7 ? 'x' : rng.Next(256)),
                5 => (byte)((i / 50) % 3 + (i % 11)),
                _ => (byte)(i < length - 40 ? rng.Next(256) : 'q'),
            };
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Compress_ThenDecompress_RestoresInput(int length, int kind)
    {
        byte[] data = Make(length, kind);
        byte[] output = new byte[length + 64];
        int n = Lzf.Compress(data, output);
        Assert.True(n > 0);
        byte[] restored = new byte[length];
        Assert.True(Lzf.TryDecompress(output.AsSpan(0, n), restored));
        Assert.Equal(data, restored);
    }

    [Fact]
    public void Compress_IncompressibleIntoSmallerBuffer_ReturnsZero()
    {
        byte[] data = Make(100, 0);
        Assert.Equal(0, Lzf.Compress(data, new byte[96]));
        Assert.Equal(0, Lzf.Compress([], new byte[10]));
    }

    [Fact]
    public void Compress_FortyA_MatchesRedis()
    {
        byte[] output = new byte[36];
        int n = Lzf.Compress(Encoding.ASCII.GetBytes(new string('a', 40)), output);
        Assert.Equal("016161E01B00016161", Convert.ToHexString(output, 0, n));
    }

    [Theory]
    [InlineData("")]              // nothing decompresses to a non-empty output
    [InlineData("05 61 62")]      // literal run longer than the input
    [InlineData("01 61 61 20 05")] // reference before the start
    [InlineData("E0")]            // truncated long reference
    [InlineData("20")]            // truncated reference offset
    [InlineData("01 61 61 E0 FF 00")] // output overflow
    public void TryDecompress_Malformed_ReturnsFalse(string hex)
    {
        byte[] input = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.False(Lzf.TryDecompress(input, new byte[8]));
    }

    [Fact]
    public void TryDecompress_ShortOutput_ReturnsFalse()
    {
        Assert.False(Lzf.TryDecompress(Convert.FromHexString("0161"), new byte[3]));
        Assert.False(Lzf.TryDecompress(Convert.FromHexString("016161"), new byte[3]));
    }
}
