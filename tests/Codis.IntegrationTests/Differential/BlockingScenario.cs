using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// A multi-connection scenario run on Redis and on our server (blocking commands): every connection's
/// replies are recorded in order, and both transcripts must be the same bytes.
/// </summary>
public sealed class BlockingScenario(ServerProcess server) : IDisposable
{
    private readonly Dictionary<int, RespConnection> _connections = [];

    /// <summary>"conn: reply" for every recorded reply, in order.</summary>
    public List<string> Transcript { get; } = [];

    /// <summary>Connection <paramref name="i"/>, opened on first use (0 is for INFO polling).</summary>
    public RespConnection this[int i]
    {
        get
        {
            if (!_connections.TryGetValue(i, out RespConnection? c))
                _connections[i] = c = server.Connect();
            return c;
        }
    }

    /// <summary>Sends a command and records its reply.</summary>
    public void Call(int conn, params string[] args) => Record(conn, this[conn].Send(args));

    /// <summary>Sends a command whose reply comes later (a blocking one), then waits until the server blocked it.</summary>
    public void SendBlocking(int conn, int blockedAfter, params string[] args)
    {
        this[conn].SendRaw(RespConnection.Encode(args));
        WaitBlocked(blockedAfter);
    }

    /// <summary>Sends a command without recording its reply (HELLO: the client id differs).</summary>
    public void Setup(int conn, params string[] args) => this[conn].Send(args);

    /// <summary>Reads the pending reply of a connection.</summary>
    public void Read(int conn) => Record(conn, this[conn].ReadReply());

    /// <summary>Waits until the server reports <paramref name="count"/> blocked clients.</summary>
    public void WaitBlocked(int count)
    {
        string expected = "blocked_clients:" + count + "\r\n";
        for (int i = 0; i < 500; i++)
        {
            if (Encoding.ASCII.GetString(this[0].Send("info", "clients")).Contains(expected, StringComparison.Ordinal))
                return;
            Thread.Sleep(10);
        }
        throw new TimeoutException("the server never reported " + expected.Trim());
    }

    private void Record(int conn, byte[] reply) => Transcript.Add(conn + ": " + Encoding.Latin1.GetString(reply));

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (RespConnection c in _connections.Values)
            c.Dispose();
    }

    /// <summary>Runs <paramref name="script"/> on both servers of <paramref name="servers"/> (flushed first) and compares the transcripts.</summary>
    public static void Compare(ServerPairFixture servers, Action<BlockingScenario> script)
    {
        using (DiffSession d = servers.NewDiff())
        {
            // NewDiff flushed both servers.
        }
        List<string> expected, actual;
        using (var redis = new BlockingScenario(servers.Redis))
        {
            script(redis);
            expected = redis.Transcript;
        }
        using (var codis = new BlockingScenario(servers.Codis))
        {
            script(codis);
            actual = codis.Transcript;
        }
        Assert.Equal(expected, actual);
    }
}
