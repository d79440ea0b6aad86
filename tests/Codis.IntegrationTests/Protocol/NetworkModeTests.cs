using System.Net.Sockets;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Protocol;

/// <summary>
/// The behaviours that live in the network layer, run against both of codis-server's network paths:
/// the epoll event loop (the default on Linux x86-64) and .NET's portable sockets (CODIS_NETWORK=sockets,
/// the path elsewhere). Every other test runs on the default path only.
/// </summary>
public sealed class NetworkModeTests
{
    public static TheoryData<string> Modes => new() { "loop", "sockets" };

    private static ServerProcess Start(string mode, params string[] args) =>
        ServerProcess.StartCodisWithEnvironment(new Dictionary<string, string> { ["CODIS_NETWORK"] = mode }, args);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Pipeline_ThousandCommandsInOneWrite_RepliesInOrder(string mode)
    {
        using ServerProcess server = Start(mode);
        using var socket = new TcpClient("127.0.0.1", server.Port);
        NetworkStream stream = socket.GetStream();
        var request = new StringBuilder();
        for (int i = 0; i < 1000; i++)
            request.Append("*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
        stream.Write(Encoding.ASCII.GetBytes(request.ToString()));
        var expected = new StringBuilder();
        for (int i = 1; i <= 1000; i++)
            expected.Append(':').Append(i).Append("\r\n");
        Assert.Equal(expected.ToString(), ReadExactly(stream, expected.Length));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void LargeReply_MoreThanTheSocketTakesAtOnce_ArrivesWhole(string mode)
    {
        using ServerProcess server = Start(mode);
        using RespConnection c = server.Connect();
        string value = new('x', 8 * 1024 * 1024);
        Assert.Equal("OK", c.Command("SET", "big", value).Text);
        // A reader that is slow to start: the server must wait for the socket to drain (EPOLLOUT).
        using var socket = new TcpClient("127.0.0.1", server.Port);
        NetworkStream stream = socket.GetStream();
        stream.Write("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*1\r\n$4\r\nPING\r\n"u8);
        Thread.Sleep(200);
        string reply = ReadExactly(stream, $"${value.Length}\r\n".Length + value.Length + 2 + "+PONG\r\n".Length);
        Assert.StartsWith($"${value.Length}\r\nxxx", reply, StringComparison.Ordinal);
        Assert.EndsWith("x\r\n+PONG\r\n", reply, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void BlockedClient_PushFromAnotherClient_ServedThenItsPipelinedCommandRuns(string mode)
    {
        using ServerProcess server = Start(mode);
        using var blocked = new TcpClient("127.0.0.1", server.Port);
        NetworkStream stream = blocked.GetStream();
        // BLPOP blocks; the PING pipelined behind it must wait for it and come after its reply.
        stream.Write("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n"u8);
        Thread.Sleep(200);
        using RespConnection pusher = server.Connect();
        Assert.Equal(1, pusher.Command("RPUSH", "q", "v").Integer);
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\nv\r\n+PONG\r\n", ReadExactly(stream, "*2\r\n$1\r\nq\r\n$1\r\nv\r\n+PONG\r\n".Length));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void BlockedClient_Timeout_RepliesNullFromTheTimerThread(string mode)
    {
        using ServerProcess server = Start(mode);
        using RespConnection c = server.Connect();
        Assert.Equal("*-1\r\n", Encoding.ASCII.GetString(c.Send("BLPOP", "none", "0.1")));
        Assert.Equal("PONG", c.Command("PING").Text);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Publish_ToSubscriberOnAnotherConnection_Delivered(string mode)
    {
        using ServerProcess server = Start(mode);
        using RespConnection subscriber = server.Connect();
        subscriber.Send("SUBSCRIBE", "ch");
        using RespConnection publisher = server.Connect();
        Assert.Equal(1, publisher.Command("PUBLISH", "ch", "hello").Integer);
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n", Encoding.ASCII.GetString(subscriber.ReadReply()));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ClientKill_OtherConnection_ClosedAndForgotten(string mode)
    {
        using ServerProcess server = Start(mode);
        using var victim = new TcpClient("127.0.0.1", server.Port);
        NetworkStream stream = victim.GetStream();
        stream.Write("*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$6\r\nvictim\r\n"u8);
        Assert.Equal("+OK\r\n", ReadExactly(stream, 5));
        using RespConnection killer = server.Connect();
        // The start-up probe's connection may not be forgotten yet: kill only once victim and killer are alone.
        Assert.True(SpinWait.SpinUntil(() => killer.Command("CLIENT", "LIST").Text!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, killer.Command("CLIENT", "KILL", "SKIPME", "yes").Integer);
        stream.ReadTimeout = 5000;
        Assert.Equal(0, stream.Read(new byte[16]));
        Assert.DoesNotContain("name=victim", killer.Command("CLIENT", "LIST").Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void MaxClients_Reached_NewConnectionGetsErrorOthersKeepWorking(string mode)
    {
        using ServerProcess server = Start(mode, "--maxclients", "1");
        // The start-up check's own connection may not be forgotten yet: retry until ours is the one client.
        RespConnection first = server.Connect();
        for (int i = 0; i < 100 && first.Command("PING").Text != "PONG"; i++)
        {
            first.Dispose();
            Thread.Sleep(50);
            first = server.Connect();
        }
        using RespConnection firstClient = first;
        Assert.Equal("PONG", first.Command("PING").Text);
        using var second = new TcpClient("127.0.0.1", server.Port);
        NetworkStream stream = second.GetStream();
        stream.ReadTimeout = 5000;
        Assert.Equal("-ERR max number of clients reached\r\n", ReadExactly(stream, "-ERR max number of clients reached\r\n".Length));
        Assert.Equal("PONG", first.Command("PING").Text);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Quit_RepliesOkThenCloses(string mode)
    {
        using ServerProcess server = Start(mode);
        using var client = new TcpClient("127.0.0.1", server.Port);
        NetworkStream stream = client.GetStream();
        stream.ReadTimeout = 5000;
        stream.Write("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n"u8);
        Assert.Equal("+OK\r\n", ReadExactly(stream, 5));
        Assert.Equal(0, stream.Read(new byte[16]));
    }

    private static string ReadExactly(NetworkStream stream, int length)
    {
        stream.ReadTimeout = 10_000;
        byte[] buffer = new byte[length];
        stream.ReadExactly(buffer);
        return Encoding.ASCII.GetString(buffer);
    }
}
