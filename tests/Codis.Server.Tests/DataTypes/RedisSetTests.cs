using System.Text;
using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

/// <summary>The two encodings of <see cref="RedisSet"/> and the switch between them.</summary>
public sealed class RedisSetTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string[] Texts(IEnumerable<byte[]> members) => [.. members.Select(m => Encoding.UTF8.GetString(m))];

    [Fact]
    public void Add_Integers_IntsetInAscendingOrder()
    {
        var set = new RedisSet();
        foreach (string m in new[] { "5", "-3", "9223372036854775807", "0", "-9223372036854775808", "5" })
            set.Add(B(m), 512);
        Assert.Equal("intset", set.Encoding);
        Assert.Equal(["-9223372036854775808", "-3", "0", "5", "9223372036854775807"], Texts(set.Members()));
        Assert.Equal(Texts(set.Members()), Texts(set.SortElements()));
    }

    [Theory]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("-0")]
    [InlineData("1.0")]
    [InlineData("")]
    [InlineData("9223372036854775808")]
    [InlineData("x")]
    public void Add_NonCanonicalInteger_ConvertsToHashtable(string member)
    {
        var set = new RedisSet();
        Assert.True(set.Add(B("1"), 512));
        Assert.True(set.Add(B(member), 512));
        Assert.Equal("hashtable", set.Encoding);
        Assert.True(set.Contains(B(member)));
        Assert.True(set.Contains(B("1")));
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void Add_BeyondLimit_ConvertsAndNeverConvertsBack()
    {
        var set = new RedisSet();
        for (int i = 0; i < 3; i++)
            set.Add(B(i.ToString()), 3);
        Assert.True(set.IsIntset);
        Assert.False(set.Add(B("2"), 3));
        Assert.True(set.IsIntset);
        Assert.True(set.Add(B("3"), 3));
        Assert.False(set.IsIntset);
        Assert.True(set.Remove(B("3")));
        Assert.True(set.Remove(B("0")));
        Assert.Equal("hashtable", set.Encoding);
        Assert.Equal(["1", "2"], Texts(set.Members()).Order());
    }

    [Fact]
    public void Remove_IntsetMembers_KeepsOrder()
    {
        var set = new RedisSet();
        foreach (string m in new[] { "4", "1", "3", "2" })
            set.Add(B(m), 512);
        Assert.False(set.Remove(B("x")));
        Assert.False(set.Remove(B("01")));
        Assert.True(set.Remove(B("3")));
        Assert.False(set.Remove(B("3")));
        Assert.Equal(["1", "2", "4"], Texts(set.Members()));
        Assert.False(set.Contains(B("3")));
    }

    [Fact]
    public void DeepCopy_BothEncodings_Independent()
    {
        foreach (string extra in new[] { "7", "x" })
        {
            var set = new RedisSet();
            set.Add(B("1"), 512);
            set.Add(B(extra), 512);
            var copy = (RedisSet)set.DeepCopy();
            copy.Add(B("y"), 512);
            copy.Remove(B("1"));
            Assert.Equal(2, set.Count);
            Assert.True(set.Contains(B("1")));
            Assert.False(set.Contains(B("y")));
            Assert.Equal(set.Encoding, extra == "x" ? "hashtable" : "intset");
        }
    }

    [Fact]
    public void PopRandom_UntilEmpty_ReturnsEveryMemberOnce()
    {
        foreach (bool ints in new[] { true, false })
        {
            var set = new RedisSet();
            var expected = new List<string>();
            for (int i = 0; i < 100; i++)
            {
                string m = ints ? i.ToString() : "m" + i;
                expected.Add(m);
                set.Add(B(m), 512);
            }
            var random = new Random(7);
            var popped = new List<string>();
            while (set.Count > 0)
            {
                Assert.True(set.Contains(set.RandomMember(random)));
                popped.Add(Encoding.UTF8.GetString(set.PopRandom(random)));
            }
            Assert.Equal(expected.Order(), popped.Order());
        }
    }

    [Fact]
    public void ScanStep_Hashtable_VisitsEveryMember()
    {
        var set = new RedisSet();
        for (int i = 0; i < 1000; i++)
            set.Add(B("k" + i), 512);
        var seen = new List<byte[]>();
        ulong cursor = 0;
        do
        {
            cursor = set.ScanStep(cursor, seen);
        }
        while (cursor != 0);
        Assert.Equal(Texts(set.Members()).Order(), Texts(seen).Order());
    }
}
