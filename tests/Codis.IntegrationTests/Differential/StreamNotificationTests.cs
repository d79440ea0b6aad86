using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Keyspace notifications of the stream commands compared against Redis 7.0.</summary>
public sealed class StreamNotificationTests(NotifyingServerPairFixture servers) : IClassFixture<NotifyingServerPairFixture>
{
    private readonly string _prefix = "n" + Guid.NewGuid().ToString("N")[..8] + ":";

    [Fact]
    public void Notifications_StreamWrites_SameEventsInOrder()
    {
        string s = _prefix + "s", m = _prefix + "m";
        KeyspaceEvents.AssertSame(servers, _prefix + "zz-marker", KeyspaceEvents.Bytes([
            ["XADD", s, "1-1", "a", "1"], ["XADD", s, "2-1", "b", "2"], ["XADD", s, "MAXLEN", "1", "3-1", "c", "3"],
            ["XADD", s, "1-1", "bad", "id"], ["XADD", _prefix + "none", "NOMKSTREAM", "1-1", "a", "b"],
            ["XADD", s, "4-1", "d", "4"], ["XDEL", s, "4-1", "9-9"], ["XDEL", s, "9-9"], ["XTRIM", s, "MAXLEN", "0"],
            ["XTRIM", s, "MAXLEN", "0"], ["XADD", s, "5-1", "e", "5"], ["XSETID", s, "6-0"],
            ["XGROUP", "CREATE", s, "g", "0"], ["XGROUP", "CREATE", m, "g", "$", "MKSTREAM"],
            ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", s, ">"], ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", s, ">"],
            ["XGROUP", "CREATECONSUMER", s, "g", "c2"], ["XGROUP", "CREATECONSUMER", s, "g", "c2"],
            ["XCLAIM", s, "g", "c3", "0", "5-1"], ["XAUTOCLAIM", s, "g", "c4", "0", "0"], ["XACK", s, "g", "5-1"],
            ["XGROUP", "SETID", s, "g", "0"], ["XGROUP", "DELCONSUMER", s, "g", "c1"], ["XGROUP", "DELCONSUMER", s, "g", "c1"],
            ["XGROUP", "DESTROY", s, "g"], ["XGROUP", "DESTROY", s, "g"], ["DEL", s]]));
    }
}
