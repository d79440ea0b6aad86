using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Keyspace notifications of the string and bit commands compared against Redis 7.0.</summary>
public sealed class StringNotificationTests(NotifyingServerPairFixture servers) : IClassFixture<NotifyingServerPairFixture>
{
    private readonly string _prefix = "n" + Guid.NewGuid().ToString("N")[..8] + ":";

    [Fact]
    public void Notifications_StringWrites_SameEventsInOrder()
    {
        string a = _prefix + "a", c = _prefix + "c", d = _prefix + "d", e = _prefix + "e";
        AssertSameEvents(
            ["SET", a, "1"], ["SET", a, "2", "EX", "100"], ["SETNX", a, "1"], ["SETEX", _prefix + "b", "10", "v"],
            ["PSETEX", _prefix + "b", "10000", "v"], ["INCR", a], ["INCRBY", a, "2"], ["DECR", a], ["DECRBY", a, "1"],
            ["INCRBYFLOAT", a, "1.5"], ["APPEND", a, "x"], ["APPEND", a, ""], ["SETRANGE", a, "0", "y"], ["SETRANGE", a, "0", ""],
            ["GETDEL", a], ["GETDEL", a], ["SET", c, "v"], ["GETEX", c], ["GETEX", c, "EX", "10"], ["GETEX", c, "PERSIST"],
            ["GETEX", c, "PERSIST"], ["GETEX", c, "PXAT", "1"], ["SET", c, "v", "KEEPTTL"], ["SET", c, "v", "XX", "PX", "1000"],
            ["SET", c, "w", "NX"], ["SET", c, "w", "GET"], ["GETSET", c, "z"], ["MSET", d, "1", e, "2"], ["MSETNX", d, "1"],
            ["MSETNX", _prefix + "f", "1", _prefix + "g", "2"], ["INCR", _prefix + "h"]);
    }

    [Fact]
    public void Notifications_BitWrites_SameEventsInOrder()
    {
        string d = _prefix + "d", e = _prefix + "e";
        AssertSameEvents(
            ["SETBIT", d, "0", "1"], ["SETBIT", d, "0", "1"], ["SETBIT", d, "0", "0"], ["SETBIT", d, "100", "0"],
            ["BITFIELD", d, "SET", "u8", "0", "1"], ["BITFIELD", d, "SET", "u8", "0", "1"], ["BITFIELD", d, "GET", "u8", "0"],
            ["BITFIELD", d, "OVERFLOW", "FAIL", "SET", "u8", "0", "256"], ["BITFIELD", d, "INCRBY", "u8", "0", "1", "INCRBY", "u8", "8", "1"],
            ["BITFIELD", _prefix + "new", "OVERFLOW", "FAIL", "SET", "u8", "0", "256"],
            ["BITOP", "NOT", e, d], ["BITOP", "AND", e, _prefix + "x", _prefix + "y"], ["BITOP", "AND", e, _prefix + "x"]);
    }

    private void AssertSameEvents(params string[][] commands) =>
        KeyspaceEvents.AssertSame(servers, _prefix + "zz-marker", KeyspaceEvents.Bytes(commands));
}
