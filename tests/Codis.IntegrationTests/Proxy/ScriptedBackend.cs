using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>
/// A loopback RESP server whose replies come from a script, standing in for a migration source while our
/// codis-server lacks SLOTSMGRT-EXEC-WRAPPER/SLOTSMGRTTAGONE (branches mig-sync, mig-async-source): it
/// lets the tests drive every reply code of migration.md §7. AUTH/SELECT/PING get +OK/+PONG.
/// </summary>
internal sealed class ScriptedBackend : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<string[], string> _script;
    private readonly ConcurrentBag<Socket> _clients = [];

    /// <summary>Starts listening; <paramref name="script"/> maps a request to raw reply bytes.</summary>
    public ScriptedBackend(Func<string[], string> script)
    {
        _script = script;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Addr = "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndPoint!).Port;
        var accept = new Thread(AcceptLoop) { IsBackground = true };
        accept.Start();
    }

    /// <summary>host:port.</summary>
    public string Addr { get; }

    /// <summary>Every request received, in order of arrival (per connection).</summary>
    public ConcurrentQueue<string[]> Requests { get; } = new();

    private void AcceptLoop()
    {
        while (true)
        {
            Socket s;
            try
            {
                s = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _clients.Add(s);
            new Thread(() => Serve(s)) { IsBackground = true }.Start();
        }
    }

    private void Serve(Socket s)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                var n = s.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
                if (n == 0)
                {
                    return;
                }
                length += n;
                while (true)
                {
                    var frame = RespReader.FrameLength(buffer.AsSpan(0, length));
                    if (frame < 0)
                    {
                        break;
                    }
                    var value = RespReader.Parse(buffer.AsSpan(0, frame));
                    var args = Enumerable.Range(0, value.Count).Select(i => value[i].Text ?? "").ToArray();
                    Buffer.BlockCopy(buffer, frame, buffer, 0, length - frame);
                    length -= frame;
                    var name = args[0].ToUpperInvariant();
                    var reply = name switch
                    {
                        "AUTH" or "SELECT" => "+OK\r\n",
                        "PING" => "+PONG\r\n",
                        _ => Record(args),
                    };
                    s.Send(Encoding.UTF8.GetBytes(reply));
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Test over.
        }
    }

    private string Record(string[] args)
    {
        Requests.Enqueue(args);
        return _script(args);
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        _listener.Dispose();
        foreach (var c in _clients)
        {
            c.Dispose();
        }
    }
}
