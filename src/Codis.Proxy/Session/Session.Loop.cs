using System.Diagnostics;
using System.Runtime.InteropServices;
using Codis.Core.Native;
using Codis.Proxy.Network;

namespace Codis.Proxy.Session;

/// <summary>
/// The session on an <see cref="IoLoop"/> (the default on Linux x64): the same decoding, dispatch and
/// reply order as the socket loops, with the client's bytes read by the loop when epoll says so and the
/// replies written once per batch of events. Every member here runs on the loop thread, except
/// <see cref="WakeWriter"/>.
/// </summary>
internal sealed partial class Session : ILoopSocket
{
    private IoLoop? _loop;
    private int _fd = -1;
    private int _wakeQueued;
    private int _outSent;
    private bool _wantWrite;
    private bool _loopClosed;
    private bool _breakAfterFlush;
    private TaskCompletionSource? _loopDone;

    /// <summary>Asks the writer to look at the queue: the loop after its batch, or the socket writer loop.</summary>
    private void WakeWriter()
    {
        var loop = _loop;
        if (loop is null)
        {
            _signal.Set();
            return;
        }
        if (Interlocked.Exchange(ref _wakeQueued, 1) == 0)
        {
            loop.Wake(this);
        }
    }

    private Task RunOnLoopAsync(IoLoop loop)
    {
        _loopDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _socket.Blocking = false;
        _fd = (int)_socket.Handle;
        _loop = loop;
        loop.Add(_fd, this, Native.EPOLLIN);
        if (_closed)
        {
            // Aborted before it was on the loop.
            WakeWriter();
        }
        return _loopDone.Task;
    }

    void ILoopSocket.OnEvents(uint events)
    {
        try
        {
            if ((events & Native.EPOLLOUT) != 0)
            {
                Flush();
            }
            if (_loopClosed)
            {
                return;
            }
            if (!_readerDone && (events & (Native.EPOLLIN | Native.EPOLLERR | Native.EPOLLHUP)) != 0)
            {
                ReadAvailable();
            }
            else if (_readerDone && (events & (Native.EPOLLERR | Native.EPOLLHUP)) != 0)
            {
                // Both directions are gone: nothing more can be written.
                CloseLoop();
            }
        }
        catch (Exception e)
        {
            Log.SessionFailed(_logger, e);
            CloseLoop();
        }
    }

    void ILoopSocket.OnWake()
    {
        Volatile.Write(ref _wakeQueued, 0);
        if (_loopClosed)
        {
            return;
        }
        try
        {
            if (_closed)
            {
                CloseLoop();
                return;
            }
            Flush();
        }
        catch (Exception e)
        {
            Log.SessionFailed(_logger, e);
            CloseLoop();
        }
    }

    private void ReadAvailable()
    {
        // A few reads at most: one client that pipelines without pause must not starve the others.
        for (var round = 0; round < 4; round++)
        {
            var space = _input.Space().Span;
            var n = Native.read(_fd, ref MemoryMarshal.GetReference(space), space.Length);
            if (n > 0)
            {
                if (!OnInput((int)n))
                {
                    StopReading();
                    return;
                }
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
            // End of input or a reset: the writer drains what it can.
            StopReading();
            return;
        }
    }

    private void StopReading()
    {
        _readerDone = true;
        UpdateInterest();
        WakeWriter();
    }

    private void UpdateInterest() => _loop!.Modify(_fd, (_readerDone ? 0 : Native.EPOLLIN) | (_wantWrite ? Native.EPOLLOUT : 0));

    /// <summary>Encodes the replies of the completed head of the queue and writes them; closes when done.</summary>
    private void Flush()
    {
        while (!_breakAfterFlush)
        {
            var step = WriteDoneHead();
            if (step == HeadStep.NotReady)
            {
                break;
            }
            if (step == HeadStep.Break)
            {
                _breakAfterFlush = true;
                break;
            }
            if (_outputLength - _outSent >= FlushThreshold && !WriteOutput())
            {
                return;
            }
        }
        if (!WriteOutput())
        {
            return;
        }
        if (_breakAfterFlush)
        {
            CloseLoop();
            return;
        }
        if (_readerDone)
        {
            lock (_lock)
            {
                if (_queue.Count > 0)
                {
                    return;
                }
            }
            CloseLoop();
        }
    }

    /// <summary>Writes the buffered replies; false when the socket is full (EPOLLOUT resumes) or closed.</summary>
    private bool WriteOutput()
    {
        if (_outSent == _outputLength)
        {
            return !_loopClosed;
        }
        if (Volatile.Read(ref _sendStartTicks) == 0)
        {
            Volatile.Write(ref _sendStartTicks, Stopwatch.GetTimestamp());
        }
        while (_outSent < _outputLength)
        {
            var n = Native.write(_fd, ref _output[_outSent], _outputLength - _outSent);
            if (n > 0)
            {
                _outSent += (int)n;
                continue;
            }
            var errno = Native.Errno;
            if (errno == Native.EINTR)
            {
                continue;
            }
            if (errno == Native.EAGAIN)
            {
                if (!_wantWrite)
                {
                    _wantWrite = true;
                    UpdateInterest();
                }
                return false;
            }
            // The client is gone.
            CloseLoop();
            return false;
        }
        _outSent = 0;
        OutputSent();
        if (_wantWrite)
        {
            _wantWrite = false;
            UpdateInterest();
        }
        return true;
    }

    private void CloseLoop()
    {
        if (_loopClosed)
        {
            return;
        }
        _loopClosed = true;
        _readerDone = true;
        _loop!.Remove(_fd);
        EndSession();
        _loopDone!.TrySetResult();
    }
}
