using Codis.Core.Resp;
using static Codis.Core.Tests.Resp.ParserDriver;

namespace Codis.Core.Tests.Resp;

public class RequestParserFuzzTests
{
    private static readonly byte[] Alphabet = Bytes("*$\r\n\r\n0123456789-+ \t\"'\\xaAfFz\0\v\u00ff");

    private static readonly string[] Seeds =
    [
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nxy\r\n",
        "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
        "*0\r\n*1\r\n$4\r\nPING\r\n",
        "PING\r\nset k \"a\\x41\\n\" 'b\\'c'\r\n\r\n",
        "*1\r\n$4\r\nPINGxx GET k\n",
    ];

    [Fact]
    public void TryParse_RandomBytes_NeverThrowsAndSplitsAgree()
    {
        var rng = new Random(20240611);
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            var input = new byte[rng.Next(1, 80)];
            for (int i = 0; i < input.Length; i++)
                input[i] = rng.Next(4) == 0 ? (byte)rng.Next(256) : Alphabet[rng.Next(Alphabet.Length)];
            CheckConsistent(input, rng);
        }
    }

    [Fact]
    public void TryParse_MutatedValidFrames_NeverThrowsAndSplitsAgree()
    {
        var rng = new Random(7);
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            var input = new List<byte>(Bytes(Seeds[rng.Next(Seeds.Length)]));
            int mutations = rng.Next(1, 4);
            for (int m = 0; m < mutations && input.Count > 0; m++)
            {
                int at = rng.Next(input.Count);
                byte value = rng.Next(3) == 0 ? (byte)rng.Next(256) : Alphabet[rng.Next(Alphabet.Length)];
                switch (rng.Next(3))
                {
                    case 0: input[at] = value; break;
                    case 1: input.Insert(at, value); break;
                    default: input.RemoveAt(at); break;
                }
            }
            if (input.Count > 0)
                CheckConsistent([.. input], rng);
        }
    }

    /// <summary>
    /// Whatever the bytes, the parser returns one of its four results, always makes progress, and reads the
    /// same requests and error whether the input arrives at once, byte by byte, or in random chunks.
    /// </summary>
    private static void CheckConsistent(byte[] input, Random rng)
    {
        bool unauth = rng.Next(4) == 0;
        long maxBulk = 1 + rng.Next(40);
        Action<RequestParser> fixedConfig = p =>
        {
            p.Unauthenticated = unauth;
            p.MaxBulkLength = maxBulk;
        };
        List<Parsed> whole = Whole(input, fixedConfig);
        Assert.All(whole, p => Assert.True(Enum.IsDefined(p.Result)));
        Assert.Equal(whole, ByteByByte(input, compact: true, fixedConfig));
        var chunks = new List<int>();
        for (int total = 0; total < input.Length;)
        {
            int n = rng.Next(1, 9);
            chunks.Add(n);
            total += n;
        }
        Assert.Equal(whole, Run(input, chunks, compact: rng.Next(2) == 0, fixedConfig));
    }
}
