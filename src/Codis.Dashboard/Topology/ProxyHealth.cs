namespace Codis.Dashboard.Topology;

/// <summary>
/// Beyond Codis: which proxies are unreachable, since when, and which missed pushes while they were skipped.
/// Codis pushes to every registered proxy and fails the whole operation if one does not answer, so a dead
/// proxy blocks every migration step and resync until it is removed (quirks.md). Here a proxy unreachable for
/// longer than <c>proxy_offline_grace</c> is skipped by pushes (it stays registered), and the proxy stats loop
/// re-initialises it (fillslots + start + sentinels) as soon as it answers again.
/// </summary>
public sealed class ProxyHealth(TimeSpan grace, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _failingSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _missed = new(StringComparer.Ordinal);

    /// <summary>The grace period; zero disables skipping (Codis's behaviour).</summary>
    public TimeSpan Grace => grace;

    /// <summary>A call to the proxy failed: it is unreachable from now on (the first failure's time is kept).</summary>
    public void ReportFailure(string token)
    {
        lock (_lock)
            _failingSince.TryAdd(token, _time.GetUtcNow());
    }

    /// <summary>The proxy answered.</summary>
    public void ReportSuccess(string token)
    {
        lock (_lock)
            _failingSince.Remove(token);
    }

    /// <summary>True when the proxy has been unreachable for longer than the grace period: pushes skip it.</summary>
    public bool ShouldSkip(string token)
    {
        if (grace <= TimeSpan.Zero)
            return false;
        lock (_lock)
            return _failingSince.TryGetValue(token, out DateTimeOffset since) && _time.GetUtcNow() - since >= grace;
    }

    /// <summary>How long the proxy has been unreachable, or null.</summary>
    public TimeSpan? DownFor(string token)
    {
        lock (_lock)
            return _failingSince.TryGetValue(token, out DateTimeOffset since) ? _time.GetUtcNow() - since : null;
    }

    /// <summary>A push skipped the proxy: it must be re-initialised when it is back.</summary>
    public void MarkMissed(string token)
    {
        lock (_lock)
            _missed.Add(token);
    }

    /// <summary>True when the proxy missed a push.</summary>
    public bool HasMissed(string token)
    {
        lock (_lock)
            return _missed.Contains(token);
    }

    /// <summary>The proxy was re-initialised (or removed): it holds the current view.</summary>
    public void ClearMissed(string token)
    {
        lock (_lock)
            _missed.Remove(token);
    }

    /// <summary>Forgets a removed proxy.</summary>
    public void Forget(string token)
    {
        lock (_lock)
        {
            _missed.Remove(token);
            _failingSince.Remove(token);
        }
    }
}
