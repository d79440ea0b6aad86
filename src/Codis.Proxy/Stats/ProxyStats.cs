using System.Collections.Concurrent;
using System.Diagnostics;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Stats;

/// <summary>Counters of one command (the <c>ops.cmd</c> entries of proxy.md §3.2).</summary>
/// <param name="OpStr">Upper-case command name.</param>
/// <param name="Calls">Requests answered.</param>
/// <param name="Usecs">Total microseconds from decode to reply written.</param>
/// <param name="UsecsPerCall"><paramref name="Usecs"/> / <paramref name="Calls"/>, integer.</param>
/// <param name="Fails">Requests whose reply could not be delivered.</param>
/// <param name="RedisErrType">Error replies written.</param>
public sealed record CommandStats(string OpStr, long Calls, long Usecs, long UsecsPerCall, long Fails, long RedisErrType);

/// <summary>
/// The proxy's request and session counters (proxy.md §3.2), updated lock-free by sessions and read by
/// the admin API and metrics reporters. <see cref="Qps"/> is sampled once a second by an internal timer.
/// </summary>
public sealed class ProxyStats : IDisposable
{
    private readonly Counters[] _table = new Counters[CommandTable.All.Count];
    private readonly ConcurrentDictionary<OpInfo, Counters> _unknown = new(ReferenceEqualityComparer.Instance);
    private readonly Timer _qpsTimer;
    private long _total;
    private long _fails;
    private long _redisErrors;
    private long _sessionsTotal;
    private long _sessionsAlive;
    private long _qps;
    private long _lastTotal;
    private long _lastSampleTicks = Stopwatch.GetTimestamp();

    /// <summary>Creates zeroed counters and starts the QPS sampler.</summary>
    public ProxyStats()
    {
        for (var i = 0; i < _table.Length; i++)
        {
            _table[i] = new Counters();
        }
        _qpsTimer = new Timer(static s => ((ProxyStats)s!).SampleQps(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Requests decoded (non-empty), including rejected ones.</summary>
    public long OpsTotal => Interlocked.Read(ref _total);

    /// <summary>Failures: sessions refused at accept, replies not delivered, requests lost with their session.</summary>
    public long OpsFails => Interlocked.Read(ref _fails);

    /// <summary>Error replies written to clients (backend and proxy errors).</summary>
    public long OpsRedisErrors => Interlocked.Read(ref _redisErrors);

    /// <summary>Requests per second over the last one-second sample.</summary>
    public long Qps => Interlocked.Read(ref _qps);

    /// <summary>Connections ever accepted (refused ones included).</summary>
    public long SessionsTotal => Interlocked.Read(ref _sessionsTotal);

    /// <summary>Connections open now.</summary>
    public long SessionsAlive => Interlocked.Read(ref _sessionsAlive);

    /// <summary>Per-command counters of commands seen since the last reset, sorted by name.</summary>
    public IReadOnlyList<CommandStats> GetCommandStats()
    {
        var list = new List<CommandStats>();
        for (var i = 0; i < _table.Length; i++)
        {
            Add(list, CommandTable.All[i].Name, _table[i]);
        }
        foreach (var (op, c) in _unknown)
        {
            Add(list, op.Name, c);
        }
        list.Sort((a, b) => string.CompareOrdinal(a.OpStr, b.OpStr));
        return list;
    }

    private static void Add(List<CommandStats> list, string name, Counters c)
    {
        var calls = Interlocked.Read(ref c.Calls);
        var fails = Interlocked.Read(ref c.Fails);
        if (calls == 0 && fails == 0)
        {
            return;
        }
        var usecs = Interlocked.Read(ref c.Usecs);
        list.Add(new CommandStats(name, calls, usecs, calls == 0 ? 0 : usecs / calls, fails, Interlocked.Read(ref c.Errors)));
    }

    /// <summary>Resets command counters (<c>ops.*</c> and the per-command table); sessions.total := sessions.alive.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _fails, 0);
        Interlocked.Exchange(ref _redisErrors, 0);
        Interlocked.Exchange(ref _lastTotal, 0);
        foreach (var c in _table)
        {
            c.Clear();
        }
        _unknown.Clear();
        Interlocked.Exchange(ref _sessionsTotal, Interlocked.Read(ref _sessionsAlive));
    }

    /// <summary>Stops the QPS sampler.</summary>
    public void Dispose() => _qpsTimer.Dispose();

    internal void IncrementTotal() => Interlocked.Increment(ref _total);

    internal void AddFails(long n)
    {
        if (n > 0)
        {
            Interlocked.Add(ref _fails, n);
        }
    }

    /// <summary>Counts an accepted connection; returns the number now alive.</summary>
    internal long SessionOpened()
    {
        Interlocked.Increment(ref _sessionsTotal);
        return Interlocked.Increment(ref _sessionsAlive);
    }

    internal void SessionClosed() => Interlocked.Decrement(ref _sessionsAlive);

    /// <summary>Counts one answered request of <paramref name="op"/>.</summary>
    internal void Record(OpInfo op, long elapsedTicks, bool isError)
    {
        var c = op.Index >= 0 ? _table[op.Index] : _unknown.GetOrAdd(op, static _ => new Counters());
        Interlocked.Increment(ref c.Calls);
        Interlocked.Add(ref c.Usecs, elapsedTicks * 1_000_000 / Stopwatch.Frequency);
        if (isError)
        {
            Interlocked.Increment(ref c.Errors);
            Interlocked.Increment(ref _redisErrors);
        }
    }

    /// <summary>Counts a request of <paramref name="op"/> whose reply was not delivered (also in <see cref="OpsFails"/>).</summary>
    internal void RecordFail(OpInfo? op)
    {
        Interlocked.Increment(ref _fails);
        if (op is not null)
        {
            var c = op.Index >= 0 ? _table[op.Index] : _unknown.GetOrAdd(op, static _ => new Counters());
            Interlocked.Increment(ref c.Fails);
        }
    }

    private void SampleQps()
    {
        var now = Stopwatch.GetTimestamp();
        var total = Interlocked.Read(ref _total);
        var delta = total - Interlocked.Exchange(ref _lastTotal, total);
        var seconds = (now - _lastSampleTicks) / (double)Stopwatch.Frequency;
        _lastSampleTicks = now;
        Interlocked.Exchange(ref _qps, seconds <= 0 || delta < 0 ? 0 : (long)Math.Round(delta / seconds));
    }

    private sealed class Counters
    {
        public long Calls;
        public long Usecs;
        public long Fails;
        public long Errors;

        public void Clear()
        {
            Interlocked.Exchange(ref Calls, 0);
            Interlocked.Exchange(ref Usecs, 0);
            Interlocked.Exchange(ref Fails, 0);
            Interlocked.Exchange(ref Errors, 0);
        }
    }
}
