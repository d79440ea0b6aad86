using Codis.Core.Resp;
using Codis.Core.Slots;
using Codis.Server.Clients;
using Codis.Server.Commands;
using Codis.Server.Keyspace;
using Codis.Server.Logging;

namespace Codis.Server.Migration;

/// <summary>Which synchronous migration command runs.</summary>
internal enum SyncMigrateKind
{
    /// <summary>SLOTSMGRTSLOT: one random key of a slot.</summary>
    Slot,

    /// <summary>SLOTSMGRTTAGSLOT: one random key of a slot with every key of its tag.</summary>
    TagSlot,

    /// <summary>SLOTSMGRTONE: one key.</summary>
    One,

    /// <summary>SLOTSMGRTTAGONE: every existing key with the key's tag (or the key alone without a tag).</summary>
    TagOne,
}

/// <summary>A SLOTSMGRT* request as parsed from the command (under the lock).</summary>
/// <param name="Kind">The command.</param>
/// <param name="Host">The target host, as given.</param>
/// <param name="Port">The target port, as given (read like C's atoi).</param>
/// <param name="TimeoutMs">Bound of the connect and of every read and write (0 was turned into 100).</param>
/// <param name="Db">The caller's database.</param>
/// <param name="Slot">The slot of the slot variants, else -1.</param>
/// <param name="Key">The key of the key variants, else null.</param>
internal sealed record SyncMigrateRequest(SyncMigrateKind Kind, string Host, string Port, int TimeoutMs, int Db, int Slot, byte[]? Key)
{
    /// <summary>The cache key of the target connection, "host:port" as given.</summary>
    public string TargetName => Host + ":" + Port;

    /// <summary>True for SLOTSMGRTSLOT and SLOTSMGRTTAGSLOT (reply: [moved, remaining]).</summary>
    public bool IsSlot => Kind is SyncMigrateKind.Slot or SyncMigrateKind.TagSlot;

    /// <summary>True for the variants that move every key of a tag together.</summary>
    public bool WithTag => Kind is SyncMigrateKind.TagSlot or SyncMigrateKind.TagOne;
}

/// <summary>
/// Codis's synchronous slot migration (spec server.md §5), without stalling the server: the keys'
/// values are snapshotted (DUMP payloads and TTLs) under the server lock, sent to the target with one
/// SLOTSRESTORE outside it while other clients are served, and deleted under the lock again once the
/// target acknowledged them. The calling client is parked meanwhile and gets its reply at the end.
/// A key written by another client between the snapshot and the delete is noticed through a
/// <see cref="KeyChangeWatch"/> and sent again instead of being deleted (a key deleted meanwhile is
/// deleted on the target too); after <see cref="OptimisticRounds"/> such rounds the last one runs
/// wholly under the lock, as Redis runs every migration, so a migration always ends. Inside MULTI/EXEC
/// the whole migration runs under the lock from the start.
/// Target connections are cached per "host:port" and closed by the cron after 15 s unused; one
/// migration at a time uses a target's connection (others to the same target queue behind it).
/// </summary>
internal sealed partial class SyncMigrator
{
    /// <summary>Optimistic rounds (send outside the lock) before the last round holds the lock.</summary>
    public const int OptimisticRounds = 3;

    // Codis closes a cached connection unused for more than 15 seconds, checked once a second.
    private const long IdleCloseMs = 15_000;

    private readonly ServerContext _server;
    private readonly Dictionary<string, TargetSlot> _targets = new(StringComparer.Ordinal);
    private long _lastSweepMs;

    /// <summary>Creates the migrator of <paramref name="server"/> and hooks the idle-connection sweep into its cron.</summary>
    public SyncMigrator(ServerContext server)
    {
        _server = server;
        server.CronTick += SweepIdleConnections;
    }

    /// <summary>Number of cached target connections (under the lock).</summary>
    public int CachedConnections
    {
        get
        {
            int n = 0;
            foreach (TargetSlot t in _targets.Values)
            {
                if (t.Connection is not null)
                    n++;
            }
            return n;
        }
    }

    /// <summary>
    /// Runs <paramref name="request"/> for the command in <paramref name="c"/> (under the lock): an
    /// empty slot is answered at once without connecting; inside EXEC the migration runs to the end
    /// here; otherwise the client is parked and the migration continues on a worker thread.
    /// </summary>
    public void Start(CommandContext c, SyncMigrateRequest request)
    {
        if (request.IsSlot && c.Db.SlotCount(request.Slot) == 0)
        {
            WriteReply(c.Reply, request, new SyncMigrateResult(null, 0, 0));
            return;
        }
        if (!_targets.TryGetValue(request.TargetName, out TargetSlot? target))
            _targets[request.TargetName] = target = new TargetSlot();
        if (c.InExec)
        {
            RunInline(c, target, request);
            return;
        }
        Client client = c.Client;
        BlockedState state = _server.DeferReply(client, c.Command);
        _ = Task.Run(() => RunParkedAsync(client, state, target, request));
    }

    private void RunInline(CommandContext c, TargetSlot target, SyncMigrateRequest request)
    {
        // Waiting for the gate under the server lock could deadlock with a parked migration that needs
        // the lock to finish: when the cached connection is busy, use a private one for this migration.
        TargetSlot slot = target.Gate.Wait(0) ? target : new TargetSlot();
        var deleted = new List<byte[]>();
        SyncMigrateResult result;
        try
        {
            result = Migrate(slot, request, inline: true, deleted);
        }
        finally
        {
            if (ReferenceEquals(slot, target))
                target.Gate.Release();
            else
                slot.Close();
        }
        WriteReply(c.Reply, request, result);
        // As Codis rewrites the command: replicas and the AOF see DEL of the moved keys, never SLOTSMGRT*
        // (Call propagates c.Args after the handler when data changed).
        if (deleted.Count > 0)
            c.Args = DelCommand(deleted, 0);
    }

    private async Task RunParkedAsync(Client client, BlockedState state, TargetSlot target, SyncMigrateRequest request)
    {
        SyncMigrateResult result;
        await target.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            result = Migrate(target, request, inline: false, []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ServerLog.Warning($"slotsmgrt: internal error migrating to {request.TargetName}: {e}");
            target.Close();
            result = new SyncMigrateResult($"ERR internal error during migration: {e.Message}", 0, 0);
        }
        finally
        {
            target.Gate.Release();
        }
        lock (_server.Lock)
        {
            // A client that went away meanwhile gets no reply; what was moved stays moved.
            if (ServerContext.DeferredOutput(client, state) is not { } output)
                return;
            WriteReply(output, request, result);
            _server.CompleteDeferred(client, state);
        }
    }

    /// <summary>
    /// The whole migration with <paramref name="target"/>'s connection (the caller owns its gate):
    /// connect if needed, choose the keys, then transfer rounds until no key changed behind our back.
    /// Keys deleted here are appended to <paramref name="deleted"/>.
    /// </summary>
    private SyncMigrateResult Migrate(TargetSlot target, SyncMigrateRequest request, bool inline, List<byte[]> deleted)
    {
        // Codis obtains the connection before it looks at the keys (a dead target is an error even for
        // a missing key).
        if (target.Connection is null)
        {
            TargetConnection? connection = TargetConnection.Connect(request.Host, request.Port, request.TimeoutMs, out string? error);
            if (connection is null)
            {
                ServerLog.Warning($"slotsmgrt: connect to target {request.TargetName}, error = '{error}'");
                return new SyncMigrateResult(error, 0, 0);
            }
            connection.LastUseMs = WallClockMs();
            target.Connection = connection;
            ServerLog.Verbose($"slotsmgrt: connect to target {request.TargetName}");
        }

        List<byte[]> pending;
        lock (_server.Lock)
        {
            if (!inline)
                _server.UpdateClock();
            pending = SelectKeys(request);
            if (pending.Count == 0)
                return Done(request, 0);
        }

        for (int round = 1; ; round++)
        {
            // The last round holds the lock throughout, so that nothing can change under it.
            bool locked = inline || round > OptimisticRounds;
            if (locked)
                _server.Lock.Enter();
            try
            {
                string? error = TransferRound(target, request, pending, resend: round > 1, watch: !locked, propagate: !inline, deleted,
                    out List<byte[]> changed);
                pending = changed;
                // An error in a later round leaves the keys of earlier rounds moved (the target has them)
                // and the rest here, as after any failed call: the caller retries until the slot is empty.
                if (error is not null)
                    return new SyncMigrateResult(error, 0, 0);
                if (pending.Count == 0)
                {
                    lock (_server.Lock)
                        return Done(request, deleted.Count);
                }
                ServerLog.Verbose($"slotsmgrt: {pending.Count} key(s) changed during round {round} to {request.TargetName}, sending them again");
            }
            finally
            {
                if (locked)
                    _server.Lock.Exit();
            }
        }
    }

    /// <summary>
    /// The keys to move (under the lock): the key, or a random key of the slot, and with a tag every
    /// existing key of that tag. Expired keys are deleted on the way (lazy expiry) and left out.
    /// </summary>
    private List<byte[]> SelectKeys(SyncMigrateRequest request)
    {
        Database db = _server.Databases[request.Db];
        byte[]? key = request.Key;
        if (request.IsSlot)
        {
            key = db.SlotTable(request.Slot)?.RandomKey(_server.Random);
            if (key is null)
                return [];
        }
        if (request.WithTag && SlotHash.HasTag(key))
        {
            if (db.SlotCount(SlotHash.Slot(key)) == 0)
                return [];
            var keys = new List<byte[]>();
            foreach (byte[] k in db.KeysWithTag(key))
            {
                if (db.LookupWrite(k) is not null)
                    keys.Add(k);
            }
            return keys;
        }
        return db.LookupWrite(key!) is null ? [] : [key!];
    }

    /// <summary>The success result (under the lock): moved count and, for the slot commands, the keys left.</summary>
    private SyncMigrateResult Done(SyncMigrateRequest request, int moved) =>
        new(null, moved, request.IsSlot ? _server.Databases[request.Db].SlotCount(request.Slot) : 0);

    private static void WriteReply(ReplyWriter output, SyncMigrateRequest request, SyncMigrateResult result)
    {
        if (result.Error is { } error)
        {
            output.Error(error);
            return;
        }
        if (request.IsSlot)
        {
            output.Array(2);
            output.Integer(result.Moved);
            output.Integer(result.Remaining);
        }
        else
        {
            output.Integer(result.Moved);
        }
    }

    /// <summary>The cron's sweep (under the lock, once a second): closes connections unused for 15 s.</summary>
    private void SweepIdleConnections()
    {
        long now = _server.Now;
        if (now - _lastSweepMs < 1000)
            return;
        _lastSweepMs = now;
        foreach ((string name, TargetSlot t) in _targets)
        {
            if (t.Connection is not { } connection || now - connection.LastUseMs <= IdleCloseMs)
                continue;
            // A connection in use is not idle; trying the gate (never waiting) also keeps a migration
            // from picking the connection up while it is being closed.
            if (!t.Gate.Wait(0))
                continue;
            try
            {
                ServerLog.Verbose($"slotsmgrt: timeout target {name}, last use {(now - connection.LastUseMs) / 1000} s ago");
                t.Close();
            }
            finally
            {
                t.Gate.Release();
            }
        }
    }

    private static long WallClockMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>The result of a migration: an error reply, or the keys moved and (slot commands) left.</summary>
    private readonly record struct SyncMigrateResult(string? Error, int Moved, int Remaining);

    /// <summary>A target's cached connection and the gate that gives it to one migration at a time.</summary>
    private sealed class TargetSlot
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public TargetConnection? Connection { get; set; }

        public void Close()
        {
            Connection?.Dispose();
            Connection = null;
        }
    }
}
