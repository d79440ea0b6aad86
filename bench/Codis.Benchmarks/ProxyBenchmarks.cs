using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.Proxy.Session;
using Codis.Proxy.Stats;
using Codis.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Codis.Benchmarks;

/// <summary>
/// A pipeline of 64 GETs or SETs through the proxy's session code, in-process (Router + SessionServer on
/// a loopback port) in front of a real codis-server process, so that the allocations measured here are
/// the proxy's own (client side: blocking socket calls on preallocated buffers). Expected: 0 B per
/// request (<c>OperationsPerInvoke</c> = pipeline depth); measured 0 B (SET) and 1 B (GET, timers
/// amortised) on the 2-core dev machine. Run in-process (the generated project does not build within
/// BenchmarkDotNet's 2-minute limit on a busy machine):
/// <c>dotnet run -c Release --project bench/Codis.Benchmarks -- --filter '*ProxyBenchmarks*' --job short --inProcess</c>.
/// FCALL (two keys of one hash tag, so the cross-slot check runs) goes to a Debian redis-server 7.0 holding
/// the library, for codis-server has no FUNCTION yet; expected 0 B per request too.
/// </summary>
[MemoryDiagnoser]
public class ProxyBenchmarks
{
    private const int Depth = 64;

    private ServerProcess _backend = null!;
    private ServerProcess _redis = null!;
    private Router _router = null!;
    private SessionServer _sessions = null!;
    private ProxyStats _stats = null!;
    private Socket _listener = null!;
    private Socket _client = null!;
    private byte[] _getBatch = null!;
    private byte[] _setBatch = null!;
    private byte[] _fcallBatch = null!;
    private int _fcallReplyBytes;
    private int _getReplyBytes;
    private int _setReplyBytes;
    private readonly byte[] _receive = new byte[1 << 20];

    /// <summary>Starts codis-server, the in-process proxy and one client connection.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _backend = ServerProcess.StartCodis();
        _redis = ServerProcess.StartRedis();
        using (var r = _redis.Connect())
        {
            r.Send("FUNCTION", "LOAD", "#!lua name=bench\nredis.register_function('one', function(keys, args) return 1 end)");
        }
        var options = new RouterOptions { BackendPingPeriod = TimeSpan.Zero };
        _router = new Router(options, NullLogger.Instance);
        var addr = "127.0.0.1:" + _backend.Port;
        var redisAddr = "127.0.0.1:" + _redis.Port;
        var fcallSlot = Codis.Core.Slots.SlotHash.Slot("t"u8);
        _router.FillSlots(Enumerable.Range(0, 1024).Select(i => new Slot { Id = i, BackendAddr = i == fcallSlot ? redisAddr : addr }).ToList());
        _router.Start();
        _stats = new ProxyStats();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _sessions = new SessionServer(_router, options, _stats, NullLogger.Instance);
        _sessions.Start(_listener);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect((IPEndPoint)_listener.LocalEndPoint!);
        var get = new List<byte>();
        var set = new List<byte>();
        var fcall = new List<byte>();
        for (var i = 0; i < Depth; i++)
        {
            set.AddRange(RespConnection.Encode("SET", "key:" + i, "value-" + i));
            get.AddRange(RespConnection.Encode("GET", "key:" + i));
            fcall.AddRange(RespConnection.Encode("FCALL", "one", "2", "{t}a" + i, "{t}b" + i, "arg"));
        }
        _setBatch = [.. set];
        _getBatch = [.. get];
        _fcallBatch = [.. fcall];
        _fcallReplyBytes = Depth * 4;
        _setReplyBytes = Depth * 5;
        _getReplyBytes = Enumerable.Range(0, Depth).Sum(i => Encoding.ASCII.GetByteCount($"${("value-" + i).Length}\r\nvalue-{i}\r\n"));
        RoundTrip(_setBatch, _setReplyBytes);
        RoundTrip(_getBatch, _getReplyBytes);
        RoundTrip(_fcallBatch, _fcallReplyBytes);
    }

    /// <summary>64 pipelined SETs of existing keys.</summary>
    [Benchmark(OperationsPerInvoke = Depth)]
    public void PipelinedSet() => RoundTrip(_setBatch, _setReplyBytes);

    /// <summary>64 pipelined GETs of existing keys.</summary>
    [Benchmark(OperationsPerInvoke = Depth)]
    public void PipelinedGet() => RoundTrip(_getBatch, _getReplyBytes);

    /// <summary>64 pipelined FCALLs of two keys sharing a hash tag.</summary>
    [Benchmark(OperationsPerInvoke = Depth)]
    public void PipelinedFcall() => RoundTrip(_fcallBatch, _fcallReplyBytes);

    private void RoundTrip(byte[] batch, int replyBytes)
    {
        _client.Send(batch);
        var received = 0;
        while (received < replyBytes)
        {
            var n = _client.Receive(_receive, received, _receive.Length - received, SocketFlags.None);
            if (n == 0)
            {
                throw new InvalidOperationException("proxy closed the connection");
            }
            received += n;
        }
        if (received != replyBytes || _receive[0] == (byte)'-')
        {
            throw new InvalidOperationException("unexpected reply: " + Encoding.ASCII.GetString(_receive, 0, Math.Min(received, 200)));
        }
    }

    /// <summary>Stops everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _sessions.Close();
        _router.Close();
        _stats.Dispose();
        _backend.Dispose();
        _redis.Dispose();
    }
}
