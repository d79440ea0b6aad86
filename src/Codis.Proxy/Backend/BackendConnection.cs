using System.Diagnostics;
using System.Net.Sockets;
using Codis.Proxy.Network;
using Codis.Proxy.Routing;
using Codis.Proxy.Session;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Backend;

/// <summary>State of a backend connection as replica selection and address lookups see it.</summary>
internal enum BackendState
{
    /// <summary>Not connected (dialing, or waiting to retry).</summary>
    Connecting = 0,

    /// <summary>Connected and serving.</summary>
    Connected = 1,

    /// <summary>Connected, but the server answered MASTERDOWN or LOADING: not used for replica reads.</summary>
    DataStale = 2,

    /// <summary>Closed for good (its pool entry was released).</summary>
    Closed = 3,
}

/// <summary>
/// One TCP connection to one codis-server for one database (proxy.md §10.2). Sessions copy request bytes
/// into its pending buffer and its FIFO under a short lock; a sender loop writes the whole buffer at once
/// and a receiver loop frames replies and completes the FIFO's requests in order. Failures fail every
/// request in flight (the one being read gets <c>backend conn failure</c>, the others
/// <c>backend conn reset</c>) and the connection dials again with Codis's back-off.
/// </summary>
internal sealed partial class BackendConnection
{
    private const int ImmediateRetries = 10;
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(5);

    private readonly RouterOptions _options;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Queue<Request> _fifo = new();
    private readonly AsyncSignal _sendSignal = new();
    private byte[] _pending = new byte[4096];
    private int _pendingLength;
    private int _pendingCount;   // requests whose bytes are still in _pending
    private byte[] _sending = new byte[4096];
    private bool _failFast;      // waiting out a back-off: new requests fail at once
    private volatile bool _closed;
    private volatile int _state;
    private Socket? _socket;
    private long _lastReceiveTicks;
    private long _sendStartTicks; // 0 when no write is in progress

    /// <summary>Creates the connection and starts dialing.</summary>
    public BackendConnection(string addr, int db, RouterOptions options, ILogger logger)
    {
        Addr = addr;
        Db = db;
        _options = options;
        _logger = logger;
        _ = Task.Run(RunAsync);
    }

    /// <summary>Server address, host:port.</summary>
    public string Addr { get; }

    /// <summary>Database this connection has selected.</summary>
    public int Db { get; }

    /// <summary>Current state.</summary>
    public BackendState State => (BackendState)_state;

    /// <summary>True when requests can be sent right now (Connected or DataStale).</summary>
    public bool IsConnected => _state is (int)BackendState.Connected or (int)BackendState.DataStale;

    /// <summary>Requests sent or queued and not answered.</summary>
    public int Outstanding
    {
        get
        {
            lock (_lock)
            {
                return _fifo.Count;
            }
        }
    }

    /// <summary>
    /// Queues a request: its bytes are copied now, so the caller may reuse its own buffer. Fails it at once
    /// with <c>backend conn reset</c> while the connection waits out a back-off or is closed.
    /// </summary>
    public void Enqueue(Request request)
    {
        string? error = null;
        if (request.Owner is { IsClosed: true } && request.Op.IsReadOnly)
        {
            // Nobody will read the reply of a read-only request of a closed session (proxy.md §5).
            error = "request is broken";
        }
        else
        {
            lock (_lock)
            {
                if (_closed || _failFast)
                {
                    error = "backend conn reset";
                }
                else
                {
                    var bytes = request.Bytes;
                    if (_pending.Length - _pendingLength < bytes.Length)
                    {
                        Array.Resize(ref _pending, Math.Max(_pendingLength + bytes.Length, _pending.Length * 2));
                    }
                    bytes.CopyTo(_pending.AsSpan(_pendingLength));
                    _pendingLength += bytes.Length;
                    _pendingCount++;
                    if (_fifo.Count == 0)
                    {
                        // The receive timeout counts from the moment there is something to wait for.
                        Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
                    }
                    _fifo.Enqueue(request);
                }
            }
        }
        if (error is not null)
        {
            request.FailResponse(error);
            return;
        }
        WakeSender();
    }

    /// <summary>Closes the connection; queued and in-flight requests get <c>backend conn reset</c>.</summary>
    public void Close()
    {
        _closed = true;
        _state = (int)BackendState.Closed;
        AbortSocket("closed");
        _sendSignal.Set();
        FailAll(null);
    }

    /// <summary>
    /// Periodic duty (once a second): resets a connection whose backend stopped answering or accepting
    /// bytes (recv/send timeouts apply only while requests are outstanding), and sends the keep-alive.
    /// </summary>
    public void Tick(long nowTicks, bool ping)
    {
        if (_closed || !IsConnected)
        {
            return;
        }
        int outstanding;
        lock (_lock)
        {
            outstanding = _fifo.Count;
        }
        var send = Volatile.Read(ref _sendStartTicks);
        if (_options.BackendSendTimeout > TimeSpan.Zero && send != 0 && Elapsed(send, nowTicks) > _options.BackendSendTimeout)
        {
            Log.SendTimeout(_logger, Addr, Db);
            AbortSocket("write timeout");
            return;
        }
        if (outstanding > 0 && _options.BackendRecvTimeout > TimeSpan.Zero
            && Elapsed(Volatile.Read(ref _lastReceiveTicks), nowTicks) > _options.BackendRecvTimeout)
        {
            Log.RecvTimeout(_logger, Addr, Db);
            AbortSocket("read timeout");
            return;
        }
        if (ping && outstanding == 0)
        {
            SendKeepAlive();
        }
    }

    private static TimeSpan Elapsed(long from, long now) => TimeSpan.FromSeconds((now - from) / (double)Stopwatch.Frequency);

    private void SendKeepAlive()
    {
        var stale = State == BackendState.DataStale;
        var r = new Request { Op = CommandTable.Resolve(stale ? "INFO"u8 : "PING"u8) };
        r.AppendHeader((byte)'*', 1);
        r.AppendArg(stale ? "INFO"u8 : "PING"u8);
        r.Callback = stale ? OnStaleInfo : static _ => { };
        Enqueue(r);
    }

    private void OnStaleInfo(Request r)
    {
        if (r.Error is not null || r.ReplyLength == 0 || r.Reply[0] != (byte)'$')
        {
            return;
        }
        var text = ReplyScanner.BulkValue(r.ReplySpan);
        if (text.IndexOf("master_link_status:down"u8) < 0 && text.IndexOf("loading:1"u8) < 0)
        {
            Interlocked.CompareExchange(ref _state, (int)BackendState.Connected, (int)BackendState.DataStale);
        }
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_closed)
        {
            if (failures > ImmediateRetries)
            {
                // Codis: after 10 quick retries wait 50 ms, 100 ms, ... 5 s; meanwhile requests fail at once.
                var wait = TimeSpan.FromMilliseconds(Math.Min(5000, 50L << Math.Min(failures - ImmediateRetries - 1, 10)));
                lock (_lock)
                {
                    _failFast = true;
                }
                FailAll(null);
                await Task.Delay(wait).ConfigureAwait(false);
                lock (_lock)
                {
                    _failFast = false;
                }
                if (_closed)
                {
                    break;
                }
            }
            Socket? socket = null;
            try
            {
                var loop = _options.Loop;
                socket = await (loop is null ? DialAsync() : DialWithoutEngineAsync()).ConfigureAwait(false);
                failures = 0;
                Volatile.Write(ref _socket, socket);
                Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
                _state = (int)BackendState.Connected;
                if (_closed)
                {
                    break;
                }
                if (loop is not null)
                {
                    try
                    {
                        await ServeOnLoopAsync(socket, loop).ConfigureAwait(false);
                    }
                    finally
                    {
                        socket.Dispose();
                    }
                    continue;
                }
                var sender = SendLoopAsync(socket);
                // Requests queued while dialing (or a wake-up consumed by the previous sender) go out now.
                _sendSignal.Set();
                try
                {
                    await ReceiveLoopAsync(socket).ConfigureAwait(false);
                }
                finally
                {
                    socket.Dispose();
                    _sendSignal.Set();
                    await sender.ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or BackendProtocolException)
            {
                socket?.Dispose();
                if (!_closed)
                {
                    _state = (int)BackendState.Connecting;
                    failures++;
                    if (failures == 1)
                    {
                        Log.ConnectionFailed(_logger, Addr, Db, e.Message);
                    }
                    FailAll(e is OperationCanceledException ? "i/o timeout" : e.Message);
                }
            }
        }
        Volatile.Read(ref _socket)?.Dispose();
        FailAll(null);
    }

    /// <summary>
    /// Fails every queued request: the oldest (the one being read or written) with
    /// <c>backend conn failure, E</c> when <paramref name="error"/> is given, all others with <c>backend conn reset</c>.
    /// </summary>
    private void FailAll(string? error)
    {
        Request[] failed;
        lock (_lock)
        {
            if (_fifo.Count == 0)
            {
                _pendingLength = 0;
                _pendingCount = 0;
                return;
            }
            failed = _fifo.ToArray();
            _fifo.Clear();
            _pendingLength = 0;
            _pendingCount = 0;
        }
        for (var i = 0; i < failed.Length; i++)
        {
            failed[i].FailResponse(i == 0 && error is not null ? "backend conn failure, " + error : "backend conn reset");
        }
    }
}
