using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Codis.Server.Migration;

/// <summary>
/// An outgoing connection from this server to the target of a synchronous slot migration (Codis's
/// <c>slotsmgrt_sockfd</c>), plus what the target already knows about us (authenticated, selected
/// database). The I/O is synchronous on the calling thread, each operation bounded by the migration's
/// timeout: the socket stays non-blocking and waits are poll(2) calls. That matters because .NET
/// implements blocking socket timeouts on Unix with its socket engine thread, and inside MULTI/EXEC the
/// migration runs under the server lock on that very thread (commands run there with inline socket
/// completions): a wait that needs the engine would stall until the timeout. Used by one migration at
/// a time.
/// </summary>
internal sealed class TargetConnection : IDisposable
{
    // Codis writes the command in slices of 64 KiB, each slice bounded by the timeout.
    private const int WriteChunk = 64 * 1024;

    // A reply line longer than this is not one of the short status replies we wait for.
    private const int MaxLineLength = 64 * 1024;

    private readonly Socket _socket;
    private byte[] _in = new byte[1024];
    private int _start;
    private int _end;

    private TargetConnection(Socket socket, string name)
    {
        _socket = socket;
        Name = name;
    }

    /// <summary>"host:port" as given by the command (the cache key).</summary>
    public string Name { get; }

    /// <summary>The database selected on the target, -1 before the first SELECT.</summary>
    public int Db { get; set; } = -1;

    /// <summary>True once AUTH succeeded on this socket.</summary>
    public bool Authenticated { get; set; }

    /// <summary>Unix ms of the last successful use (the cron closes connections idle for 15 s).</summary>
    public long LastUseMs { get; set; }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, waiting at most
    /// <paramref name="timeoutMs"/>. On failure returns null and the reply for the client:
    /// <c>ERR Can't connect to target node: &lt;reason&gt;</c> when the address is unusable or the
    /// target refuses, <c>IOERR error or timeout connecting to the client</c> when the timeout passes.
    /// </summary>
    public static TargetConnection? Connect(string host, string port, int timeoutMs, out string? error)
    {
        string name = host + ":" + port;
        int portNumber = ParsePort(port);
        if (portNumber is <= 0 or > IPEndPoint.MaxPort)
        {
            error = $"ERR Can't connect to target node: invalid port '{port}'";
            return null;
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out IPAddress? parsed) ? [parsed] : Dns.GetHostAddresses(host);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            error = $"ERR Can't connect to target node: can't resolve '{host}': {e.Message}";
            return null;
        }
        if (addresses.Length == 0)
        {
            error = $"ERR Can't connect to target node: can't resolve '{host}'";
            return null;
        }

        // Like Redis's anetTcpGenericConnect: each address in turn until one does not fail outright.
        error = null;
        foreach (IPAddress address in addresses)
        {
            if (TryConnect(new IPEndPoint(address, portNumber), timeoutMs, out error) is { } socket)
                return new TargetConnection(socket, name);
            if (error.StartsWith("IOERR", StringComparison.Ordinal))
                break;
        }
        return null;
    }

    private static Socket? TryConnect(IPEndPoint endPoint, int timeoutMs, out string error)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            socket.Blocking = false;
            try
            {
                socket.Connect(endPoint);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                // The normal case for a non-blocking connect: wait for writability (or an error).
                int micros = (int)Math.Min(timeoutMs * 1000L, int.MaxValue);
                if (!socket.Poll(micros, SelectMode.SelectWrite) && !socket.Poll(0, SelectMode.SelectError))
                {
                    socket.Dispose();
                    error = "IOERR error or timeout connecting to the client";
                    return null;
                }
                var pending = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (pending != SocketError.Success)
                    throw new SocketException((int)pending);
            }
            error = "";
            return socket;
        }
        catch (SocketException e)
        {
            // Redis 3.2 on Linux notices a refused connection only at its first write (and then replies
            // "IOERR error or timeout writing to target"); reporting it here, as a connect error, is
            // clearer and changes no caller's logic (both are errors).
            socket.Dispose();
            error = $"ERR Can't connect to target node: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> in slices of 64 KiB, each bounded by <paramref name="timeoutMs"/>.
    /// False on an error or timeout.
    /// </summary>
    public bool Write(ReadOnlySpan<byte> data, int timeoutMs)
    {
        try
        {
            while (data.Length > 0)
            {
                ReadOnlySpan<byte> chunk = data[..Math.Min(data.Length, WriteChunk)];
                long deadline = Deadline(timeoutMs);
                while (chunk.Length > 0)
                {
                    int sent = _socket.Send(chunk, SocketFlags.None, out SocketError error);
                    if (error == SocketError.WouldBlock)
                    {
                        if (!Wait(SelectMode.SelectWrite, deadline))
                            return false;
                        continue;
                    }
                    if (error != SocketError.Success || sent <= 0)
                        return false;
                    chunk = chunk[sent..];
                    data = data[sent..];
                }
            }
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads one reply line (without CRLF) within <paramref name="timeoutMs"/>; null on an error, a
    /// timeout or the connection closing.
    /// </summary>
    public string? ReadLine(int timeoutMs)
    {
        long deadline = Deadline(timeoutMs);
        try
        {
            while (true)
            {
                int eol = _in.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (eol >= 0)
                {
                    string line = System.Text.Encoding.UTF8.GetString(_in, _start, eol);
                    _start += eol + 2;
                    return line;
                }
                if (_end - _start > MaxLineLength)
                    return null;
                if (_end == _in.Length)
                {
                    if (_start > 0)
                    {
                        Buffer.BlockCopy(_in, _start, _in, 0, _end - _start);
                        _end -= _start;
                        _start = 0;
                    }
                    else
                    {
                        Array.Resize(ref _in, _in.Length * 2);
                    }
                }
                int n = _socket.Receive(_in, _end, _in.Length - _end, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    if (!Wait(SelectMode.SelectRead, deadline))
                        return null;
                    continue;
                }
                if (error != SocketError.Success || n <= 0)
                    return null;
                _end += n;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();

    private static long Deadline(int timeoutMs) => Stopwatch.GetTimestamp() + (timeoutMs * Stopwatch.Frequency / 1000);

    /// <summary>Waits with poll(2) on this thread until the socket is ready or the deadline passed.</summary>
    private bool Wait(SelectMode mode, long deadline)
    {
        long remaining = (deadline - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
        return remaining > 0 && _socket.Poll((int)Math.Min(remaining, int.MaxValue), mode);
    }

    /// <summary>C's <c>atoi</c>, as Codis reads the port: leading blanks, a sign, digits; 0 when none.</summary>
    private static int ParsePort(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan().TrimStart(" \t\n\v\f\r");
        int i = 0;
        bool negative = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
            negative = s[i++] == '-';
        long value = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]) && value <= int.MaxValue; i++)
            value = (value * 10) + (s[i] - '0');
        value = negative ? -value : value;
        return value is > int.MaxValue or < int.MinValue ? 0 : (int)value;
    }
}
