using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Codis.TestSupport;

/// <summary>
/// A synchronous RESP client for tests: sends multibulk requests (or raw bytes) over TCP to 127.0.0.1 and
/// returns the raw bytes of exactly one reply at a time, framed (not decoded) so tests can compare bytes.
/// Handles RESP2 and RESP3, nested aggregates, nulls and attributes.
/// </summary>
public sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private string _lastSent = "(nothing sent yet)";

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> (default 127.0.0.1).</summary>
    /// <exception cref="SocketException">Nobody listens there.</exception>
    public RespConnection(int port, string host = "127.0.0.1")
    {
        Port = port;
        Host = host;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            _socket.Connect(new IPEndPoint(IPAddress.Parse(host), port));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>The server's address.</summary>
    public string Host { get; }

    /// <summary>How long <see cref="ReadReply"/> waits for a complete reply before throwing <see cref="TimeoutException"/>.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when bytes already received are waiting to be read as replies.</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>Sends a request whose arguments are UTF-8 strings; returns the raw bytes of its reply.</summary>
    public byte[] Send(params string[] args) => SendBytes(ToBytes(args));

    /// <summary>Sends a request of binary arguments; returns the raw bytes of its reply.</summary>
    public byte[] SendBytes(params byte[][] args)
    {
        SendRaw(Encode(args));
        _lastSent = RespRender.Command(args);
        return ReadReply();
    }

    /// <summary>Sends a request and parses its reply.</summary>
    public RespValue Command(params string[] args) => RespReader.Parse(Send(args));

    /// <summary>Sends a request of binary arguments and parses its reply.</summary>
    public RespValue CommandBytes(params byte[][] args) => RespReader.Parse(SendBytes(args));

    /// <summary>Sends bytes as they are (pipelines, inline commands, malformed input); reads nothing.</summary>
    public void SendRaw(ReadOnlySpan<byte> data)
    {
        _lastSent = "raw " + RespRender.Escape(data.Length > 200 ? data[..200] : data);
        while (data.Length > 0)
        {
            int n = _socket.Send(data);
            data = data[n..];
        }
    }

    /// <summary>Sends bytes as they are; reads nothing.</summary>
    public void SendRaw(byte[] data) => SendRaw(data.AsSpan());

    /// <summary>Sends a protocol-level string, one byte per char (Latin-1), e.g. <c>"PING\r\n"</c>.</summary>
    public void SendRaw(string latin1) => SendRaw(Encoding.Latin1.GetBytes(latin1));

    /// <summary>
    /// The raw bytes of the next complete reply (a pipelined reply, a pub/sub message, a RESP3 push).
    /// </summary>
    /// <exception cref="TimeoutException">No complete reply within <see cref="ReadTimeout"/>.</exception>
    /// <exception cref="IOException">The server closed the connection first.</exception>
    public byte[] ReadReply()
    {
        DateTime deadline = DateTime.UtcNow + ReadTimeout;
        while (true)
        {
            int length = RespReader.FrameLength(_buffer.AsSpan(_start, _end - _start));
            if (length >= 0)
            {
                byte[] reply = _buffer.AsSpan(_start, length).ToArray();
                _start += length;
                if (_start == _end)
                    _start = _end = 0;
                return reply;
            }
            TimeSpan remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || !_socket.Poll(remaining, SelectMode.SelectRead))
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"No complete reply from {Host}:{Port} within {ReadTimeout.TotalSeconds} s after sending {_lastSent}; {Pending()}"));
            }
            if (ReceiveSome() == 0)
                throw new IOException($"{Host}:{Port} closed the connection while a reply to {_lastSent} was awaited; {Pending()}");
        }
    }

    /// <summary>Reads and parses the next reply.</summary>
    public RespValue ReadValue() => RespReader.Parse(ReadReply());

    /// <summary>
    /// Waits up to <paramref name="wait"/> (default 2 s) for the server to close the connection. Bytes that
    /// arrive meanwhile are kept for <see cref="ReadReply"/>. False when the connection is still open.
    /// </summary>
    public bool IsClosedByServer(TimeSpan? wait = null)
    {
        DateTime deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(2));
        while (true)
        {
            TimeSpan remaining = deadline - DateTime.UtcNow;
            if (remaining < TimeSpan.Zero)
                remaining = TimeSpan.Zero;
            bool readable;
            try
            {
                readable = _socket.Poll(remaining, SelectMode.SelectRead);
            }
            catch (SocketException)
            {
                return true;
            }
            // Poll can return early without an event (a signal such as SIGCHLD from another test's
            // process); only the deadline means "still open".
            if (!readable)
            {
                if (DateTime.UtcNow >= deadline)
                    return false;
                continue;
            }
            if (ReceiveSome() == 0)
                return true;
        }
    }

    /// <summary>The multibulk encoding of a request.</summary>
    public static byte[] Encode(params byte[][] args)
    {
        var ms = new MemoryStream();
        void Line(char type, long n)
        {
            ms.WriteByte((byte)type);
            ms.Write(Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture)));
            ms.Write("\r\n"u8);
        }
        Line('*', args.Length);
        foreach (byte[] a in args)
        {
            Line('$', a.Length);
            ms.Write(a);
            ms.Write("\r\n"u8);
        }
        return ms.ToArray();
    }

    /// <summary>The multibulk encoding of a request of UTF-8 strings.</summary>
    public static byte[] Encode(params string[] args) => Encode(ToBytes(args));

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();

    private static byte[][] ToBytes(string[] args)
    {
        var bytes = new byte[args.Length][];
        for (int i = 0; i < args.Length; i++)
            bytes[i] = Encoding.UTF8.GetBytes(args[i]);
        return bytes;
    }

    /// <summary>Receives what is available into the buffer; 0 when the peer closed (or reset) the connection.</summary>
    private int ReceiveSome()
    {
        if (_start > 0 && _end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int available = Math.Max(_socket.Available, 4096);
        if (_buffer.Length - _end < available)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + available));
        try
        {
            int n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            _end += n;
            return n;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return 0;
        }
    }

    private string Pending()
    {
        ReadOnlySpan<byte> pending = _buffer.AsSpan(_start, _end - _start);
        return pending.Length == 0
            ? "nothing received"
            : $"{pending.Length} bytes received so far: {RespRender.Escape(pending.Length > 300 ? pending[..300] : pending)}";
    }
}
