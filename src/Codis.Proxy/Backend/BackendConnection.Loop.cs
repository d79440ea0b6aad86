using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Codis.Core.Native;
using Codis.Proxy.Network;
using Codis.Proxy.Session;

namespace Codis.Proxy.Backend;

/// <summary>
/// The connection on an <see cref="IoLoop"/>: requests queued during a batch of events go out in one
/// write after it, and replies are framed as epoll reports them, on the loop thread, which also writes
/// them to the sessions. The socket is dialed without .NET's socket engine (which would watch it too).
/// </summary>
internal sealed partial class BackendConnection : ILoopSocket
{
    private IoLoop? _loop;
    private volatile int _loopFd = -1;
    private int _wakeQueued;
    private int _sendOffset;
    private int _sendLength;
    private bool _wantWrite;
    private volatile string? _abortReason;
    private TaskCompletionSource? _loopDone;

    /// <summary>Wakes whoever writes the pending requests: the loop after its batch, or the sender task.</summary>
    private void WakeSender()
    {
        var loop = _loop;
        if (loop is null || _loopFd < 0)
        {
            _sendSignal.Set();
            return;
        }
        if (Interlocked.Exchange(ref _wakeQueued, 1) == 0)
        {
            loop.Wake(this);
        }
    }

    /// <summary>Ends the current socket (a timeout, or Close): on the loop its thread does it.</summary>
    private void AbortSocket(string reason)
    {
        if (_loop is not null && _loopFd >= 0)
        {
            _abortReason = reason;
            WakeSender();
            return;
        }
        Volatile.Read(ref _socket)?.Dispose();
    }

    /// <summary>Connects and runs the handshake with blocking calls and timeouts, on a pool thread.</summary>
    private Task<Socket> DialWithoutEngineAsync() => Task.Run(() =>
    {
        var (host, port) = SplitAddr();
        var address = IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new SocketException((int)SocketError.HostNotFound);
        var socket = NewSocket(address.AddressFamily);
        try
        {
            socket.Blocking = false;
            try
            {
                socket.Connect(address, port);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                if (!socket.Poll(DialTimeout, SelectMode.SelectWrite))
                {
                    throw new OperationCanceledException("connect timed out");
                }
                var error = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != 0)
                {
                    throw new SocketException(error);
                }
            }
            socket.Blocking = true;
            socket.SendTimeout = socket.ReceiveTimeout = (int)DialTimeout.TotalMilliseconds;
            if (_options.ProductAuth.Length > 0)
            {
                Handshake(socket, "AUTH", _options.ProductAuth);
            }
            if (Db != 0)
            {
                Handshake(socket, "SELECT", Db.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            socket.SendTimeout = socket.ReceiveTimeout = 0;
            socket.Blocking = false;
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            socket.Dispose();
            throw new OperationCanceledException("handshake timed out");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    /// <summary>Sends one command and requires a simple-string reply (AUTH and SELECT at connect time).</summary>
    private static void Handshake(Socket socket, string name, string arg)
    {
        var r = HandshakeRequest(name, arg);
        socket.Send(r.Buffer, 0, r.Length, SocketFlags.None);
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            var n = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (CheckHandshakeReply(name, buffer, length += n, n))
            {
                return;
            }
        }
    }

    /// <summary>Serves <paramref name="socket"/> on the loop until it fails; the task ends with the failure.</summary>
    private Task ServeOnLoopAsync(Socket socket, IoLoop loop)
    {
        _loopDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _input.Reset();
        _sendOffset = _sendLength = 0;
        _wantWrite = false;
        _abortReason = null;
        _loop = loop;
        _loopFd = (int)socket.Handle;
        loop.Add(_loopFd, this, Native.EPOLLIN);
        // Requests queued while dialing go out now.
        Volatile.Write(ref _wakeQueued, 0);
        WakeSender();
        return _loopDone.Task;
    }

    void ILoopSocket.OnEvents(uint events)
    {
        if (_loopFd < 0)
        {
            return;
        }
        try
        {
            if ((events & Native.EPOLLOUT) != 0)
            {
                WritePending();
            }
            if (_loopFd >= 0 && (events & (Native.EPOLLIN | Native.EPOLLERR | Native.EPOLLHUP)) != 0)
            {
                ReadAvailable();
            }
        }
        catch (Exception e)
        {
            // A bug in framing or delivery costs this connection (it dials again), never the loop.
            FailLoop(e is BackendProtocolException or IOException ? e : new IOException("proxy error: " + e.Message, e));
        }
    }

    void ILoopSocket.OnWake()
    {
        Volatile.Write(ref _wakeQueued, 0);
        if (_loopFd < 0)
        {
            return;
        }
        if (_abortReason is { } reason)
        {
            FailLoop(new IOException(reason));
            return;
        }
        WritePending();
    }

    private void ReadAvailable()
    {
        for (var round = 0; round < 4 && _loopFd >= 0; round++)
        {
            var space = _input.Space().Span;
            var n = Native.read(_loopFd, ref MemoryMarshal.GetReference(space), space.Length);
            if (n > 0)
            {
                OnInput((int)n);
                if (n < space.Length)
                {
                    return;
                }
                continue;
            }
            if (n < 0 && Native.Errno is Native.EAGAIN or Native.EINTR)
            {
                return;
            }
            FailLoop(new IOException(n == 0 ? "EOF" : $"read failed (errno {Native.Errno})"));
            return;
        }
    }

    /// <summary>Writes the pending requests (what a blocked write left first); EPOLLOUT resumes a full socket.</summary>
    private void WritePending()
    {
        while (_loopFd >= 0)
        {
            if (_sendOffset == _sendLength)
            {
                _sendOffset = 0;
                _sendLength = TakePending();
                if (_sendLength == 0)
                {
                    break;
                }
                Volatile.Write(ref _sendStartTicks, Stopwatch.GetTimestamp());
            }
            var n = Native.write(_loopFd, ref _sending[_sendOffset], _sendLength - _sendOffset);
            if (n > 0)
            {
                _sendOffset += (int)n;
                if (_sendOffset == _sendLength)
                {
                    _sendOffset = _sendLength = 0;
                    Volatile.Write(ref _sendStartTicks, 0);
                }
                continue;
            }
            var errno = Native.Errno;
            if (errno == Native.EINTR)
            {
                continue;
            }
            if (errno == Native.EAGAIN)
            {
                SetWantWrite(true);
                return;
            }
            FailLoop(new IOException($"write failed (errno {errno})"));
            return;
        }
        SetWantWrite(false);
    }

    private void SetWantWrite(bool on)
    {
        if (_wantWrite != on && _loopFd >= 0)
        {
            _wantWrite = on;
            _loop!.Modify(_loopFd, Native.EPOLLIN | (on ? Native.EPOLLOUT : 0));
        }
    }

    /// <summary>Leaves the loop; the dialing task sees the failure, fails the requests and dials again.</summary>
    private void FailLoop(Exception e)
    {
        if (_loopFd < 0)
        {
            return;
        }
        _loop!.Remove(_loopFd);
        _loopFd = -1;
        Volatile.Write(ref _sendStartTicks, 0);
        _loopDone!.TrySetException(e);
    }
}
