using System.Text;
using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

public sealed class RedisListTests
{
    private static byte[] B(int i) => Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static void AssertSame(List<byte[]> expected, RedisList actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Select(Encoding.ASCII.GetString), actual.Elements().Select(Encoding.ASCII.GetString));
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void RandomOperations_MatchReferenceList()
    {
        var random = new Random(12345);
        var reference = new List<byte[]>();
        var list = new RedisList();
        for (int step = 0; step < 20000; step++)
        {
            int value = random.Next(20);
            switch (random.Next(9))
            {
                case 0:
                    reference.Insert(0, B(value));
                    list.PushLeft(B(value));
                    break;
                case 1:
                    reference.Add(B(value));
                    list.PushRight(B(value));
                    break;
                case 2 when reference.Count > 0:
                    Assert.Equal(reference[0], list.PopLeft());
                    reference.RemoveAt(0);
                    break;
                case 3 when reference.Count > 0:
                    Assert.Equal(reference[^1], list.PopRight());
                    reference.RemoveAt(reference.Count - 1);
                    break;
                case 4:
                    {
                        int at = random.Next(reference.Count + 1);
                        reference.Insert(at, B(value));
                        list.Insert(at, B(value));
                        break;
                    }
                case 5 when reference.Count > 0:
                    {
                        int at = random.Next(reference.Count);
                        reference.RemoveAt(at);
                        list.RemoveAt(at);
                        break;
                    }
                case 6:
                    {
                        int limit = random.Next(3);
                        bool fromTail = random.Next(2) == 0;
                        byte[] target = B(value);
                        int expectedRemoved = RemoveReference(reference, target, limit, fromTail);
                        Assert.Equal(expectedRemoved, list.RemoveMatches(target, limit, fromTail));
                        break;
                    }
                case 7 when random.Next(20) == 0:
                    {
                        int left = random.Next(reference.Count + 1);
                        int right = random.Next(reference.Count - left + 1);
                        reference.RemoveRange(reference.Count - right, right);
                        reference.RemoveRange(0, left);
                        list.TrimEnds(left, right);
                        break;
                    }
                case 8 when reference.Count > 0:
                    {
                        int at = random.Next(reference.Count);
                        reference[at] = B(value);
                        list[at] = B(value);
                        break;
                    }
            }
            if (step % 97 == 0)
                AssertSame(reference, list);
        }
        AssertSame(reference, list);
    }

    private static int RemoveReference(List<byte[]> reference, byte[] target, int limit, bool fromTail)
    {
        int removed = 0;
        if (!fromTail)
        {
            for (int i = 0; i < reference.Count && (limit == 0 || removed < limit);)
            {
                if (reference[i].AsSpan().SequenceEqual(target))
                {
                    reference.RemoveAt(i);
                    removed++;
                }
                else
                {
                    i++;
                }
            }
        }
        else
        {
            for (int i = reference.Count - 1; i >= 0 && (limit == 0 || removed < limit); i--)
            {
                if (reference[i].AsSpan().SequenceEqual(target))
                {
                    reference.RemoveAt(i);
                    removed++;
                }
            }
        }
        return removed;
    }

    [Fact]
    public void GrowAndDrain_KeepsOrderAcrossWrapAround()
    {
        var list = new RedisList();
        for (int i = 0; i < 1000; i++)
        {
            list.PushRight(B(i));
            list.PushLeft(B(-i));
        }
        for (int i = 999; i >= 0; i--)
            Assert.Equal(B(-i), list.PopLeft());
        for (int i = 999; i >= 0; i--)
            Assert.Equal(B(i), list.PopRight());
        Assert.Equal(0, list.Count);
        Assert.Null(list.PopLeft());
        Assert.Null(list.PopRight());
    }

    [Fact]
    public void TypeEncodingAndCopy_AsRedis70()
    {
        var list = new RedisList();
        list.PushRight("a"u8.ToArray());
        Assert.Equal("list", list.TypeName);
        Assert.Equal("quicklist", list.Encoding);
        var copy = (RedisList)list.DeepCopy();
        copy[0][0] = (byte)'z';
        Assert.Equal("a"u8.ToArray(), list[0]);
        Assert.Equal(["a"], list.SortElements().Select(Encoding.ASCII.GetString));
        Assert.True(list.MemoryUsage() > 0);
    }
}
