using System.Diagnostics;
using System.Net.Sockets;
using Codis.Proxy.Routing;
using Codis.Proxy.Stats;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Session;

/// <summary>
/// Accepts client connections on a listening socket (proxy.md §5 "Accept"): counts them, refuses them
/// with <c>-ERR max number of clients reached</c> or <c>-ERR router is not online</c>, sets the socket
/// options and runs a <see cref="Session"/> for each. Owns a one-second timer for idle/stalled clients.
/// </summary>
public sealed partial class SessionServer : IDisposable
{
    private readonly Router _router;
    private readonly RouterOptions _options;
    private readonly ProxyStats _stats;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly HashSet<Session> _sessions = [];
    private Timer? _ticker;
    private Socket? _listener;
    private volatile bool _closed;

    /// <summary>Creates a server; nothing is accepted before <see cref="Start"/>.</summary>
    public SessionServer(Router router, RouterOptions options, ProxyStats stats, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(logger);
        _router = router;
        _options = options;
        _stats = stats;
        _logger = logger;
    }

    /// <summary>Open sessions.</summary>
    public int SessionCount
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Starts accepting on <paramref name="listener"/> (bound and listening); returns at once.</summary>
    public void Start(Socket listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listener = listener;
        _ticker = new Timer(static s => ((SessionServer)s!).Tick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _ = Task.Run(() => AcceptLoopAsync(listener));
    }

    /// <summary>Stops accepting and closes every session. The listener socket is closed too.</summary>
    public void Close()
    {
        _closed = true;
        _ticker?.Dispose();
        _listener?.Dispose();
        Session[] open;
        lock (_lock)
        {
            open = [.. _sessions];
        }
        foreach (var s in open)
        {
            s.Abort();
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <summary>Turns on TCP keep-alive with the given idle period (zero turns it off).</summary>
    internal static void SetKeepAlive(Socket socket, TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, false);
            return;
        }
        var seconds = (int)Math.Max(1, Math.Min(int.MaxValue, period.TotalSeconds));
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, seconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, seconds);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_closed)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_closed)
                {
                    Log.AcceptFailed(_logger, e.Message);
                }
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var alive = _stats.SessionOpened();
        try
        {
            ReadOnlyMemory<byte> refusal = default;
            if (alive > _options.ProxyMaxClients)
            {
                refusal = "-ERR max number of clients reached\r\n"u8.ToArray();
            }
            else if (!_router.IsOnline)
            {
                refusal = "-ERR router is not online\r\n"u8.ToArray();
            }
            if (!refusal.IsEmpty)
            {
                _stats.AddFails(1);
                try
                {
                    await client.SendAsync(refusal, SocketFlags.None).ConfigureAwait(false);
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The client left first; nothing to tell it.
                }
                client.Dispose();
                return;
            }
            try
            {
                client.NoDelay = true;
                if (_options.SessionRecvBufsize > 0)
                {
                    client.ReceiveBufferSize = _options.SessionRecvBufsize;
                }
                if (_options.SessionSendBufsize > 0)
                {
                    client.SendBufferSize = _options.SessionSendBufsize;
                }
                SetKeepAlive(client, _options.SessionKeepalivePeriod);
            }
            catch (SocketException e)
            {
                Log.SocketOptionsFailed(_logger, e.Message);
            }
            var session = new Session(client, _router, _options, _stats, _logger, this);
            lock (_lock)
            {
                _sessions.Add(session);
            }
            if (_closed)
            {
                session.Abort();
            }
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _stats.SessionClosed();
        }
    }

    internal void OnSessionClosed(Session session)
    {
        lock (_lock)
        {
            _sessions.Remove(session);
        }
    }

    private void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        Session[] open;
        lock (_lock)
        {
            open = [.. _sessions];
        }
        foreach (var s in open)
        {
            s.Tick(now);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "proxy: accept failed, {Error}; no more clients are accepted")]
        public static partial void AcceptFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "proxy: setting client socket options failed, {Error}")]
        public static partial void SocketOptionsFailed(ILogger logger, string error);
    }
}
