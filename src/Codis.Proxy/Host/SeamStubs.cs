// TEMPORARY placeholders for the data path built on the proxy-route branch (Routing/, Session/, Stats/).
// They have the names and members the host side assumes (see the seam list in the proxy-host closing
// note) and just enough behaviour for the admin API tests: slots are stored and reported, clients are
// refused. This file is deleted when proxy-route is merged.
#pragma warning disable CS1591, CS0649 // placeholders: documented where the real types live
using System.Net.Sockets;
using System.Text;
using Codis.Core.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Routing
{
    public sealed record RouterOptions
    {
        public string ProductName { get; init; } = "";
        public string ProductAuth { get; init; } = "";
        public string SessionAuth { get; init; } = "";
        public string ProxyDataCenter { get; init; } = "";
        public int ProxyMaxClients { get; init; }
        public TimeSpan BackendPingPeriod { get; init; }
        public int BackendRecvBufsize { get; init; }
        public TimeSpan BackendRecvTimeout { get; init; }
        public int BackendSendBufsize { get; init; }
        public TimeSpan BackendSendTimeout { get; init; }
        public int BackendMaxPipeline { get; init; }
        public bool BackendPrimaryOnly { get; init; }
        public int BackendPrimaryParallel { get; init; }
        public int BackendReplicaParallel { get; init; }
        public TimeSpan BackendKeepAlivePeriod { get; init; }
        public int BackendNumberDatabases { get; init; }
        public int SessionRecvBufsize { get; init; }
        public TimeSpan SessionRecvTimeout { get; init; }
        public int SessionSendBufsize { get; init; }
        public TimeSpan SessionSendTimeout { get; init; }
        public int SessionMaxPipeline { get; init; }
        public TimeSpan SessionKeepAlivePeriod { get; init; }
        public bool SessionBreakOnFailure { get; init; }
    }

    public sealed class Router(RouterOptions options, ILogger logger)
    {
        private readonly Slot[] _slots = Enumerable.Range(0, 1024).Select(i => new Slot { Id = i }).ToArray();
        private volatile bool _online;
        private volatile bool _closed;

        public RouterOptions Options { get; } = options;

        public ILogger Logger { get; } = logger;

        public bool IsOnline => _online && !_closed;

        public bool IsClosed => _closed;

        public bool HasSwitched => false;

        public void Start()
        {
            if (!_closed)
                _online = true;
        }

        public void Close() => _closed = true;

        public void FillSlot(Slot slot)
        {
            if (_closed)
                throw new InvalidOperationException("use of closed router");
            if (slot.Id is < 0 or >= 1024)
                throw new ArgumentException("use of invalid slot id");
            if (slot.ForwardMethod is not (0 or 1))
                throw new ArgumentException("use of invalid forwarder method");
            lock (_slots)
                _slots[slot.Id] = slot;
        }

        public Slot[] GetSlots()
        {
            lock (_slots)
                return (Slot[])_slots.Clone();
        }

        public void SwitchMasters(IReadOnlyDictionary<int, string> masters) => _ = masters;

        public void KeepAlive()
        {
        }
    }
}

namespace Codis.Proxy.Stats
{
    public sealed record CommandStats(string OpStr, long Calls, long Usecs, long Fails, long RedisErrors);

    public sealed class ProxyStats
    {
        private long _total;
        private long _alive;
        private long _fails;

        public long OpsTotal => 0;

        public long OpsFails => Interlocked.Read(ref _fails);

        public long OpsRedisErrors => 0;

        public long OpsQps => 0;

        public long SessionsTotal => Interlocked.Read(ref _total);

        public long SessionsAlive => Interlocked.Read(ref _alive);

        public IReadOnlyList<CommandStats> GetCommandStats() => [];

        public void Reset() => Interlocked.Exchange(ref _total, Interlocked.Read(ref _alive));

        internal void Accepted()
        {
            Interlocked.Increment(ref _total);
            Interlocked.Increment(ref _fails);
        }
    }
}

namespace Codis.Proxy.Session
{
    using Codis.Proxy.Routing;
    using Codis.Proxy.Stats;

    public sealed class SessionServer(Router router, ProxyStats stats, ILogger logger) : IDisposable
    {
        private Socket? _listener;

        public void Start(Socket listener)
        {
            _listener = listener;
            _ = AcceptLoopAsync(listener);
        }

        public void Dispose() => _listener?.Dispose();

        private async Task AcceptLoopAsync(Socket listener)
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                stats.Accepted();
                string reply = router.IsOnline ? "-ERR data path not merged yet\r\n" : "-ERR router is not online\r\n";
                try
                {
                    client.Send(Encoding.ASCII.GetBytes(reply));
                }
                catch (SocketException e)
                {
                    logger.LogDebug("reply to a refused client failed: {Error}", e.Message);
                }
                client.Dispose();
            }
        }
    }
}
