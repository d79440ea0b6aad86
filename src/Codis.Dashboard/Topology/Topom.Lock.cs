using System.Diagnostics;
using System.Text;
using System.Text.Json.Serialization;
using Codis.Core.Json;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

/// <summary>A failure that ends the process with status 1 (Codis's <c>log.Panic</c>).</summary>
public sealed class FatalException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The content of the lock node <c>/codis3/&lt;p&gt;/topom</c>: the Topom model (coordinator.md §4.4) plus the
/// host name, so that a dashboard on the same host can tell a stale lock (its process gone) from a live one.
/// Readers of the model (proxies, fe, admin) ignore the extra key.
/// </summary>
public sealed record LockRecord
{
    /// <summary>Dashboard token.</summary>
    [JsonPropertyName("token")]
    public string Token { get; init; } = "";

    /// <summary>Start time (Go time string).</summary>
    [JsonPropertyName("start_time")]
    public string StartTime { get; init; } = "";

    /// <summary>Advertised dashboard address.</summary>
    [JsonPropertyName("admin_addr")]
    public string AdminAddr { get; init; } = "";

    /// <summary>Product name.</summary>
    [JsonPropertyName("product_name")]
    public string ProductName { get; init; } = "";

    /// <summary>OS process id.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; init; }

    /// <summary>Working directory.</summary>
    [JsonPropertyName("pwd")]
    public string Pwd { get; init; } = "";

    /// <summary>Output of <c>uname -a</c>.</summary>
    [JsonPropertyName("sys")]
    public string Sys { get; init; } = "";

    /// <summary>Host name of the dashboard (beyond Codis).</summary>
    [JsonPropertyName("hostname"), OmitEmpty]
    public string Hostname { get; init; } = "";

    /// <summary>The record for a model.</summary>
    public static LockRecord From(TopomModel m, string hostname) => new()
    {
        Token = m.Token,
        StartTime = m.StartTime,
        AdminAddr = m.AdminAddr,
        ProductName = m.ProductName,
        Pid = m.Pid,
        Pwd = m.Pwd,
        Sys = m.Sys,
        Hostname = hostname,
    };
}

public sealed partial class Topom
{
    /// <summary>Lock attempts before giving up (coordinator.md §5).</summary>
    public const int LockAttempts = 17;

    /// <summary>Delay between two lock attempts.</summary>
    public static readonly TimeSpan LockRetryDelay = TimeSpan.FromSeconds(2);


    /// <summary><c>--remove-lock</c>: deletes the lock node; a failure is only logged.</summary>
    public async Task RemoveLockAsync()
    {
        try
        {
            await Store.Coordinator.DeleteAsync(Store.LockPath).ConfigureAwait(false);
            _logger.LogWarning("remove lock of product {Product} at {Path}", Config.ProductName, Store.LockPath);
        }
        catch (CoordinatorException e)
        {
            _logger.LogError("remove lock of product {Product} failed: {Error}", Config.ProductName, e.Message);
        }
    }

    /// <summary>
    /// Takes the lock (retrying every 2 s, giving up after 17 failures), then goes online: the background loops
    /// and the sentinel watcher start.
    /// </summary>
    /// <exception cref="FatalException"><c>dashboard online failed, give up &amp; abort :'(</c>.</exception>
    public async Task StartAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            if (_closed)
                return;
            string? error = await TryAcquireLockAsync().ConfigureAwait(false);
            if (error is null)
                break;
            _logger.LogError("dashboard online failed [{Attempt}]: {Error}", attempt, error);
            if (attempt >= LockAttempts)
                throw new FatalException("dashboard online failed, give up & abort :'(");
            try
            {
                await Task.Delay(LockRetryDelay, _closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        await _mutex.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                await ReleaseLockAsync().ConfigureAwait(false);
                return;
            }
            _online = true;
            DirtyAll();
            _logger.LogWarning("dashboard is online: {Addr}", Model.AdminAddr);
        }
        finally
        {
            _mutex.Release();
        }
        StartLoops();
        await StartSentinelWatcherFromStoreAsync().ConfigureAwait(false);
    }

    private byte[] LockData() => Encoding.UTF8.GetBytes(CodisJson.Encode(LockRecord.From(Model, HostName())));

    /// <summary>One attempt; null on success, else the reason.</summary>
    private async Task<string?> TryAcquireLockAsync()
    {
        ICoordinator c = Store.Coordinator;
        try
        {
            if (c.SupportsEphemeral)
            {
                // ZooKeeper and etcd: the lock lives as long as this process's session (beyond Codis, whose lock
                // is persistent and outlives a crash); a watcher re-acquires it if the session is lost.
                Task lost = await c.CreateEphemeralAsync(Store.LockPath, LockData()).ConfigureAwait(false);
                _ = WatchEphemeralLockAsync(lost);
            }
            else
            {
                // The filesystem: a plain file, as in Codis; a stale one (dead process on this host) is taken over.
                await c.CreateAsync(Store.LockPath, LockData()).ConfigureAwait(false);
            }
            _logger.LogWarning("acquire lock of product {Product} at {Path}", Config.ProductName, Store.LockPath);
            return null;
        }
        catch (NodeExistsException)
        {
            return await ExplainOrTakeOverAsync().ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            return $"store: acquire lock of {Config.ProductName} failed, {e.Message}";
        }
    }

    /// <summary>The lock exists: take it over if its owner is a dead process of this host, else say who holds it.</summary>
    private async Task<string?> ExplainOrTakeOverAsync()
    {
        ICoordinator c = Store.Coordinator;
        LockRecord? owner = null;
        try
        {
            byte[]? data = await c.ReadAsync(Store.LockPath, false).ConfigureAwait(false);
            if (data is null)
                return $"store: acquire lock of {Config.ProductName} failed, the lock vanished while it was taken (retrying)";
            owner = CodisJson.Decode<LockRecord>(Encoding.UTF8.GetString(data));
        }
        catch (Exception e) when (e is CoordinatorException or System.Text.Json.JsonException)
        {
            return $"store: acquire lock of {Config.ProductName} failed, the lock {Store.LockPath} exists and cannot be read ({e.Message}); remove it with --remove-lock";
        }
        if (owner is null)
            return $"store: acquire lock of {Config.ProductName} failed, the lock {Store.LockPath} exists; remove it with --remove-lock";
        if (!c.SupportsEphemeral && owner.Hostname.Length > 0 && owner.Hostname == HostName() && !IsDashboardAlive(owner.Pid))
        {
            _logger.LogWarning("take over the stale lock of product {Product}: its dashboard (admin_addr {Addr}, pid {Pid}) is gone",
                Config.ProductName, owner.AdminAddr, owner.Pid);
            try
            {
                await c.DeleteAsync(Store.LockPath).ConfigureAwait(false);
                await c.CreateAsync(Store.LockPath, LockData()).ConfigureAwait(false);
                _logger.LogWarning("acquire lock of product {Product} at {Path}", Config.ProductName, Store.LockPath);
                return null;
            }
            catch (CoordinatorException e)
            {
                return $"store: acquire lock of {Config.ProductName} failed, take over of the stale lock failed: {e.Message}";
            }
        }
        string where = owner.Hostname.Length > 0 ? $" on {owner.Hostname}" : "";
        return $"store: acquire lock of {Config.ProductName} failed, it is held by the dashboard at {owner.AdminAddr} (pid {owner.Pid}{where}); " +
            "stop that dashboard, or if it is gone remove the lock with --remove-lock";
    }

    /// <summary>
    /// True when <paramref name="pid"/> is a running codis-dashboard on this host (a reused pid of another program
    /// does not count).
    /// </summary>
    internal static bool IsDashboardAlive(int pid)
    {
        if (pid <= 0)
            return false;
        if (pid == Environment.ProcessId)
            return false;
        try
        {
            using Process p = Process.GetProcessById(pid);
            if (p.HasExited)
                return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        try
        {
            string cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // A zombie ("Z") has exited.
            int close = stat.LastIndexOf(')');
            if (close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z')
                return false;
            return cmdline.Contains("codis-dashboard", StringComparison.Ordinal) || cmdline.Contains("Codis.Dashboard", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cannot tell: assume alive, never steal a lock by mistake.
            return true;
        }
    }

    /// <summary>ZooKeeper/etcd: when the ephemeral lock is lost (session expired, node deleted) take it again.</summary>
    private async Task WatchEphemeralLockAsync(Task lost)
    {
        while (true)
        {
            try
            {
                await lost.WaitAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_closed)
                return;
            _logger.LogWarning("the lock {Path} was lost (session expired or node changed), re-acquiring", Store.LockPath);
            while (!_closed)
            {
                try
                {
                    lost = await Store.Coordinator.CreateEphemeralAsync(Store.LockPath, LockData()).ConfigureAwait(false);
                    _logger.LogWarning("re-acquired lock of product {Product}", Config.ProductName);
                    break;
                }
                catch (NodeExistsException)
                {
                    LockRecord? owner = await ReadLockOwnerAsync().ConfigureAwait(false);
                    if (owner is not null && (owner.Token != Model.Token || owner.Pid != Environment.ProcessId))
                    {
                        _logger.LogError("the lock of product {Product} is now held by the dashboard at {Addr} (pid {Pid}); closing",
                            Config.ProductName, owner.AdminAddr, owner.Pid);
                        _ = Task.Run(CloseAsync);
                        return;
                    }
                    // Still ours (the watch fired for a change): re-create it to watch it again.
                    await TryDeleteLockAsync().ConfigureAwait(false);
                }
                catch (CoordinatorException e)
                {
                    _logger.LogError("re-acquire lock failed: {Error}", e.Message);
                }
                try
                {
                    await Task.Delay(LockRetryDelay, _closing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<LockRecord?> ReadLockOwnerAsync()
    {
        try
        {
            byte[]? data = await Store.Coordinator.ReadAsync(Store.LockPath, false).ConfigureAwait(false);
            return data is null ? null : CodisJson.Decode<LockRecord>(Encoding.UTF8.GetString(data));
        }
        catch (Exception e) when (e is CoordinatorException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task TryDeleteLockAsync()
    {
        try
        {
            await Store.Coordinator.DeleteAsync(Store.LockPath).ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            _logger.LogError("delete lock failed: {Error}", e.Message);
        }
    }

    /// <summary>Deletes the lock on close (<c>store: release lock of &lt;p&gt; failed</c> is logged on failure).</summary>
    private async Task ReleaseLockAsync()
    {
        // Only our own lock is deleted: after a take-over by another dashboard the node is not ours any more.
        LockRecord? owner = await ReadLockOwnerAsync().ConfigureAwait(false);
        if (owner is not null && (owner.Token != Model.Token || owner.Pid != Environment.ProcessId))
        {
            _logger.LogWarning("the lock is held by the dashboard at {Addr} (pid {Pid}), not released", owner.AdminAddr, owner.Pid);
            return;
        }
        try
        {
            await Store.Coordinator.DeleteAsync(Store.LockPath).ConfigureAwait(false);
            _logger.LogWarning("release lock of product {Product}", Config.ProductName);
        }
        catch (CoordinatorException e)
        {
            _logger.LogError("store: release lock of {Product} failed: {Error}", Config.ProductName, e.Message);
        }
    }
}
