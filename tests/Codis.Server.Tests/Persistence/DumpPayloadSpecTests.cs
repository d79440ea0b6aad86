using Codis.Server.Persistence;
using static Codis.Server.Tests.Persistence.PayloadTestData;

namespace Codis.Server.Tests.Persistence;

/// <summary>The verified codis-server 3.2.11 payloads of spec §7.9: produced byte for byte and parsed back.</summary>
public sealed class DumpPayloadSpecTests
{
    public static TheoryData<string, string> Examples => new()
    {
        { "s1", "00 05 68 65 6c 6c 6f 07 00 9c 40 0a 85 6d fe f5 10" },
        { "s2", "00 c1 39 30 07 00 62 a6 3f d4 9b 36 dd a3" },
        { "a40", "00 c3 09 28 01 61 61 e0 1b 00 01 61 61 07 00 30 3b fa 59 a6 ef 56 07" },
        { "l1", "0e 01 13 13 00 00 00 10 00 00 00 03 00 00 01 61 03 01 62 03 f8 ff 07 00 a7 cc 3d 2b 35 07 65 e8" },
        { "si", "0b 0e 02 00 00 00 03 00 00 00 01 00 02 00 03 00 07 00 5a 30 89 11 65 a4 98 01" },
        { "ss", "02 02 01 79 01 78 07 00 f3 ed be ce bb fa 69 ea" },
        { "h1", "0d 11 11 00 00 00 0d 00 00 00 02 00 00 01 66 03 01 76 ff 07 00 ff 27 47 b3 e7 4e 9d d3" },
        { "z1", "0c 18 18 00 00 00 15 00 00 00 04 00 00 01 6d 03 03 31 2e 35 05 01 6e 03 f3 ff 07 00 1c dc 7f dd 25 a5 4f 98" },
        { "hbig", "04 01 01 66 c3 09 40 46 01 78 78 e0 39 00 01 78 78 07 00 c1 5e 40 ac 26 98 32 db" },
        { "l2", "0e 01 c3 2a 3b 04 3b 00 00 00 35 20 03 1a 08 00 00 05 68 65 6c 6c 6f 07 05 77 6f 72 6c 64 07 03 66 6f 6f 05 03 62 61 72 05 e0 0d 17 01 72 ff 07 00 8f 85 37 af 4d 0c 36 3a" },
    };

    private static RdbValue ValueOf(string name) => name switch
    {
        "s1" => Str("hello"),
        "s2" => Str("12345"),
        "a40" => Str(new string('a', 40)),
        "l1" => List("a", "b", "7"),
        "si" => Set("1", "2", "3"),
        "ss" => Set("y", "x"), // Redis wrote its hash-table order
        "h1" => Hash(("f", "v")),
        "z1" => ZSet(("m", 1.5), ("n", 2)),
        "hbig" => Hash(("f", new string('x', 70))),
        "l2" => List("hello", "world", "foo", "bar", "hello", "world", "foo", "bar"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Create_SpecExample_ProducesCodisBytes(string name, string hex)
    {
        Assert.Equal(Convert.ToHexString(Hex(hex)), Convert.ToHexString(DumpPayload.Create(ValueOf(name))));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void TryParse_SpecExample_DecodesValue(string name, string hex)
    {
        Assert.True(DumpPayload.TryParse(Hex(hex), out RdbValue? value, out string? error), error);
        AssertSameValue(ValueOf(name), value);
    }

    [Fact]
    public void TryParse_SkiplistZSetPrefixFromSpec_ReadsTextScore()
    {
        // Spec: a 131-member skiplist zset starts with count 131, member "m105", score "105.25".
        var writer = new RdbWriter();
        writer.WriteRaw(Hex("03 40 83 04 6d 31 30 35 06 31 30 35 2e 32 35"));
        for (int i = 1; i < 131; i++)
        {
            writer.WriteString(B("x" + i));
            writer.WriteStringDouble(i);
        }
        Assert.True(DumpPayload.TryParse(DumpPayload.Seal(writer), out RdbValue? value, out _));
        Assert.Equal(131, value.Count);
        Assert.Equal(B("m105"), value.ZSetEntries![0].Member);
        Assert.Equal(105.25, value.ZSetEntries[0].Score);
    }
}
