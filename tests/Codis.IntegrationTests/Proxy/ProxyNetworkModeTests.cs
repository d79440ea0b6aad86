using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Codis.Proxy.Network;
using Codis.Proxy.Routing;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>
/// The two ways codis-proxy moves bytes: its epoll I/O loop (the default on Linux x86-64) and .NET's
/// portable sockets (CODIS_PROXY_NETWORK=sockets, the path elsewhere). Every other proxy test runs on the
/// default only; these run the behaviours that live in the network layer on both.
/// </summary>
public static class ProxyNetworkModes
{
    private static readonly Lazy<IoLoop> OwnLoop = new(() => new IoLoop("test-proxy-io"));

    /// <summary>"loop" and "sockets".</summary>
    public static TheoryData<string> Modes => new() { "loop", "sockets" };

    /// <summary><paramref name="options"/> (or the defaults) moving bytes the <paramref name="mode"/> way.</summary>
    internal static RouterOptions With(string mode, RouterOptions? options = null)
    {
        options ??= new RouterOptions();
        if (mode == "sockets")
        {
            return options with { Loop = null };
        }
        // The process's loop, or (when this test run chose sockets) one of the tests' own; on Linux x86-64
        // creating it cannot fail, so a missing epoll is a failure here, not a skip.
        return options with { Loop = ProxyNetwork.Loop ?? OwnLoop.Value };
    }
}

/// <summary>Pipelines, large values, slow and vanishing clients and backends, on both network paths.</summary>
public sealed class ProxyNetworkModeTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private ProxyHarness Start(string mode, RouterOptions? options = null)
    {
        var proxy = new ProxyHarness(ProxyNetworkModes.With(mode, options));
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        return proxy;
    }

    private static string ReadExactly(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        stream.ReadTimeout = 20_000;
        stream.ReadExactly(buffer);
        return Encoding.Latin1.GetString(buffer);
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void Pipeline_ThousandCommandsOverBothGroupsInOneWrite_RepliesInOrder(string mode)
    {
        using var proxy = Start(mode);
        string a = ProxyHarness.KeyIn(0, 512, "pipe-" + mode);
        string b = ProxyHarness.KeyIn(512, 1024, "pipe-" + mode);
        using (var c = proxy.Connect())
        {
            c.Send("DEL", a, b);
        }
        using var socket = new TcpClient("127.0.0.1", proxy.Port);
        NetworkStream stream = socket.GetStream();
        var request = new StringBuilder();
        var expected = new StringBuilder();
        for (int i = 0; i < 1000; i++)
        {
            string key = i % 2 == 0 ? a : b;
            request.Append(CultureInfo.InvariantCulture, $"*2\r\n$4\r\nINCR\r\n${key.Length}\r\n{key}\r\n");
            expected.Append(':').Append(i / 2 + 1).Append("\r\n");
        }
        stream.Write(Encoding.ASCII.GetBytes(request.ToString()));
        Assert.Equal(expected.ToString(), ReadExactly(stream, expected.Length));
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void RequestInPieces_ByteByByte_AnsweredOnceWhole(string mode)
    {
        using var proxy = Start(mode);
        using var socket = new TcpClient("127.0.0.1", proxy.Port) { NoDelay = true };
        NetworkStream stream = socket.GetStream();
        byte[] request = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$5\r\npiece\r\n$2\r\nok\r\n*2\r\n$3\r\nGET\r\n$5\r\npiece\r\n");
        foreach (byte b in request)
        {
            stream.Write([b]);
            stream.Flush();
            Thread.Sleep(1);
        }
        Assert.Equal("+OK\r\n$2\r\nok\r\n", ReadExactly(stream, "+OK\r\n$2\r\nok\r\n".Length));
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void LargeValue_MoreThanTheSocketsTakeAtOnce_ArrivesWholeAtASlowReader(string mode)
    {
        using var proxy = Start(mode);
        string value = new('v', 8 * 1024 * 1024);
        using (var c = proxy.Connect())
        {
            c.ReadTimeout = TimeSpan.FromSeconds(30);
            Assert.Equal("OK", c.Command("SET", "big-" + mode, value).Text);
        }
        // A reader that is slow to start: the proxy must wait for the client socket to drain.
        using var socket = new TcpClient("127.0.0.1", proxy.Port);
        NetworkStream stream = socket.GetStream();
        string key = "big-" + mode;
        stream.Write(Encoding.ASCII.GetBytes($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n*1\r\n$4\r\nPING\r\n"));
        Thread.Sleep(300);
        string reply = ReadExactly(stream, $"${value.Length}\r\n".Length + value.Length + 2 + "+PONG\r\n".Length);
        Assert.StartsWith($"${value.Length}\r\nvvv", reply, StringComparison.Ordinal);
        Assert.EndsWith("v\r\n+PONG\r\n", reply, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void ManyValuesFromBothGroups_OneMget_MergedInKeyOrder(string mode)
    {
        using var proxy = Start(mode);
        using var c = proxy.Connect();
        c.ReadTimeout = TimeSpan.FromSeconds(30);
        var keys = Enumerable.Range(0, 64).Select(i => $"mv-{mode}-{i}").ToArray();
        var values = keys.Select((k, i) => new string((char)('a' + i % 26), 64 * 1024 + i)).ToArray();
        var mset = new List<string> { "MSET" };
        for (int i = 0; i < keys.Length; i++)
        {
            mset.Add(keys[i]);
            mset.Add(values[i]);
        }
        Assert.Equal("OK", c.Command(mset.ToArray()).Text);
        var reply = c.Command(["MGET", .. keys]);
        Assert.Equal(values, reply.Children!.Select(v => v.Text).ToArray());
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void ManyClientsAtOnce_EachGetsItsOwnReplies(string mode)
    {
        using var proxy = Start(mode);
        Exception? failure = null;
        var threads = Enumerable.Range(0, 32).Select(t => new Thread(() =>
        {
            try
            {
                using var c = proxy.Connect();
                for (int i = 0; i < 100; i++)
                {
                    string key = $"mc-{mode}-{t}-{i}";
                    var batch = new List<byte>();
                    batch.AddRange(RespConnection.Encode("SET", key, key));
                    batch.AddRange(RespConnection.Encode("GET", key));
                    c.SendRaw(batch.ToArray());
                    Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(c.ReadReply()));
                    Assert.Equal($"${key.Length}\r\n{key}\r\n", Encoding.UTF8.GetString(c.ReadReply()));
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Null(failure);
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void ClientGoneWithRequestInFlight_ItsSessionEndsAndTheLateReplyReachesNobodyElse(string mode)
    {
        // A backend that answers GET with the key's name, holding the reply for the key "held" until released.
        using var release = new ManualResetEventSlim();
        using var backend = new ScriptedBackend(args =>
        {
            if (args[1].StartsWith("held", StringComparison.Ordinal))
            {
                release.Wait(TimeSpan.FromSeconds(20));
            }
            return $"${args[1].Length}\r\n{args[1]}\r\n";
        });
        using var proxy = new ProxyHarness(ProxyNetworkModes.With(mode));
        proxy.FillHalves(backend.Addr, backend.Addr);
        using (var c = proxy.Connect())
        {
            c.SendRaw(RespConnection.Encode("GET", "held-" + mode));
            c.SendRaw(RespConnection.Encode("PING"));
            Assert.True(ProxyHarness.WaitUntil(() => !backend.Requests.IsEmpty, TimeSpan.FromSeconds(10)));
        }
        // The session waits for the reply it owes (as Codis's writer does), then ends with the client gone.
        using var other = proxy.Connect();
        other.SendRaw(RespConnection.Encode("GET", "mine"));
        Thread.Sleep(200); // on its way behind the held one (the backend reads it only once it answers that)
        release.Set();
        // The held reply comes first on the shared backend connection; it belonged to the gone client.
        Assert.Equal("$4\r\nmine\r\n", Encoding.UTF8.GetString(other.ReadReply()));
        Assert.Equal("PONG", other.Command("PING").Text);
        Assert.True(ProxyHarness.WaitUntil(() => proxy.Stats.SessionsAlive == 1, TimeSpan.FromSeconds(10)),
            "the session of the closed client stayed open after its reply came");
    }

    [Theory]
    [MemberData(nameof(ProxyNetworkModes.Modes), MemberType = typeof(ProxyNetworkModes))]
    public void BackendGone_WaitingRequestGetsAnError_SessionStaysUsable(string mode)
    {
        // A backend that holds every GET's reply: it leaves with the request unanswered.
        using var release = new ManualResetEventSlim();
        var victim = new ScriptedBackend(args =>
        {
            release.Wait(TimeSpan.FromSeconds(20));
            return "$-1\r\n";
        });
        using var proxy = new ProxyHarness(ProxyNetworkModes.With(mode));
        proxy.FillHalves(servers.AddrA, victim.Addr);
        string onVictim = ProxyHarness.KeyIn(512, 1024, "bg-" + mode);
        string onStable = ProxyHarness.KeyIn(0, 512, "bg-" + mode);
        using var c = proxy.Connect();
        c.ReadTimeout = TimeSpan.FromSeconds(20);
        Assert.Equal("OK", c.Command("SET", onStable, "1").Text);
        c.SendRaw(RespConnection.Encode("GET", onVictim));
        Assert.True(ProxyHarness.WaitUntil(() => !victim.Requests.IsEmpty, TimeSpan.FromSeconds(10)));
        victim.Dispose();
        Assert.Matches("^-ERR handle response, backend conn (reset|failure, .*)\r\n$", Encoding.UTF8.GetString(c.ReadReply()));
        release.Set();
        Assert.Equal("1", c.Command("GET", onStable).Text);
    }
}
