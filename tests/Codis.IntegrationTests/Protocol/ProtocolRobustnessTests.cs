using System.Net.Sockets;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Protocol;

/// <summary>
/// The request protocol under stress: requests split at every byte offset, pipelines, inline commands,
/// malformed and oversized frames. Errors must match Redis, the connection must be closed after a
/// protocol error, and the server and its other clients must be unaffected.
/// </summary>
public sealed class ProtocolRobustnessTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void Request_SplitAtEveryOffset_RepliesAsWhole()
    {
        byte[] request = Latin1("*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$10\r\nva\r\nlue\0\xff\r\r\n*2\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\nPING\r\n");
        using RespConnection c = servers.Codis.Connect();
        for (int cut = 1; cut < request.Length; cut++)
        {
            c.SendRaw(request.AsSpan(0, cut));
            // Give the server a chance to see the partial request on its own.
            Thread.Sleep(cut % 16 == 0 ? 5 : 0);
            c.SendRaw(request.AsSpan(cut));
            Assert.Equal("+OK\r\n"u8.ToArray(), c.ReadReply());
            Assert.Equal(Latin1("$10\r\nva\r\nlue\0\xff\r\r\n"), c.ReadReply());
            Assert.Equal("+PONG\r\n"u8.ToArray(), c.ReadReply());
        }
    }

    [Fact]
    public void Pipeline_ThousandRequestsInOneWrite_AllRepliedInOrder()
    {
        var b = new StringBuilder();
        for (int i = 0; i < 1000; i++)
            b.Append($"*3\r\n$3\r\nSET\r\n${("k" + i).Length}\r\nk{i}\r\n${i.ToString().Length}\r\n{i}\r\n*2\r\n$3\r\nGET\r\n${("k" + i).Length}\r\nk{i}\r\n");
        using RespConnection c = servers.Codis.Connect();
        c.SendRaw(Latin1(b.ToString()));
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal("+OK\r\n"u8.ToArray(), c.ReadReply());
            Assert.Equal(Latin1($"${i.ToString().Length}\r\n{i}\r\n"), c.ReadReply());
        }
    }

    [Fact]
    public void LargeBulk_OneMegabyteValue_RoundTrips()
    {
        string value = new('v', 1024 * 1024 + 7);
        using RespConnection c = servers.Codis.Connect();
        Assert.Equal("+OK\r\n"u8.ToArray(), c.Send("SET", "big", value));
        Assert.Equal(Latin1($"${value.Length}\r\n{value}\r\n"), c.Send("GET", "big"));
    }

    [Theory]
    [InlineData("*1\r\n$4\r\nPING\r\n", 1, false)]
    [InlineData("PING\r\n", 1, false)]
    [InlineData("PING\n", 1, false)]
    [InlineData("\r\n\r\nPING\r\n", 1, false)]
    [InlineData("*0\r\nPING\r\n", 1, false)]
    [InlineData("*-1\r\nPING\r\n", 1, false)]
    [InlineData("echo \"a\\x41\\n\" 'b c'\r\n", 1, false)]
    [InlineData("echo \"unbalanced\r\n", 1, true)]
    [InlineData("*abc\r\n", 1, true)]
    [InlineData("*1\r\nfoo\r\n", 1, true)]
    [InlineData("*1\r\n$abc\r\n", 1, true)]
    [InlineData("*1\r\n$-5\r\n", 1, true)]
    [InlineData("*1\r\n$2147483648\r\n", 1, true)]
    [InlineData("*1\r\n$536870913\r\n", 1, true)]
    [InlineData("*2147483648\r\n", 1, true)]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\na\r\n:1\r\n", 1, true)]
    public void MalformedOrEdgeFrame_SameReplyAndCloseAsRedis(string payload, int replies, bool closed)
    {
        using DiffSession d = servers.NewDiff();
        d.Assert.SameRaw(Latin1(payload), replies, closed);
    }

    [Fact]
    public void InlineTooLong_ProtocolErrorAndClose()
    {
        using DiffSession d = servers.NewDiff();
        d.Assert.SameRaw(Latin1(new string('a', 70 * 1024)), 1, thenClosed: true);
    }

    [Fact]
    public void BulkCountLineTooLong_ProtocolErrorAndClose()
    {
        using DiffSession d = servers.NewDiff();
        d.Assert.SameRaw(Latin1("*1\r\n$" + new string('1', 70 * 1024)), 1, thenClosed: true);
    }

    [Fact]
    public void Garbage_RandomBytes_ServerSurvivesAndOthersUnaffected()
    {
        using RespConnection bystander = servers.Codis.Connect();
        Assert.Equal("+OK\r\n"u8.ToArray(), bystander.Send("SET", "safe", "1"));
        var random = new Random(12345);
        for (int round = 0; round < 200; round++)
        {
            byte[] junk = new byte[random.Next(1, 512)];
            random.NextBytes(junk);
            if (round % 3 == 0)
                junk[0] = (byte)'*';
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect("127.0.0.1", servers.Codis.Port);
            socket.Send(junk);
            socket.Shutdown(SocketShutdown.Send);
            var sink = new byte[4096];
            socket.ReceiveTimeout = 2000;
            try
            {
                while (socket.Receive(sink) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }
        }
        Assert.Equal("$1\r\n1\r\n"u8.ToArray(), bystander.Send("GET", "safe"));
        using RespConnection fresh = servers.Codis.Connect();
        Assert.Equal("+PONG\r\n"u8.ToArray(), fresh.Send("PING"));
    }

    [Fact]
    public void ClientDisconnectsMidRequest_ServerKeepsServing()
    {
        for (int i = 0; i < 20; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect("127.0.0.1", servers.Codis.Port);
            socket.Send(Latin1("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$100\r\nonly-part"));
        }
        using RespConnection c = servers.Codis.Connect();
        Assert.Equal("$-1\r\n"u8.ToArray(), c.Send("GET", "x"));
    }

    [Fact]
    public void Unauthenticated_BigFramesRefused_AuthThenWorks()
    {
        using ServerProcess redis = ServerProcess.StartRedis("--requirepass", "secret");
        using ServerProcess codis = ServerProcess.StartCodis("--requirepass", "secret");
        using var d = new DiffSession(redis.Connect(), codis.Connect());
        d.Same("GET", "a");
        d.Same("AUTH", "wrong");
        d.Same("AUTH", "secret");
        d.Same("GET", "a");
        using var d2 = new DiffSession(redis.Connect(), codis.Connect());
        d2.Assert.SameRaw(Latin1("*11\r\n"), 1, thenClosed: true);
        using var d3 = new DiffSession(redis.Connect(), codis.Connect());
        d3.Assert.SameRaw(Latin1("*1\r\n$16385\r\n"), 1, thenClosed: true);
    }

    [Fact]
    public void MaxClients_ExtraConnectionRefusedWithRedisError_OthersKeepWorking()
    {
        using ServerProcess redis = ServerProcess.StartRedis("--maxclients", "2");
        using ServerProcess codis = ServerProcess.StartCodis("--maxclients", "2");
        foreach (ServerProcess server in new[] { redis, codis })
        {
            using RespConnection first = server.Connect();
            using RespConnection second = server.Connect();
            Assert.Equal("+PONG\r\n"u8.ToArray(), first.Send("PING"));
            Assert.Equal("+PONG\r\n"u8.ToArray(), second.Send("PING"));
            using RespConnection third = server.Connect();
            third.SendRaw("PING\r\n");
            Assert.Equal("-ERR max number of clients reached\r\n"u8.ToArray(), third.ReadReply());
            Assert.True(third.IsClosedByServer(), "the refused connection must be closed");
            Assert.Equal("+PONG\r\n"u8.ToArray(), first.Send("PING"));
        }
    }

    [Fact]
    public void IdleTimeout_IdleClientClosed_SubscriberKept()
    {
        using ServerProcess codis = ServerProcess.StartCodis("--timeout", "1");
        using RespConnection idle = codis.Connect();
        using RespConnection subscriber = codis.Connect();
        Assert.Equal("+PONG\r\n"u8.ToArray(), idle.Send("PING"));
        subscriber.Send("SUBSCRIBE", "ch");
        Assert.True(idle.IsClosedByServer(TimeSpan.FromSeconds(5)), "an idle client must be closed after 'timeout' seconds");
        Assert.False(subscriber.IsClosedByServer(TimeSpan.FromSeconds(0.5)), "pub/sub clients are exempt, as in Redis");
    }
}
