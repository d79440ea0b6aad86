using System.Text;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using Codis.Server.Persistence;

namespace Codis.Server.Tests.Persistence;

public sealed class StoredValueTests
{
    private static readonly ServerConfig Config = new();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static object RoundTrip(object value, RdbType? sourceType = null)
    {
        byte[] payload = DumpPayload.Create(StoredValue.ToRdb(value));
        Assert.True(DumpPayload.TryParse(payload, out RdbValue? rdb, out string? error), error);
        return StoredValue.FromRdb(rdb, Config, sourceType);
    }

    [Fact]
    public void String_BothForms_RoundTrip()
    {
        Assert.Equal(B("hello"), Assert.IsType<byte[]>(RoundTrip(B("hello"))));
        var m = new MutableString(B("abc"));
        Assert.Equal(B("abc"), Assert.IsType<byte[]>(RoundTrip(m)));
    }

    [Fact]
    public void List_KeepsOrder()
    {
        var list = RedisList.FromElements([B("a"), B(""), B("12"), B(new string('x', 9000))]);
        var back = Assert.IsType<RedisList>(RoundTrip(list));
        Assert.Equal(list.Elements(), back.Elements());
    }

    [Fact]
    public void Set_EncodingFollowsConfig()
    {
        var ints = new RedisSet();
        foreach (int i in Enumerable.Range(0, 10))
            ints.Add(B(i.ToString()), Config.SetMaxIntsetEntries);
        Assert.Equal("intset", ((RedisSet)RoundTrip(ints)).Encoding);
        var big = new RedisSet();
        foreach (int i in Enumerable.Range(0, Config.SetMaxIntsetEntries + 1))
            big.Add(B(i.ToString()), Config.SetMaxIntsetEntries);
        var back = (RedisSet)RoundTrip(big);
        Assert.Equal("hashtable", back.Encoding);
        Assert.Equal(big.Count, back.Count);
        var strings = new RedisSet();
        strings.Add(B("1"), 512);
        strings.Add(B("x"), 512);
        Assert.Equal("hashtable", ((RedisSet)RoundTrip(strings)).Encoding);
    }

    [Fact]
    public void Hash_ValueLimit_AppliesUnlessCompactSource()
    {
        RedisHash hash = RedisHash.FromPairs([(B("f"), B(new string('v', 100)))], 512, 1000);
        Assert.Equal("listpack", hash.Encoding);
        Assert.Equal("hashtable", ((RedisHash)RoundTrip(hash)).Encoding);
        Assert.Equal("listpack", ((RedisHash)RoundTrip(hash, RdbType.HashListpack)).Encoding);
        var back = (RedisHash)RoundTrip(hash);
        Assert.True(back.TryGetField(B("f"), out byte[] v));
        Assert.Equal(100, v.Length);
    }

    [Fact]
    public void ZSet_ScoresAndEncoding_RoundTrip()
    {
        SortedSetEntry[] entries = [new(B("a"), 1.5), new(B("b"), double.NegativeInfinity), new(B("c"), 1e300)];
        RedisZSet z = RedisZSet.FromEntries(entries, 128, 64, incremental: false);
        var back = (RedisZSet)RoundTrip(z);
        Assert.Equal("listpack", back.Encoding);
        var got = new List<(string, double)>();
        foreach (SortedSetEntry e in back.Set)
            got.Add((Encoding.UTF8.GetString(e.Member), e.Score));
        Assert.Equal([("b", double.NegativeInfinity), ("a", 1.5), ("c", 1e300)], got);
    }

    [Fact]
    public void ToRdb_UnknownType_Throws()
    {
        Assert.Throws<NotSupportedException>(() => StoredValue.ToRdb(new object()));
        Assert.False(StoredValue.IsSerializable(42));
        Assert.True(StoredValue.IsSerializable(B("x")));
    }
}
