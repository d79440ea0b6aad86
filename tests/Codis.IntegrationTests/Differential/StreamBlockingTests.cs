
namespace Codis.IntegrationTests.Differential;

/// <summary>
/// Blocking XREAD and XREADGROUP with several connections: each scenario runs on Redis and on our server
/// and the replies every connection received must be the same bytes.
/// </summary>
public sealed class StreamBlockingTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private void Compare(Action<BlockingScenario> script) => BlockingScenario.Compare(servers, script);

    [Fact]
    public void XRead_BlockedOnDollar_WokenByXAdd() => Compare(s =>
    {
        s.Call(2, "xadd", "s", "1-1", "a", "1");
        s.SendBlocking(1, 1, "xread", "block", "0", "streams", "s", "$");
        s.Call(2, "xadd", "s", "2-1", "b", "2");
        s.Read(1);
        s.WaitBlocked(0);
    });

    [Fact]
    public void XRead_BlockedOnMissingKey_WokenByXAdd() => Compare(s =>
    {
        s.SendBlocking(1, 1, "xread", "count", "5", "block", "0", "streams", "other", "s", "$", "$");
        s.Call(2, "xadd", "s", "5-1", "a", "1");
        s.Read(1);
    });

    [Fact]
    public void XRead_BlockedOnId_IgnoresOlderAdds() => Compare(s =>
    {
        s.SendBlocking(1, 1, "xread", "block", "0", "streams", "s", "10-0");
        s.Call(2, "xadd", "s", "5-1", "a", "1");
        s.WaitBlocked(1);
        s.Call(2, "xadd", "s", "11-1", "b", "2");
        s.Read(1);
    });

    [Fact]
    public void XRead_Timeout_ReturnsNullArray() => Compare(s =>
    {
        s.Call(1, "xread", "block", "50", "streams", "s", "$");
        s.Call(2, "xadd", "s", "1-1", "a", "1");
        s.Call(1, "xread", "block", "50", "streams", "s", "$");
        s.Call(1, "xreadgroup", "group", "g", "c", "block", "50", "streams", "s", ">");
        s.Call(2, "xgroup", "create", "s", "g", "$");
        s.Call(1, "xreadgroup", "group", "g", "c", "block", "50", "streams", "s", ">");
        s.Setup(1, "hello", "3");
        s.Call(1, "xread", "block", "50", "streams", "s", "$");
    });

    [Fact]
    public void XReadGroup_Blocked_WokenByXAddAndPending() => Compare(s =>
    {
        s.Call(2, "xgroup", "create", "s", "g", "$", "mkstream");
        s.SendBlocking(1, 1, "xreadgroup", "group", "g", "c1", "block", "0", "streams", "s", ">");
        s.SendBlocking(3, 2, "xreadgroup", "group", "g", "c2", "block", "0", "streams", "s", ">");
        s.Call(2, "xadd", "s", "1-1", "a", "1");
        s.Read(1);
        s.WaitBlocked(1);
        s.Call(2, "xadd", "s", "2-1", "b", "2");
        s.Read(3);
        s.Call(2, "xpending", "s", "g");
        s.Call(2, "xinfo", "groups", "s");
    });

    [Fact]
    public void XReadGroup_Blocked_GroupDestroyed_GetsNoGroup() => Compare(s =>
    {
        s.Call(2, "xgroup", "create", "s", "g", "$", "mkstream");
        s.SendBlocking(1, 1, "xreadgroup", "group", "g", "c1", "block", "0", "streams", "s", ">");
        s.Call(2, "xgroup", "destroy", "s", "g");
        s.Read(1);
        s.WaitBlocked(0);
    });

    [Fact]
    public void XReadGroup_Blocked_KeyDeletedOrOverwritten_GetsUnblocked() => Compare(s =>
    {
        s.Call(2, "xgroup", "create", "s", "g", "$", "mkstream");
        s.SendBlocking(1, 1, "xreadgroup", "group", "g", "c1", "block", "0", "streams", "s", ">");
        s.Call(2, "del", "s");
        s.Read(1);
        s.Call(2, "xgroup", "create", "s", "g", "$", "mkstream");
        s.SendBlocking(1, 1, "xreadgroup", "group", "g", "c1", "block", "0", "streams", "s", ">");
        s.Call(2, "set", "s", "text");
        s.Read(1);
        s.WaitBlocked(0);
    });

    [Fact]
    public void XRead_Blocked_KeyDeleted_KeepsWaitingForTheNextAdd() => Compare(s =>
    {
        s.Call(2, "xadd", "s", "1-1", "a", "1");
        s.SendBlocking(1, 1, "xread", "block", "0", "streams", "s", "$");
        s.Call(2, "del", "s");
        s.WaitBlocked(1);
        s.Call(2, "xadd", "s", "2-1", "b", "2");
        s.Read(1);
    });
}
