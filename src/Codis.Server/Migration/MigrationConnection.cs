using System.Net.Sockets;
using Codis.Core.Resp;

namespace Codis.Server.Migration;

/// <summary>
/// The cached connection of one database to an async-migration target (Codis's slotsmgrtAsyncClient).
/// Messages are generated under the server lock into <see cref="Output"/>; a send loop takes them out
/// and writes them outside the lock, and a receive loop parses the target's ACK arrays and hands them,
/// under the lock, to the <see cref="AsyncMigrator"/>. The server never waits on this socket while
/// holding the lock, so other clients keep being served during a migration.
/// </summary>
internal sealed class MigrationConnection
{
    // A send writes at most this much at a time, so that the output still waiting is known closely
    // enough for the maxbytes flow control.
    private const int SendChunk = 256 * 1024;
    private const int InitialOutput = 64 * 1024;

    // An ACK is tiny; anything bigger is not a codis-server answering us.
    private const int MaxFrame = 1024 * 1024;

    private readonly Socket _socket;
    private readonly ServerContext _server;
    private readonly AsyncMigrator _owner;
    private ReplyWriter? _spare = new(InitialOutput);
    private bool _sending;
    private long _inFlight;

    /// <summary>Wraps a connected socket.</summary>
    public MigrationConnection(Socket socket, ServerContext server, AsyncMigrator owner, string host, int port, int db)
    {
        _socket = socket;
        _server = server;
        _owner = owner;
        Host = host;
        Port = port;
        Db = db;
    }

    /// <summary>The target host as given to the migration command.</summary>
    public string Host { get; }

    /// <summary>The target port.</summary>
    public int Port { get; }

    /// <summary>The database this connection migrates (SLOTSRESTORE-ASYNC-SELECT).</summary>
    public int Db { get; }

    /// <summary>True once the leading AUTH/SELECT messages were generated (STATUS <c>used</c>).</summary>
    public bool Used { get; set; }

    /// <summary>The timeout of the last batch, ms.</summary>
    public long TimeoutMs { get; set; }

    /// <summary>Last batch start or ACK, unix ms.</summary>
    public long LastUseMs { get; set; }

    /// <summary>Messages sent and not yet acknowledged.</summary>
    public long SendingMsgs { get; set; }

    /// <summary>True once closed (by us or by the peer).</summary>
    public bool Closed { get; private set; }

    /// <summary>Messages generated and not yet taken by the send loop (under the lock).</summary>
    public ReplyWriter Output { get; private set; } = new(InitialOutput);

    /// <summary>Bytes generated and not yet written to the socket: Codis's output-buffer usage.</summary>
    public long PendingBytes => Output.Length + Volatile.Read(ref _inFlight);

    /// <summary>Starts reading ACKs. Called once, under the lock.</summary>
    public void Start() => _ = Task.Run(ReceiveLoopAsync);

    /// <summary>Makes sure what was generated gets sent (under the lock).</summary>
    public void Flush()
    {
        if (_sending || Closed || Output.Length == 0)
            return;
        _sending = true;
        _ = Task.Run(SendLoopAsync);
    }

    /// <summary>Closes the socket; both loops end. Under the lock.</summary>
    public void Close()
    {
        if (Closed)
            return;
        Closed = true;
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
        _socket.Dispose();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                ReplyWriter toSend;
                lock (_server.Lock)
                {
                    if (Closed || Output.Length == 0)
                    {
                        _sending = false;
                        return;
                    }
                    toSend = Output;
                    Output = _spare ?? new ReplyWriter(InitialOutput);
                    _spare = null;
                    Volatile.Write(ref _inFlight, toSend.Length);
                }
                ReadOnlyMemory<byte> data = toSend.WrittenMemory;
                while (data.Length > 0)
                {
                    int sent = await _socket.SendAsync(data[..Math.Min(data.Length, SendChunk)], SocketFlags.None).ConfigureAwait(false);
                    data = data[sent..];
                    Interlocked.Add(ref _inFlight, -sent);
                }
                lock (_server.Lock)
                {
                    // A message with a big value made the buffer big: do not keep it for the next batch.
                    if (toSend.Buffer.Length <= 4 * InitialOutput)
                    {
                        toSend.Clear();
                        _spare = toSend;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            lock (_server.Lock)
            {
                _sending = false;
                _owner.OnClosed(this, $"send failed: {e.Message}");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logging.ServerLog.Warning($"slotsmgrt_async: internal error sending to the target: {e}");
            lock (_server.Lock)
            {
                _sending = false;
                _owner.OnClosed(this, $"internal error: {e.GetType().Name}");
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var parser = new RequestParser { MaxBulkLength = MaxFrame };
        var args = new ArgList();
        byte[] buffer = new byte[4096];
        int start = 0;
        int end = 0;
        string reason = "connection closed by the target";
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    else if (buffer.Length >= MaxFrame)
                    {
                        reason = "oversized message from the target";
                        break;
                    }
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }
                int n = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    break;
                end += n;
                bool stop = false;
                lock (_server.Lock)
                {
                    if (Closed)
                        return;
                    _server.UpdateClock();
                    while (start < end)
                    {
                        if (buffer[start] != (byte)'*')
                        {
                            // Not an ACK array: typically an error reply of a server that does not
                            // know the async protocol or refuses us (NOAUTH). Say what it was.
                            int nl = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                            if (nl < 0 && end - start < 1024)
                                break;
                            string line = AsyncMigrator.Printable(buffer.AsSpan(start, nl < 0 ? end - start : nl)).TrimEnd('\r');
                            _owner.OnClosed(this, $"unexpected answer from the target: {line}");
                            stop = true;
                            break;
                        }
                        ParseResult r = parser.TryParse(buffer, start, end - start, args);
                        if (r == ParseResult.Incomplete)
                            break;
                        if (r == ParseResult.Error)
                        {
                            _owner.OnClosed(this, $"bad message from the target: {parser.Error}");
                            stop = true;
                            break;
                        }
                        start += parser.Consumed;
                        if (r == ParseResult.Empty)
                            continue;
                        _owner.OnMessage(this, args);
                        if (Closed)
                        {
                            stop = true;
                            break;
                        }
                    }
                }
                if (stop)
                    return;
                if (start == end)
                    start = end = 0;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            reason = e.Message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in handling an ACK must end this migration, not leave its waiters hanging.
            Logging.ServerLog.Warning($"slotsmgrt_async: internal error handling the target's answer: {e}");
            reason = $"internal error: {e.GetType().Name}";
        }
        lock (_server.Lock)
            _owner.OnClosed(this, reason);
    }
}
