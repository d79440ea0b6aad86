using System.Globalization;
using System.Text;

namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>
/// A ZooKeeper client speaking the wire protocol directly. One session is kept across connections: when a
/// connection breaks the client moves to the next server of the list and resumes the session (session id and
/// password) with its credentials and watches, until the server says the session expired; then every watch
/// fires with <see cref="ZooKeeperSessionState.Expired"/> and a fresh session is opened. Calls are pipelined on
/// the connection and matched to replies by xid; each call waits at most the request timeout, waiting for a
/// connection included. Thread-safe.
/// </summary>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly IReadOnlyList<(string Host, int Port)> _servers;
    private readonly TimeSpan _sessionTimeout;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _connectTimeout;
    private readonly IReadOnlyList<(string Scheme, byte[] Credential)> _auth;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _initial = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<Connection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Connection? _current;
    private Task _run = Task.CompletedTask;
    private Task? _closing;
    private volatile bool _closed;
    private CoordinatorException? _fatal;
    private string? _lastError;
    private int _xid;

    private ZooKeeperClient(ZooKeeperClientOptions options)
    {
        _servers = options.ParseServers();
        Servers = options.Servers;
        _sessionTimeout = options.SessionTimeout > TimeSpan.Zero ? options.SessionTimeout : TimeSpan.FromSeconds(10);
        _requestTimeout = options.RequestTimeout is { } t && t > TimeSpan.Zero ? t : _sessionTimeout;
        // As ZooKeeper's own client: one pass over the list fits in one session timeout.
        _connectTimeout = _sessionTimeout / _servers.Count;
        _auth = options.Auth.Select(a => (a.Scheme, Encoding.UTF8.GetBytes(a.Credential))).ToList();
    }

    /// <summary>Raised (on a pool thread) when the connection state changes: connected, disconnected, expired, closed.</summary>
    public event Action<ZooKeeperSessionState>? StateChanged;

    /// <summary>The server list as given.</summary>
    public string Servers { get; }

    /// <summary>The current session id (0 before the first session).</summary>
    public long SessionId
    {
        get
        {
            lock (_gate)
                return _sessionId;
        }
    }

    /// <summary>The session timeout the server granted.</summary>
    public TimeSpan NegotiatedTimeout
    {
        get
        {
            lock (_gate)
                return TimeSpan.FromMilliseconds(_negotiatedMs);
        }
    }

    /// <summary>True while a connection is established.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate)
                return _current is not null;
        }
    }

    /// <summary>
    /// Creates a client and waits for its first session. A server that refuses or does not answer within the
    /// connect timeout (session timeout / number of servers) is skipped; when every server of the list failed
    /// once, the call fails naming each one's error.
    /// </summary>
    /// <exception cref="CoordinatorException">A bad server list, or no server could be reached.</exception>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken ct = default)
    {
        var client = new ZooKeeperClient(options);
        client._run = Task.Run(client.RunAsync, CancellationToken.None);
        try
        {
            await client._initial.Task.WaitAsync(ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a node and returns its actual path (sequential nodes get a counter appended).</summary>
    /// <exception cref="ZooKeeperException"><see cref="ZooKeeperError.NodeExists"/>, <see cref="ZooKeeperError.NoNode"/> (no parent), <see cref="ZooKeeperError.NoAuth"/>...</exception>
    public async Task<string> CreateAsync(string path, byte[] data, IReadOnlyList<ZooKeeperAcl> acl, ZooKeeperCreateMode mode, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        Pending p = await CallAsync("create", path, xid => Requests.Create(xid, path, data, acl, mode), WatchKind.None, ct).ConfigureAwait(false);
        Reply r = Check(p, "create", path);
        return r.Body.String() ?? path;
    }

    /// <summary>Deletes a node; <paramref name="version"/> -1 deletes whatever the version.</summary>
    /// <exception cref="ZooKeeperException"><see cref="ZooKeeperError.NoNode"/>, <see cref="ZooKeeperError.NotEmpty"/>, <see cref="ZooKeeperError.BadVersion"/>...</exception>
    public async Task DeleteAsync(string path, int version = -1, CancellationToken ct = default)
    {
        Pending p = await CallAsync("delete", path, xid => Requests.Delete(xid, path, version), WatchKind.None, ct).ConfigureAwait(false);
        Check(p, "delete", path);
    }

    /// <summary>A node's data and metadata; with <paramref name="watch"/>, a one-shot data watch is set.</summary>
    /// <exception cref="ZooKeeperException"><see cref="ZooKeeperError.NoNode"/>, <see cref="ZooKeeperError.NoAuth"/>...</exception>
    public async Task<ZooKeeperData> GetDataAsync(string path, bool watch = false, CancellationToken ct = default)
    {
        Pending p = await CallAsync("get", path, xid => Requests.PathWatch(xid, OpCode.GetData, path, watch),
            watch ? WatchKind.Data : WatchKind.None, ct).ConfigureAwait(false);
        Reply r = Check(p, "get", path);
        byte[] data = r.Body.Buffer() ?? [];
        return new ZooKeeperData(data, r.Body.Stat(), p.Watch);
    }

    /// <summary>Sets a node's data; <paramref name="version"/> -1 writes whatever the version.</summary>
    /// <exception cref="ZooKeeperException"><see cref="ZooKeeperError.NoNode"/>, <see cref="ZooKeeperError.NoAuth"/>, <see cref="ZooKeeperError.BadVersion"/>...</exception>
    public async Task<ZooKeeperStat> SetDataAsync(string path, byte[] data, int version = -1, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        Pending p = await CallAsync("set", path, xid => Requests.SetData(xid, path, data, version), WatchKind.None, ct).ConfigureAwait(false);
        return Check(p, "set", path).Body.Stat();
    }

    /// <summary>A node's child names; with <paramref name="watch"/>, a one-shot child watch is set.</summary>
    /// <exception cref="ZooKeeperException"><see cref="ZooKeeperError.NoNode"/>, <see cref="ZooKeeperError.NoAuth"/>...</exception>
    public async Task<ZooKeeperChildren> GetChildrenAsync(string path, bool watch = false, CancellationToken ct = default)
    {
        Pending p = await CallAsync("children", path, xid => Requests.PathWatch(xid, OpCode.GetChildren, path, watch),
            watch ? WatchKind.Child : WatchKind.None, ct).ConfigureAwait(false);
        return new ZooKeeperChildren(Check(p, "children", path).Body.Strings(), p.Watch);
    }

    /// <summary>
    /// Whether a node exists. With <paramref name="watch"/>, a one-shot watch is set either way: it fires when an
    /// existing node changes or is deleted, or when a missing node is created.
    /// </summary>
    /// <exception cref="ZooKeeperException">Any error but <see cref="ZooKeeperError.NoNode"/>.</exception>
    public async Task<ZooKeeperExists> ExistsAsync(string path, bool watch = false, CancellationToken ct = default)
    {
        Pending p = await CallAsync("exists", path, xid => Requests.PathWatch(xid, OpCode.Exists, path, watch),
            watch ? WatchKind.Exists : WatchKind.None, ct).ConfigureAwait(false);
        if (p.Reply!.Error == ZooKeeperError.NoNode)
            return new ZooKeeperExists(null, p.Watch);
        return new ZooKeeperExists(Check(p, "exists", path).Body.Stat(), p.Watch);
    }

    /// <summary>
    /// Ends the session (a <c>closeSession</c> request, so the server deletes this session's ephemeral nodes at
    /// once), closes the connection and fires every watch with <see cref="ZooKeeperSessionState.Closed"/>.
    /// Idempotent; later calls fail.
    /// </summary>
    public Task CloseAsync()
    {
        lock (_gate)
            return _closing ??= CloseCoreAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private async Task CloseCoreAsync()
    {
        Connection? c;
        lock (_gate)
            c = _current;
        if (c is not null)
        {
            try
            {
                // Bounded: a dead server must not hold up the close; the session then simply times out.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(3, _requestTimeout.TotalSeconds)));
                int xid = NextXid();
                var p = new Pending(WatchKind.None, "");
                await c.WriteAsync(Requests.CloseSession(xid), xid, p, cts.Token).ConfigureAwait(false);
                await p.Task.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionLostException or ObjectDisposedException)
            {
                // The server ends the session by itself after the timeout.
            }
        }
        _closed = true;
        _stop.Cancel();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _initial.TrySetException(new ZooKeeperException(ZooKeeperError.ConnectionLoss, "connect", Servers, "zk: client is closed"));
        FireAll(ZooKeeperSessionState.Closed);
        Raise(ZooKeeperSessionState.Closed);
        // _stop is not disposed: calls racing with the close still link to its token; it holds no timer.
    }

    /// <summary>Sends one request and waits for its reply (any result code; callers check it).</summary>
    private async Task<Pending> CallAsync(string op, string path, Func<int, byte[]> encode, WatchKind watch, CancellationToken ct)
    {
        ThrowIfClosed(op, path);
        if (InvalidPath(path) is { } why)
            throw new ZooKeeperException(ZooKeeperError.BadArguments, op, path, "zk: invalid path: " + why);
        // Closing the client ends waits at once rather than at the timeout.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        timeout.CancelAfter(_requestTimeout);
        Connection conn;
        try
        {
            conn = await WaitConnectedAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (ZooKeeperException)
        {
            // The session is unusable (credentials refused): say so for this call.
            ThrowIfClosed(op, path);
            throw;
        }
        catch (OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            ThrowIfClosed(op, path);
            throw new ZooKeeperException(ZooKeeperError.ConnectionLoss, op, path,
                $"zk: not connected to any of {Servers} within {Seconds(_requestTimeout)} (last error: {_lastError ?? "none"})");
        }
        int xid = NextXid();
        var p = new Pending(watch, path);
        try
        {
            await conn.WriteAsync(encode(xid), xid, p, timeout.Token).ConfigureAwait(false);
            p.Reply = await p.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            return p;
        }
        catch (OperationCanceledException)
        {
            conn.Forget(xid);
            ct.ThrowIfCancellationRequested();
            ThrowIfClosed(op, path);
            // A connected server that leaves a call unanswered for the whole timeout is stuck (Codis resets its
            // connection on such errors too): reconnect, possibly to another server, for the next calls.
            string reason = $"zk: no reply from {conn.Server} within {Seconds(_requestTimeout)}";
            conn.Fail(reason);
            throw new ZooKeeperException(ZooKeeperError.RequestTimeout, op, path, reason);
        }
        catch (ConnectionLostException e)
        {
            ThrowIfClosed(op, path);
            throw new ZooKeeperException(ZooKeeperError.ConnectionLoss, op, path,
                $"zk: connection to {conn.Server} lost before the reply arrived ({e.Message})");
        }
    }

    /// <summary>Why the server would reject <paramref name="path"/>, checked here to give a clearer error; null when valid.</summary>
    internal static string? InvalidPath(string path)
    {
        if (!path.StartsWith('/'))
            return "it must start with '/'";
        if (path.Length == 1)
            return null;
        if (path.EndsWith('/'))
            return "it must not end with '/'";
        foreach (string part in path[1..].Split('/'))
        {
            if (part.Length == 0)
                return "empty node name";
            if (part is "." or "..")
                return "relative names are not allowed";
            if (part.Contains('\0'))
                return "it contains a null character";
        }
        return null;
    }

    private static Reply Check(Pending p, string op, string path)
    {
        Reply r = p.Reply!;
        return r.Error == ZooKeeperError.Ok ? r : throw new ZooKeeperException(r.Error, op, path);
    }

    private void ThrowIfClosed(string op, string path)
    {
        if (_closed)
            throw new ZooKeeperException(ZooKeeperError.ConnectionLoss, op, path, "zk: client is closed");
        CoordinatorException? fatal;
        lock (_gate)
            fatal = _fatal;
        if (fatal is not null)
            throw new ZooKeeperException(ZooKeeperError.AuthFailed, op, path);
    }

    private async Task<Connection> WaitConnectedAsync(CancellationToken ct)
    {
        Task<Connection> ready;
        lock (_gate)
            ready = _connected.Task;
        return await ready.WaitAsync(ct).ConfigureAwait(false);
    }

    private int NextXid()
    {
        // Positive xids are requests; the negative ones are reserved for pings, auth, notifications.
        int x = Interlocked.Increment(ref _xid) & int.MaxValue;
        return x == 0 ? 1 : x;
    }

    private void Raise(ZooKeeperSessionState state)
    {
        Action<ZooKeeperSessionState>? handler = StateChanged;
        if (handler is not null)
            ThreadPool.QueueUserWorkItem(_ => handler(state));
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    /// <summary>A request in flight: its reply, and the watch to register when the reply allows it.</summary>
    private sealed class Pending(WatchKind watch, string path)
    {
        private readonly TaskCompletionSource<Reply> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WatchKind WatchKind => watch;

        public string WatchPath => path;

        public Task<Reply> Task => _tcs.Task;

        public Reply? Reply { get; set; }

        public Task<ZooKeeperWatchEvent>? Watch { get; set; }

        public void Complete(Reply r) => _tcs.TrySetResult(r);

        public void Fail(Exception e) => _tcs.TrySetException(e);
    }

    /// <summary>The connection carrying a request broke before its reply; the message says why.</summary>
    private sealed class ConnectionLostException(string message) : Exception(message);
}
