using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Redis;
using Codis.Core.Security;
using Codis.Core.Topology;
using Codis.Proxy.Admin;
using Codis.Proxy.Config;
using Codis.Proxy.Metrics;
using Codis.Proxy.Routing;
using Codis.Proxy.Session;
using Codis.Proxy.Stats;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Host;

/// <summary>
/// The proxy process around the data path (proxy.md §1): the two listeners, identity (model, token, xauth),
/// online/closed state, slots pushed by the dashboard, sentinels, stats, metrics reporters.
/// </summary>
public sealed partial class ProxyHost : IAsyncDisposable
{
    /// <summary>Error of every mutation once the proxy is closing (<c>ErrClosedProxy</c>).</summary>
    public const string ClosedError = "use of closed proxy";

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _switching = new(1, 1);
    private readonly ILogger _logger;
    private readonly ICoordinator? _jodisClient;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _proxyListener;
    private AdminServer? _admin;
    private SessionServer? _sessions;
    private SysUsage? _usage;
    private MetricsReporters? _metrics;
    private bool _online;
    private bool _closed;
    private string[]? _sentinelServers;
    private Dictionary<int, string>? _sentinelMasters;
    private SentinelWatcher? _watcher;
    private Jodis? _jodis;

    /// <summary>Creates the host; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="log">The process log.</param>
    /// <param name="jodisClient">The jodis coordinator client when <c>jodis_addr</c> is set; the host owns and closes it.</param>
    public ProxyHost(ProxyConfig config, CodisLog log, ICoordinator? jodisClient = null)
    {
        Config = config;
        _jodisClient = jodisClient;
        Log = log;
        _logger = log.CreateLogger("proxy");
        Router = new Router(config.ToRouterOptions(), log.CreateLogger("router"));
        Stats = new ProxyStats();
        Model = new ProxyModel
        {
            StartTime = GoTime.Now(),
            ProductName = config.ProductName,
            DataCenter = config.ProxyDataCenter,
            Pid = Environment.ProcessId,
            Pwd = Directory.GetCurrentDirectory(),
            Sys = Uname(),
            Hostname = Dns.GetHostName(),
        };
    }

    /// <summary>The configuration in force.</summary>
    public ProxyConfig Config { get; }

    /// <summary>The log (its level is changed by the loglevel route).</summary>
    public CodisLog Log { get; }

    /// <summary>The data path's router.</summary>
    public Router Router { get; }

    /// <summary>The data path's counters.</summary>
    public ProxyStats Stats { get; }

    /// <summary>The proxy model (complete once started).</summary>
    public ProxyModel Model { get; private set; }

    /// <summary>The xauth that admin calls must carry.</summary>
    public string XAuth { get; private set; } = "";

    /// <summary>The bound client listener address (Go's <c>Addr().String()</c>).</summary>
    public string BoundProxyAddr { get; private set; } = "";

    /// <summary>The bound admin listener address.</summary>
    public string BoundAdminAddr { get; private set; } = "";

    /// <summary>Completes when the proxy has closed.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Online and not closed.</summary>
    public bool IsOnline
    {
        get
        {
            lock (_lock)
                return _online && !_closed;
        }
    }

    /// <summary>Closing or closed.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
                return _closed;
        }
    }

    /// <summary>Binds both listeners, computes the identity, serves the admin API and accepts clients.</summary>
    /// <exception cref="StartupException">A listener cannot be bound or an address cannot be advertised.</exception>
    public async Task StartAsync()
    {
        _proxyListener = ProxyListener.Bind(Config.ProtoType, Config.ProxyAddr);
        BoundProxyAddr = ProxyListener.BoundAddress(_proxyListener, Config.ProxyAddr);
        string advertisedProxy = Advertise(Config.ProtoType, BoundProxyAddr, Config.HostProxy, "proxy");

        IPEndPoint adminEndpoint;
        try
        {
            adminEndpoint = NetAddress.Resolve("tcp", Config.AdminAddr);
        }
        catch (FormatException e)
        {
            throw new StartupException($"listen tcp {Config.AdminAddr}: {e.Message} (admin_addr)");
        }
        _admin = new AdminServer(this, Log);
        IPEndPoint boundAdmin = await _admin.StartAsync(adminEndpoint, Config.AdminAddr).ConfigureAwait(false);
        BoundAdminAddr = NetAddress.Format(boundAdmin);
        string advertisedAdmin = Advertise("tcp", BoundAdminAddr, Config.HostAdmin, "admin");

        string token = CodisAuth.Token(Config.ProductName, BoundProxyAddr, BoundAdminAddr);
        XAuth = CodisAuth.ProxyXAuth(Config.ProductName, Config.ProductAuth, token);
        Model = Model with
        {
            Token = token,
            AdminAddr = advertisedAdmin,
            ProtoType = Config.ProtoType,
            ProxyAddr = advertisedProxy,
        };
        if (_jodisClient is not null)
        {
            // Created now so that the model shows jodis_path; nothing is registered before Start.
            _jodis = new Jodis(_jodisClient, Model, Config.JodisCompatible, Log.CreateLogger("jodis"));
            Model = Model with { JodisPath = _jodis.Path };
        }
        _admin.SetReady();
        _logger.LogWarning("create new proxy:\n{Model}", Codis.Core.Json.CodisJson.Encode(Model));
        _logger.LogWarning("admin start service on {Addr}", BoundAdminAddr);

        _usage = new SysUsage();
        _sessions = new SessionServer(Router, Router.Options, Stats, Log.CreateLogger("session"));
        _sessions.Start(_proxyListener);
        _logger.LogWarning("proxy start service on {Addr}", BoundProxyAddr);
        _metrics = new MetricsReporters(this, Log.CreateLogger("metrics"));
        _metrics.Start();
    }

    /// <summary><c>PUT /api/proxy/start</c>: marks the proxy and the router online (idempotent).</summary>
    /// <exception cref="ApiException"><see cref="ClosedError"/>.</exception>
    public void Start()
    {
        lock (_lock)
        {
            if (_closed)
                throw new ApiException(ClosedError);
            if (_online)
                return;
            try
            {
                Router.Start();
            }
            catch (RouterException e)
            {
                throw new ApiException(e.Message);
            }
            _online = true;
        }
        _logger.LogWarning("proxy is online");
        _jodis?.Start();
    }

    /// <summary>
    /// Closes the proxy (shutdown route, signal, listener failure): both listeners, every slot's backends;
    /// <see cref="Exited"/> completes. Idempotent.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
        }
        _logger.LogWarning("proxy is closing");
        lock (_lock)
            _watcher?.Dispose();
        _metrics?.Dispose();
        _sessions?.Dispose();
        _proxyListener?.Dispose();
        if (Config.ProtoType is "unix" or "unixpacket")
            TryDelete(Config.ProxyAddr);
        Router.Close();
        Stats.Dispose();
        _usage?.Dispose();
        // The admin server stops after this call returns, so the shutdown route still gets its reply.
        _ = Task.Run(async () =>
        {
            // The jodis node goes first (proxy.md §1 close), so clients stop choosing this proxy.
            if (_jodis is not null)
                await _jodis.CloseAsync().ConfigureAwait(false);
            else if (_jodisClient is not null)
                await _jodisClient.CloseAsync().ConfigureAwait(false);
            if (_admin is not null)
                await _admin.StopAsync().ConfigureAwait(false);
            _exited.TrySetResult();
        });
    }

    /// <summary>
    /// Fills slots in order (proxy.md §2 fillslots): stops at the first error, earlier slots stay filled.
    /// </summary>
    /// <exception cref="ApiException">The spec's texts: invalid slot id, invalid forwarder method, closed proxy.</exception>
    public void FillSlots(IReadOnlyList<Slot> slots)
    {
        lock (_lock)
        {
            if (_closed)
                throw new ApiException(ClosedError);
        }
        try
        {
            Router.FillSlots(slots);
        }
        catch (RouterException e)
        {
            throw new ApiException(e.Message);
        }
    }

    /// <summary>The router's current 1024 slots.</summary>
    public IReadOnlyList<Slot> Slots() => Router.GetSlots();

    /// <summary>Stores the sentinel list and restarts the watcher.</summary>
    /// <exception cref="ApiException"><see cref="ClosedError"/>.</exception>
    public void SetSentinels(IReadOnlyList<string>? servers)
    {
        lock (_lock)
        {
            if (_closed)
                throw new ApiException(ClosedError);
            _sentinelServers = servers?.ToArray();
            _logger.LogWarning("set sentinels = [{Servers}]", string.Join(" ", servers ?? []));
            RewatchLocked();
        }
    }

    /// <summary>Restarts the sentinel watcher with the stored list.</summary>
    /// <exception cref="ApiException"><see cref="ClosedError"/>.</exception>
    public void RewatchSentinels()
    {
        string[]? servers;
        lock (_lock)
        {
            if (_closed)
                throw new ApiException(ClosedError);
            servers = _sentinelServers;
            _logger.LogWarning("rewatch sentinels = [{Servers}]", string.Join(" ", servers ?? []));
            RewatchLocked();
        }
    }

    /// <summary>
    /// Re-points slots at the masters reported by the sentinels (ha.md §4.2): a slot whose group's master
    /// moved is filled again with the new address and marked switched. The masters are remembered at once;
    /// the slots change in the background, one report after another, since telling whether two addresses are
    /// the same instance asks the servers for their run_id.
    /// </summary>
    public void SwitchMasters(IReadOnlyDictionary<int, string> masters)
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _sentinelMasters = new Dictionary<int, string>(masters);
        }
        _ = Task.Run(() => SwitchSlotsAsync(masters));
    }

    private async Task SwitchSlotsAsync(IReadOnlyDictionary<int, string> masters)
    {
        await _switching.WaitAsync().ConfigureAwait(false);
        try
        {
            // One cache per report: each address is asked once, with product_auth and Codis's 100 ms deadline.
            var runIds = new RunIdCache(Config.ProductAuth, RunIdCache.DefaultTimeout);
            var changed = new List<Slot>();
            foreach (Slot s in Router.GetSlots())
            {
                Slot n = s;
                if (s.BackendAddrGroupId != 0 && masters.TryGetValue(s.BackendAddrGroupId, out string? b)
                    && !await runIds.SameInstanceAsync(b, s.BackendAddr).ConfigureAwait(false))
                    n = n with { BackendAddr = b };
                if (s.MigrateFromGroupId != 0 && masters.TryGetValue(s.MigrateFromGroupId, out string? m)
                    && !await runIds.SameInstanceAsync(m, s.MigrateFrom).ConfigureAwait(false))
                    n = n with { MigrateFrom = m };
                if (!ReferenceEquals(n, s))
                    changed.Add(n);
            }
            lock (_lock)
            {
                if (_closed || changed.Count == 0)
                    return;
            }
            _logger.LogWarning("switch masters {Masters}: {Count} slots re-pointed", string.Join(", ", masters.Select(kv => $"{kv.Key}={kv.Value}")), changed.Count);
            // The run_id answers may have resumed this on a socket thread; the fill barrier waits for
            // in-flight requests, whose replies that thread may have to read, so wait on the pool.
            await Task.Run(() => Router.FillSlots(changed, switched: true)).ConfigureAwait(false);
        }
        catch (RouterException e)
        {
            _logger.LogWarning("switch masters failed: {Error}", e.Message);
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <summary>Cancels the sentinel watcher and starts one for the stored servers (under the lock).</summary>
    private void RewatchLocked()
    {
        _watcher?.Dispose();
        _watcher = null;
        _sentinelMasters = null;
        if (_sentinelServers is not { Length: > 0 } servers)
            return;
        _watcher = new SentinelWatcher(Config.ProductName, servers, SwitchMasters, Log.CreateLogger("sentinel"));
        _watcher.Start();
    }

    /// <summary>Resets the command counters (<c>sessions.total</c> := <c>sessions.alive</c>).</summary>
    public void ResetStats() => Stats.Reset();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Close();
        await Exited.ConfigureAwait(false);
        if (_admin is not null)
            await _admin.DisposeAsync().ConfigureAwait(false);
    }

    private string Advertise(string network, string bound, string hostOverride, string which)
    {
        try
        {
            return NetAddress.Advertise(network, bound, hostOverride);
        }
        catch (FormatException e)
        {
            throw new StartupException($"{which} address: {e.Message}" + (hostOverride.Length > 0 ? "" : $" (use --host-{which})"));
        }
    }

    private static string Uname()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("uname", "-a") { RedirectStandardOutput = true, UseShellExecute = false });
            if (p is null)
                return "";
            string s = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return s.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort, as Go's unix listener does on close.
        }
    }
}
