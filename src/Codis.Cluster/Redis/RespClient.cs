using System.Globalization;
using Codis.Cluster.Net;
using System.Net.Sockets;
using System.Text;

namespace Codis.Cluster.Redis;

/// <summary>
/// A minimal Redis client for the sentinel watcher (a few commands per minute, never on the data path):
/// sends commands as RESP arrays and parses whole replies into strings, integers, nulls and lists.
/// </summary>
public sealed class RespClient : IAsyncDisposable
{
    private const int MaxLine = 64 * 1024;
    private const int MaxBulk = 16 * 1024 * 1024;

    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = new BufferedStream(tcp.GetStream(), 16 * 1024);
    }

    /// <summary>Connects to <c>host:port</c>.</summary>
    /// <exception cref="IOException">Bad address or connection failure.</exception>
    public static async Task<RespClient> ConnectAsync(string addr, CancellationToken ct)
    {
        (string host, int port) = NetAddress.Split(addr);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            tcp.Dispose();
            throw new IOException($"dial tcp {addr}: {e.Message}", e);
        }
        return new RespClient(tcp);
    }

    /// <summary>Sends a command and reads its reply.</summary>
    /// <exception cref="IOException">Connection or protocol failure.</exception>
    /// <exception cref="RespErrorException">The server replied with an error.</exception>
    public async Task<object?> CommandAsync(CancellationToken ct, params string[] args)
    {
        await SendAsync(ct, args).ConfigureAwait(false);
        return await ReadAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Sends a command without reading.</summary>
    public async Task SendAsync(CancellationToken ct, params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Sends a command of binary arguments without reading (e.g. FUNCTION RESTORE with a payload).</summary>
    public async Task SendAsync(CancellationToken ct, params byte[][] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.ASCII.GetBytes("*" + args.Length.ToString(CultureInfo.InvariantCulture) + "\r\n"));
        foreach (byte[] a in args)
        {
            buffer.Write(Encoding.ASCII.GetBytes("$" + a.Length.ToString(CultureInfo.InvariantCulture) + "\r\n"));
            buffer.Write(a);
            buffer.Write("\r\n"u8);
        }
        await _stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a command whose reply is a bulk string and returns its bytes as they are (binary payloads such
    /// as FUNCTION DUMP, which <see cref="ReadAsync"/> would decode as UTF-8); null for a null bulk.
    /// </summary>
    /// <exception cref="IOException">Connection or protocol failure, or a reply that is not a bulk string.</exception>
    /// <exception cref="RespErrorException">The server replied with an error.</exception>
    public async Task<byte[]?> CommandBulkAsync(CancellationToken ct, params string[] args)
    {
        await SendAsync(ct, args).ConfigureAwait(false);
        string line = await ReadLineAsync(ct).ConfigureAwait(false);
        if (line.Length == 0)
            throw new IOException("empty reply line");
        if (line[0] == '-')
            throw new RespErrorException(line[1..]);
        if (line[0] != '$')
            throw new IOException($"expected a bulk reply, got '{line}'");
        long n = ParseInt(line[1..]);
        if (n < 0)
            return null;
        if (n > MaxBulk)
            throw new IOException("bulk reply too long");
        byte[] buf = new byte[n + 2];
        await _stream.ReadExactlyAsync(buf, ct).ConfigureAwait(false);
        return buf.AsSpan(0, (int)n).ToArray();
    }

    /// <summary>Reads one reply: string, long, null, <see cref="List{T}"/> of replies.</summary>
    /// <exception cref="RespErrorException">An error reply.</exception>
    public async Task<object?> ReadAsync(CancellationToken ct)
    {
        string line = await ReadLineAsync(ct).ConfigureAwait(false);
        if (line.Length == 0)
            throw new IOException("empty reply line");
        string rest = line[1..];
        switch (line[0])
        {
            case '+':
                return rest;
            case '-':
                throw new RespErrorException(rest);
            case ':':
                return ParseInt(rest);
            case '$':
                {
                    long n = ParseInt(rest);
                    if (n < 0)
                        return null;
                    if (n > MaxBulk)
                        throw new IOException("bulk reply too long");
                    byte[] buf = new byte[n + 2];
                    await _stream.ReadExactlyAsync(buf, ct).ConfigureAwait(false);
                    return Encoding.UTF8.GetString(buf, 0, (int)n);
                }
            case '*':
                {
                    long n = ParseInt(rest);
                    if (n < 0)
                        return null;
                    var list = new List<object?>((int)Math.Min(n, 1024));
                    for (long i = 0; i < n; i++)
                    {
                        try
                        {
                            list.Add(await ReadAsync(ct).ConfigureAwait(false));
                        }
                        catch (RespErrorException e)
                        {
                            list.Add(e);
                        }
                    }
                    return list;
                }
            default:
                throw new IOException($"bad resp type '{line[0]}'");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
    }

    private static long ParseInt(string s) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : throw new IOException($"bad integer '{s}'");

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var sb = new StringBuilder();
        byte[] one = new byte[1];
        while (true)
        {
            int n = await _stream.ReadAsync(one, ct).ConfigureAwait(false);
            if (n == 0)
                throw new IOException("connection closed");
            if (one[0] == '\n' && sb.Length > 0 && sb[^1] == '\r')
                return sb.ToString(0, sb.Length - 1);
            if (sb.Length > MaxLine)
                throw new IOException("reply line too long");
            sb.Append((char)one[0]);
        }
    }
}

/// <summary>An error reply of a Redis server.</summary>
public sealed class RespErrorException(string message) : Exception(message);
