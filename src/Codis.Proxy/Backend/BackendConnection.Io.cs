using System.Diagnostics;
using System.Net.Sockets;
using Codis.Proxy.Session;

namespace Codis.Proxy.Backend;

/// <summary>A backend's reply broke the protocol or the handshake was refused.</summary>
internal sealed class BackendProtocolException(string message) : Exception(message);

internal sealed partial class BackendConnection
{
    private volatile bool _senderBlocked;

    private async Task<Socket> DialAsync()
    {
        var colon = Addr.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(Addr.AsSpan(colon + 1), out var port))
        {
            throw new BackendProtocolException($"invalid backend address '{Addr}'");
        }
        var host = Addr[..colon];
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
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
        var r = new Request();
        r.AppendHeader((byte)'*', 2);
        r.AppendArg(System.Text.Encoding.UTF8.GetBytes(name));
        r.AppendArg(System.Text.Encoding.UTF8.GetBytes(arg));
        await socket.SendAsync(r.Buffer.AsMemory(0, r.Length)).ConfigureAwait(false);
        var buffer = new byte[4096];
        var length = 0;
        using var cts = new CancellationTokenSource(DialTimeout);
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), cts.Token).ConfigureAwait(false);
            if (n == 0)
            {
                throw new BackendProtocolException($"{name} failed: connection closed");
            }
            length += n;
            var end = ReplyScanner.Scan(buffer.AsSpan(0, length), out _);
            if (end < 0 || (end == 0 && length == buffer.Length))
            {
                throw new BackendProtocolException($"{name} failed: bad reply");
            }
            if (end > 0)
            {
                if (buffer[0] != (byte)'+')
                {
                    throw new BackendProtocolException($"{name} failed: {System.Text.Encoding.UTF8.GetString(buffer, 1, end - 3)}");
                }
                return;
            }
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
                int length;
                lock (_lock)
                {
                    var inFlight = _fifo.Count - _pendingCount;
                    if (_pendingLength == 0)
                    {
                        continue;
                    }
                    if (_options.BackendMaxPipeline > 0 && inFlight >= _options.BackendMaxPipeline)
                    {
                        // Too many unanswered requests: wait for the receiver to drain some.
                        _senderBlocked = true;
                        continue;
                    }
                    (_pending, _sending) = (_sending, _pending);
                    length = _pendingLength;
                    _pendingLength = 0;
                    _pendingCount = 0;
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
        var buffer = new byte[16 * 1024];
        int start = 0, end = 0;
        long needed = 0;
        while (true)
        {
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    needed = Math.Max(0, needed - start);
                    start = 0;
                }
                else
                {
                    Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, buffer.Length * 2L)));
                }
            }
            var n = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("EOF");
            }
            end += n;
            Volatile.Write(ref _lastReceiveTicks, Stopwatch.GetTimestamp());
            if (end < needed)
            {
                continue;
            }
            needed = 0;
            while (start < end)
            {
                var span = buffer.AsSpan(start, end - start);
                var length = ReplyScanner.Scan(span, out var need);
                if (length < 0)
                {
                    throw new BackendProtocolException("bad resp from backend");
                }
                if (length == 0)
                {
                    needed = need == 0 ? 0 : need;
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
                start += length;
            }
            if (start == end)
            {
                start = end = 0;
            }
            else if (needed > 0)
            {
                // 'needed' counts from the unconsumed start; make it absolute in the buffer.
                needed += start;
                if (needed > buffer.Length)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    needed -= start;
                    start = 0;
                    if (needed > buffer.Length)
                    {
                        Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, needed));
                    }
                }
            }
            if (_senderBlocked)
            {
                _senderBlocked = false;
                _sendSignal.Set();
            }
        }
    }
}
