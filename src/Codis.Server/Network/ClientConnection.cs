using System.Net.Sockets;
using Codis.Core.Resp;
using Codis.Server.Clients;

namespace Codis.Server.Network;

/// <summary>
/// One client socket. Reading and parsing happen outside the server lock; every complete request in
/// the input buffer is then run in one lock section (so a pipeline costs one lock), and the output is
/// swapped out under the lock and sent outside it. Output produced by other clients (pub/sub,
/// unblocking, MONITOR) is sent by a flush queued to the thread pool.
/// </summary>
public sealed class ClientConnection : IClientTransport
{
    private const int InitialBuffer = 16 * 1024;

    private readonly Socket _socket;
    private readonly ServerContext _server;
    private readonly RequestParser _parser = new();
    private readonly ArgList _args = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ReplyWriter _spare = new(4096);
    private byte[] _in = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private int _flushQueued;
    private Task<int>? _pendingReceive;
    private volatile bool _closing;
    private bool _registered;

    /// <summary>Wraps an accepted socket.</summary>
    public ClientConnection(Socket socket, ServerContext server)
    {
        _socket = socket;
        _server = server;
        Client = new Client(this, socket.RemoteEndPoint?.ToString() ?? "?", socket.LocalEndPoint?.ToString() ?? "?",
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>The client state.</summary>
    public Client Client { get; }

    /// <summary>Serves the connection until it closes.</summary>
    public async Task RunAsync()
    {
        try
        {
            if (!RegisterUnlessBusy())
            {
                await RejectAsync().ConfigureAwait(false);
                return;
            }
            while (!_closing)
            {
                int n;
                if (_pendingReceive is { } pending)
                {
                    // A read started while the client was blocked is still outstanding: finish it (it
                    // writes at _end of the current buffer, so the buffer was not moved meanwhile).
                    _pendingReceive = null;
                    n = await pending.ConfigureAwait(false);
                }
                else
                {
                    if (_end == _in.Length)
                        MakeRoom();
                    n = await _socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
                }
                if (n == 0)
                    break;
                _end += n;
                if (!await ProcessAsync().ConfigureAwait(false))
                    break;
                if (_start == _end && _pendingReceive is null)
                {
                    // Everything was consumed: start over at the front, and give back a buffer a big
                    // request made large.
                    _start = _end = 0;
                    if (_in.Length > 64 * 1024)
                        _in = new byte[InitialBuffer];
                }
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (IOException)
        {
        }
        catch (Exception e)
        {
            // A bug must cost this client only, never the server: log it and close the connection.
            Logging.ServerLog.Warning($"Closing client {Client.Address} after an internal error: {e}");
        }
        finally
        {
            if (_registered)
            {
                await UnderLockAsync(() =>
                {
                    _server.RemoveClient(Client);
                    return true;
                }).ConfigureAwait(false);
            }
            _socket.Dispose();
        }
    }

    /// <summary>
    /// Registers the client (runs on the thread pool: RunAsync is started there). A script past
    /// lua-time-limit may hold the server lock for long, and a client that connects meanwhile must be
    /// told BUSY as Redis tells it: then registration waits for the client's first lock section
    /// (<see cref="ProcessAsync"/>). False when maxclients is reached.
    /// </summary>
    private bool RegisterUnlessBusy()
    {
        while (!_server.Lock.TryEnter(BusyPoll))
        {
            if (_server.ScriptBusy)
                return true;
        }
        try
        {
            return Register();
        }
        finally
        {
            _server.Lock.Exit();
        }
    }

    /// <summary>Adds the client to the server's table once; the caller holds the server lock.</summary>
    private bool Register()
    {
        if (_registered)
            return true;
        _registered = true;
        return _server.AddClient(Client);
    }

    private async Task RejectAsync() =>
        await _socket.SendAsync("-ERR max number of clients reached\r\n"u8.ToArray(), SocketFlags.None).ConfigureAwait(false);

    /// <summary>
    /// Socket completions run inline on the one I/O thread, which must never wait for the server lock
    /// (a script may hold it for seconds, and every other socket would wait too): there, a contended
    /// lock is waited for on the thread pool instead.
    /// </summary>
    private static bool OnIoThread => !Thread.CurrentThread.IsThreadPoolThread;

    /// <summary>Runs <paramref name="action"/> under the server lock, waited for off the I/O thread.</summary>
    private async ValueTask<T> UnderLockAsync<T>(Func<T> action)
    {
        if (!_server.Lock.TryEnter())
        {
            if (OnIoThread)
                await Task.Yield();
            _server.Lock.Enter();
        }
        try
        {
            return action();
        }
        finally
        {
            _server.Lock.Exit();
        }
    }

    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Runs every complete request; false when the connection must close.</summary>
    private async ValueTask<bool> ProcessAsync()
    {
        // Socket completions run inline on the one I/O thread: a script must not run there, or no
        // other socket is read while it runs and nobody can be told BUSY or send SCRIPT KILL.
        if (OnIoThread && MayHoldScript(_in.AsSpan(_start, _end - _start)))
            await Task.Yield();
        while (true)
        {
            bool close = false;
            bool rejected = false;
            Task? blocked = null;
            ReplyWriter? toSend = null;
            bool haveSendLock = false;
            // A script past lua-time-limit holds the lock: its BUSY answers come without it.
            while (!_server.Lock.TryEnter(BusyPoll))
            {
                if (!_server.ScriptBusy)
                    continue;
                if (Client.Output.Length == 0 && Client.Blocked is null)
                {
                    // A send in progress (or a flush about to step aside) holds the send lock briefly.
                    if (_sendLock.Wait(0))
                        return await AnswerWhileBusyAsync().ConfigureAwait(false);
                    continue;
                }
                // Replies still to be sent go first: wait for the script, on the thread pool.
                if (OnIoThread)
                    await Task.Yield();
                _server.Lock.Enter();
                break;
            }
            try
            {
                rejected = !Register();
                // A command run on this client's behalf by another (a paused command resumed by the
                // pause's end) may have blocked it: wait before parsing further requests.
                if (rejected)
                {
                    close = true;
                }
                else if (Client.Blocked is null)
                {
                    close = !RequestBatch.Run(_server, Client, _parser, _args, _in, ref _start, _end);
                    close |= Client.CloseRequested;
                }
                if (Client.Blocked is { } state)
                    blocked = state.Done.Task;
                Client.QueryBufferLength = _end - _start;
                // Fast path: take the output in this same lock section when nobody else is sending.
                if (Client.Output.Length > 0 && _sendLock.Wait(0))
                {
                    haveSendLock = true;
                    toSend = TakeOutput();
                }
            }
            finally
            {
                _server.Lock.Exit();
            }
            if (rejected)
            {
                await RejectAsync().ConfigureAwait(false);
                return false;
            }
            if (haveSendLock)
                await SendAndReleaseAsync(toSend).ConfigureAwait(false);
            else
                await FlushAsync().ConfigureAwait(false);
            if (close)
                return false;
            if (blocked is null)
                break;
            if (!await WaitWhileBlockedAsync(blocked).ConfigureAwait(false))
                return false;
            await FlushAsync().ConfigureAwait(false);
            if (Client.CloseRequested)
                return false;
        }
        if (_end - _start > _server.Config.ClientQueryBufferLimit)
            return false;
        return true;
    }

    /// <summary>
    /// Whether the requests may contain EVAL, EVALSHA, FCALL or their _RO forms (any "eval" or "fcal",
    /// in any case): a false positive only costs a hop to the thread pool.
    /// </summary>
    internal static bool MayHoldScript(ReadOnlySpan<byte> input)
    {
        int i;
        while ((i = input.IndexOfAny("vVcC"u8)) >= 0)
        {
            if (i >= 1 && i + 2 < input.Length && (input[i + 1] | 0x20) == 'a' && (input[i + 2] | 0x20) == 'l'
                && (input[i - 1] | 0x20) == ((input[i] | 0x20) == 'v' ? 'e' : 'f'))
                return true;
            input = input[(i + 1)..];
        }
        return false;
    }

    /// <summary>
    /// A slow script holds the server lock: answers the complete requests without it (BUSY, or SCRIPT
    /// KILL and SHUTDOWN NOSAVE, which only set flags), straight to the socket. The caller holds the
    /// send lock, with no output pending; it is released here.
    /// </summary>
    private async ValueTask<bool> AnswerWhileBusyAsync()
    {
        try
        {
            var replies = new List<byte>();
            while (_start < _end)
            {
                ParseResult r = _parser.TryParse(_in, _start, _end - _start, _args);
                if (r is ParseResult.Incomplete or ParseResult.Error)
                    break;
                _start += _parser.Consumed;
                if (r == ParseResult.Empty)
                    continue;
                if (_server.Scripts.AnswerWhileBusy(_server, _args) is { } reply)
                    replies.AddRange(System.Text.Encoding.UTF8.GetBytes(reply + "\r\n"));
            }
            if (replies.Count > 0)
                await _socket.SendAsync(replies.ToArray(), SocketFlags.None).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
        return true;
    }

    /// <summary>
    /// Waits for the client to be unblocked while still reading its socket, as Redis's event loop does:
    /// a client that disconnects while blocked must be forgotten at once (otherwise a later push would be
    /// popped for a dead connection and lost), and what it pipelines meanwhile is buffered for later.
    /// False when the connection closed.
    /// </summary>
    private async ValueTask<bool> WaitWhileBlockedAsync(Task blocked)
    {
        while (!blocked.IsCompleted)
        {
            if (_pendingReceive is null)
            {
                if (_end == _in.Length)
                    MakeRoom();
                if (_end - _start > _server.Config.ClientQueryBufferLimit)
                    return false;
                _pendingReceive = _socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None).AsTask();
            }
            Task<int> receive = _pendingReceive;
            if (await Task.WhenAny(blocked, receive).ConfigureAwait(false) != receive)
                break;
            _pendingReceive = null;
            int n = await receive.ConfigureAwait(false);
            if (n == 0)
                return false;
            _end += n;
        }
        return true;
    }

    /// <summary>Compacts or grows the input buffer so that a read has room.</summary>
    private void MakeRoom() => InputBuffer.MakeRoom(ref _in, ref _start, ref _end, _parser.NeededBytes);

    /// <summary>Sends everything written for this client, in order.</summary>
    private async ValueTask FlushAsync()
    {
        if (!_sendLock.Wait(0))
        {
            if (OnIoThread)
            {
                RequestFlush();
                return;
            }
            await _sendLock.WaitAsync().ConfigureAwait(false);
        }
        ReplyWriter? toSend;
        if (!EnterOrHandOff())
            return;
        try
        {
            toSend = TakeOutput();
        }
        finally
        {
            _server.Lock.Exit();
        }
        await SendAndReleaseAsync(toSend).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes the server lock, the caller holding the send lock, to take the output: true with both held.
    /// A script past lua-time-limit may hold the server lock for long, and the BUSY answers need the send
    /// lock: then the send lock is not kept while waiting, and on the I/O thread (which must never wait
    /// for the server lock) the flush is handed to the thread pool. False when the send lock was
    /// released (the flush then happens later, queued).
    /// </summary>
    private bool EnterOrHandOff()
    {
        if (_server.Lock.TryEnter())
            return true;
        if (!OnIoThread)
        {
            while (!_server.Lock.TryEnter(BusyPoll))
            {
                if (!_server.ScriptBusy)
                    continue;
                _sendLock.Release();
                _server.Lock.Enter();
                if (_sendLock.Wait(0))
                    return true;
                _server.Lock.Exit();
                RequestFlush();
                return false;
            }
            return true;
        }
        _sendLock.Release();
        RequestFlush();
        return false;
    }

    /// <summary>
    /// Swaps the client's pending output for the spare buffer; null when there is nothing to send.
    /// The caller holds the send lock and the server lock.
    /// </summary>
    private ReplyWriter? TakeOutput()
    {
        ReplyWriter output = Client.Output;
        if (output.Length == 0)
            return null;
        _spare.Protocol = output.Protocol;
        Client.Output = _spare;
        _spare = null!;
        _server.Stats.NetOutputBytes += output.Length;
        return output;
    }

    /// <summary>
    /// Sends <paramref name="toSend"/> and whatever was written meanwhile, then releases the send lock
    /// (which the caller holds).
    /// </summary>
    private async ValueTask SendAndReleaseAsync(ReplyWriter? toSend)
    {
        bool release = true;
        try
        {
            while (toSend is not null)
            {
                try
                {
                    ReadOnlyMemory<byte> data = toSend.WrittenMemory;
                    while (data.Length > 0)
                    {
                        int sent = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                        data = data[sent..];
                    }
                }
                finally
                {
                    toSend.Clear();
                    _spare = toSend;
                }
                if (!EnterOrHandOff())
                {
                    release = false;
                    return;
                }
                try
                {
                    toSend = TakeOutput();
                }
                finally
                {
                    _server.Lock.Exit();
                }
            }
        }
        catch (SocketException)
        {
            Close(now: true);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (release)
                _sendLock.Release();
        }
    }

    /// <inheritdoc/>
    public void RequestFlush()
    {
        if (Interlocked.Exchange(ref _flushQueued, 1) != 0)
            return;
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.FlushQueued(), this, preferLocal: false);
    }

    private async void FlushQueued()
    {
        Volatile.Write(ref _flushQueued, 0);
        await FlushAsync().ConfigureAwait(false);
        if (Client.CloseRequested)
            Close(now: true);
    }

    /// <inheritdoc/>
    public void Close(bool now)
    {
        _closing = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
