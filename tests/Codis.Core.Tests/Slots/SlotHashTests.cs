using System.Text;
using Codis.Core.Slots;

namespace Codis.Core.Tests.Slots;

public class SlotHashTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void Slot_SpecSlotsHashKeyVector_Matches()
    {
        // server.md §4.1 / proxy.md §8: redis-cli splits "{a a}" into the two keys "{a" and "a}".
        string[] keys = ["a", "{t}x", "t", "{}a", "b", "{a", "a}"];
        int[] expected = [579, 680, 680, 0, 1017, 780, 408];
        for (int i = 0; i < keys.Length; i++)
            Assert.Equal(expected[i], SlotHash.Slot(B(keys[i])));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("{a a}", 361)]
    [InlineData("{{a}}", 780)]
    [InlineData("a{b}c{d}", 1017)]
    [InlineData("foo{bar", 407)]
    [InlineData("}{a}", 579)]
    [InlineData("{a}}", 579)]
    [InlineData("x{}", 0)]
    [InlineData("foo{}{bar}", 0)]
    [InlineData("}a{b", 515)]
    [InlineData("foo{{bar}}zap", 313)]
    [InlineData("foo{bar}{zap}", 170)]
    [InlineData("{user1000}.following", 870)]
    [InlineData("{user1000}.followers", 870)]
    [InlineData("\u0000{\u00ff}", 0)]
    public void Slot_TaggedAndUntaggedKeys_MatchZlibReference(string key, int expected)
    {
        Assert.Equal(expected, SlotHash.Slot(B(key)));
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("", "")]
    [InlineData("{t}x", "t")]
    [InlineData("x{t}", "t")]
    [InlineData("{}a", "")]
    [InlineData("{", "{")]
    [InlineData("}", "}")]
    [InlineData("}{", "}{")]
    [InlineData("{a", "{a")]
    [InlineData("a}", "a}")]
    [InlineData("}a{", "}a{")]
    [InlineData("{{a}}", "{a")]
    [InlineData("{a}{b}", "a")]
    [InlineData("a{b{c}d}", "b{c")]
    [InlineData("{ }", " ")]
    public void HashTag_Key_ReturnsTextBetweenFirstOpenAndNextClose(string key, string expected)
    {
        Assert.Equal(expected, Encoding.Latin1.GetString(SlotHash.HashTag(B(key))));
    }

    [Theory]
    [InlineData("abc", false)]
    [InlineData("", false)]
    [InlineData("{", false)]
    [InlineData("}", false)]
    [InlineData("}{", false)]
    [InlineData("{a", false)]
    [InlineData("a}", false)]
    [InlineData("}a{", false)]
    [InlineData("{}", true)]
    [InlineData("x{}y", true)]
    [InlineData("{t}x", true)]
    [InlineData("}{}", true)]
    public void HasTag_Key_TrueOnlyWithBracePair(string key, bool expected)
    {
        Assert.Equal(expected, SlotHash.HasTag(B(key)));
    }

    [Fact]
    public void HashTag_SameTag_SameSlotAndCrc()
    {
        Assert.Equal(SlotHash.TagCrc(B("{tag}one")), SlotHash.TagCrc(B("two{tag}")));
        Assert.Equal(SlotHash.Slot(B("{tag}one")), SlotHash.Slot(B("tag")));
    }

    [Fact]
    public void TagCrc_Key_IsCrc32OfHashTag()
    {
        Assert.Equal(Crc32.Compute(B("t")), SlotHash.TagCrc(B("{t}x")));
        Assert.Equal(0u, SlotHash.TagCrc(B("{}x")));
        Assert.Equal(0xCBF43926u, SlotHash.TagCrc(B("123456789")));
    }

    [Fact]
    public void SlotOfCrc_AnyCrc_IsLowTenBits()
    {
        Assert.Equal(0, SlotHash.SlotOfCrc(0));
        Assert.Equal(1023, SlotHash.SlotOfCrc(uint.MaxValue));
        Assert.Equal(0x3926 & 1023, SlotHash.SlotOfCrc(0xCBF43926u));
        Assert.Equal(1024, SlotHash.SlotCount);
    }

    [Fact]
    public void Slot_RandomKeys_EqualsSlotOfTagCrcAndInRange()
    {
        var rng = new Random(42);
        var key = new byte[24];
        for (int i = 0; i < 2000; i++)
        {
            int len = rng.Next(key.Length + 1);
            for (int j = 0; j < len; j++)
                key[j] = (byte)"{}ab\0\xff"[rng.Next(6)];
            ReadOnlySpan<byte> k = key.AsSpan(0, len);
            int slot = SlotHash.Slot(k);
            Assert.InRange(slot, 0, SlotHash.SlotCount - 1);
            Assert.Equal(SlotHash.SlotOfCrc(SlotHash.TagCrc(k)), slot);
        }
    }
}
