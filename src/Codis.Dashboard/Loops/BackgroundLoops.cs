using Codis.Dashboard.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Loops;

/// <summary>
/// The dashboard's background loops (dashboard-api.md §6), started once the lock is held. Each runs until the
/// dashboard closes, does work only while it is online, and sleeps 1 s after each round:
/// <list type="number">
/// <item>redis stats: INFO + CONFIG GET maxmemory of group servers, INFO + masters of sentinels;</item>
/// <item>proxy stats, with the automatic re-online of a restarted proxy (and, beyond Codis, the re-init of a
/// proxy that missed pushes while it was unreachable);</item>
/// <item>slot actions (migration.md §3) and replica-sync actions (ha.md §5): registered with
/// <see cref="Add"/> by their own parts of the dashboard; an error there sleeps an extra 5 s.</item>
/// </list>
/// </summary>
public sealed class BackgroundLoops(Topom topom, ILogger logger)
{
    private readonly List<(string Name, Func<Task> Round, TimeSpan ErrorPause)> _loops =
    [
        ("redis stats", topom.RefreshRedisStatsAsync, TimeSpan.Zero),
        ("proxy stats", topom.RefreshProxyStatsAsync, TimeSpan.Zero),
    ];

    /// <summary>
    /// Adds a loop (before <see cref="Start"/>): <paramref name="round"/> runs every second while online; an
    /// exception is logged and followed by <paramref name="errorPause"/> (5 s for the action loops).
    /// </summary>
    public void Add(string name, Func<Task> round, TimeSpan errorPause) => _loops.Add((name, round, errorPause));

    /// <summary>Starts every loop; they stop when <paramref name="ct"/> is cancelled.</summary>
    public void Start(CancellationToken ct)
    {
        foreach ((string name, Func<Task> round, TimeSpan pause) in _loops)
            _ = Task.Run(() => RunAsync(name, round, pause, ct), ct);
    }

    private async Task RunAsync(string name, Func<Task> round, TimeSpan errorPause, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan sleep = TimeSpan.FromSeconds(1);
            if (topom.IsOnline)
            {
                try
                {
                    await round().ConfigureAwait(false);
                }
                catch (ApiException e)
                {
                    if (!topom.IsClosed)
                        logger.LogError("{Loop} loop: {Error}", name, e.Message);
                    sleep += errorPause;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "{Loop} loop failed", name);
                    sleep += errorPause;
                }
            }
            try
            {
                await Task.Delay(sleep, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
