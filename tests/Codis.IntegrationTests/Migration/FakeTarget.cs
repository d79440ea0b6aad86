using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// A migration target the test controls: a raw TCP listener on a free loopback port that parses the RESP
/// commands a source sends and answers each with what <see cref="Respond"/> returns (null: never answer).
/// Lets tests hold a migration mid-flight (to act on the source meanwhile) or let it time out.
/// </summary>
public sealed class FakeTarget : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly Task _acceptLoop;
    private int _closed;

    /// <summary>Starts listening and accepting.</summary>
    public FakeTarget()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port to give to SLOTSMGRT*.</summary>
    public int Port { get; }

    /// <summary>The reply (raw RESP) for a received command, or null to leave it unanswered. Default +OK.</summary>
    public Func<IReadOnlyList<byte[]>, string?> Respond { get; set; } = _ => "+OK\r\n";

    /// <summary>Every command received, in order.</summary>
    public BlockingCollection<IReadOnlyList<byte[]>> Received { get; } = [];

    /// <summary>Number of connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_accepted)
                return _accepted.Count;
        }
    }

    /// <summary>Number of accepted connections the source has closed.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <summary>Takes the next received command, failing after 10 s.</summary>
    public IReadOnlyList<byte[]> Next()
    {
        Assert.True(Received.TryTake(out IReadOnlyList<byte[]>? cmd, TimeSpan.FromSeconds(10)), "the target received no command");
        return cmd;
    }

    /// <summary>The command name (upper case) of a received command.</summary>
    public static string Name(IReadOnlyList<byte[]> cmd) => Encoding.UTF8.GetString(cmd[0]).ToUpperInvariant();

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket s = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                lock (_accepted)
                    _accepted.Add(s);
                _ = Task.Run(() => Serve(s));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private void Serve(Socket socket)
    {
        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new BufferedStream(stream);
            while (ReadCommand(reader) is { } cmd)
            {
                Received.Add(cmd);
                if (Respond(cmd) is { } reply)
                    socket.Send(Encoding.UTF8.GetBytes(reply));
            }
            Interlocked.Increment(ref _closed);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static List<byte[]>? ReadCommand(Stream s)
    {
        string? header = ReadLine(s);
        if (header is null || header.Length < 2 || header[0] != '*')
            return null;
        int n = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
        var args = new List<byte[]>(n);
        for (int i = 0; i < n; i++)
        {
            string? len = ReadLine(s);
            if (len is null || len[0] != '$')
                return null;
            var data = new byte[int.Parse(len.AsSpan(1), CultureInfo.InvariantCulture)];
            s.ReadExactly(data);
            ReadLine(s);
            args.Add(data);
        }
        return args;
    }

    private static string? ReadLine(Stream s)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = s.ReadByte();
            if (b < 0)
                return null;
            if (b == '\n')
                return sb.ToString().TrimEnd('\r');
            sb.Append((char)b);
        }
    }

    /// <summary>Stops listening and closes every accepted connection.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (Socket s in _accepted)
                s.Dispose();
        }
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
        Received.Dispose();
    }
}
