using System.Buffers.Binary;
using System.Net.Sockets;

namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>The session: connecting, resuming on another connection, expiry, and the per-connection reader and pinger.</summary>
public sealed partial class ZooKeeperClient
{
    // ZooKeeper's own limit (jute.maxbuffer) is about 1 MB; anything far larger is a corrupt length.
    private const int MaxFrame = 16 << 20;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private long _sessionId;
    private byte[] _password = new byte[16];
    private long _lastZxid;
    private int _negotiatedMs;
    private bool _everConnected;

    /// <summary>Connects, serves the connection until it breaks, and reconnects, until the client is closed.</summary>
    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        int next = 0;
        int failed = 0;
        var errors = new List<string>();
        TimeSpan backoff = MinBackoff;
        while (!stop.IsCancellationRequested)
        {
            (string host, int port) = _servers[next];
            string server = host + ":" + port;
            next = (next + 1) % _servers.Count;
            Connection? conn;
            try
            {
                conn = await OpenAsync(host, port, server, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or CoordinatorException or ObjectDisposedException)
            {
                string message = server + ": " + e.Message;
                lock (_gate)
                    _lastError = message;
                errors.Add(message);
                if (++failed < _servers.Count)
                    continue;
                // Every server failed once: the first session cannot be had; later, keep trying, more slowly.
                if (!_everConnected)
                {
                    _initial.TrySetException(new ZooKeeperException(ZooKeeperError.ConnectionLoss, "connect", Servers,
                        $"zk: cannot connect to any of {Servers}: {string.Join("; ", errors)}"));
                }
                failed = 0;
                errors.Clear();
                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }
            if (conn is null)
            {
                // The session expired: open a fresh one on the same server right away.
                next = (next + _servers.Count - 1) % _servers.Count;
                continue;
            }
            failed = 0;
            errors.Clear();
            backoff = MinBackoff;
            lock (_gate)
            {
                _current = conn;
                _everConnected = true;
                _connected.TrySetResult(conn);
            }
            _initial.TrySetResult();
            Raise(ZooKeeperSessionState.SyncConnected);
            string reason = await conn.RunAsync(stop).ConfigureAwait(false);
            lock (_gate)
            {
                _current = null;
                _lastError = conn.Server + ": " + reason;
                if (_connected.Task.IsCompleted)
                    _connected = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            conn.Dispose();
            if (!stop.IsCancellationRequested)
                Raise(ZooKeeperSessionState.Disconnected);
            CoordinatorException? fatal;
            lock (_gate)
            {
                fatal = _fatal;
                if (fatal is not null)
                    _connected.TrySetException(fatal);
            }
            if (fatal is not null)
                return;
        }
    }

    /// <summary>
    /// Opens a TCP connection and resumes (or starts) the session on it, then queues the credentials and the
    /// watches so that they reach the server before any call. Null when the server says the session expired.
    /// </summary>
    private async Task<Connection?> OpenAsync(string host, int port, string server, CancellationToken stop)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        NetworkStream? stream = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        cts.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            long session, zxid;
            byte[] password;
            lock (_gate)
            {
                session = _sessionId;
                password = _password;
                zxid = _lastZxid;
            }
            await stream.WriteAsync(Requests.Connect(zxid, (int)_sessionTimeout.TotalMilliseconds, session, password), cts.Token).ConfigureAwait(false);
            byte[] frame = await ReadFrameAsync(stream, cts.Token).ConfigureAwait(false);
            ConnectResponse response = ConnectResponse.Parse(frame);
            if (response.TimeoutMs <= 0)
            {
                stream.Dispose();
                ExpireSession(server);
                return null;
            }
            lock (_gate)
            {
                _sessionId = response.SessionId;
                _password = response.Password;
                _negotiatedMs = response.TimeoutMs;
            }
            var conn = new Connection(this, server, stream, TimeSpan.FromMilliseconds(response.TimeoutMs));
            foreach ((string scheme, byte[] credential) in _auth)
                await conn.WriteAsync(Requests.Auth(scheme, credential), 0, null, cts.Token).ConfigureAwait(false);
            (List<string> data, List<string> exist, List<string> child) = WatchedPaths();
            if (data.Count + exist.Count + child.Count > 0)
                await conn.WriteAsync(Requests.SetWatches(zxid, data, exist, child), 0, null, cts.Token).ConfigureAwait(false);
            return conn;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            stream?.Dispose();
            socket.Dispose();
            throw new TimeoutException($"no session within {Seconds(_connectTimeout)}");
        }
        // A server that hangs up before our connect request reaches it answers the request with a reset, not
        // an end of stream: the same hang-up, seen a moment later.
        catch (Exception e) when (e is EndOfStreamException || IsReset(e))
        {
            stream?.Dispose();
            socket.Dispose();
            throw new IOException("the server closed the connection during the handshake (is it a ZooKeeper server, and is it serving?)");
        }
        catch
        {
            stream?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static bool IsReset(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode
            is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown;

    /// <summary>The server forgot the session: its ephemeral nodes are gone, so every watch fires.</summary>
    private void ExpireSession(string server)
    {
        lock (_gate)
        {
            _sessionId = 0;
            _password = new byte[16];
            _lastZxid = 0;
            _lastError = server + ": the session expired";
        }
        FireAll(ZooKeeperSessionState.Expired);
        Raise(ZooKeeperSessionState.Expired);
    }

    /// <summary>Handles one frame from the server: a reply, a notification, or the answer to a ping, auth or setWatches.</summary>
    private void Dispatch(Connection conn, byte[] frame)
    {
        Reply r = Reply.Parse(frame);
        switch (r.Xid)
        {
            case Xids.Notification:
                var ev = new ZooKeeperWatchEvent((ZooKeeperEventType)r.Body.Int(), (ZooKeeperSessionState)r.Body.Int(), r.Body.String() ?? "");
                Fire(ev);
                return;
            case Xids.Ping or Xids.SetWatches:
                return;
            case Xids.Auth:
                if (r.Error != ZooKeeperError.Ok)
                {
                    // Credentials are refused for the whole session: calls would fail with "not authenticated"
                    // forever, so the client stops and says why.
                    lock (_gate)
                        _fatal = new ZooKeeperException(r.Error, "auth", Servers, ZooKeeperException.Describe(ZooKeeperError.AuthFailed));
                    conn.Fail("authentication failed");
                    FireAll(ZooKeeperSessionState.AuthFailed);
                }
                return;
        }
        if (r.Zxid > 0)
        {
            lock (_gate)
                _lastZxid = Math.Max(_lastZxid, r.Zxid);
        }
        Pending? p = conn.Take(r.Xid);
        if (p is null)
            return; // its caller gave up (timeout or cancellation)
        // Registered before the caller resumes, and before the next frame (a notification) is handled.
        p.Watch = RegisterWatch(p.WatchKind, r.Error, p.WatchPath);
        p.Complete(r);
    }

    private static async Task<byte[]> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        byte[] header = new byte[4];
        await stream.ReadExactlyAsync(header, ct).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 0 or > MaxFrame)
            throw new ZooKeeperProtocolException($"zk: invalid frame length {length}");
        byte[] frame = new byte[length];
        await stream.ReadExactlyAsync(frame, ct).ConfigureAwait(false);
        return frame;
    }

    /// <summary>One TCP connection of the session: serialized writes, the table of requests in flight, reader and pinger.</summary>
    private sealed class Connection(ZooKeeperClient client, string server, NetworkStream stream, TimeSpan sessionTimeout) : IDisposable
    {
        private readonly SemaphoreSlim _write = new(1, 1);
        private readonly Dictionary<int, Pending> _pending = [];
        private readonly CancellationTokenSource _dead = new();
        private string? _failure;
        private long _lastSend = Environment.TickCount64;
        private long _lastReceive = Environment.TickCount64;

        public string Server => server;

        /// <summary>
        /// Writes one frame; with <paramref name="pending"/>, registers it under <paramref name="xid"/> first so
        /// the reply cannot outrun the registration. A frame is never cut short by a caller's cancellation (that
        /// would corrupt the stream): only waiting for the turn to write is cancellable.
        /// </summary>
        public async Task WriteAsync(byte[] frame, int xid, Pending? pending, CancellationToken ct)
        {
            await _write.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                lock (_pending)
                {
                    if (_failure is not null)
                        throw new ConnectionLostException(_failure);
                    if (pending is not null)
                        _pending[xid] = pending;
                }
                await stream.WriteAsync(frame, _dead.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastSend, Environment.TickCount64);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException
                || (e is OperationCanceledException && _dead.IsCancellationRequested))
            {
                Fail("write failed: " + e.Message);
                throw new ConnectionLostException(_failure ?? e.Message);
            }
            finally
            {
                _write.Release();
            }
        }

        public Pending? Take(int xid)
        {
            lock (_pending)
                return _pending.Remove(xid, out Pending? p) ? p : null;
        }

        public void Forget(int xid) => Take(xid);

        /// <summary>Reads and dispatches frames, and pings, until the connection breaks; returns why it broke.</summary>
        public async Task<string> RunAsync(CancellationToken stop)
        {
            using CancellationTokenRegistration reg = stop.Register(() => Fail("client closed"));
            Task pinger = PingAsync();
            try
            {
                while (true)
                {
                    byte[] frame = await ReadFrameAsync(stream, _dead.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastReceive, Environment.TickCount64);
                    client.Dispatch(this, frame);
                }
            }
            catch (EndOfStreamException)
            {
                Fail("the server closed the connection");
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or CoordinatorException)
            {
                Fail(e is OperationCanceledException ? "connection closed" : e.Message);
            }
            await pinger.ConfigureAwait(false);
            return Volatile.Read(ref _failure)!;
        }

        /// <summary>Marks the connection broken (first reason wins), fails every request in flight and closes the socket.</summary>
        public void Fail(string reason)
        {
            // A connection that already failed has nothing left to do: no lock is taken then (the read loop's
            // end, and Dispose after it, run as inline continuations of other threads' completions).
            if (Volatile.Read(ref _failure) is not null)
                return;
            List<Pending> orphans;
            lock (_pending)
            {
                if (_failure is not null)
                    return;
                _failure = reason;
                orphans = [.. _pending.Values];
                _pending.Clear();
            }
            _dead.Cancel();
            foreach (Pending p in orphans)
                p.Fail(new ConnectionLostException(reason));
            stream.Dispose();
        }

        // _dead is not disposed: late writers may still read its token, and it holds no timer.
        public void Dispose() => Fail("connection closed");

        /// <summary>
        /// Pings when nothing was sent for a third of the session timeout, so the server keeps the session; gives up
        /// on the server when nothing was received for two thirds of it (as ZooKeeper's own client does).
        /// </summary>
        private async Task PingAsync()
        {
            long interval = Math.Max(10, (long)sessionTimeout.TotalMilliseconds / 3);
            long readTimeout = Math.Max(20, (long)sessionTimeout.TotalMilliseconds * 2 / 3);
            try
            {
                while (!_dead.IsCancellationRequested)
                {
                    long now = Environment.TickCount64;
                    long sinceReceive = now - Volatile.Read(ref _lastReceive);
                    if (sinceReceive >= readTimeout)
                    {
                        Fail($"no reply from the server for {sinceReceive} ms (session timeout {(long)sessionTimeout.TotalMilliseconds} ms)");
                        return;
                    }
                    long sinceSend = now - Volatile.Read(ref _lastSend);
                    if (sinceSend >= interval)
                    {
                        await WriteAsync(Requests.Ping(), 0, null, _dead.Token).ConfigureAwait(false);
                        sinceSend = 0;
                    }
                    long wait = Math.Max(5, Math.Min(interval - sinceSend, readTimeout - sinceReceive));
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _dead.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionLostException or ObjectDisposedException)
            {
                // The connection is going away; RunAsync reports why.
            }
        }
    }
}
