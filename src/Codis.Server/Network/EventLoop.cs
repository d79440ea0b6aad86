using Codis.Core.Native;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Codis.Server.Logging;

namespace Codis.Server.Network;

/// <summary>
/// Redis's event loop, on one thread: epoll over the listening sockets and every client, one read per
/// readable client, the whole batch of complete requests run in one section of the server lock, and
/// the replies written straight back. Other threads (timers of blocked clients, CLIENT PAUSE, the
/// cron) still run commands under the lock; when they produce output for a client or close one they
/// hand it to the loop through a queue and an eventfd.
/// Why not .NET's sockets: their completion machinery costs about as much user time per request as
/// the command itself (a failed recv per request, operation queues, async state machines); these
/// direct system calls are what Redis makes.
/// </summary>
public sealed class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const int MaxAcceptsPerEvent = 1000;

    private readonly ServerContext _server;
    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly HashSet<int> _listenFds = [];
    private readonly Dictionary<int, LoopConnection> _connections = [];
    private readonly ConcurrentQueue<LoopConnection> _fromOtherThreads = new();
    private readonly List<LoopConnection> _fromLoop = [];
    private readonly List<Socket> _listeners;
    private Thread? _thread;
    private int _threadId = -1;
    private int _wakePending;
    private volatile bool _stopping;

    /// <summary>Creates the loop over the bound listening sockets of <paramref name="listeners"/>.</summary>
    public EventLoop(ServerContext server, IReadOnlyList<Socket> listeners)
    {
        _server = server;
        _listeners = [.. listeners];
        _epoll = Native.epoll_create1(Native.O_CLOEXEC);
        if (_epoll < 0)
            throw new IOException($"epoll_create1 failed (errno {Native.Errno})");
        _wakeFd = Native.eventfd(0, Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (_wakeFd < 0)
            throw new IOException($"eventfd failed (errno {Native.Errno})");
        Register(_wakeFd, Native.EPOLLIN);
        foreach (Socket listener in _listeners)
        {
            listener.Blocking = false;
            int fd = (int)listener.Handle;
            _listenFds.Add(fd);
            Register(fd, Native.EPOLLIN);
        }
        server.ServeWhileBusy = ServeWhileBusy;
    }

    /// <summary>Starts the loop thread.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "codis-event-loop" };
        _thread.Start();
    }

    internal ServerContext Server => _server;

    /// <summary>Asks the loop to look at <paramref name="connection"/> (output to send, input to resume, a close).</summary>
    internal void Schedule(LoopConnection connection)
    {
        if (Environment.CurrentManagedThreadId == _threadId)
        {
            // From a command run by the loop itself: handled after the current batch of events, the
            // way Redis writes to clients in beforeSleep.
            _fromLoop.Add(connection);
            return;
        }
        _fromOtherThreads.Enqueue(connection);
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            _ = Native.write(_wakeFd, ref System.Runtime.CompilerServices.Unsafe.As<ulong, byte>(ref one), 8);
        }
    }

    internal void Register(int fd, uint events)
    {
        var ev = new EpollEvent { Events = events, Data = (ulong)fd };
        if (Native.epoll_ctl(_epoll, Native.EPOLL_CTL_ADD, fd, ref ev) < 0)
            throw new IOException($"epoll_ctl(ADD, {fd}) failed (errno {Native.Errno})");
    }

    internal void Modify(int fd, uint events)
    {
        var ev = new EpollEvent { Events = events, Data = (ulong)fd };
        _ = Native.epoll_ctl(_epoll, Native.EPOLL_CTL_MOD, fd, ref ev);
    }

    /// <summary>Forgets and closes a client socket (loop thread only).</summary>
    internal void Remove(int fd)
    {
        var ev = default(EpollEvent);
        _ = Native.epoll_ctl(_epoll, Native.EPOLL_CTL_DEL, fd, ref ev);
        _connections.Remove(fd);
        _ = Native.close(fd);
    }

    private void Run()
    {
        _threadId = Environment.CurrentManagedThreadId;
        var events = new EpollEvent[MaxEvents];
        while (!_stopping)
        {
            int timeout = _fromLoop.Count > 0 || !_fromOtherThreads.IsEmpty ? 0 : 1000;
            int n = Native.epoll_wait(_epoll, ref events[0], MaxEvents, timeout);
            if (n < 0)
            {
                if (Native.Errno == Native.EINTR)
                    continue;
                ServerLog.Warning($"epoll_wait failed (errno {Native.Errno}); the event loop stops");
                return;
            }
            for (int i = 0; i < n; i++)
            {
                int fd = (int)events[i].Data;
                uint what = events[i].Events;
                try
                {
                    if (fd == _wakeFd)
                        DrainWake();
                    else if (_listenFds.Contains(fd))
                        AcceptAll(fd);
                    else if (_connections.TryGetValue(fd, out LoopConnection? connection))
                        connection.OnEvents(what);
                }
                catch (Exception e)
                {
                    // A bug must cost one client at most, never the loop.
                    ServerLog.Warning($"Event loop: error handling fd {fd}: {e}");
                    if (_connections.TryGetValue(fd, out LoopConnection? broken))
                        broken.CloseNow();
                }
            }
            RunScheduled();
        }
    }

    /// <summary>
    /// One pass over ready sockets from inside a slow script (Redis's processEventsWhileBlocked): other
    /// clients' commands are read and answered (BUSY, or SCRIPT KILL / SHUTDOWN NOSAVE); the client
    /// running the script and work handed over by other threads wait until the script ends.
    /// </summary>
    private void ServeWhileBusy()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
            return;
        var events = _nestedEvents ??= new EpollEvent[MaxEvents];
        int n = Native.epoll_wait(_epoll, ref events[0], MaxEvents, 0);
        for (int i = 0; i < n; i++)
        {
            int fd = (int)events[i].Data;
            try
            {
                if (fd == _wakeFd)
                    DrainWake();
                else if (_listenFds.Contains(fd))
                    AcceptAll(fd);
                else if (_connections.TryGetValue(fd, out LoopConnection? connection) && !connection.Processing)
                    connection.OnEvents(events[i].Events);
            }
            catch (Exception e)
            {
                ServerLog.Warning($"Event loop: error handling fd {fd} during a slow script: {e}");
            }
        }
    }

    private EpollEvent[]? _nestedEvents;

    private void DrainWake()
    {
        ulong value = 0;
        _ = Native.read(_wakeFd, ref System.Runtime.CompilerServices.Unsafe.As<ulong, byte>(ref value), 8);
        Volatile.Write(ref _wakePending, 0);
    }

    private void RunScheduled()
    {
        while (_fromOtherThreads.TryDequeue(out LoopConnection? c))
            RunSafely(c);
        // Handling one may schedule others (its commands publish, unblock...): index loop, not foreach.
        for (int i = 0; i < _fromLoop.Count; i++)
            RunSafely(_fromLoop[i]);
        _fromLoop.Clear();
    }

    private static void RunSafely(LoopConnection c)
    {
        try
        {
            c.OnScheduled();
        }
        catch (Exception e)
        {
            ServerLog.Warning($"Event loop: error serving client {c.Client.Address}: {e}");
            c.CloseNow();
        }
    }

    private void AcceptAll(int listenFd)
    {
        for (int i = 0; i < MaxAcceptsPerEvent; i++)
        {
            int fd = Native.accept4(listenFd, 0, 0, Native.O_NONBLOCK | Native.O_CLOEXEC);
            if (fd < 0)
            {
                int errno = Native.Errno;
                if (errno != Native.EAGAIN && errno != Native.EINTR)
                    ServerLog.Warning($"Accepting client connection: errno {errno}");
                return;
            }
            Accept(fd);
        }
    }

    private void Accept(int fd)
    {
        // A Socket over the descriptor (not owning it) for the options and addresses; all I/O is ours.
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: false));
        string remote = "?";
        string local = "?";
        try
        {
            socket.NoDelay = true;
            int keepAlive = _server.Config.TcpKeepAlive;
            if (keepAlive > 0)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, keepAlive);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, keepAlive / 3));
            }
            remote = socket.RemoteEndPoint?.ToString() ?? "?";
            local = socket.LocalEndPoint?.ToString() ?? "?";
        }
        catch (SocketException)
        {
            // The peer may already be gone; the first read will tell.
        }
        var connection = new LoopConnection(this, fd, remote, local);
        bool registered;
        lock (_server.Lock)
            registered = _server.AddClient(connection.Client);
        if (!registered)
        {
            ReadOnlySpan<byte> error = "-ERR max number of clients reached\r\n"u8;
            _ = Native.write(fd, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(error), error.Length);
            _ = Native.close(fd);
            return;
        }
        _connections[fd] = connection;
        Register(fd, Native.EPOLLIN);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping = true;
        ulong one = 1;
        _ = Native.write(_wakeFd, ref System.Runtime.CompilerServices.Unsafe.As<ulong, byte>(ref one), 8);
        _thread?.Join(2000);
    }
}
