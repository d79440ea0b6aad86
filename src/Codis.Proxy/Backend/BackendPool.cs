using Codis.Proxy.Routing;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Backend;

/// <summary>
/// The connections to one server: <c>databases × parallel</c> of them (proxy.md §10.1), shared by every
/// slot that uses the server and closed when the last slot releases it.
/// </summary>
internal sealed class BackendEntry
{
    private readonly BackendConnection[] _conns;
    private readonly int _parallel;

    /// <summary>Opens the connections (they dial in the background).</summary>
    public BackendEntry(string addr, int databases, int parallel, RouterOptions options, ILogger logger)
    {
        Addr = addr;
        _parallel = parallel;
        _conns = new BackendConnection[databases * parallel];
        for (var db = 0; db < databases; db++)
        {
            for (var i = 0; i < parallel; i++)
            {
                _conns[db * parallel + i] = new BackendConnection(addr, db, options, logger);
            }
        }
    }

    /// <summary>Server address.</summary>
    public string Addr { get; }

    /// <summary>Slots (and other users) holding this entry.</summary>
    public int Refs;

    /// <summary>All connections, for the keep-alive ticker.</summary>
    public ReadOnlySpan<BackendConnection> Connections => _conns;

    /// <summary>
    /// The connection for database <paramref name="db"/>: with one per database that one; otherwise the
    /// first connected one from <c>(seed + 1) mod parallel</c>. "Must" callers always get a connection
    /// (connection 0 when none is connected); others get null unless it is connected.
    /// </summary>
    public BackendConnection? Get(int db, int seed, bool must)
    {
        var baseIndex = db * _parallel;
        if (_parallel == 1)
        {
            var c = _conns[baseIndex];
            return must || c.IsConnected ? c : null;
        }
        for (var i = 0; i < _parallel; i++)
        {
            var c = _conns[baseIndex + (seed + 1 + i) % _parallel];
            if (c.IsConnected)
            {
                return c;
            }
        }
        return must ? _conns[baseIndex] : null;
    }

    /// <summary>Like <see cref="Get"/> for replica reads: only a connection in state Connected.</summary>
    public BackendConnection? GetServing(int db, int seed)
    {
        var baseIndex = db * _parallel;
        for (var i = 0; i < _parallel; i++)
        {
            var c = _conns[baseIndex + (seed + 1 + i) % _parallel];
            if (c.State == BackendState.Connected)
            {
                return c;
            }
        }
        return null;
    }

    /// <summary>Closes every connection.</summary>
    public void Close()
    {
        foreach (var c in _conns)
        {
            c.Close();
        }
    }
}

/// <summary>A pool of <see cref="BackendEntry"/> by address, reference-counted (primary or replica pool).</summary>
internal sealed class BackendPool(int parallel, RouterOptions options, ILogger logger)
{
    private readonly Dictionary<string, BackendEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Takes a reference to the entry of <paramref name="addr"/>, opening it on first use. Caller holds the router lock.</summary>
    public BackendEntry Retain(string addr)
    {
        if (!_entries.TryGetValue(addr, out var e))
        {
            e = new BackendEntry(addr, options.Databases, parallel, options, logger);
            _entries[addr] = e;
        }
        e.Refs++;
        return e;
    }

    /// <summary>Drops a reference; the last one closes the connections. Caller holds the router lock.</summary>
    public void Release(BackendEntry e)
    {
        if (--e.Refs == 0)
        {
            _entries.Remove(e.Addr);
            e.Close();
        }
    }

    /// <summary>The entry of <paramref name="addr"/> if the pool holds one. Caller holds the router lock.</summary>
    public BackendEntry? Find(string addr) => _entries.GetValueOrDefault(addr);

    /// <summary>Every entry. Caller holds the router lock.</summary>
    public IEnumerable<BackendEntry> Entries => _entries.Values;
}
