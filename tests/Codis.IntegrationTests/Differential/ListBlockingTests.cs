
namespace Codis.IntegrationTests.Differential;

/// <summary>
/// Blocking list pops with several connections: each scenario runs on Redis and on our server and the
/// replies every connection received must be the same bytes.
/// </summary>
public sealed class ListBlockingTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private void Compare(Action<BlockingScenario> script) => BlockingScenario.Compare(servers, script);

    [Fact]
    public void BLPop_ServedWhenAnotherClientPushes() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blpop", "none", "q", "0");
        s.Call(2, "rpush", "q", "a", "b");
        s.Read(1);
        s.Call(2, "lrange", "q", "0", "-1");
        s.WaitBlocked(0);
    });

    [Fact]
    public void BRPop_TwoClients_ServedInBlockingOrder() => Compare(s =>
    {
        s.SendBlocking(1, 1, "brpop", "q", "0");
        s.SendBlocking(2, 2, "brpop", "q", "0");
        s.Call(3, "lpush", "q", "x");
        s.Read(1);
        s.Call(3, "lpush", "q", "y", "z");
        s.Read(2);
        s.Call(3, "lrange", "q", "0", "-1");
    });

    [Fact]
    public void BLPop_OnePushServesOnlyAsManyAsElements() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blpop", "q", "0");
        s.SendBlocking(2, 2, "blpop", "q", "0");
        s.Call(3, "rpush", "q", "only");
        s.Read(1);
        s.WaitBlocked(1);
        s.Call(3, "rpush", "q", "second");
        s.Read(2);
    });

    [Fact]
    public void BLPop_Timeout_ReturnsNullArray() => Compare(s =>
    {
        s.Call(1, "blpop", "none", "0.05");
        s.Call(1, "brpop", "none", "0.05");
        s.Call(1, "blmpop", "0.05", "1", "none", "left");
        s.Call(1, "brpoplpush", "none", "x", "0.05");
        s.Call(1, "blmove", "none", "x", "left", "left", "0.05");
        s.Setup(1, "hello", "3");
        s.Call(1, "blpop", "none", "0.05");
        s.Call(1, "blmove", "none", "x", "left", "left", "0.05");
    });

    [Fact]
    public void BLMove_SameList_RotatesWhenServed() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blmove", "q", "q", "left", "right", "0");
        s.Call(2, "rpush", "q", "a", "b");
        s.Read(1);
        s.Call(2, "lrange", "q", "0", "-1");
    });

    [Fact]
    public void BRPopLPush_Chain_ServesClientBlockedOnDestination() => Compare(s =>
    {
        s.SendBlocking(1, 1, "brpoplpush", "a", "b", "0");
        s.SendBlocking(2, 2, "blpop", "b", "0");
        s.Call(3, "rpush", "a", "x");
        s.Read(1);
        s.Read(2);
        s.Call(3, "llen", "a");
        s.Call(3, "llen", "b");
    });

    [Fact]
    public void BLMPop_ServedWithCount() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blmpop", "0", "2", "a", "b", "right", "count", "2");
        s.Call(2, "rpush", "b", "1", "2", "3");
        s.Read(1);
        s.Call(2, "lrange", "b", "0", "-1");
    });

    [Fact]
    public void BLPop_ServedByPushInsideMultiExec() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blpop", "q", "0");
        s.Call(2, "multi");
        s.Call(2, "rpush", "q", "a");
        s.Call(2, "rpush", "q", "b");
        s.Call(2, "exec");
        s.Read(1);
        s.Call(2, "lrange", "q", "0", "-1");
    });

    [Fact]
    public void BLPop_WrongTypeWhileBlocked_KeepsWaiting() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blpop", "q", "0");
        s.Call(2, "set", "q", "string");
        s.WaitBlocked(1);
        s.Call(2, "getdel", "q");
        s.Call(2, "rpush", "q", "v");
        s.Read(1);
    });

    [Fact]
    public void BLPop_PushedAndPoppedInSameTransaction_StaysBlocked() => Compare(s =>
    {
        s.SendBlocking(1, 1, "blpop", "q", "0");
        s.Call(2, "multi");
        s.Call(2, "rpush", "q", "a");
        s.Call(2, "lpop", "q");
        s.Call(2, "exec");
        s.WaitBlocked(1);
        s.Call(2, "rpush", "q", "b");
        s.Read(1);
    });
}
