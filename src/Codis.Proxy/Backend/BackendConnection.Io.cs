using System.Diagnostics;
using System.Net.Sockets;
using Codis.Proxy.Session;
using Codis.Proxy.Network;

namespace Codis.Proxy.Backend;

/// <summary>A backend's reply broke the protocol or the handshake was refused.</summary>
internal sealed class BackendProtocolException(string message) : Exception(message);

internal sealed partial class BackendConnection
{
    private volatile bool _senderBlocked;
    private readonly InputBuffer _input = new();    // receiver: reply bytes read, not yet framed

    private async Task<Socket> DialAsync()
    {
        var (host, port) = SplitAddr();
        var socket = NewSocket(AddressFamily.Unspecified);
        try
        {
            using var cts = new CancellationTokenSource(DialTimeout);
            await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            if (_options.ProductAuth.Length > 0)
            {
                await HandshakeAsync(socket, "AUTH", _options.ProductAuth).ConfigureAwait(false);
            }
            if (Db != 0)
            {
                await HandshakeAsync(socket, "SELECT", Db.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and requires a simple-string reply (AUTH and SELECT at connect time).</summary>
    private static async Task HandshakeAsync(Socket socket, string name, string arg)
    {
        var r = HandshakeRequest(name, arg);
        await socket.SendAsync(r.Buffer.AsMemory(0, r.Length)).ConfigureAwait(false);
        var buffer = new byte[4096];
        var length = 0;
        using var cts = new CancellationTokenSource(DialTimeout);
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), cts.Token).ConfigureAwait(false);
            if (CheckHandshakeReply(name, buffer, length += n, n))
            {
                return;
            }
        }
    }

    private static Request HandshakeRequest(string name, string arg)
    {
        var r = new Request();
        r.AppendHeader((byte)'*', 2);
        r.AppendArg(System.Text.Encoding.UTF8.GetBytes(name));
        r.AppendArg(System.Text.Encoding.UTF8.GetBytes(arg));
        return r;
    }

    /// <summary>True once <paramref name="buffer"/> holds a complete +reply; throws for anything else.</summary>
    private static bool CheckHandshakeReply(string name, byte[] buffer, int length, int lastRead)
    {
        if (lastRead == 0)
        {
            throw new BackendProtocolException($"{name} failed: connection closed");
        }
        var end = ReplyScanner.Scan(buffer.AsSpan(0, length), out _);
        if (end < 0 || (end == 0 && length == buffer.Length))
        {
            throw new BackendProtocolException($"{name} failed: bad reply");
        }
        if (end == 0)
        {
            return false;
        }
        if (buffer[0] != (byte)'+')
        {
            throw new BackendProtocolException($"{name} failed: {System.Text.Encoding.UTF8.GetString(buffer, 1, end - 3)}");
        }
        return true;
    }

    /// <summary>
    /// Moves the pending requests into the send buffer and returns their length: 0 when none are pending, or
    /// when backend_max_pipeline requests are unanswered (the receiver wakes the sender as replies come).
    /// </summary>
    private int TakePending()
    {
        lock (_lock)
        {
            if (_pendingLength == 0)
            {
                return 0;
            }
            if (_options.BackendMaxPipeline > 0 && _fifo.Count - _pendingCount >= _options.BackendMaxPipeline)
            {
                _senderBlocked = true;
                return 0;
            }
            (_pending, _sending) = (_sending, _pending);
            var length = _pendingLength;
            _pendingLength = 0;
            _pendingCount = 0;
            return length;
        }
    }

    private async Task SendLoopAsync(Socket socket)
    {
        try
        {
            while (true)
            {
                await _sendSignal.WaitAsync().ConfigureAwait(false);
                if (_closed || !ReferenceEquals(Volatile.Read(ref _socket), socket) || !socket.Connected)
                {
                    return;
                }
                var length = TakePending();
                if (length == 0)
                {
                    continue;
                }
                Volatile.Write(ref _sendStartTicks, Stopwatch.GetTimestamp());
                var sent = 0;
                while (sent < length)
                {
                    sent += await socket.SendAsync(_sending.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
                }
                Volatile.Write(ref _sendStartTicks, 0);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // The receiver sees the closed socket and fails the requests.
            Volatile.Write(ref _sendStartTicks, 0);
            socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        _input.Reset();
        while (true)
        {
            var n = await socket.ReceiveAsync(_input.Space(), SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("EOF");
            }
            OnInput(n);
        }
    }

    /// <summary>The backend's host and port.</summary>
    /// <exception cref="BackendProtocolException">The address has no valid port.</exception>
    private (string Host, int Port) SplitAddr()
    {
        var colon = Addr.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(Addr.AsSpan(colon + 1), out var port))
        {
            throw new BackendProtocolException($"invalid backend address '{Addr}'");
        }
        return (Addr[..colon], port);
    }

    /// <summary>A TCP socket with the configured buffer sizes, keep-alive and no Nagle delay.</summary>
    private Socket NewSocket(AddressFamily family)
    {
        var socket = family == AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (_options.BackendRecvBufsize > 0)
            {
                socket.ReceiveBufferSize = _options.BackendRecvBufsize;
            }
            if (_options.BackendSendBufsize > 0)
            {
                socket.SendBufferSize = _options.BackendSendBufsize;
            }
            SessionServer.SetKeepAlive(socket, _options.BackendKeepalivePeriod);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Frames the replies completed by <paramref name="n"/> more bytes and completes their requests in order.</summary>
    /// <exception cref="BackendProtocolException">The backend broke the protocol.</exception>
    private void OnInput(int n)
    {
        Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
        if (!_input.Received(n))
        {
            return;
        }
        while (_input.HasUnread)
        {
            var span = _input.Unread;
            var length = ReplyScanner.Scan(span, out var need);
            if (length < 0)
            {
                throw new BackendProtocolException("bad resp from backend");
            }
            if (length == 0)
            {
                _input.NeedMore(need);
                break;
            }
            Request? request;
            lock (_lock)
            {
                _fifo.TryDequeue(out request);
            }
            if (request is null)
            {
                throw new BackendProtocolException("unexpected reply from backend");
            }
            var reply = span[..length];
            if (reply[0] == (byte)'-' && (reply[1..].StartsWith("MASTERDOWN"u8) || reply[1..].StartsWith("LOADING"u8)))
            {
                Interlocked.CompareExchange(ref _state, (int)BackendState.DataStale, (int)BackendState.Connected);
            }
            request.SetReply(reply);
            request.Complete();
            _input.Consume(length);
        }
        _input.ConsumedAll();
        if (_senderBlocked)
        {
            _senderBlocked = false;
            WakeSender();
        }
    }
}
