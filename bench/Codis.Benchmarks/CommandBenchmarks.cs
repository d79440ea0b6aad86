using BenchmarkDotNet.Attributes;
using Codis.Core.Resp;
using Codis.Server;
using Codis.Server.Clients;
using Codis.Server.Config;

namespace Codis.Benchmarks;

/// <summary>
/// Parse + execute of one request through <see cref="ServerContext.Execute"/>, as the connection loop
/// does it, with a transport that sends nothing. The reply buffer is cleared after each request so
/// that only the command path is measured. Expected allocations: none for GET and INCR (a small
/// counter is updated in place), the stored value (a byte[]) for SET.
/// </summary>
[MemoryDiagnoser]
public class CommandBenchmarks
{
    private const int Keys = 100_000;

    private ServerContext _server = null!;
    private Client _client = null!;
    private readonly RequestParser _parser = new();
    private readonly ArgList _args = new();
    private byte[][] _get = null!;
    private byte[][] _set = null!;
    private byte[][] _incr = null!;
    private int _next;

    /// <summary>Creates a server with <see cref="Keys"/> string keys and the request bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _server = new ServerContext(new ServerConfig());
        _client = new Client(new NullTransport(), "bench:1", "bench:0", 0);
        lock (_server.Lock)
            _server.AddClient(_client);
        _get = new byte[Keys][];
        _set = new byte[Keys][];
        _incr = new byte[Keys][];
        for (int i = 0; i < Keys; i++)
        {
            string key = $"key:{i:D12}";
            _get[i] = Request("GET", key);
            _set[i] = Request("SET", key, "xxx");
            _incr[i] = Request("INCR", "counter:" + i.ToString("D12"));
            Run(_set[i]);
            Run(_incr[i]);
        }
    }

    /// <summary>GET of an existing key.</summary>
    [Benchmark]
    public void Get() => Run(_get[Next()]);

    /// <summary>SET overwriting an existing key.</summary>
    [Benchmark]
    public void Set() => Run(_set[Next()]);

    /// <summary>INCR of an existing counter.</summary>
    [Benchmark]
    public void Incr() => Run(_incr[Next()]);

    private int Next()
    {
        int i = _next;
        _next = i + 1 == Keys ? 0 : i + 1;
        return i;
    }

    private void Run(byte[] request)
    {
        lock (_server.Lock)
        {
            if (_parser.TryParse(request, 0, request.Length, _args) != ParseResult.Complete)
                throw new InvalidOperationException("bad request");
            _server.Execute(_client, _args);
            _client.Output.Clear();
        }
    }

    private static byte[] Request(params string[] args)
    {
        var b = new System.Text.StringBuilder();
        b.Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
            b.Append('$').Append(a.Length).Append("\r\n").Append(a).Append("\r\n");
        return System.Text.Encoding.ASCII.GetBytes(b.ToString());
    }

    private sealed class NullTransport : IClientTransport
    {
        public void RequestFlush()
        {
        }

        public void Close(bool now)
        {
        }
    }
}
