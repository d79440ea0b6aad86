using Codis.Core.Native;
using System.Runtime.InteropServices;
using Codis.Core.Resp;
using Codis.Server.Clients;

namespace Codis.Server.Network;

/// <summary>
/// One client of the <see cref="EventLoop"/>. Every member except <see cref="RequestFlush"/> and
/// <see cref="Close"/> runs on the loop thread. Input is parsed and run in one lock section per read;
/// output is swapped out of the client under the lock and written outside it; what does not fit in
/// the socket waits for EPOLLOUT.
/// </summary>
internal sealed class LoopConnection : IClientTransport
{
    private const int InitialBuffer = 16 * 1024;

    private readonly EventLoop _loop;
    private readonly ServerContext _server;
    private readonly int _fd;
    private readonly RequestParser _parser = new();
    private readonly ArgList _args = new();
    private readonly Action _onUnblocked;
    private byte[] _in = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private ReplyWriter? _sending;
    private int _sendOffset;
    private ReplyWriter? _spare = new(4096);
    private bool _wantWrite;
    private bool _closeAfterWrite;
    private bool _closed;
    private BlockedState? _waitingFor;
    private int _scheduled;
    private volatile bool _closeNow;

    public LoopConnection(EventLoop loop, int fd, string remote, string local)
    {
        _loop = loop;
        _server = loop.Server;
        _fd = fd;
        Client = new Client(this, remote, local, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _onUnblocked = RequestFlush;
    }

    public Client Client { get; }

    /// <inheritdoc/>
    public void RequestFlush()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
            _loop.Schedule(this);
    }

    /// <inheritdoc/>
    public void Close(bool now)
    {
        if (now)
            _closeNow = true;
        else
            Client.CloseRequested = true;
        _loop.Schedule(this);
    }

    /// <summary>Readiness reported by epoll.</summary>
    public void OnEvents(uint events)
    {
        if ((events & Native.EPOLLOUT) != 0)
            WritePending();
        if ((events & (Native.EPOLLIN | Native.EPOLLERR | Native.EPOLLHUP)) != 0 && !_closed)
            OnReadable();
    }

    /// <summary>Output from elsewhere, an unblock, or a close: handled on the loop thread.</summary>
    public void OnScheduled()
    {
        Volatile.Write(ref _scheduled, 0);
        if (_closed)
            return;
        if (_closeNow)
        {
            CloseNow();
            return;
        }
        // Runs what was pipelined while the client was blocked, and sends what others wrote for it.
        Process();
    }

    private void OnReadable()
    {
        if (_end == _in.Length)
            MakeRoom();
        nint n = Native.read(_fd, ref _in[_end], _in.Length - _end);
        if (n <= 0)
        {
            int errno = n < 0 ? Native.Errno : 0;
            if (n < 0 && (errno == Native.EAGAIN || errno == Native.EINTR))
                return;
            CloseNow();
            return;
        }
        _end += (int)n;
        Process();
    }

    /// <summary>True while this connection's requests run (a slow script's nested event pass skips it).</summary>
    public bool Processing { get; private set; }

    /// <summary>Runs every complete request (unless blocked), then sends the output.</summary>
    private void Process()
    {
        bool close = false;
        lock (_server.Lock)
        {
            Processing = true;
            try
            {
                close = !RequestBatch.Run(_server, Client, _parser, _args, _in, ref _start, _end);
            }
            finally
            {
                Processing = false;
            }
            if (Client.Blocked is { } state && !ReferenceEquals(state, _waitingFor))
            {
                // Resume when released (served, timed out, unpaused, killed), whichever thread does it.
                _waitingFor = state;
                state.Done.Task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onUnblocked);
            }
            Client.QueryBufferLength = _end - _start;
            if (_sending is null)
                TakeOutput();
        }
        if (_start == _end)
        {
            // Everything was consumed: start over at the front, and give back a buffer a big request grew.
            _start = _end = 0;
            if (_in.Length > 64 * 1024)
                _in = new byte[InitialBuffer];
        }
        if (close || Client.CloseRequested)
            _closeAfterWrite = true;
        WritePending();
        if (!_closed && _end - _start > _server.Config.ClientQueryBufferLimit)
            CloseNow();
    }

    /// <summary>Moves the client's output to <see cref="_sending"/> (caller holds the server lock).</summary>
    private void TakeOutput()
    {
        ReplyWriter output = Client.Output;
        if (output.Length == 0)
            return;
        ReplyWriter spare = _spare ?? new ReplyWriter(4096);
        spare.Protocol = output.Protocol;
        Client.Output = spare;
        _spare = null;
        _server.Stats.NetOutputBytes += output.Length;
        _sending = output;
        _sendOffset = 0;
    }

    /// <summary>Writes what is pending until done or the socket is full (then waits for EPOLLOUT).</summary>
    private void WritePending()
    {
        while (!_closed)
        {
            if (_sending is null)
            {
                // Unlocked peek: whoever appends output for this client afterwards also asks for a flush.
                if (Client.Output.Length == 0)
                    break;
                lock (_server.Lock)
                    TakeOutput();
                if (_sending is null)
                    break;
            }
            ReadOnlySpan<byte> data = _sending.WrittenSpan[_sendOffset..];
            nint n = Native.write(_fd, ref MemoryMarshal.GetReference(data), data.Length);
            if (n < 0)
            {
                int errno = Native.Errno;
                if (errno == Native.EINTR)
                    continue;
                if (errno == Native.EAGAIN)
                {
                    if (!_wantWrite)
                    {
                        _wantWrite = true;
                        _loop.Modify(_fd, Native.EPOLLIN | Native.EPOLLOUT);
                    }
                    return;
                }
                CloseNow();
                return;
            }
            _sendOffset += (int)n;
            if (_sendOffset == _sending.Length)
            {
                _sending.Clear();
                _spare = _sending;
                _sending = null;
                _sendOffset = 0;
            }
        }
        if (_wantWrite && !_closed)
        {
            _wantWrite = false;
            _loop.Modify(_fd, Native.EPOLLIN);
        }
        if (_closeAfterWrite && !_closed)
            CloseNow();
    }

    /// <summary>Closes the socket and forgets the client.</summary>
    public void CloseNow()
    {
        if (_closed)
            return;
        _closed = true;
        _loop.Remove(_fd);
        lock (_server.Lock)
            _server.RemoveClient(Client);
    }

    /// <summary>Compacts or grows the input buffer so that a read has room.</summary>
    private void MakeRoom() => InputBuffer.MakeRoom(ref _in, ref _start, ref _end, _parser.NeededBytes);
}
