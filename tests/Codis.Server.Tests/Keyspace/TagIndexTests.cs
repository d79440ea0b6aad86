using System.Text;
using Codis.Core.Slots;
using Codis.Server.Config;
using Codis.Server.Keyspace;

namespace Codis.Server.Tests.Keyspace;

/// <summary>
/// The tag index of <see cref="Database"/> against a naive model (a set of key names per database),
/// through random sequences of every operation that adds or removes keys.
/// </summary>
public sealed class TagIndexTests
{
    // A small key pool so that operations collide: several keys per tag, untagged keys, an empty tag,
    // keys with a '{' but no tag, and two braces pairs (only the first counts).
    private static readonly string[] Pool =
    [
        "{t}a", "{t}b", "{t}c", "x{t}y", "{u}a", "{u}b", "{}a", "{}b", "{a}{t}", "plain", "other", "{open",
        "close}", "}{t}", "{t", "{t}", "{ü}1", "{ü}2",
    ];

    private static ServerContext NewServer() => new(new ServerConfig());

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static void AssertMatchesModel(Database db, HashSet<string> model)
    {
        Assert.Null(db.CheckIndexes());
        Assert.Equal(model.Count, db.Count);
        Assert.Equal(model.Count(k => SlotHash.HasTag(B(k))), db.TaggedCount);
        foreach (string probe in Pool)
        {
            byte[] p = B(probe);
            string[] expected = SlotHash.HasTag(p)
                ? model.Where(k => SlotHash.HasTag(B(k)) && SlotHash.TagCrc(B(k)) == SlotHash.TagCrc(p)).Order(StringComparer.Ordinal).ToArray()
                : [];
            string[] actual = db.KeysWithTag(p).Select(k => Encoding.UTF8.GetString(k)).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomOperations_AnySequence_IndexMatchesModel(int seed)
    {
        ServerContext server = NewServer();
        Database db0 = server.Databases[0];
        Database db1 = server.Databases[1];
        var models = new Dictionary<Database, HashSet<string>> { [db0] = [], [db1] = [] };
        var random = new Random(seed);
        for (int step = 0; step < 3000; step++)
        {
            Database db = random.Next(2) == 0 ? db0 : db1;
            HashSet<string> model = models[db];
            string key = Pool[random.Next(Pool.Length)];
            byte[] k = B(key);
            switch (random.Next(100))
            {
                case < 30:
                    if (!model.Contains(key))
                    {
                        db.Add(k, B("v"), random.Next(2) == 0 ? k : null);
                        model.Add(key);
                    }
                    break;
                case < 50:
                    db.Set(k, B("v"), keepTtl: random.Next(2) == 0);
                    model.Add(key);
                    break;
                case < 70:
                    Assert.Equal(model.Remove(key), db.Delete(k));
                    break;
                case < 78:
                    object? taken = db.Take(k, out _, out _);
                    Assert.Equal(model.Remove(key), taken is not null);
                    break;
                case < 88:
                    if (model.Contains(key))
                    {
                        // An expiry in the past: the next lookup removes the key (lazy expiry).
                        db.SetExpire(k, server.Now - 1);
                        Assert.Null(db.Lookup(k));
                        model.Remove(key);
                    }
                    break;
                case < 90:
                    db.Overwrite(k, B("w"));
                    break;
                case < 92:
                    db.Clear();
                    model.Clear();
                    break;
                case < 94:
                    db0.SwapWith(db1);
                    (models[db0], models[db1]) = (models[db1], models[db0]);
                    break;
                default:
                    server.FlushAll();
                    models[db0].Clear();
                    models[db1].Clear();
                    break;
            }
            if (step % 7 == 0)
            {
                AssertMatchesModel(db0, models[db0]);
                AssertMatchesModel(db1, models[db1]);
            }
        }
        AssertMatchesModel(db0, models[db0]);
        AssertMatchesModel(db1, models[db1]);
    }

    [Fact]
    public void KeysWithTag_UntaggedKey_ReturnsEmpty()
    {
        Database db = NewServer().Databases[0];
        db.Add(B("plain"), B("v"));
        Assert.Empty(db.KeysWithTag(B("plain")));
    }

    [Fact]
    public void KeysWithTag_AbsentKeyWithTag_ReturnsTheOtherKeysOfTheTag()
    {
        Database db = NewServer().Databases[0];
        db.Add(B("{t}a"), B("1"));
        db.Add(B("{t}b"), B("2"));
        db.Add(B("{u}a"), B("3"));
        string[] keys = db.KeysWithTag(B("{t}zzz")).Select(k => Encoding.UTF8.GetString(k)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["{t}a", "{t}b"], keys);
    }

    [Fact]
    public void KeysWithTag_ExpiredKey_IsLeftOut()
    {
        ServerContext server = NewServer();
        Database db = server.Databases[0];
        db.Add(B("{t}a"), B("1"));
        db.Add(B("{t}b"), B("2"));
        db.SetExpire(B("{t}b"), server.Now - 1);
        Assert.Equal(["{t}a"], db.KeysWithTag(B("{t}")).Select(k => Encoding.UTF8.GetString(k)));
    }

    [Fact]
    public void KeysWithTag_DeletingWhileWalking_IsAllowed()
    {
        Database db = NewServer().Databases[0];
        for (int i = 0; i < 50; i++)
            db.Add(B("{t}" + i), B("v"));
        foreach (byte[] k in db.KeysWithTag(B("{t}")))
            Assert.True(db.Delete(k));
        Assert.Equal(0, db.Count);
        Assert.Equal(0, db.TaggedCount);
        Assert.Null(db.CheckIndexes());
    }
}
