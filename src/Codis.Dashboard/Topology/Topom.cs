using System.Diagnostics;
using System.Net;
using Codis.Core.Security;
using Codis.Dashboard.Config;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

/// <summary>
/// The dashboard (Go's <c>Topom</c>, <c>pkg/topom/topom.go</c>): identity, the lock in the coordinator, one
/// mutex that serialises every operation, the cache of the model (coordinator.md §8), the online/closed state
/// and the background loops. Operations live in partial files per concern: <c>Topom.Groups.cs</c>,
/// <c>Topom.Proxies.cs</c>, <c>Topom.Sentinels.cs</c>, <c>Topom.Stats.cs</c>, <c>Topom.Slots*.cs</c>.
/// </summary>
public sealed partial class Topom : IAsyncDisposable
{
    /// <summary>Number of slots.</summary>
    public const int MaxSlotNum = 1024;

    /// <summary>Error of every operation once the dashboard is closing (<c>ErrClosedTopom</c>).</summary>
    public const string ClosedError = "use of closed topom";

    /// <summary>Error of every operation while the lock is not held.</summary>
    public const string NotOnlineError = "topom is not online";

    // One mutex for every operation (Go's s.mu): operations hold it across their coordinator writes and
    // proxy pushes, so two operations never interleave.
    private readonly SemaphoreSlim _mutex = new(1, 1);
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ApiClient _api = new();
    private volatile bool _online;
    private volatile bool _closed;

    /// <summary>Creates the dashboard; nothing runs until <see cref="SetIdentity"/> and <see cref="StartAsync"/>.</summary>
    public Topom(DashboardConfig config, ICoordinator coordinator, CodisLog log)
    {
        Config = config;
        Log = log;
        _logger = log.CreateLogger("topom");
        Store = new Store(coordinator, config.ProductName, log.CreateLogger("store"));
        XAuth = CodisAuth.DashboardXAuth(config.ProductName);
        Model = new TopomModel
        {
            StartTime = GoTime.Now(),
            ProductName = config.ProductName,
            Pid = Environment.ProcessId,
            Pwd = Directory.GetCurrentDirectory(),
            Sys = Uname(),
        };
    }

    /// <summary>The build version string.</summary>
    public static string Version => "release3.2-dotnet @" + (typeof(Topom).Assembly.GetName().Version?.ToString() ?? "0.0.0");

    /// <summary>The build info string.</summary>
    public static string Compile => ".NET " + Environment.Version + " " + System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    /// <summary>The configuration in force.</summary>
    public DashboardConfig Config { get; }

    /// <summary>The log (its level is changed by the loglevel route).</summary>
    public CodisLog Log { get; }

    /// <summary>The product's nodes in the coordinator.</summary>
    public Store Store { get; }

    /// <summary>The dashboard model (token and admin address known after <see cref="SetIdentity"/>).</summary>
    public TopomModel Model { get; private set; }

    /// <summary>The xauth that admin calls must carry: <c>xauth(product_name)</c>.</summary>
    public string XAuth { get; }

    /// <summary>Holding the lock and not closed.</summary>
    public bool IsOnline => _online && !_closed;

    /// <summary>Closing or closed.</summary>
    public bool IsClosed => _closed;

    /// <summary>Completes once the dashboard has closed (lock released).</summary>
    public Task Exited => _exited.Task;

    /// <summary>Cancelled when the dashboard closes.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>The token and advertised address, from the bound admin listener (dashboard-api.md §3, §7).</summary>
    public void SetIdentity(string boundAdmin, string advertisedAdmin)
    {
        Model = Model with
        {
            Token = CodisAuth.Token(Config.ProductName, boundAdmin),
            AdminAddr = advertisedAdmin,
        };
    }

    /// <summary>
    /// Runs an operation under the mutex on a refilled snapshot (Go's <c>s.mu.Lock(); s.newContext()</c>):
    /// closed → <c>use of closed topom</c>, lock not held → <c>topom is not online</c>.
    /// </summary>
    public async Task<T> WithContextAsync<T>(Func<TopomContext, Task<T>> op)
    {
        await _mutex.WaitAsync().ConfigureAwait(false);
        try
        {
            TopomContext ctx = await NewContextAsync().ConfigureAwait(false);
            return await op(ctx).ConfigureAwait(false);
        }
        finally
        {
            _mutex.Release();
        }
    }

    /// <summary><see cref="WithContextAsync{T}(Func{TopomContext, Task{T}})"/> for an operation that answers <c>"OK"</c>.</summary>
    public Task<object> WithContextAsync(Func<TopomContext, Task> op) =>
        WithContextAsync<object>(async ctx =>
        {
            await op(ctx).ConfigureAwait(false);
            return "OK";
        });

    private async Task<TopomContext> NewContextAsync()
    {
        if (_closed)
            throw new ApiException(ClosedError);
        if (!_online)
            throw new ApiException(NotOnlineError);
        return await RefillCacheAsync().ConfigureAwait(false);
    }

    /// <summary><c>PUT /api/topom/reload</c>: the whole cache is re-read from the coordinator by the next operation.</summary>
    public Task<object> ReloadAsync() => WithContextAsync(_ =>
    {
        DirtyAll();
        return Task.CompletedTask;
    });

    /// <summary>
    /// Closes the dashboard (shutdown route, signal, HTTP server failure): stops the loops, releases the lock;
    /// <see cref="Exited"/> completes. Idempotent.
    /// </summary>
    public async Task CloseAsync()
    {
        await _mutex.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed)
                return;
            _closed = true;
            _logger.LogWarning("topom is closing");
            await _closing.CancelAsync().ConfigureAwait(false);
            StopSentinelWatcher();
            if (_online)
            {
                _online = false;
                await ReleaseLockAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _mutex.Release();
            _exited.TrySetResult();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        await CloseMigratorAsync().ConfigureAwait(false);
        await CloseFunctionCopierAsync().ConfigureAwait(false);
        _api.Dispose();
        if (_serverPool is not null)
            await _serverPool.DisposeAsync().ConfigureAwait(false);
        await _sentinelPool.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    /// <summary>The build version and the model, config and stats (<c>GET /topom</c>, dashboard-api.md §5.1).</summary>
    public async Task<Overview> GetOverviewAsync()
    {
        TopomStats stats = await GetStatsAsync().ConfigureAwait(false);
        return new Overview { Version = Version, Compile = Compile, Config = Config, Model = Model, Stats = stats };
    }

    /// <summary>
    /// Starts the background loops (dashboard-api.md §6). The slot-action loop (migration.md §3) and the
    /// replica-sync loop (ha.md §5) are added here with <see cref="Loops.BackgroundLoops.Add"/>.
    /// </summary>
    private void StartLoops()
    {
        var loops = new Loops.BackgroundLoops(this, Log.CreateLogger("loops"));
        loops.Add("slot action", ProcessSlotActionAsync, TimeSpan.FromSeconds(5));
        loops.Add("sync action", ProcessSyncActionAsync, TimeSpan.FromSeconds(5));
        loops.Start(_closing.Token);
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

    private static string HostName()
    {
        try
        {
            return Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "";
        }
    }
}
