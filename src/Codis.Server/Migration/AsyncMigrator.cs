using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Commands;
using Codis.Server.Keyspace;
using Codis.Server.Logging;

namespace Codis.Server.Migration;

/// <summary>What a SLOTSMGRT*-ASYNC command asks for, after its arguments were validated (§6.1).</summary>
internal sealed record AsyncMigrationRequest(
    string Host, int Port, long TimeoutMs, int MaxBulks, long MaxBytes, int Slot, int NumKeys, bool UseTag, byte[][] Keys);

/// <summary>
/// The source side of Codis's async migration (spec server.md §6): per database at most one cached
/// connection to a target and one running batch, the clients waiting for that batch (the migration
/// caller and FENCE callers), flow control driven by the target's ACKs, and the timeouts checked by the
/// cron. Every method runs under the server lock; the sockets are served by
/// <see cref="MigrationConnection"/> outside it.
/// </summary>
internal sealed partial class AsyncMigrator
{
    // Codis's generation budgets: a new batch generates at least 3 messages for 500 µs, each ACK at
    // least 2 for 10 µs (slotsmgrtAsyncNextMessagesMicroseconds).
    private static readonly long s_startBudget = Stopwatch.Frequency * 500 / 1_000_000;
    private static readonly long s_ackBudget = Math.Max(1, Stopwatch.Frequency * 10 / 1_000_000);

    // A cached connection without a batch is released after this long.
    private const long IdleTimeoutMs = 60_000;

    private readonly ServerContext _server;
    private DbState[] _dbs = [];

    /// <summary>Creates the migrator of <paramref name="server"/>.</summary>
    public AsyncMigrator(ServerContext server) => _server = server;

    /// <summary>The per-database state.</summary>
    private sealed class DbState(Database db)
    {
        private AsyncBatch? _batch;
        private PendingConnect? _connecting;

        /// <summary>The cached connection, or null.</summary>
        public MigrationConnection? Connection;

        /// <summary>Clients waiting for the end of the batch (Codis's blocked_list).</summary>
        public readonly List<(Client Client, BlockedState State)> Waiters = [];

        /// <summary>The running batch, or null.</summary>
        public AsyncBatch? Batch
        {
            get => _batch;
            set
            {
                _batch = value;
                db.AsyncMigrationRunning = Busy;
            }
        }

        /// <summary>A connection being made for a migration command, or null.</summary>
        public PendingConnect? Connecting
        {
            get => _connecting;
            set
            {
                _connecting = value;
                db.AsyncMigrationRunning = Busy;
            }
        }

        /// <summary>
        /// True while a batch runs or is being set up: new migrations are refused, and so is the target
        /// side's SLOTSRESTORE-ASYNC (through <see cref="Database.AsyncMigrationRunning"/>).
        /// </summary>
        public bool Busy => _batch is not null || _connecting is not null;
    }

    /// <summary>A connection attempt in progress (made outside the lock).</summary>
    private sealed class PendingConnect(AsyncMigrationRequest request, int db)
    {
        public AsyncMigrationRequest Request { get; } = request;

        public int Db { get; } = db;
    }

    private DbState State(int db)
    {
        if (_dbs.Length <= db)
            Array.Resize(ref _dbs, Math.Max(db + 1, _server.Databases.Length));
        return _dbs[db] ??= new DbState(_server.Databases[db]);
    }

    /// <summary>
    /// True when a non-read-only command on <paramref name="key"/> must wait: the key, or a key with its
    /// tag, belongs to the running batch of <paramref name="db"/> (SLOTSMGRT-EXEC-WRAPPER code 1).
    /// </summary>
    public bool IsBeingMigrated(int db, ReadOnlySpan<byte> key)
        => db < _dbs.Length && _dbs[db]?.Batch is { } batch && batch.Contains(key);

    /// <summary>
    /// SLOTSMGRT*-ASYNC after validation: refuses a busy database, then migrates one batch over the
    /// cached connection (or a new one, made asynchronously). The caller gets its reply when the batch
    /// ends (§6.4); an empty batch is answered at once.
    /// </summary>
    public void Start(CommandContext c, AsyncMigrationRequest request)
    {
        Client client = c.Client;
        int db = client.DbIndex;
        DbState s = State(db);
        if (s.Busy)
        {
            c.Error("ERR the specified DB is being migrated");
            return;
        }
        if (client.Blocked is { DeferredReply: true })
        {
            c.Error("ERR previous operation has not finished");
            return;
        }
        if (c.InExec)
        {
            c.Error(InExecError(c.Command.Name));
            return;
        }
        if (s.Connection is { Closed: false } cached && cached.Port == request.Port && cached.Host == request.Host)
        {
            RunBatch(db, s, request, c);
            return;
        }
        // Connecting may take up to 100 ms: the caller waits without holding the lock.
        BlockedState wait = _server.DeferReply(client, c.Command);
        s.Waiters.Add((client, wait));
        var pending = new PendingConnect(request, db);
        s.Connecting = pending;
        _ = Task.Run(() => ConnectAsync(pending));
    }

    private async Task ConnectAsync(PendingConnect pending)
    {
        AsyncMigrationRequest request = pending.Request;
        Socket? socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        string? error = null;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Min(100, request.TimeoutMs)));
            await socket.ConnectAsync(request.Host, request.Port, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException or IOException)
        {
            error = e is OperationCanceledException ? "io error or timeout" : e.Message;
            socket.Dispose();
            socket = null;
        }
        lock (_server.Lock)
        {
            _server.UpdateClock();
            DbState s = State(pending.Db);
            if (!ReferenceEquals(s.Connecting, pending))
            {
                // Canceled meanwhile (its waiters were answered then).
                socket?.Dispose();
                return;
            }
            s.Connecting = null;
            if (socket is null)
            {
                ServerLog.Warning($"slotsmgrt_async: create socket {request.Host}:{request.Port} (DB={pending.Db}) failed, {error}");
                ReplyWaiters(s, $"ERR create client to {request.Host}:{request.Port} failed", null);
                return;
            }
            // Nothing waits on the previous connection (a database with waiters is busy and refuses new
            // migrations): the waiters now are this migration's caller and its FENCE callers.
            if (s.Connection is { } previous)
                ReleaseConnection(pending.Db, s, previous, "interrupted: build new connection", replyWaiters: false);
            ServerLog.Warning($"slotsmgrt_async: create client {request.Host}:{request.Port} (DB={pending.Db}) OK");
            var connection = new MigrationConnection(socket, _server, this, request.Host, request.Port, pending.Db);
            connection.LastUseMs = _server.Now;
            connection.TimeoutMs = request.TimeoutMs;
            s.Connection = connection;
            connection.Start();
            try
            {
                RunBatch(pending.Db, s, request, null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug must not leave the caller waiting forever: report it like a command's failure.
                ServerLog.Warning($"slotsmgrt_async: internal error starting a batch: {e}");
                ReleaseConnection(pending.Db, s, connection, $"internal error: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Builds the batch, generates its first messages and makes the caller wait for the end. The caller
    /// is <paramref name="c"/>'s client when it is still running its command (a cached connection: an
    /// empty batch is then answered directly), or is already among the waiters (after a connect).
    /// </summary>
    private void RunBatch(int dbIndex, DbState s, AsyncMigrationRequest request, CommandContext? c)
    {
        MigrationConnection connection = s.Connection!;
        Database db = _server.Databases[dbIndex];
        long now = _server.Now;
        var batch = new AsyncBatch(db, request.Slot, request.UseTag, request.TimeoutMs, request.MaxBulks, request.MaxBytes);
        if (request.Slot >= 0)
        {
            batch.SelectFromSlot(request.NumKeys, now, _server.Random);
        }
        else
        {
            foreach (byte[] key in request.Keys)
                batch.AddKey(key, now);
        }
        connection.TimeoutMs = request.TimeoutMs;
        connection.LastUseMs = now;
        s.Batch = batch;
        connection.SendingMsgs = Generate(connection, batch, 3, s_startBudget);
        if (connection.SendingMsgs == 0)
        {
            (int moved, long remaining) = Finish(dbIndex, s);
            if (c is not null)
                WriteResult(c.Reply, moved, remaining);
            return;
        }
        if (c is not null)
            s.Waiters.Add((c.Client, _server.DeferReply(c.Client, c.Command)));
    }

    /// <summary>
    /// Generates messages while the connection's unsent output is below maxbytes: at least
    /// <paramref name="atLeast"/>, then until <paramref name="budget"/> (Stopwatch ticks) has passed.
    /// When nothing is outstanding at least one message is generated whatever the output says, so a
    /// batch always progresses (the send loop may not have counted its last bytes as written yet when
    /// their ACK arrives).
    /// </summary>
    private int Generate(MigrationConnection connection, AsyncBatch batch, int atLeast, long budget)
    {
        long deadline = Stopwatch.GetTimestamp() + budget;
        int msgs = 0;
        long now = _server.Now;
        while (batch.HasNext())
        {
            long pending = connection.PendingBytes;
            if (pending >= batch.MaxBytes && (msgs > 0 || connection.SendingMsgs > 0))
                break;
            msgs += batch.Next(connection.Output, batch.MaxBytes - pending, now, connection, _server.Config.RequirePass);
            if (msgs < atLeast)
                continue;
            if (Stopwatch.GetTimestamp() >= deadline)
                break;
        }
        if (msgs > 0)
            connection.Flush();
        return msgs;
    }

    /// <summary>
    /// A message from the target (under the lock): only SLOTSRESTORE-ASYNC-ACK is expected. Anything
    /// else, an ACK with an error code, or an ACK nothing waits for closes the connection and interrupts
    /// the batch, as Codis does (its ACK handler fails and the connection is closed after the reply).
    /// </summary>
    public void OnMessage(MigrationConnection connection, ArgList args)
    {
        DbState s = State(connection.Db);
        if (!ReferenceEquals(s.Connection, connection))
        {
            connection.Close();
            return;
        }
        string? failure = CheckAck(args, s, connection);
        if (failure is not null)
        {
            ServerLog.Warning($"slotsmgrt_async: {failure}");
            ReleaseConnection(connection.Db, s, connection, "interrupted: connection closed");
            return;
        }
        connection.LastUseMs = _server.Now;
        connection.SendingMsgs--;
        connection.SendingMsgs += Generate(connection, s.Batch!, 2, s_ackBudget);
        if (connection.SendingMsgs == 0)
            Finish(connection.Db, s);
    }

    /// <summary>The reason an incoming message is not a valid ACK for the running batch, or null.</summary>
    private static string? CheckAck(ArgList args, DbState s, MigrationConnection connection)
    {
        if (!CommandContext.EqualsIgnoreCase(args[0], "SLOTSRESTORE-ASYNC-ACK"u8))
            return $"unexpected message from {connection.Host}:{connection.Port}: {Printable(args[0])}";
        if (args.Count != 3)
            return "wrong number of arguments for SLOTSRESTORE-ASYNC-ACK";
        if (!RequestParser.TryParseLong(args[1], out long code))
            return $"invalid errcode ({Printable(args[1])})";
        if (code != 0)
            return $"ack[{code}] {Printable(args[2])}";
        if (s.Batch is null)
            return "null batched iterator";
        if (connection.SendingMsgs == 0)
            return "invalid message counter";
        return null;
    }

    /// <summary>Text of a message argument for the log (clipped).</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 200)]);

    /// <summary>
    /// The batch is complete: delete the migrated keys on the source, replicate that as one DEL, and
    /// answer every waiter with the number of keys moved (and, for the slot variants, the number of keys
    /// still in the slot: counted after the deletion, quirk 32 — a dashboard loops until it reads 0).
    /// </summary>
    private (int Moved, long Remaining) Finish(int dbIndex, DbState s)
    {
        AsyncBatch batch = s.Batch!;
        s.Batch = null;
        Database db = _server.Databases[dbIndex];
        List<byte[]> removed = batch.RemovedKeys;
        foreach (byte[] key in removed)
        {
            if (db.Delete(key))
                _server.KeyModified(dbIndex, key);
        }
        if (removed.Count > 0)
            ReplicateDeletion(dbIndex, removed);
        // Big values are dropped with the batch: the garbage collector frees them off this thread, which
        // is what Codis's lazy-release thread is for.
        int moved = removed.Count;
        long remaining = batch.Slot >= 0 ? db.SlotCount(batch.Slot) : -1;
        ReplyWaiters(s, null, w => WriteResult(w, moved, remaining));
        return (moved, remaining);
    }

    /// <summary>The reply of a finished batch: the keys moved, or <c>[moved, remaining]</c> for the slot variants.</summary>
    private static void WriteResult(ReplyWriter w, int moved, long remaining)
    {
        if (remaining < 0)
        {
            w.Integer(moved);
            return;
        }
        w.Array(2);
        w.Integer(moved);
        w.Integer(remaining);
    }

    /// <summary>
    /// The seam for replication: the migrated keys' deletion goes to replicas and the AOF as one
    /// <c>DEL k1 k2 ...</c> (replicas never see the SLOTSMGRT*/ACK traffic), through the same hook as
    /// write commands.
    /// </summary>
    private void ReplicateDeletion(int dbIndex, List<byte[]> keys)
    {
        if (_server.Propagate is not { } propagate)
            return;
        var args = new ArgList();
        args.Set([.. (byte[][])[Encoding.ASCII.GetBytes("DEL")], .. keys]);
        propagate(dbIndex, args);
    }

    /// <summary>
    /// Answers every waiter of <paramref name="s"/> with <paramref name="error"/>, or the batch's result
    /// written by <paramref name="write"/>, and releases them. Waiters that went away are skipped.
    /// </summary>
    private void ReplyWaiters(DbState s, string? error, Action<ReplyWriter>? write)
    {
        if (s.Waiters.Count == 0)
            return;
        (Client Client, BlockedState State)[] waiters = [.. s.Waiters];
        s.Waiters.Clear();
        foreach ((Client client, BlockedState state) in waiters)
        {
            if (ServerContext.DeferredOutput(client, state) is not { } output)
                continue;
            if (error is not null)
                output.Error(error);
            else
                write!(output);
            _server.CompleteDeferred(client, state);
        }
    }

    /// <summary>The connection ended (peer closed, I/O error, bad message): interrupts its batch.</summary>
    public void OnClosed(MigrationConnection connection, string reason)
    {
        DbState s = State(connection.Db);
        if (!ReferenceEquals(s.Connection, connection))
        {
            connection.Close();
            return;
        }
        ServerLog.Warning($"slotsmgrt_async: connection to {connection.Host}:{connection.Port} (DB={connection.Db}) lost: {reason}");
        ReleaseConnection(connection.Db, s, connection, "interrupted: connection closed");
    }

    /// <summary>
    /// Drops the cached connection of <paramref name="s"/>: its waiters get <c>ERR &lt;message&gt;</c>, the
    /// batch is abandoned (nothing is deleted on the source) and the socket closed.
    /// </summary>
    private void ReleaseConnection(int db, DbState s, MigrationConnection connection, string message, bool replyWaiters = true)
    {
        long elapsed = _server.Now - connection.LastUseMs;
        ServerLog.Warning($"slotsmgrt_async: unlink client {connection.Host}:{connection.Port} (DB={db}): "
            + $"sending_msgs = {connection.SendingMsgs}, blocked_list = {s.Waiters.Count}, "
            + $"timeout = {connection.TimeoutMs}(ms), elapsed = {elapsed}(ms) ({message})");
        s.Connection = null;
        s.Batch = null;
        connection.Close();
        if (replyWaiters)
            ReplyWaiters(s, "ERR " + message, null);
    }

    /// <summary>SLOTSMGRT-ASYNC-CANCEL: releases the cached connection (and a connection being made); 1 when there was one.</summary>
    public int Cancel(int db)
    {
        DbState s = State(db);
        int released = 0;
        if (s.Connecting is not null)
        {
            s.Connecting = null;
            released = 1;
        }
        if (s.Connection is { } connection)
        {
            ReleaseConnection(db, s, connection, "interrupted: canceled");
            released = 1;
        }
        ReplyWaiters(s, "ERR interrupted: canceled", null);
        return released;
    }

    /// <summary>
    /// SLOTSMGRT-ASYNC-FENCE: <c>+OK</c> when nothing runs, else the caller waits and gets the batch's
    /// reply.
    /// </summary>
    public void Fence(CommandContext c)
    {
        DbState s = State(c.Client.DbIndex);
        if (!s.Busy)
        {
            c.Reply.Ok();
            return;
        }
        if (c.Client.Blocked is { DeferredReply: true })
        {
            c.Error("ERR previous operation has not finished (call fence again)");
            return;
        }
        if (c.InExec)
        {
            c.Error(InExecError("slotsmgrt-async-fence"));
            return;
        }
        s.Waiters.Add((c.Client, _server.DeferReply(c.Client, c.Command)));
    }

    /// <summary>
    /// The error for a command that would have to wait inside MULTI/EXEC: the transaction's reply cannot
    /// be held back for one of its commands, and waiting synchronously would stall the server.
    /// </summary>
    public static string InExecError(string command)
        => $"ERR {command} is not allowed inside MULTI/EXEC: its reply waits for the migration target";

    /// <summary>
    /// Once a second from the server cron: interrupts a batch without an ACK for its timeout, and
    /// releases a connection idle for 60 s.
    /// </summary>
    public void Cron()
    {
        long now = _server.Now;
        for (int db = 0; db < _dbs.Length; db++)
        {
            if (_dbs[db] is not { Connection: { } connection } s)
                continue;
            long elapsed = now - connection.LastUseMs;
            long limit = s.Batch is not null ? connection.TimeoutMs : IdleTimeoutMs;
            if (elapsed <= limit)
                continue;
            ReleaseConnection(db, s, connection, s.Batch is not null ? "interrupted: migration timeout" : "interrupted: idle timeout");
        }
    }
}
