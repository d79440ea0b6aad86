using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Codis.Core.Native;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Network;

/// <summary>A socket served by an <see cref="IoLoop"/>; both calls run on the loop thread.</summary>
internal interface ILoopSocket
{
    /// <summary>Readiness reported by epoll (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP).</summary>
    void OnEvents(uint events);

    /// <summary>Work asked for with <see cref="IoLoop.Wake"/>: write what is ready, or close.</summary>
    void OnWake();
}

/// <summary>
/// twemproxy's event loop, on one thread: epoll over client and backend sockets, direct read and write
/// system calls, and the writes of a whole batch of events made once after it (a backend gets the
/// requests of every client read in the batch in one write, a client its replies). .NET's socket
/// engine hands each completion to another thread and wakes one per request; on a 2-core machine those
/// context switches cost more than the proxying itself. Other threads (timers, dialing, the admin API)
/// ask for work with <see cref="Wake"/> through a queue and an eventfd.
/// </summary>
internal sealed class IoLoop : IDisposable
{
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly object _lock = new();              // _sockets writes (Add may grow it on any thread)
    private ILoopSocket?[] _sockets = new ILoopSocket?[1024];
    private readonly ConcurrentQueue<ILoopSocket> _fromOtherThreads = new();
    private readonly List<ILoopSocket> _fromLoop = [];
    private readonly Thread _thread;
    private readonly ILogger? _logger;
    private int _wakePending;
    private volatile bool _stopping;

    /// <summary>Creates and starts the loop thread; failures go to <paramref name="logger"/> (else stderr).</summary>
    public IoLoop(string name, ILogger? logger = null)
    {
        _logger = logger;
        _epoll = Native.epoll_create1(Native.O_CLOEXEC);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed (errno {Native.Errno})");
        }
        _wakeFd = Native.eventfd(0, Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (_wakeFd < 0)
        {
            throw new IOException($"eventfd failed (errno {Native.Errno})");
        }
        Control(Native.EPOLL_CTL_ADD, _wakeFd, Native.EPOLLIN);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>True on the loop thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Starts watching <paramref name="fd"/> (non-blocking) for <paramref name="events"/>; any thread.</summary>
    public void Add(int fd, ILoopSocket socket, uint events)
    {
        lock (_lock)
        {
            if (fd >= _sockets.Length)
            {
                var bigger = new ILoopSocket?[Math.Max(fd + 1, _sockets.Length * 2)];
                _sockets.CopyTo(bigger, 0);
                Volatile.Write(ref _sockets, bigger);
            }
            Volatile.Write(ref _sockets[fd], socket);
        }
        Control(Native.EPOLL_CTL_ADD, fd, events);
    }

    /// <summary>Changes the events watched on <paramref name="fd"/> (loop thread).</summary>
    public void Modify(int fd, uint events) => Control(Native.EPOLL_CTL_MOD, fd, events);

    /// <summary>Stops watching <paramref name="fd"/> (loop thread); the caller closes it afterwards.</summary>
    public void Remove(int fd)
    {
        var ev = default(EpollEvent);
        _ = Native.epoll_ctl(_epoll, Native.EPOLL_CTL_DEL, fd, ref ev);
        lock (_lock)
        {
            // Under the lock: an Add on another thread may be copying the table.
            Volatile.Write(ref _sockets[fd], null);
        }
    }

    /// <summary>
    /// Runs <paramref name="socket"/>'s <see cref="ILoopSocket.OnWake"/> on the loop: after the current
    /// batch of events when called on the loop, else as soon as the loop wakes. The caller dedupes.
    /// </summary>
    public void Wake(ILoopSocket socket)
    {
        if (IsLoopThread)
        {
            _fromLoop.Add(socket);
            return;
        }
        _fromOtherThreads.Enqueue(socket);
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            _ = Native.write(_wakeFd, ref Unsafe.As<ulong, byte>(ref one), 8);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping = true;
        ulong one = 1;
        _ = Native.write(_wakeFd, ref Unsafe.As<ulong, byte>(ref one), 8);
    }

    private void Control(int op, int fd, uint events)
    {
        var ev = new EpollEvent { Events = events, Data = (ulong)fd };
        if (Native.epoll_ctl(_epoll, op, fd, ref ev) < 0)
        {
            throw new IOException($"epoll_ctl({op}, fd {fd}) failed (errno {Native.Errno})");
        }
    }

    private void Run()
    {
        var events = new EpollEvent[MaxEvents];
        while (!_stopping)
        {
            var timeout = _fromLoop.Count > 0 || !_fromOtherThreads.IsEmpty ? 0 : 1000;
            var n = Native.epoll_wait(_epoll, ref events[0], MaxEvents, timeout);
            if (n < 0 && Native.Errno != Native.EINTR)
            {
                // Nothing sensible is left to do: every socket of this loop stops.
                Report($"epoll_wait failed (errno {Native.Errno}); the I/O loop stops, and with it every connection on it", null);
                return;
            }
            for (var i = 0; i < n; i++)
            {
                var fd = (int)events[i].Data;
                if (fd == _wakeFd)
                {
                    ulong value = 0;
                    _ = Native.read(_wakeFd, ref Unsafe.As<ulong, byte>(ref value), 8);
                    Volatile.Write(ref _wakePending, 0);
                    continue;
                }
                var socket = Volatile.Read(ref _sockets)[fd];
                if (socket is null)
                {
                    continue;
                }
                try
                {
                    socket.OnEvents(events[i].Events);
                }
                catch (Exception e)
                {
                    // A bug must cost one connection at most, never the loop.
                    Report($"I/O loop error on fd {fd}", e);
                }
            }
            while (_fromOtherThreads.TryDequeue(out var s))
            {
                _fromLoop.Add(s);
            }
            // Waking one may wake others (a backend's replies wake sessions): index loop, not foreach.
            for (var i = 0; i < _fromLoop.Count; i++)
            {
                try
                {
                    _fromLoop[i].OnWake();
                }
                catch (Exception e)
                {
                    Report("I/O loop error", e);
                }
            }
            _fromLoop.Clear();
        }
    }

    private void Report(string message, Exception? e)
    {
        if (_logger is not null)
        {
            _logger.LogError(e, "{Message}", message);
            return;
        }
        Console.Error.WriteLine($"codis-proxy: {message}{(e is null ? "" : ": " + e)}");
    }
}
