using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Codis.Cluster.Net;
using Codis.Cluster.Redis;

namespace Codis.Dashboard.Slots;

/// <summary>
/// The executor's talk to codis-servers (migration.md §3.2 <c>exec(db)</c>): on the source master, in
/// database <c>db</c>, one SLOTSMGRTTAGSLOT or SLOTSMGRTTAGSLOT-ASYNC call towards the target master; once
/// the slot is empty in that database, INFO keyspace names the next database that has keys. Connections
/// are pooled per server (AUTH <c>product_auth</c>, remembering the selected database) and closed after
/// any transport failure or a minute idle.
/// </summary>
public sealed class SlotMigrator : IAsyncDisposable
{
    private static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(1);

    private readonly string _auth;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ConcurrentBag<Pooled>> _pool = new(StringComparer.Ordinal);
    private volatile bool _closed;

    /// <summary>A migrator that authenticates with <paramref name="productAuth"/> (empty: no AUTH).</summary>
    public SlotMigrator(string productAuth, TimeProvider? time = null)
    {
        _auth = productAuth;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Moves one batch of slot <paramref name="sid"/> in database <paramref name="db"/> from
    /// <paramref name="from"/> to <paramref name="dest"/> (both <c>host:port</c>).
    /// </summary>
    /// <returns>
    /// Keys still in the slot in <paramref name="db"/> with that database again as next, or 0 and the next
    /// database with keys (-1 when none: the slot is empty everywhere). An empty <paramref name="from"/>
    /// (the slot was offline) has nothing to move.
    /// </returns>
    /// <exception cref="IOException">Connection failure or timeout.</exception>
    /// <exception cref="RespErrorException">The source refused the command.</exception>
    /// <exception cref="InvalidDataException">A reply that is not what Codis expects (<c>invalid response = ...</c>).</exception>
    public async Task<(int Remaining, int NextDb)> MigrateAsync(string from, string dest, int sid, int db,
        MigrationSettings settings, CancellationToken ct)
    {
        if (from.Length == 0)
            return (0, -1);
        (string host, int port) = NetAddress.Split(dest);
        string p = port.ToString(CultureInfo.InvariantCulture);
        Pooled c = await GetAsync(from, settings.Timeout, ct).ConfigureAwait(false);
        bool healthy = false;
        try
        {
            if (c.Database != db)
            {
                await c.DoAsync(settings.Timeout, ct, "SELECT", Itoa(db)).ConfigureAwait(false);
                c.Database = db;
            }
            object? reply = settings.Method == MigrationMethod.Sync
                ? await c.DoAsync(settings.Timeout, ct, "SLOTSMGRTTAGSLOT", host, p, Ms(settings.Timeout), Itoa(sid))
                    .ConfigureAwait(false)
                : await c.DoAsync(settings.Timeout, ct, "SLOTSMGRTTAGSLOT-ASYNC", host, p, Ms(settings.AsyncTimeout),
                    Itoa(settings.MaxBulks), settings.MaxBytes.ToString(CultureInfo.InvariantCulture), Itoa(sid),
                    Itoa(settings.NumKeys)).ConfigureAwait(false);
            if (reply is not List<object?> { Count: 2 } pair || pair[0] is not long || pair[1] is not long remaining)
                throw new InvalidDataException("invalid response = " + Render(reply));
            if (remaining != 0)
            {
                healthy = true;
                return ((int)remaining, db);
            }
            object? info = await c.DoAsync(settings.Timeout, ct, "INFO", "keyspace").ConfigureAwait(false);
            int next = NextDatabase(info as string ?? throw new InvalidDataException("invalid response = " + Render(info)), db);
            healthy = true;
            return (0, next);
        }
        catch (RespErrorException)
        {
            healthy = true; // an error reply leaves the connection usable, as redigo's
            throw;
        }
        finally
        {
            if (healthy && !_closed)
                Put(from, c);
            else
                await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The smallest database above <paramref name="db"/> listed in an <c>INFO keyspace</c> text (lines
    /// <c>db&lt;N&gt;:keys=...</c>), or -1.
    /// </summary>
    /// <exception cref="InvalidDataException">A <c>db</c> line whose number does not parse.</exception>
    public static int NextDatabase(string infoKeyspace, int db)
    {
        int next = -1;
        foreach (string line in infoKeyspace.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            string key = line[..colon].Trim();
            if (!key.StartsWith("db", StringComparison.Ordinal))
                continue;
            if (!int.TryParse(key.AsSpan(2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
                throw new InvalidDataException($"strconv.Atoi: parsing \"{key[2..]}\": invalid syntax");
            if (n > db && (next == -1 || n < next))
                next = n;
        }
        return next;
    }

    /// <summary>Closes every pooled connection; later calls still work but connect anew each time.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        foreach (ConcurrentBag<Pooled> bag in _pool.Values)
        {
            while (bag.TryTake(out Pooled? c))
                await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Pooled> GetAsync(string addr, TimeSpan timeout, CancellationToken ct)
    {
        if (_pool.TryGetValue(addr, out ConcurrentBag<Pooled>? bag))
        {
            while (bag.TryTake(out Pooled? idle))
            {
                if (_time.GetUtcNow() - idle.LastUse < IdleLimit)
                    return idle;
                await idle.DisposeAsync().ConfigureAwait(false);
            }
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        RespClient client;
        try
        {
            client = await RespClient.ConnectAsync(addr, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IOException($"dial tcp {addr}: i/o timeout");
        }
        var c = new Pooled(addr, client, _time);
        if (_auth.Length != 0)
        {
            try
            {
                await c.DoAsync(timeout, ct, "AUTH", _auth).ConfigureAwait(false);
            }
            catch
            {
                await c.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        return c;
    }

    private void Put(string addr, Pooled c)
    {
        c.LastUse = _time.GetUtcNow();
        _pool.GetOrAdd(addr, _ => []).Add(c);
    }

    private static string Itoa(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan t) => Itoa((long)t.TotalMilliseconds);

    /// <summary>A reply as Go's <c>%v</c> prints redigo values: <c>[1 2]</c>, text, <c>&lt;nil&gt;</c>.</summary>
    internal static string Render(object? reply) => reply switch
    {
        null => "<nil>",
        List<object?> list => "[" + string.Join(' ', list.Select(Render)) + "]",
        long n => Itoa(n),
        Exception e => e.Message,
        _ => reply.ToString() ?? "",
    };

    /// <summary>One pooled connection and the database it has selected.</summary>
    private sealed class Pooled(string addr, RespClient client, TimeProvider time) : IAsyncDisposable
    {
        public int Database { get; set; }

        public DateTimeOffset LastUse { get; set; } = time.GetUtcNow();

        /// <summary>One command with a read/write deadline of <paramref name="timeout"/>.</summary>
        public async Task<object?> DoAsync(TimeSpan timeout, CancellationToken ct, params string[] args)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            try
            {
                return await client.CommandAsync(cts.Token, args).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var text = new StringBuilder("read tcp ").Append(addr).Append(": i/o timeout");
                throw new IOException(text.ToString());
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
