using System.Net;
using System.Net.Sockets;
using Codis.Server.Logging;

namespace Codis.Server.Network;

/// <summary>Accepts TCP clients on the configured addresses and starts a <see cref="ClientConnection"/> for each.</summary>
public sealed class Listener : IDisposable
{
    private readonly ServerContext _server;
    private readonly List<Socket> _sockets = [];

    /// <summary>Binds every address of <c>bind</c> on <c>port</c>; throws <see cref="Config.ConfigException"/> with a clear message when it cannot.</summary>
    public Listener(ServerContext server)
    {
        _server = server;
        int port = server.Config.Port;
        foreach (string entry in server.Config.Bind)
        {
            bool optional = entry.StartsWith('-');
            string host = optional ? entry[1..] : entry;
            IPAddress address = host switch
            {
                "*" => IPAddress.Any,
                "::*" => IPAddress.IPv6Any,
                _ => IPAddress.TryParse(host, out IPAddress? a) ? a : throw new Config.ConfigException($"Invalid bind address '{entry}'"),
            };
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                    socket.DualMode = false;
                socket.Bind(new IPEndPoint(address, port));
                socket.Listen(server.Config.TcpBacklog);
                port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                _sockets.Add(socket);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                if (optional)
                    continue;
                string why = e.SocketErrorCode == SocketError.AddressAlreadyInUse
                    ? $"Address already in use: port {port} on {host} is in use by another process"
                    : e.Message;
                throw new Config.ConfigException($"Could not create server TCP listening socket {host}:{port}: bind: {why}");
            }
        }
        if (_sockets.Count == 0)
            throw new Config.ConfigException("Configured to not listen anywhere, exiting.");
        server.Port = port;
    }

    /// <summary>The bound listening sockets (the event loop accepts on them itself).</summary>
    public IReadOnlyList<Socket> Sockets => _sockets;

    /// <summary>Accepts clients until disposed, through .NET's sockets (<see cref="ClientConnection"/>).</summary>
    public void Start()
    {
        foreach (Socket s in _sockets)
            _ = AcceptLoopAsync(s);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (e.SocketErrorCode == SocketError.OperationAborted)
                    return;
                ServerLog.Warning($"Accepting client connection: {e.Message}");
                continue;
            }
            client.NoDelay = true;
            int keepAlive = _server.Config.TcpKeepAlive;
            if (keepAlive > 0)
            {
                client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, keepAlive);
                client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, keepAlive / 3));
            }
            var connection = new ClientConnection(client, _server);
            _ = Task.Run(connection.RunAsync);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Socket s in _sockets)
            s.Dispose();
    }
}
