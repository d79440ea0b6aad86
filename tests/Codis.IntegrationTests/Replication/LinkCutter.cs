using System.Net;
using System.Net.Sockets;

namespace Codis.IntegrationTests.Replication;

/// <summary>
/// A loopback TCP forwarder between a replica and its master whose <see cref="Cut"/> drops every
/// current connection (a short network failure); new connections are forwarded again afterwards.
/// </summary>
public sealed class LinkCutter : IDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts forwarding a free local port to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public LinkCutter(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _ = AcceptLoop();
    }

    /// <summary>The port to connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted { get; private set; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_open)
            {
                Accepted++;
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = Pump(inbound, outbound);
            _ = Pump(outbound, inbound);
        }
    }

    private static async Task Pump(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                int n = await from.GetStream().ReadAsync(buffer);
                if (n == 0)
                    break;
                await to.GetStream().WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The link was cut.
        }
        from.Dispose();
        to.Dispose();
    }

    /// <summary>Drops every open connection.</summary>
    public void Cut()
    {
        lock (_open)
        {
            foreach (TcpClient c in _open)
                c.Dispose();
            _open.Clear();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        _stop.Dispose();
    }
}
