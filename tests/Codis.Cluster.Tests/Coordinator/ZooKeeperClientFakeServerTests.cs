using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.ZooKeeper;

namespace Codis.Cluster.Tests.Coordinator;

/// <summary>
/// The client against scripted fake servers on loopback: the failures a real ZooKeeper does not produce on
/// demand (silence, a hang-up during the handshake, replies out of order, a corrupt frame, refused credentials).
/// </summary>
public sealed class ZooKeeperClientFakeServerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public ZooKeeperClientFakeServerTests() => _listener.Start();

    private string Address => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose() => _listener.Stop();

    // Every wait of the fake server is bounded: a client that never sends makes the test fail, not hang the run.
    private static async Task<byte[]> ReadFrame(Stream s)
    {
        byte[] header = new byte[4];
        await s.ReadExactlyAsync(header).AsTask().WaitAsync(Patience);
        byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await s.ReadExactlyAsync(frame).AsTask().WaitAsync(Patience);
        return frame;
    }

    /// <summary>Accepts one client and completes its handshake with a 30 s session.</summary>
    private async Task<NetworkStream> AcceptSession()
    {
        Socket socket = await _listener.AcceptSocketAsync().WaitAsync(Patience);
        var s = new NetworkStream(socket, ownsSocket: true);
        _ = await ReadFrame(s);
        await s.WriteAsync(new JuteWriter().Int(0).Int(30000).Long(0x42).Buffer(new byte[16]).Bool(false).ToFrame());
        return s;
    }

    private static byte[] DataReply(int xid, string data) =>
        new JuteWriter().Int(xid).Long(7).Int(0).Buffer(Encoding.UTF8.GetBytes(data))
            .Long(0).Long(0).Long(0).Long(0).Int(0).Int(0).Int(0).Long(0).Int(data.Length).Int(0).Long(0).ToFrame();

    private Task<ZooKeeperClient> Connect(TimeSpan? timeout = null, string? digest = null) => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
    {
        Servers = Address,
        SessionTimeout = timeout ?? TimeSpan.FromSeconds(30),
        RequestTimeout = TimeSpan.FromSeconds(10),
        Auth = digest is null ? [] : [("digest", digest)],
    });

    [Fact]
    public async Task SilentServer_ConnectFailsWithinTheTimeout()
    {
        // The listener accepts (kernel backlog) but never answers the handshake.
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => Connect(TimeSpan.FromSeconds(1)).WaitAsync(Patience));
        Assert.Equal($"zk: cannot connect to any of {Address}: {Address}: no session within 1s (connect {Address})", e.Message);
    }

    [Fact]
    public async Task HangUpDuringHandshake_ClearError()
    {
        Task server = Task.Run(async () =>
        {
            using Socket s = await _listener.AcceptSocketAsync().WaitAsync(Patience);
        });
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => Connect().WaitAsync(Patience));
        Assert.Contains("the server closed the connection during the handshake", e.Message, StringComparison.Ordinal);
        await server;
    }

    [Fact]
    public async Task ResetDuringHandshake_SameClearError()
    {
        // A close with linger 0 sends a reset: the client's write or read of the handshake fails with
        // ECONNRESET or EPIPE instead of an end of stream (what a server that hangs up first often looks like).
        Task server = Task.Run(async () =>
        {
            using Socket s = await _listener.AcceptSocketAsync().WaitAsync(Patience);
            s.LingerState = new LingerOption(true, 0);
        });
        var e = await Assert.ThrowsAsync<ZooKeeperException>(() => Connect().WaitAsync(Patience));
        Assert.Contains("the server closed the connection during the handshake", e.Message, StringComparison.Ordinal);
        await server;
    }

    [Fact]
    public async Task RepliesOutOfOrder_EachCallGetsItsOwn_ByXid()
    {
        Task<NetworkStream> accepted = AcceptSession();
        await using ZooKeeperClient client = await Connect();
        await using NetworkStream s = await accepted;
        Task<ZooKeeperData> a = client.GetDataAsync("/a");
        Task<ZooKeeperData> b = client.GetDataAsync("/b");
        var requests = new Dictionary<string, int>();
        for (int i = 0; i < 2; i++)
        {
            var r = new JuteReader(await ReadFrame(s));
            int xid = r.Int();
            Assert.Equal(4, r.Int()); // getData
            requests[r.String()!] = xid;
            Assert.False(r.Bool());
        }
        await s.WriteAsync(DataReply(requests["/b"], "data of b"));
        await s.WriteAsync(DataReply(requests["/a"], "data of a"));
        Assert.Equal("data of a", Encoding.UTF8.GetString((await a.WaitAsync(Patience)).Data));
        Assert.Equal("data of b", Encoding.UTF8.GetString((await b.WaitAsync(Patience)).Data));
        Assert.Equal(0x42, client.SessionId);
    }

    [Fact]
    public async Task CorruptFrame_CallFailsWithTheReason_ClientReconnects()
    {
        Task<NetworkStream> accepted = AcceptSession();
        await using ZooKeeperClient client = await Connect();
        await using (NetworkStream s = await accepted)
        {
            Task<ZooKeeperData> call = client.GetDataAsync("/a");
            _ = await ReadFrame(s);
            Task<NetworkStream> second = AcceptSession();
            await s.WriteAsync(new byte[] { 0xff, 0xff, 0xff, 0xf0 });
            var e = await Assert.ThrowsAsync<ZooKeeperException>(() => call.WaitAsync(Patience));
            Assert.Equal(ZooKeeperError.ConnectionLoss, e.Error);
            Assert.Equal($"zk: connection to {Address} lost before the reply arrived (zk: invalid frame length -16) (get /a)", e.Message);
            await using NetworkStream again = await second.WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task RefusedCredentials_CallsFailSayingSo()
    {
        Task<NetworkStream> accepted = AcceptSession();
        ZooKeeperClient client = await Connect(digest: "u:p").WaitAsync(Patience);
        try
        {
            await using NetworkStream s = await accepted.WaitAsync(Patience);
            await RefuseCredentials(client, s);
        }
        finally
        {
            await client.DisposeAsync().AsTask().WaitAsync(Patience);
        }
    }

    private static async Task RefuseCredentials(ZooKeeperClient client, NetworkStream s)
    {
        var auth = new JuteReader(await ReadFrame(s));
        Assert.Equal(-4, auth.Int());
        Assert.Equal(100, auth.Int());
        Assert.Equal(0, auth.Int());
        Assert.Equal("digest", auth.String());
        Assert.Equal("u:p"u8.ToArray(), auth.Buffer());
        await s.WriteAsync(new JuteWriter().Int(-4).Long(0).Int((int)ZooKeeperError.AuthFailed).ToFrame());
        DateTime deadline = DateTime.UtcNow + Patience;
        CoordinatorException? e = null;
        while (e is null || e.Message.Contains("connection", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "calls never reported the refused credentials");
            e = await Assert.ThrowsAnyAsync<CoordinatorException>(() => client.GetDataAsync("/a").WaitAsync(Patience));
        }
        Assert.Equal("zk: client authentication failed (get /a)", e.Message);
    }
}
