using System.Globalization;
using System.Threading.Channels;
using Codis.Cluster.Redis;
using Microsoft.Extensions.Logging;

namespace Codis.Cluster.Sentinel;

/// <summary>
/// Watches redis-sentinels for master switches of this product's groups (ha.md §4): subscribes to
/// <c>+switch-master</c> on every sentinel, and polls <c>SENTINEL masters</c> once a majority is subscribed
/// and after every switch of a <c>&lt;product&gt;-&lt;gid&gt;</c> master, reporting gid → <c>ip:port</c>.
/// </summary>
public sealed class SentinelWatcher : IDisposable
{
    private readonly string _product;
    private readonly IReadOnlyList<string> _servers;
    private readonly Action<IReadOnlyDictionary<int, string>> _onMasters;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<bool> _trigger = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Creates a watcher; nothing runs until <see cref="Start"/>.</summary>
    public SentinelWatcher(string product, IReadOnlyList<string> servers, Action<IReadOnlyDictionary<int, string>> onMasters, ILogger logger)
    {
        _product = product;
        _servers = servers;
        _onMasters = onMasters;
        _logger = logger;
    }

    /// <summary>Delay after a failed subscription round (from its start).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay between two polls of one trigger.</summary>
    public TimeSpan PollDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True once cancelled.</summary>
    public bool IsCancelled => _cts.IsCancellationRequested;

    private int Majority => 1 + (_servers.Count / 2);

    /// <summary>Starts the subscriber and poller tasks.</summary>
    public void Start()
    {
        _ = Task.Run(SubscriberLoopAsync);
        _ = Task.Run(PollerLoopAsync);
    }

    /// <summary>Stops both tasks (idempotent).</summary>
    public void Dispose()
    {
        _cts.Cancel();
        _trigger.Writer.TryComplete();
    }

    /// <summary>
    /// Asks every sentinel for its masters and keeps, per gid of this product, the address with the highest
    /// config-epoch.
    /// </summary>
    /// <exception cref="IOException"><c>lost majority (&lt;voted&gt;/&lt;n&gt;)</c>.</exception>
    public async Task<Dictionary<int, string>> PollMastersAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        Task<List<(int Gid, long Epoch, string Addr)>?>[] tasks = _servers.Select(s => AskMastersAsync(s, cts.Token)).ToArray();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.All(t => t.IsCompleted))
        {
            // Individual failures are counted below.
        }
        var best = new Dictionary<int, (long Epoch, string Addr)>();
        int voted = 0;
        foreach (Task<List<(int Gid, long Epoch, string Addr)>?> t in tasks)
        {
            if (!t.IsCompletedSuccessfully || t.Result is null)
                continue;
            voted++;
            foreach ((int gid, long epoch, string addr) in t.Result)
            {
                if (!best.TryGetValue(gid, out (long Epoch, string Addr) cur) || epoch > cur.Epoch)
                    best[gid] = (epoch, addr);
            }
        }
        if (voted < Majority)
            throw new IOException($"lost majority ({voted}/{_servers.Count})");
        return best.ToDictionary(kv => kv.Key, kv => kv.Value.Addr);
    }

    private async Task<List<(int Gid, long Epoch, string Addr)>?> AskMastersAsync(string server, CancellationToken ct)
    {
        try
        {
            await using RespClient c = await RespClient.ConnectAsync(server, ct).ConfigureAwait(false);
            if (await c.CommandAsync(ct, "SENTINEL", "masters").ConfigureAwait(false) is not List<object?> masters)
                return null;
            var result = new List<(int, long, string)>();
            foreach (object? m in masters)
            {
                if (m is not List<object?> pairs)
                    continue;
                var f = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 0; i + 1 < pairs.Count; i += 2)
                {
                    if (pairs[i] is string k && pairs[i + 1] is string v)
                        f[k] = v;
                }
                if (!f.TryGetValue("name", out string? name) || ParseGid(name) is not { } gid)
                    continue;
                if (!f.TryGetValue("config-epoch", out string? e) || !long.TryParse(e, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long epoch))
                    continue;
                if (!f.TryGetValue("ip", out string? ip) || !f.TryGetValue("port", out string? port) || ip.Length == 0 || port.Length == 0)
                    continue;
                result.Add((gid, epoch, ip + ":" + port));
            }
            return result;
        }
        catch (Exception e) when (e is IOException or RespErrorException or OperationCanceledException or FormatException)
        {
            _logger.LogWarning("sentinel {Server}: SENTINEL masters failed: {Error}", server, e.Message);
            return null;
        }
    }

    /// <summary>The gid of a master named <c>&lt;product&gt;-&lt;gid&gt;</c>, or null for other names.</summary>
    public int? ParseGid(string name) =>
        name.StartsWith(_product + "-", StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(_product.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int gid) ? gid : null;

    private void Trigger() => _trigger.Writer.TryWrite(true);

    private async Task SubscriberLoopAsync()
    {
        CancellationToken ct = _cts.Token;
        while (!ct.IsCancellationRequested)
        {
            DateTime start = DateTime.UtcNow;
            bool ok;
            try
            {
                ok = await SubscribeAsync(TimeSpan.FromMinutes(15), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (ok)
            {
                Trigger();
                continue;
            }
            TimeSpan wait = start + RetryDelay - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> SubscribeAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var round = CancellationTokenSource.CreateLinkedTokenSource(ct);
        round.CancelAfter(timeout);
        int subscribed = 0;
        int alive = _servers.Count;
        var notified = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task One(string server)
        {
            try
            {
                await using RespClient c = await RespClient.ConnectAsync(server, round.Token).ConfigureAwait(false);
                object? first = await c.CommandAsync(round.Token, "SUBSCRIBE", "+switch-master").ConfigureAwait(false);
                if (first is not List<object?> { Count: 3 } l || l[0] as string != "subscribe")
                    throw new IOException("bad subscribe reply");
                if (Interlocked.Increment(ref subscribed) == Majority)
                    Trigger();
                while (true)
                {
                    object? msg = await c.ReadAsync(round.Token).ConfigureAwait(false);
                    if (msg is not List<object?> { Count: 3 } m || m[0] as string != "message" || m[2] is not string text)
                        throw new IOException("bad +switch-master message");
                    string[] parts = text.Split(' ');
                    if (parts.Length != 5)
                        throw new IOException($"bad +switch-master message '{text}'");
                    if (ParseGid(parts[0]) is not null)
                    {
                        _logger.LogWarning("sentinel {Server} notified switch-master: {Text}", server, text);
                        notified.TrySetResult(true);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or RespErrorException or OperationCanceledException or FormatException)
            {
                if (!round.IsCancellationRequested)
                    _logger.LogWarning("sentinel {Server} subscription failed: {Error}", server, e.Message);
            }
            if (Interlocked.Decrement(ref alive) < Majority)
                notified.TrySetResult(false);
        }
        Task[] all = _servers.Select(One).ToArray();
        using (round.Token.Register(() => notified.TrySetResult(false)))
        {
            bool result = await notified.Task.ConfigureAwait(false);
            await round.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(all).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return result;
        }
    }

    private async Task PollerLoopAsync()
    {
        CancellationToken ct = _cts.Token;
        try
        {
            await foreach (bool _ in _trigger.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                int successes = 0;
                for (int i = 0; i < 10 && !ct.IsCancellationRequested && successes < 2; i++)
                {
                    try
                    {
                        Dictionary<int, string> masters = await PollMastersAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                        if (!ct.IsCancellationRequested)
                            _onMasters(masters);
                        successes++;
                    }
                    catch (IOException e)
                    {
                        _logger.LogWarning("fetch group masters failed: {Error}", e.Message);
                    }
                    await Task.Delay(PollDelay, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled by a rewatch or the proxy's close.
        }
        catch (ChannelClosedException)
        {
            // Same.
        }
    }
}
