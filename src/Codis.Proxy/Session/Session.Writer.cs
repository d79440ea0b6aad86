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
        try
        {
            while (true)
            {
                var step = WriteDoneHead();
                if (step == HeadStep.Break)
                {
                    await FlushAsync().ConfigureAwait(false);
                    return;
                }
                if (step == HeadStep.Written)
                {
                    if (_outputLength >= FlushThreshold)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                    continue;
                }
                if (_outputLength > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
                bool empty;
                lock (_lock)
                {
                    empty = _queue.Count == 0;
                }
                if (empty && _readerDone)
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
                if (_closed && !empty)
                {
                    // The client is gone: nothing more can be written.
                    return;
                }
                await _signal.WaitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Write failed: the client is gone.
        }
        finally
        {
            EndSession();
        }
    }

    /// <summary>The session's end, whichever writer ends it: undeliverable replies count as failures.</summary>
    private void EndSession()
    {
        _closed = true;
        lock (_lock)
        {
            while (_queue.TryDequeue(out var lost))
            {
                _stats.RecordFail(lost.Op);
            }
        }
        _socket.Dispose();
        _server.OnSessionClosed(this);
    }

    /// <summary>What <see cref="WriteDoneHead"/> did.</summary>
    private enum HeadStep
    {
        /// <summary>The queue is empty or its oldest request is still waiting.</summary>
        NotReady,

        /// <summary>The oldest request's reply is in the output buffer.</summary>
        Written,

        /// <summary>Written, and it was a proxy error with session_break_on_failure: close after flushing.</summary>
        Break,
    }

    /// <summary>
    /// The step both writers repeat: takes the oldest request off the queue if it is done and encodes its reply
    /// into the output buffer. Flushing is the caller's (a task awaiting the socket, or the I/O loop).
    /// </summary>
    private HeadStep WriteDoneHead()
    {
        Request? head;
        lock (_lock)
        {
            if (!_queue.TryPeek(out head) || !head.IsDone)
            {
                return HeadStep.NotReady;
            }
            _queue.Dequeue();
        }
        var proxyError = WriteReply(head);
        var op = head.Op;
        Return(head);
        if (proxyError && _options.SessionBreakOnFailure)
        {
            _stats.RecordFail(op);
            return HeadStep.Break;
        }
        return HeadStep.Written;
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
        OutputSent();
    }

    /// <summary>The whole output buffer reached the client: empty it (shrunk if one huge reply grew it).</summary>
    private void OutputSent()
    {
        _outputLength = 0;
        Volatile.Write(ref _sendStartTicks, 0);
        if (_output.Length > 1024 * 1024)
        {
            // One huge reply must not pin a large buffer for the rest of the session.
            _output = new byte[16 * 1024];
        }
    }
}
