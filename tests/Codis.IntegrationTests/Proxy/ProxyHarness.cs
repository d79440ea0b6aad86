using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Codis.Core.Slots;
using Codis.Core.Topology;
using Codis.Proxy.Routing;
using Codis.Proxy.Session;
using Codis.Proxy.Stats;
using Codis.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Codis.IntegrationTests.Proxy;

/// <summary>Two codis-servers shared by a test class: group 1 serves slots 0..511, group 2 slots 512..1023.</summary>
public class TwoServersFixture : IDisposable
{
    /// <summary>Starts both servers.</summary>
    public TwoServersFixture()
        : this(redis: false)
    {
    }

    /// <summary>Starts two Debian redis-servers instead (<paramref name="redis"/>), for what codis-server lacks.</summary>
    protected TwoServersFixture(bool redis)
    {
        A = redis ? ServerProcess.StartRedis() : ServerProcess.StartCodis();
        try
        {
            B = redis ? ServerProcess.StartRedis() : ServerProcess.StartCodis();
        }
        catch
        {
            A.Dispose();
            throw;
        }
    }

    /// <summary>Group 1 master.</summary>
    public ServerProcess A { get; }

    /// <summary>Group 2 master.</summary>
    public ServerProcess B { get; }

    /// <summary>host:port of A.</summary>
    public string AddrA => "127.0.0.1:" + A.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>host:port of B.</summary>
    public string AddrB => "127.0.0.1:" + B.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Empties both servers (every database).</summary>
    public void FlushAll()
    {
        using var a = A.Connect();
        using var b = B.Connect();
        a.Send("FLUSHALL");
        b.Send("FLUSHALL");
    }

    /// <summary>Stops both servers.</summary>
    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Two Debian redis-servers (7.0, which has FUNCTION) in the roles of <see cref="TwoServersFixture"/>: for
/// proxy tests of commands our codis-server does not implement yet. They know no SLOTS* commands, so no
/// migration with them.
/// </summary>
public sealed class TwoRedisServersFixture : TwoServersFixture
{
    /// <summary>Starts both redis-servers.</summary>
    public TwoRedisServersFixture()
        : base(redis: true)
    {
    }
}

/// <summary>
/// An in-process proxy (Router + SessionServer) listening on a free 127.0.0.1 port, as the host will
/// assemble it. Dispose closes it.
/// </summary>
public sealed class ProxyHarness : IDisposable
{
    private readonly Socket _listener;

    /// <summary>Starts the proxy; it is online unless <paramref name="online"/> is false.</summary>
    internal ProxyHarness(RouterOptions? options = null, bool online = true)
    {
        Options = options ?? new RouterOptions();
        Stats = new ProxyStats();
        Router = new Router(Options, NullLogger.Instance);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        Server = new SessionServer(Router, Options, Stats, NullLogger.Instance);
        Server.Start(_listener);
        if (online)
        {
            Router.Start();
        }
    }

    /// <summary>The options.</summary>
    internal RouterOptions Options { get; }

    /// <summary>The router.</summary>
    internal Router Router { get; }

    /// <summary>The session server.</summary>
    internal SessionServer Server { get; }

    /// <summary>The statistics.</summary>
    internal ProxyStats Stats { get; }

    /// <summary>The client port.</summary>
    public int Port { get; }

    /// <summary>A new client connection.</summary>
    public RespConnection Connect() => new(Port);

    /// <summary>Slots 0..511 to <paramref name="a"/>, 512..1023 to <paramref name="b"/>.</summary>
    public void FillHalves(string a, string b)
    {
        var slots = new List<Slot>();
        for (var i = 0; i < SlotHash.SlotCount; i++)
        {
            slots.Add(i < 512
                ? new Slot { Id = i, BackendAddr = a, BackendAddrGroupId = 1 }
                : new Slot { Id = i, BackendAddr = b, BackendAddrGroupId = 2 });
        }
        Router.FillSlots(slots);
    }

    /// <summary>Fills one slot.</summary>
    internal void Fill(Slot slot) => Router.FillSlots([slot]);

    /// <summary>A key whose slot is in [from, to) and whose name starts with <paramref name="prefix"/>.</summary>
    public static string KeyIn(int from, int to, string prefix = "k", int skip = 0)
    {
        for (var i = 0; ; i++)
        {
            var key = prefix + i.ToString(CultureInfo.InvariantCulture);
            var slot = SlotHash.Slot(Encoding.UTF8.GetBytes(key));
            if (slot >= from && slot < to && skip-- == 0)
            {
                return key;
            }
        }
    }

    /// <summary>The slot of a key.</summary>
    public static int SlotOf(string key) => SlotHash.Slot(Encoding.UTF8.GetBytes(key));

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(20);
        }
        return condition();
    }

    /// <summary>Closes the proxy.</summary>
    public void Dispose()
    {
        Server.Close();
        Router.Close();
        Stats.Dispose();
        _listener.Dispose();
    }
}
