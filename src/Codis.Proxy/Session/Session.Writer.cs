using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    private static ReadOnlySpan<byte> HandleRequestPrefix => "-ERR handle request, "u8;

    private static ReadOnlySpan<byte> HandleResponsePrefix => "-ERR handle response, "u8;

    /// <summary>
    /// Writes replies in request order: waits for the oldest request, merges split ones, buffers the
    /// reply, and flushes when it would otherwise wait or the buffer is large. After the reader ends it
    /// drains the queue, then closes the socket.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var breakAfterFlush = false;
        try
        {
            while (true)
            {
                Request? head;
                lock (_lock)
                {
                    _queue.TryPeek(out head);
                }
                if (head is null || !head.IsDone)
                {
                    if (_outputLength > 0)
                    {
                        await FlushAsync().ConfigureAwait(false);
                        if (breakAfterFlush)
                        {
                            return;
                        }
                    }
                    if (head is null && _readerDone)
                    {
                        lock (_lock)
                        {
                            if (_queue.Count == 0)
                            {
                                return;
                            }
                        }
                        continue;
                    }
                    if (_closed && head is not null)
                    {
                        // The client is gone: nothing more can be written.
                        return;
                    }
                    await _signal.WaitAsync().ConfigureAwait(false);
                    continue;
                }
                lock (_lock)
                {
                    _queue.Dequeue();
                }
                var proxyError = WriteReply(head);
                var op = head.Op;
                Return(head);
                if (proxyError && _options.SessionBreakOnFailure)
                {
                    _stats.RecordFail(op);
                    breakAfterFlush = true;
                    await FlushAsync().ConfigureAwait(false);
                    return;
                }
                if (_outputLength >= FlushThreshold)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Write failed: the client is gone.
        }
        finally
        {
            _closed = true;
            lock (_lock)
            {
                // Requests whose replies can no longer be delivered count as failures.
                while (_queue.TryDequeue(out var lost))
                {
                    _stats.RecordFail(lost.Op);
                }
            }
            _socket.Dispose();
            _server.OnSessionClosed(this);
        }
    }

    /// <summary>Encodes the reply of a completed request; true when it is a proxy-generated error.</summary>
    private bool WriteReply(Request r)
    {
        var start = _outputLength;
        var proxyError = false;
        if (r.SubCount > 0)
        {
            proxyError = Merge(r);
        }
        else if (r.Error is not null)
        {
            WriteError(r.ErrorIsRequest, r.Error);
            proxyError = true;
        }
        else if (r.ReplyLength == 0)
        {
            WriteError(false, "resp is required");
            proxyError = true;
        }
        else
        {
            Write(r.ReplySpan);
        }
        var isError = _output[start] == (byte)'-';
        _stats.Record(r.Op, Stopwatch.GetTimestamp() - r.StartTicks, isError);
        return proxyError;
    }

    private void WriteError(bool request, string error)
    {
        Write(request ? HandleRequestPrefix : HandleResponsePrefix);
        Ensure(Encoding.UTF8.GetMaxByteCount(error.Length) + 2);
        _outputLength += Encoding.UTF8.GetBytes(error, _output.AsSpan(_outputLength));
        Write("\r\n"u8);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_output.AsSpan(_outputLength));
        _outputLength += bytes.Length;
    }

    private void Ensure(int more)
    {
        if (_output.Length - _outputLength < more)
        {
            Array.Resize(ref _output, Math.Max(_outputLength + more, _output.Length * 2));
        }
    }

    private async ValueTask FlushAsync()
    {
        Volatile.Write(ref _sendStartTicks, Stopwatch.GetTimestamp());
        var sent = 0;
        while (sent < _outputLength)
        {
            sent += await _socket.SendAsync(_output.AsMemory(sent, _outputLength - sent), SocketFlags.None).ConfigureAwait(false);
        }
        _outputLength = 0;
        Volatile.Write(ref _sendStartTicks, 0);
        if (_output.Length > 1024 * 1024)
        {
            // One huge reply must not pin a large buffer for the rest of the session.
            _output = new byte[16 * 1024];
        }
    }
}
