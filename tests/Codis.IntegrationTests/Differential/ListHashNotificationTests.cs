using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Keyspace notifications of the list and hash commands compared against Redis 7.0.</summary>
public sealed class ListHashNotificationTests(NotifyingServerPairFixture servers) : IClassFixture<NotifyingServerPairFixture>
{
    private readonly string _prefix = "n" + Guid.NewGuid().ToString("N")[..8] + ":";

    [Fact]
    public void Notifications_ListWrites_SameEventsInOrder()
    {
        string a = _prefix + "a", b = _prefix + "b", c = _prefix + "c";
        AssertSameEvents(
            ["RPUSH", a, "1", "2", "3"], ["LPUSH", a, "0"], ["LPUSHX", a, "x"], ["RPUSHX", a, "y"], ["LPUSHX", c, "x"],
            ["LINSERT", a, "BEFORE", "1", "p"], ["LINSERT", a, "BEFORE", "zz", "p"], ["LSET", a, "0", "s"], ["LREM", a, "1", "p"],
            ["LREM", a, "1", "zz"], ["LTRIM", a, "0", "-1"], ["LTRIM", a, "1", "-2"], ["LPOP", a], ["RPOP", a, "1"], ["LPOP", a, "0"],
            ["LMOVE", a, b, "LEFT", "RIGHT"], ["RPOPLPUSH", a, b], ["LMOVE", b, b, "LEFT", "LEFT"], ["LMPOP", "2", c, b, "RIGHT", "COUNT", "1"],
            ["RPUSH", a, "m", "n", "o"], ["RPUSH", b, "q", "r"], ["BLPOP", b, "0"], ["BRPOPLPUSH", a, b, "0"], ["BLMOVE", b, a, "RIGHT", "LEFT", "0"], ["BLMPOP", "0", "1", a, "LEFT", "COUNT", "9"],
            ["RPUSH", c, "1", "2"], ["LREM", c, "0", "1"], ["LREM", c, "0", "2"], ["RPUSH", c, "x"], ["LTRIM", c, "1", "0"],
            ["RPUSH", c, "x"], ["LPOP", c, "5"]);
    }

    [Fact]
    public void Notifications_HashWrites_SameEventsInOrder()
    {
        string h = _prefix + "h", g = _prefix + "g";
        AssertSameEvents(
            ["HSET", h, "a", "1", "b", "2"], ["HMSET", h, "a", "2"], ["HSETNX", h, "a", "3"], ["HSETNX", h, "c", "3"],
            ["HINCRBY", h, "a", "1"], ["HINCRBY", h, "a", "x"], ["HINCRBYFLOAT", h, "f", "1.5"], ["HDEL", h, "zz"],
            ["HDEL", h, "a", "b"], ["HDEL", h, "c", "f"], ["HINCRBY", g, "n", "1"], ["HINCRBYFLOAT", g, "n", "x"], ["HDEL", g, "n"]);
    }

    private void AssertSameEvents(params string[][] commands) =>
        KeyspaceEvents.AssertSame(servers, _prefix + "zz-marker", KeyspaceEvents.Bytes(commands));
}
