using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Protocol;

/// <summary>
/// Connections of blocked clients: a client that goes away while blocked must be forgotten at once, so
/// that a later push is not popped for a dead connection (and lost); pipelined requests sent while
/// blocked run after it is served.
/// </summary>
public sealed class BlockedClientTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static string Text(byte[] reply) => Encoding.ASCII.GetString(reply);

    [Fact]
    public void BlockedClientDisconnects_LaterPushIsKept()
    {
        foreach (ServerProcess server in new[] { servers.Redis, servers.Codis })
        {
            using RespConnection writer = server.Connect();
            writer.Send("DEL", "gone");
            using (RespConnection blocked = server.Connect())
            {
                blocked.SendRaw(RespConnection.Encode("BLPOP", "gone", "0"));
                writer.Send("PING");
                Thread.Sleep(100);
            }
            Thread.Sleep(300);
            Assert.Equal(":1\r\n", Text(writer.Send("RPUSH", "gone", "v")));
            Assert.Equal(":1\r\n", Text(writer.Send("LLEN", "gone")));
            Assert.Contains("blocked_clients:0", Text(writer.Send("INFO", "clients")));
        }
    }

    [Fact]
    public void BlockedClientKilled_IsForgotten()
    {
        foreach (ServerProcess server in new[] { servers.Redis, servers.Codis })
        {
            using RespConnection admin = server.Connect();
            admin.Send("DEL", "killed");
            using RespConnection blocked = server.Connect();
            blocked.Send("CLIENT", "SETNAME", "victim");
            blocked.SendRaw(RespConnection.Encode("BLPOP", "killed", "0"));
            admin.Send("PING");
            Thread.Sleep(100);
            string list = Text(admin.Send("CLIENT", "LIST"));
            string id = list.Split('\n').First(l => l.Contains("name=victim")).Split(' ')[0].Split('=')[1];
            Assert.Equal(":1\r\n", Text(admin.Send("CLIENT", "KILL", "ID", id)));
            Assert.True(blocked.IsClosedByServer(), "the killed client's connection must close");
            Assert.Equal(":1\r\n", Text(admin.Send("RPUSH", "killed", "v")));
            Assert.Equal(":1\r\n", Text(admin.Send("LLEN", "killed")));
        }
    }

    [Fact]
    public void PipelinedWhileBlocked_RunsAfterServed()
    {
        foreach (ServerProcess server in new[] { servers.Redis, servers.Codis })
        {
            using RespConnection writer = server.Connect();
            writer.Send("DEL", "pipe");
            using RespConnection blocked = server.Connect();
            blocked.SendRaw([.. RespConnection.Encode("BLPOP", "pipe", "0"), .. RespConnection.Encode("ECHO", "after")]);
            writer.Send("PING");
            Thread.Sleep(100);
            writer.Send("RPUSH", "pipe", "x");
            Assert.Equal("*2\r\n$4\r\npipe\r\n$1\r\nx\r\n", Text(blocked.ReadReply()));
            Assert.Equal("$5\r\nafter\r\n", Text(blocked.ReadReply()));
        }
    }
}
