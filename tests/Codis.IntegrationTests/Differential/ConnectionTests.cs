namespace Codis.IntegrationTests.Differential;

/// <summary>Connection-level commands, transactions and errors of the dispatcher, compared with Redis.</summary>
public sealed class ConnectionTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    [Fact]
    public void PingEcho_AllForms_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("PING");
        d.Same("PING", "hello");
        d.Same("PING", "a", "b");
        d.Same("ECHO", "");
        d.Same("ECHO", "bin\r\nary\0");
        d.Same("ECHO");
    }

    [Fact]
    public void Dispatcher_UnknownCommandAndArity_SameErrors()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("NOSUCHCOMMAND");
        d.Same("nosuch", "a", "b", "c");
        d.Same("nosuch", new string('x', 300), "y");
        d.Same("GET");
        d.Same("GET", "a", "b");
        d.Same("get", "missing");
    }

    [Fact]
    public void Select_ValidAndInvalid_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SELECT", "1");
        d.Same("SET", "k", "v");
        d.Same("SELECT", "0");
        d.Same("GET", "k");
        d.Same("SELECT", "16");
        d.Same("SELECT", "-1");
        d.Same("SELECT", "abc");
    }

    [Fact]
    public void MultiExec_QueueExecDiscardAndErrors_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.SameSequence(
            ["EXEC"],
            ["DISCARD"],
            ["MULTI"],
            ["MULTI"],
            ["SET", "a", "1"],
            ["GET", "a"],
            ["EXEC"],
            ["MULTI"],
            ["SET", "a", "2"],
            ["DISCARD"],
            ["GET", "a"],
            ["MULTI"],
            ["NOSUCH"],
            ["SET", "a", "3"],
            ["EXEC"],
            ["GET", "a"],
            ["MULTI"],
            ["GET"],
            ["EXEC"],
            ["MULTI"],
            ["WATCH", "a"],
            ["EXEC"]);
    }

    [Fact]
    public void Watch_KeyChangedByOtherClient_ExecReturnsNull()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("SET", "w", "1");
        d.Same("WATCH", "w");
        using (var r2 = servers.Redis.Connect())
        using (var c2 = servers.Codis.Connect())
        {
            r2.Send("SET", "w", "2");
            c2.Send("SET", "w", "2");
        }
        d.SameSequence(["MULTI"], ["SET", "w", "3"], ["EXEC"], ["GET", "w"]);
        d.SameSequence(["WATCH", "w"], ["UNWATCH"], ["MULTI"], ["SET", "w", "4"], ["EXEC"], ["GET", "w"]);
    }

    [Fact]
    public void Hello_Protocol3_SwitchesRepliesToResp3()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("HELLO", "4");
        d.Same("HELLO", "x");
        // The HELLO map differs in server-specific fields (id, version); check the switch itself.
        d.Redis.Send("HELLO", "3");
        d.Codis.Send("HELLO", "3");
        d.Same("GET", "missing");
        d.Same("PING");
        d.Same("HELLO", "2", "SETNAME", "x", "junk");
    }

    [Fact]
    public void Auth_WithoutPassword_SameErrors()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("AUTH", "pw");
        d.Same("AUTH", "default", "pw");
        d.Same("AUTH", "bob", "pw");
        d.Same("AUTH", "a", "b", "c");
    }

    [Fact]
    public void PubSub_SubscribePublishUnsubscribe_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        using var redisPub = servers.Redis.Connect();
        using var codisPub = servers.Codis.Connect();
        d.Same("SUBSCRIBE", "ch1", "ch2");
        d.Assert.Redis.ReadReply();
        d.Assert.Codis.ReadReply();
        d.Same("PSUBSCRIBE", "ch*");
        Assert.Equal(redisPub.Send("PUBLISH", "ch1", "hi"), codisPub.Send("PUBLISH", "ch1", "hi"));
        Assert.Equal(d.Redis.ReadReply(), d.Codis.ReadReply());
        Assert.Equal(d.Redis.ReadReply(), d.Codis.ReadReply());
        d.Same("GET", "x");
        d.Same("PING");
        d.Same("UNSUBSCRIBE", "ch1");
        d.Same("PUNSUBSCRIBE");
        d.Same("UNSUBSCRIBE");
        Assert.Equal(redisPub.Send("PUBSUB", "NUMSUB", "ch1", "ch2"), codisPub.Send("PUBSUB", "NUMSUB", "ch1", "ch2"));
        Assert.Equal(redisPub.Send("PUBSUB", "NUMPAT"), codisPub.Send("PUBSUB", "NUMPAT"));
    }
}
