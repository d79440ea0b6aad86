using System.Net;
using System.Net.Sockets;

namespace Codis.TestSupport;

/// <summary>
/// A loopback man-in-the-middle for fault injection: forwards every connection made to <see cref="Port"/> to a
/// target port. <see cref="Freeze"/> stops forwarding (bytes are held, nothing is closed: the peers see a silent
/// network) and refuses new connections by closing them at once; <see cref="Thaw"/> resumes.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private volatile bool _frozen;

    /// <summary>Starts relaying to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public TcpRelay(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    /// <summary>The port to connect to instead of the target.</summary>
    public int Port { get; }

    /// <summary>Holds all traffic and refuses new connections.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>Resumes forwarding and accepting.</summary>
    public void Thaw() => _frozen = false;

    /// <summary>Stops listening and closes every relayed connection.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (Socket s in _sockets)
                s.Dispose();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_frozen)
            {
                client.Dispose();
                continue;
            }
            var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }
            lock (_sockets)
                _sockets.AddRange([client, upstream]);
            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                    break;
                while (_frozen)
                    await Task.Delay(20, _stop.Token);
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        from.Dispose();
        to.Dispose();
    }
}
