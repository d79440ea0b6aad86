using System.Diagnostics;
using System.Net.Sockets;
using Codis.Proxy.Backend;
using Codis.Proxy.Network;
using Codis.Proxy.Routing;
using Codis.Proxy.Stats;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Session;

/// <summary>
/// One client connection (proxy.md §5): a reader that decodes and dispatches requests, and a writer that
/// writes the replies strictly in request order, joined by an ordered queue. Dispatch is asynchronous: a
/// request held by a locked slot or waiting for a migration step does not stop the reader; only later
/// requests of this session for the same slot wait behind it, so per-slot order is kept (quirks.md A.10).
/// </summary>
internal sealed partial class Session
{
    private const int FlushThreshold = 64 * 1024;
    private const int MaxPooledRequests = 1024;

    private readonly Socket _socket;
    private readonly Router _router;
    private readonly RouterOptions _options;
    private readonly ProxyStats _stats;
    private readonly ILogger _logger;
    private readonly SessionServer _server;
    private readonly object _lock = new();            // _queue and _free
    private readonly Queue<Request> _queue = new();
    private readonly Stack<Request> _free = new();
    private readonly object _dispatchLock = new();    // _deferred
    private readonly List<Request> _deferred = [];
    private readonly AsyncSignal _signal = new();
    private SlotState[] _splitSlots = new SlotState[16];            // reader: the slot of each key of a split
    private BackendConnection[] _splitConns = new BackendConnection[4]; // reader: the connections of a split
    private int[] _splitCounts = new int[4];                           // reader: keys per connection of a split
    private int[] _mergeCursors = new int[4];                          // writer: read positions in part replies
    private readonly InputBuffer _input = new();                       // reader: bytes read, not yet decoded
    private Request _nextRequest = null!;                              // reader: the request decoded into next
    private byte[] _output = new byte[16 * 1024];
    private int _outputLength;
    private volatile bool _readerDone;
    private volatile bool _closed;
    private bool _authorized;
    private int _db;
    private uint _rng;
    private long _lastReceiveTicks;
    private long _sendStartTicks;

    /// <summary>Creates a session on an accepted socket.</summary>
    public Session(Socket socket, Router router, RouterOptions options, ProxyStats stats, ILogger logger, SessionServer server)
    {
        _socket = socket;
        _router = router;
        _options = options;
        _stats = stats;
        _logger = logger;
        _server = server;
        _authorized = options.SessionAuth.Length == 0;
        _rng = (uint)Environment.TickCount ^ (uint)socket.GetHashCode() | 1;
        _lastReceiveTicks = Stopwatch.GetTimestamp();
        _nextRequest = Rent();
    }

    /// <summary>True once the client is gone: read-only requests still queued at backends are dropped.</summary>
    public bool IsClosed => _closed;

    /// <summary>Runs the session until the client leaves; never throws.</summary>
    public Task RunAsync() => _options.Loop is { } loop ? RunOnLoopAsync(loop) : RunWithSocketsAsync();

    private async Task RunWithSocketsAsync()
    {
        var writer = WriteLoopAsync();
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Client reset or timeout: the writer drains what it can.
        }
        catch (Exception e)
        {
            Log.SessionFailed(_logger, e);
        }
        finally
        {
            _readerDone = true;
            _signal.Set();
        }
        await writer.ConfigureAwait(false);
    }

    /// <summary>Closes the socket (idle or stalled client); the loops end on their own.</summary>
    public void Abort()
    {
        _closed = true;
        if (_loop is not null)
        {
            // The loop closes the socket: closing it here could hand its number to a new one under the loop.
            WakeWriter();
            return;
        }
        _socket.Dispose();
        _signal.Set();
    }

    /// <summary>Timeout duty, called once a second by the server.</summary>
    public void Tick(long now)
    {
        var recv = _options.SessionRecvTimeout;
        if (recv > TimeSpan.Zero && now - Volatile.Read(ref _lastReceiveTicks) > recv.TotalSeconds * Stopwatch.Frequency)
        {
            Abort();
            return;
        }
        var send = Volatile.Read(ref _sendStartTicks);
        var limit = _options.SessionSendTimeout;
        if (send != 0 && limit > TimeSpan.Zero && now - send > limit.TotalSeconds * Stopwatch.Frequency)
        {
            Abort();
        }
    }

    /// <summary>A request (or a whole split request) of this session completed: wake the writer.</summary>
    public void OnRequestDone() => WakeWriter();

    private int NextSeed()
    {
        var x = _rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _rng = x;
        return (int)(x & 0xFFFF);
    }

    private Request Rent()
    {
        lock (_lock)
        {
            if (_free.TryPop(out var r))
            {
                return r;
            }
        }
        return new Request { Owner = this };
    }

    /// <summary>Recycles a written request and its parts.</summary>
    private void Return(Request r)
    {
        for (var i = 0; i < r.SubCount; i++)
        {
            var sub = r.Subs[i];
            r.Subs[i] = null!;
            ReturnOne(sub);
        }
        ReturnOne(r);
    }

    /// <summary>
    /// Recycles one request, unless the dispatch list still holds it (the router completed it before the
    /// session saw it dispatched): then <see cref="OnDispatched"/> recycles it, so a request is never reused
    /// while it is still listed.
    /// </summary>
    private void ReturnOne(Request r)
    {
        lock (_dispatchLock)
        {
            if (r.InDeferred)
            {
                r.ReturnPending = true;
                return;
            }
        }
        r.Reset();
        lock (_lock)
        {
            if (_free.Count < MaxPooledRequests)
            {
                _free.Push(r);
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            var n = await _socket.ReceiveAsync(_input.Space(), SocketFlags.None).ConfigureAwait(false);
            if (n == 0 || !OnInput(n))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Decodes and handles the requests completed by <paramref name="n"/> more input bytes; false ends the
    /// reader (a protocol error, too many pipelined requests, or a failure that breaks the session).
    /// </summary>
    private bool OnInput(int n)
    {
        Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
        if (!_input.Received(n))
        {
            return true;
        }
        var queued = false;
        while (_input.HasUnread)
        {
            var result = RequestDecoder.Decode(_input.Unread, _nextRequest, out var consumed, out var need, out var error);
            if (result == DecodeResult.Incomplete)
            {
                _input.NeedMore(need);
                break;
            }
            if (result == DecodeResult.Error)
            {
                Log.DecodeFailed(_logger, error!);
                if (queued)
                {
                    WakeWriter();
                }
                return false;
            }
            _input.Consume(consumed);
            if (result == DecodeResult.Empty)
            {
                continue;
            }
            var request = _nextRequest;
            _nextRequest = Rent();
            queued = true;
            if (!Accept(request))
            {
                WakeWriter();
                return false;
            }
        }
        if (queued)
        {
            WakeWriter();
        }
        _input.ConsumedAll();
        return true;
    }

    /// <summary>Queues and handles one decoded request; false ends the reader.</summary>
    private bool Accept(Request r)
    {
        _stats.IncrementTotal();
        r.StartTicks = Stopwatch.GetTimestamp();
        r.Db = _db;
        r.Seed = NextSeed();
        lock (_lock)
        {
            if (_options.SessionMaxPipeline > 0 && _queue.Count >= _options.SessionMaxPipeline)
            {
                // Codis: too many pipelined requests; this one gets no reply and the session closes.
                Log.TooManyPipelined(_logger, _queue.Count);
                return false;
            }
            _queue.Enqueue(r);
        }
        var keepReading = Handle(r);
        if (_options.SessionBreakOnFailure && r.IsDone && r.Error is not null)
        {
            return false;
        }
        return keepReading;
    }

    /// <summary>
    /// Hands a request to the router in this session's per-slot order: when an earlier request of this
    /// session for the same slot is still held or migrating, this one waits behind it.
    /// </summary>
    private void Submit(Request r)
    {
        lock (_dispatchLock)
        {
            r.InDeferred = true;
            foreach (var d in _deferred)
            {
                if (d.Slot == r.Slot)
                {
                    _deferred.Add(r);
                    return;
                }
            }
            r.InRouter = true;
            _deferred.Add(r);
        }
        if (_router.Dispatch(r))
        {
            OnDispatched(r);
        }
    }

    /// <summary>The router is done with a request (forwarded or failed): let the next one of its slot go.</summary>
    public void OnDispatched(Request done)
    {
        var r = done;
        while (true)
        {
            Request? next = null;
            var recycle = false;
            lock (_dispatchLock)
            {
                _deferred.Remove(r);
                r.InDeferred = false;
                recycle = r.ReturnPending;
                foreach (var d in _deferred)
                {
                    if (d.Slot == r.Slot)
                    {
                        if (!d.InRouter)
                        {
                            d.InRouter = true;
                            next = d;
                        }
                        break;
                    }
                }
            }
            if (recycle)
            {
                // Read Slot above before this: the writer already wrote it, only the list held it.
                r.ReturnPending = false;
                ReturnOne(r);
            }
            if (next is null || !_router.Dispatch(next))
            {
                return;
            }
            r = next;
        }
    }
}
