using System.Buffers.Binary;
using System.Globalization;
using Codis.Server.Persistence;
using static Codis.Server.Tests.Persistence.PayloadTestData;

namespace Codis.Server.Tests.Persistence;

/// <summary>
/// Every payload we create must load in Codis 3.2's codis-server (Redis 3.2.11, whose loader trusts its
/// input and may abort on what it does not know, quirk 37): RDB version 7, object types 0-4 and 9-14
/// only (rdb.h's rdbIsObjectType), 32-bit lengths at most (3.2's rdbLoadLen knows no 0x81), string
/// encodings int8/16/32 and LZF only, text doubles, well-formed ziplists and intsets. Checked here
/// by walking each payload with 3.2's rules.
/// </summary>
public sealed class Redis32PayloadTests
{
    private static string I(long i) => i.ToString(CultureInfo.InvariantCulture);

    public static TheoryData<string> Shapes => new()
    {
        "strings", "list-small", "list-large", "list-huge-element", "set-intset", "set-intset-64", "set-strings",
        "set-large", "zset-small", "zset-special", "zset-large", "zset-long-member", "hash-small", "hash-large",
        "hash-long-value", "hash-binary",
    };

    private static IEnumerable<RdbValue> Values(string shape) => shape switch
    {
        "strings" => [.. new[] { "", "0", "-1", "127", "128", "32768", "2147483647", "2147483648", "-9223372036854775808", "007", "x" }.Select(Str),
            Str(new string('a', 21)), Str(new string('q', 100_000)), Str(string.Concat(Enumerable.Range(0, 5000).Select(i => I(i))))],
        "list-small" => [List("a", "1", "-7", "9223372036854775807", "300", "70000", "")],
        "list-large" => [List([.. Enumerable.Range(0, 20_000).Select(i => i % 5 == 0 ? I(i) : "element-" + I(i))])],
        "list-huge-element" => [List("a", new string('b', 20_000), "c", new string('d', 300))],
        "set-intset" => [Set("1", "2", "3", "-70000")],
        "set-intset-64" => [Set("1", "-9223372036854775808", "9223372036854775807")],
        "set-strings" => [Set("a", "b", "10")],
        "set-large" => [Set([.. Enumerable.Range(0, 600).Select(i => I(i))]), Set([.. Enumerable.Range(0, 600).Select(i => "m" + I(i))])],
        "zset-small" => [ZSet(("a", 1.5), ("b", 2), ("c", -0.0), ("d", 1e-300))],
        "zset-special" => [ZSet(("top", double.PositiveInfinity), ("bottom", double.NegativeInfinity), ("big", 1e300), ("x", 4503599627370496))],
        "zset-large" => [ZSet([.. Enumerable.Range(0, 300).Select(i => ("m" + I(i), i / 3.0))])],
        "zset-long-member" => [ZSet((new string('m', 65), 1), ("s", double.NegativeInfinity))],
        "hash-small" => [Hash(("f", "v"), ("n", "12"), ("e", ""))],
        "hash-large" => [Hash([.. Enumerable.Range(0, 600).Select(i => ("f" + I(i), I(i)))])],
        "hash-long-value" => [Hash(("f", new string('v', 65)), ("g", new string('w', 70_000)))],
        "hash-binary" => [RdbValue.FromHash([([0, 255, 13, 10], [1, 2, 3]), ([], [0])])],
        _ => throw new ArgumentException(shape),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Create_EveryShape_LoadableByRedis32(string shape)
    {
        foreach (RdbValue value in Values(shape))
            AssertLoadableByRedis32(DumpPayload.Create(value));
    }

    [Theory]
    [InlineData("00 05 68 65 6c 6c 6f 07 00 9c 40 0a 85 6d fe f5 10")]
    [InlineData("0e 01 13 13 00 00 00 10 00 00 00 03 00 00 01 61 03 01 62 03 f8 ff 07 00 a7 cc 3d 2b 35 07 65 e8")]
    public void Walker_RealCodis32Payloads_Accepted(string hex) => AssertLoadableByRedis32(Hex(hex));

    [Theory]
    [InlineData(RdbType.ZSet2)]
    [InlineData(RdbType.HashListpack)]
    [InlineData(RdbType.ListQuicklist2)]
    public void Walker_NewerTypes_Rejected(RdbType type)
    {
        var w = new RdbWriter();
        w.WriteType(type);
        w.WriteLength(0);
        Assert.ThrowsAny<Exception>(() => AssertLoadableByRedis32(DumpPayload.Seal(w)));
    }

    /// <summary>Walks <paramref name="payload"/> as Redis 3.2's DUMP verification and rdbLoadObject would.</summary>
    private static void AssertLoadableByRedis32(byte[] payload)
    {
        Assert.True(DumpPayload.VerifyFooter(payload, out ushort version));
        Assert.Equal(7, version);
        var r = new Walker(payload.AsSpan(0, payload.Length - 10).ToArray());
        byte type = r.Byte();
        switch (type)
        {
            case 0:
                r.String();
                break;
            case 1:
            case 2:
                for (long n = r.Length(); n > 0; n--)
                    r.String();
                break;
            case 3:
                for (long n = r.Length(); n > 0; n--)
                {
                    r.String();
                    r.TextDouble();
                }
                break;
            case 4:
                for (long n = r.Length(); n > 0; n--)
                {
                    r.String();
                    r.String();
                }
                break;
            case 10:
            case 12:
            case 13:
                Assert.True(Ziplist.TryParse(r.String(), []));
                break;
            case 11:
                Assert.True(Intset.TryParse(r.String(), []));
                break;
            case 14:
                {
                    long nodes = r.Length();
                    Assert.True(nodes > 0);
                    for (; nodes > 0; nodes--)
                    {
                        var entries = new List<byte[]>();
                        Assert.True(Ziplist.TryParse(r.String(), entries));
                        Assert.NotEmpty(entries);
                    }
                    break;
                }
            default:
                Assert.Fail($"object type {type} is unknown to Redis 3.2");
                break;
        }
        Assert.True(r.AtEnd, "bytes left after the object");
    }

    private sealed class Walker(byte[] data)
    {
        private int _pos;

        public bool AtEnd => _pos == data.Length;

        public byte Byte() => data[_pos++];

        private byte[] Take(long n)
        {
            Assert.InRange(n, 0, data.Length - _pos);
            byte[] b = data.AsSpan(_pos, (int)n).ToArray();
            _pos += (int)n;
            return b;
        }

        /// <summary>rdbLoadLen of 3.2: 6-bit, 14-bit or 0x80 + 32-bit big-endian; nothing else.</summary>
        public long Length()
        {
            byte b = Byte();
            Assert.NotEqual(3, b >> 6); // an encoded string where a length belongs
            return (b >> 6) switch
            {
                0 => b & 0x3F,
                1 => ((b & 0x3F) << 8) | Byte(),
                _ when b == 0x80 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
                _ => throw new InvalidOperationException($"length prefix 0x{b:x2} is unknown to Redis 3.2"),
            };
        }

        /// <summary>rdbGenericLoadStringObject of 3.2: raw, int8/16/32 or LZF.</summary>
        public byte[] String()
        {
            byte b = data[_pos];
            if (b >> 6 != 3)
                return Take(Length());
            _pos++;
            switch (b & 0x3F)
            {
                case 0:
                    return Take(1);
                case 1:
                    return Take(2);
                case 2:
                    return Take(4);
                case 3:
                    {
                        long compressed = Length();
                        long length = Length();
                        byte[] output = new byte[length];
                        Assert.True(Lzf.TryDecompress(Take(compressed), output));
                        return output;
                    }
                default:
                    throw new InvalidOperationException($"string encoding {b & 0x3F} is unknown to Redis 3.2");
            }
        }

        /// <summary>rdbLoadDoubleValue of 3.2: a length byte (253-255 special) and text strtod reads whole.</summary>
        public void TextDouble()
        {
            byte len = Byte();
            if (len >= 253)
                return;
            string text = System.Text.Encoding.ASCII.GetString(Take(len));
            Assert.True(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _), text);
        }
    }
}
