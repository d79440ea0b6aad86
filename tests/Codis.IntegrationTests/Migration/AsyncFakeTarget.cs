using System.Net;
using System.Net.Sockets;
using System.Text;
using Codis.Core.Resp;

namespace Codis.IntegrationTests.Migration;

/// <summary>How a <see cref="AsyncFakeTarget"/> answers the messages of an async migration.</summary>
public enum AsyncFakeTargetMode
{
    /// <summary>Reads and records every message, never answers (a target that hangs).</summary>
    Silent,

    /// <summary>Answers every message with the ACK <c>0 1</c>, as a healthy target.</summary>
    AckAll,

    /// <summary>Answers every message with the ACK <c>-1 boom</c>, as a target that fails to restore.</summary>
    AckError,
}

/// <summary>
/// A raw TCP listener on 127.0.0.1 that plays the migration target: it parses the SLOTSRESTORE-ASYNC
/// messages a source sends (recording them) and answers according to its <see cref="AsyncFakeTargetMode"/>.
/// The test controls when it dies (<see cref="DropConnections"/>), which a real process cannot offer
/// deterministically.
/// </summary>
public sealed class AsyncFakeTarget : IDisposable
{
    private static readonly byte[] s_ackOk = Encoding.ASCII.GetBytes("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n$1\r\n1\r\n");
    private static readonly byte[] s_ackError = Encoding.ASCII.GetBytes("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$2\r\n-1\r\n$4\r\nboom\r\n");

    private readonly TcpListener _listener;
    private readonly List<Socket> _sockets = [];
    private readonly List<string[]> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private int _acked;

    /// <summary>Starts listening on a free port.</summary>
    public AsyncFakeTarget(AsyncFakeTargetMode mode)
    {
        Mode = mode;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port to migrate to.</summary>
    public int Port { get; }

    /// <summary>The answering behaviour (may be changed while running).</summary>
    public AsyncFakeTargetMode Mode { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_sockets)
                return _sockets.Count;
        }
    }

    /// <summary>The messages received so far, each as its arguments (Latin-1 text).</summary>
    public List<string[]> Messages
    {
        get
        {
            lock (_messages)
                return [.. _messages];
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; false on timeout.</summary>
    public bool WaitForMessages(int count, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            lock (_messages)
            {
                if (_messages.Count >= count)
                    return true;
            }
            Thread.Sleep(10);
        }
        return false;
    }

    /// <summary>
    /// Sends, on the latest connection, one <c>0 1</c> ACK for every message received and not yet
    /// acknowledged (a <see cref="AsyncFakeTargetMode.Silent"/> target that finally answers).
    /// </summary>
    public void AckOutstanding()
    {
        Socket socket;
        lock (_sockets)
            socket = _sockets[^1];
        int count;
        lock (_messages)
        {
            count = _messages.Count - _acked;
            _acked = _messages.Count;
        }
        for (int i = 0; i < count; i++)
            socket.Send(s_ackOk);
    }

    /// <summary>Closes every accepted connection (the target "dies"); the listener keeps accepting.</summary>
    public void DropConnections()
    {
        lock (_sockets)
        {
            foreach (Socket s in _sockets)
                s.Dispose();
        }
    }

    /// <summary>Stops listening and closes everything.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        DropConnections();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket s = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                lock (_sockets)
                    _sockets.Add(s);
                _ = Task.Run(() => ServeAsync(s));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var parser = new RequestParser();
        var args = new ArgList();
        byte[] buffer = new byte[64 * 1024];
        int start = 0;
        int end = 0;
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
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }
                int n = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    return;
                end += n;
                while (start < end)
                {
                    ParseResult r = parser.TryParse(buffer, start, end - start, args);
                    if (r is ParseResult.Incomplete or ParseResult.Error)
                        break;
                    start += parser.Consumed;
                    if (r == ParseResult.Empty)
                        continue;
                    var message = new string[args.Count];
                    for (int i = 0; i < args.Count; i++)
                        message[i] = Encoding.Latin1.GetString(args[i]);
                    lock (_messages)
                    {
                        _messages.Add(message);
                        if (Mode != AsyncFakeTargetMode.Silent)
                            _acked = _messages.Count;
                    }
                    if (Mode == AsyncFakeTargetMode.AckAll)
                        await socket.SendAsync(s_ackOk, SocketFlags.None).ConfigureAwait(false);
                    else if (Mode == AsyncFakeTargetMode.AckError)
                        await socket.SendAsync(s_ackError, SocketFlags.None).ConfigureAwait(false);
                }
                if (start == end)
                    start = end = 0;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
