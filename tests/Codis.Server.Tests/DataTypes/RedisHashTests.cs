using System.Text;
using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

public sealed class RedisHashTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static string[] Fields(RedisHash h) => [.. h.Pairs().Select(p => Encoding.ASCII.GetString(p.Key))];

    [Fact]
    public void Listpack_KeepsInsertionOrderThroughUpdatesAndDeletes()
    {
        var h = new RedisHash();
        foreach (string f in new[] { "z", "y", "x", "w" })
            Assert.True(h.Set(B(f), B("1"), 128, 64));
        Assert.False(h.Set(B("y"), B("2"), 128, 64));
        Assert.True(h.Remove(B("x")));
        Assert.False(h.Remove(B("x")));
        Assert.True(h.Set(B("x"), B("3"), 128, 64));
        Assert.Equal(["z", "y", "w", "x"], Fields(h));
        Assert.True(h.TryGetField(B("y"), out byte[] v));
        Assert.Equal(B("2"), v);
        Assert.Equal("listpack", h.Encoding);
    }

    [Fact]
    public void Conversion_OnEntryCountAndValueLength_NeverBack()
    {
        var h = new RedisHash();
        h.Set(B("a"), new byte[64], 3, 64);
        h.Set(new byte[64], B("b"), 3, 64);
        h.Set(B("c"), B("c"), 3, 64);
        Assert.Equal("listpack", h.Encoding);
        h.Set(B("d"), B("d"), 3, 64);
        Assert.Equal("hashtable", h.Encoding);
        h.Remove(B("d"));
        h.Remove(B("c"));
        Assert.Equal("hashtable", h.Encoding);

        var g = new RedisHash();
        g.Set(B("a"), new byte[65], 128, 64);
        Assert.Equal("hashtable", g.Encoding);
        var f = new RedisHash();
        f.Set(new byte[65], B("v"), 128, 64);
        Assert.Equal("hashtable", f.Encoding);
        Assert.True(f.TryGetField(new byte[65], out byte[] value));
        Assert.Equal(B("v"), value);
    }

    [Fact]
    public void Hashtable_ScanVisitsEveryFieldAndRandomPicksMembers()
    {
        var h = new RedisHash();
        for (int i = 0; i < 2000; i++)
            h.Set(B("f" + i), B("v" + i), 128, 64);
        for (int i = 0; i < 2000; i += 3)
            h.Remove(B("f" + i));
        var seen = new HashSet<string>();
        ulong cursor = 0;
        do
        {
            var items = new List<byte[]>();
            cursor = h.Scan(cursor, 10, items);
            for (int i = 0; i < items.Count; i += 2)
            {
                string field = Encoding.ASCII.GetString(items[i]);
                Assert.Equal("v" + field[1..], Encoding.ASCII.GetString(items[i + 1]));
                seen.Add(field);
            }
        }
        while (cursor != 0);
        Assert.Equal(h.Count, seen.Count);
        var random = new Random(1);
        for (int i = 0; i < 100; i++)
            Assert.True(h.Contains(h.RandomPair(random).Key));
    }

    [Fact]
    public void DeepCopy_IsIndependentInBothForms()
    {
        foreach (int maxEntries in new[] { 128, 0 })
        {
            var h = new RedisHash();
            h.Set(B("a"), B("1"), maxEntries, 64);
            var copy = (RedisHash)h.DeepCopy();
            copy.Set(B("a"), B("2"), maxEntries, 64);
            Assert.True(h.TryGetField(B("a"), out byte[] v));
            Assert.Equal(B("1"), v);
            Assert.Equal(h.Encoding, copy.Encoding);
        }
    }
}
