using System.Globalization;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Persistence;

namespace Codis.Server.Replication;

/// <summary>One replica connected to this server (a client that sent SYNC or PSYNC).</summary>
public sealed class ReplicaLink
{
    /// <summary>The replica's connection.</summary>
    public required Client Client { get; init; }

    /// <summary>Its listening port (REPLCONF listening-port), 0 until announced.</summary>
    public int ListeningPort { get; set; }

    /// <summary>wait_bgsave or online (INFO state=).</summary>
    public string State { get; set; } = "wait_bgsave";

    /// <summary>
    /// A diskless transfer ended: the replica counts as online (as in Redis, which reports it so at once),
    /// but the stream waits for its first ACK, sent once it has loaded the payload.
    /// </summary>
    internal bool StreamOnAck { get; set; }

    /// <summary>
    /// The replication stream written since its full-resync snapshot started, sent after the snapshot
    /// (null once online).
    /// </summary>
    internal ReplyWriter? Pending { get; set; }

    /// <summary>It synchronized with SYNC rather than PSYNC: it sends no ACKs.</summary>
    public bool PrePsync { get; set; }

    /// <summary>The offset the replica acknowledged (REPLCONF ACK).</summary>
    public long AckOffset { get; set; }

    /// <summary>Unix ms of its last ACK.</summary>
    public long AckTimeMs { get; set; }

    /// <summary>The replica understands the EOF-marked diskless payload (REPLCONF capa eof).</summary>
    public bool CapaEof { get; set; }

    /// <summary>The replica understands PSYNC2 (+CONTINUE with a replication id).</summary>
    public bool CapaPsync2 { get; set; }

    /// <summary>Unix ms since when it waits for a snapshot to start (repl-diskless-sync-delay counts from it).</summary>
    internal long WaitingSinceMs { get; set; }

    /// <summary>Its IP address (the peer address without port).</summary>
    public string Ip => Client.Address.LastIndexOf(':') is int i and > 0 ? Client.Address[..i] : Client.Address;
}

/// <summary>
/// Redis-compatible replication (master and replica side). The master side feeds every propagated
/// write into the replication stream (SELECT when the database changes), keeps the backlog for partial
/// resyncs, serves SYNC/PSYNC with a full RDB or the backlog, pings replicas and tracks their ACKs for
/// WAIT and INFO. The replica side is in <c>Replicator.Replica.cs</c>. Everything runs under the server lock
/// except the socket I/O of the master link.
/// </summary>
public sealed partial class Replicator
{
    private readonly ServerContext _server;
    private readonly List<ReplicaLink> _replicas = [];
    private ReplicationBacklog? _backlog;
    private int _streamDb = -1;
    private long _lastPingMs;
    private long _lastAckSentMs;
    private readonly List<(Client Client, BlockedState State, long Offset, int Wanted, long DeadlineMs)> _waiters = [];

    /// <summary>Attaches replication to <paramref name="server"/>: the propagation hooks and the cron.</summary>
    public Replicator(ServerContext server)
    {
        _server = server;
        server.Propagate += Feed;
        server.ExpiredKeyPropagate += (db, key) => Feed(db, DelArgs(key));
        server.CronTick += Cron;
        server.ClientRemoved += OnClientRemoved;
    }

    private ReplicationStatus Status => _server.Replication;

    /// <summary>Full resyncs served (INFO sync_full).</summary>
    public long SyncFull { get; private set; }

    /// <summary>Partial resyncs accepted (INFO sync_partial_ok).</summary>
    public long SyncPartialOk { get; private set; }

    /// <summary>Partial resyncs refused (INFO sync_partial_err).</summary>
    public long SyncPartialErr { get; private set; }

    /// <summary>The connected replicas.</summary>
    public IReadOnlyList<ReplicaLink> Replicas => _replicas;

    /// <summary>
    /// Replicas online whose last ACK is at most min-replicas-max-lag seconds old (Redis's "good
    /// slaves", INFO min_slaves_good_slaves).
    /// </summary>
    public int GoodReplicas()
    {
        long nowSec = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int good = 0;
        foreach (ReplicaLink x in _replicas)
        {
            if (x.State == "online" && nowSec - x.AckTimeMs / 1000 <= _server.Config.MinReplicasMaxLag)
                good++;
        }
        return good;
    }

    private static ArgList DelArgs(byte[] key)
    {
        var a = new ArgList();
        a.Set("DEL"u8.ToArray(), key);
        return a;
    }

    private string Passive(string name, string fallback) => _server.ConfigTable?.Find(name)?.Get() ?? fallback;

    private long PassiveLong(string name, long fallback) =>
        long.TryParse(Passive(name, ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : fallback;

    /// <summary>Fills <see cref="ServerContext.Replication"/>'s backlog and replica fields for INFO.</summary>
    public void RefreshStatus()
    {
        ReplicationStatus r = Status;
        r.BacklogActive = _backlog is not null;
        r.BacklogSize = _backlog?.Size ?? PassiveLong("repl-backlog-size", 1024 * 1024);
        r.BacklogFirstByteOffset = _backlog?.FirstByteOffset ?? 0;
        r.BacklogHistlen = _backlog?.HistoryLength ?? 0;
        r.Replicas.Clear();
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (ReplicaLink x in _replicas)
            r.Replicas.Add(new ReplicaStatus(x.Ip, x.ListeningPort, x.State, x.AckOffset, x.AckTimeMs == 0 ? 0 : (nowMs - x.AckTimeMs) / 1000));
    }

    /// <summary>The propagation hook: one write command of a client of this server.</summary>
    private void Feed(int db, ArgList args)
    {
        // A replica forwards its master's stream as received (see FeedRaw), never its own writes.
        if (_server.IsReplica || (_backlog is null && _replicas.Count == 0))
            return;
        var b = new ReplyWriter(64);
        if (db != _streamDb)
        {
            string id = db.ToString(CultureInfo.InvariantCulture);
            b.WriteRaw(Encoding.ASCII.GetBytes($"*2\r\n$6\r\nSELECT\r\n${id.Length}\r\n{id}\r\n"));
            _streamDb = db;
        }
        b.Array(args.Count);
        for (int i = 0; i < args.Count; i++)
            b.Bulk(args[i]);
        FeedRaw(b.WrittenSpan);
    }

    /// <summary>Appends bytes to the replication stream: backlog, offset and every online replica.</summary>
    internal void FeedRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        _backlog ??= new ReplicationBacklog((int)PassiveLong("repl-backlog-size", 1024 * 1024), Status.MasterReplOffset + 1);
        _backlog.Append(bytes);
        Status.MasterReplOffset += bytes.Length;
        foreach (ReplicaLink x in _replicas)
        {
            if (x.Pending is { } pending)
            {
                pending.WriteRaw(bytes);
                continue;
            }
            if (x.State != "online")
                continue;
            x.Client.Output.WriteRaw(bytes);
            x.Client.Wake();
        }
    }

    private void OnClientRemoved(Client client)
    {
        for (int i = _replicas.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_replicas[i].Client, client))
            {
                Logging.ServerLog.Notice($"Connection with replica {_replicas[i].Ip}:{_replicas[i].ListeningPort} lost.");
                _waitingResync.Remove(_replicas[i]);
                _replicas.RemoveAt(i);
            }
        }
    }

    /// <summary>Closes every replica connection (they reconnect and resync).</summary>
    private void DisconnectReplicas()
    {
        foreach (ReplicaLink x in _replicas.ToArray())
        {
            x.Client.CloseRequested = true;
            x.Client.Transport.Close(now: true);
            _server.RemoveClient(x.Client);
        }
        _replicas.Clear();
        _waitingResync.Clear();
    }

    private ReplicaLink LinkOf(Client client)
    {
        foreach (ReplicaLink x in _replicas)
        {
            if (ReferenceEquals(x.Client, client))
                return x;
        }
        var link = new ReplicaLink { Client = client };
        _pending[client.Id] = link;
        return link;
    }

    // REPLCONF before PSYNC: the announced port and capabilities wait here until the client becomes a replica.
    private readonly Dictionary<long, ReplicaLink> _pending = [];

    /// <summary>REPLCONF &lt;option&gt; &lt;value&gt; ...</summary>
    public void ReplConf(Commands.CommandContext c)
    {
        if (c.Count % 2 == 0)
        {
            c.Error(Commands.Errors.Syntax);
            return;
        }
        Client client = c.Client;
        if (client.IsMaster && c.Is(1, "GETACK"u8))
        {
            SendAck();
            return;
        }
        ReplicaLink link = _pending.TryGetValue(client.Id, out ReplicaLink? p) ? p : LinkOf(client);
        for (int i = 1; i < c.Count; i += 2)
        {
            if (c.Is(i, "LISTENING-PORT"u8))
            {
                if (!Commands.CommandContext.TryParseLong(c[i + 1], out long port))
                {
                    c.Error("ERR value is not an integer or out of range");
                    return;
                }
                link.ListeningPort = (int)port;
            }
            else if (c.Is(i, "CAPA"u8))
            {
                if (c.Is(i + 1, "EOF"u8))
                    link.CapaEof = true;
                else if (c.Is(i + 1, "PSYNC2"u8))
                    link.CapaPsync2 = true;
            }
            else if (c.Is(i, "ACK"u8))
            {
                // No reply: the replica does not read one.
                if (client.IsReplica && Commands.CommandContext.TryParseLong(c[i + 1], out long offset))
                {
                    if (offset > link.AckOffset)
                        link.AckOffset = offset;
                    link.AckTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    if (link.StreamOnAck)
                        PutOnline(link);
                    CheckWaiters();
                }
                return;
            }
            else if (c.Is(i, "GETACK"u8))
            {
                return;
            }
            else if (c.Is(i, "IP-ADDRESS"u8) || c.Is(i, "RDB-ONLY"u8) || c.Is(i, "RDB-FILTER-ONLY"u8))
            {
                // Accepted and ignored (Redis 7 options this server does not need).
            }
            else
            {
                c.Error($"ERR Unrecognized REPLCONF option: {c.ArgString(i)}");
                return;
            }
        }
        c.Reply.Ok();
    }

    /// <summary>SYNC and PSYNC &lt;replid&gt; &lt;offset&gt;: partial resync from the backlog when possible, else full.</summary>
    public void Sync(Commands.CommandContext c)
    {
        Client client = c.Client;
        if (client.IsReplica)
            return;
        if (_server.IsReplica && !Status.LinkUp)
        {
            c.Error("NOMASTERLINK Can't SYNC while not connected with my master");
            return;
        }
        bool psync = c.Is(0, "PSYNC"u8);
        ReplicaLink link = _pending.Remove(client.Id, out ReplicaLink? p) ? p : new ReplicaLink { Client = client };
        if (psync)
        {
            string replid = c.ArgString(1);
            bool offsetOk = Commands.CommandContext.TryParseLong(c[2], out long offset);
            bool idOk = replid == Status.ReplId || (replid == Status.ReplId2 && offsetOk && offset <= Status.SecondReplOffset);
            if (idOk && offsetOk && _backlog is not null && _backlog.Covers(offset))
            {
                client.IsReplica = true;
                link.State = "online";
                link.AckTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                _replicas.Add(link);
                c.Reply.WriteRaw(Encoding.ASCII.GetBytes(link.CapaPsync2 ? $"+CONTINUE {Status.ReplId}\r\n" : "+CONTINUE\r\n"));
                c.Reply.WriteRaw(_backlog.CopyFrom(offset));
                SyncPartialOk++;
                Logging.ServerLog.Notice($"Partial resynchronization request from {link.Ip}:{link.ListeningPort} accepted. Sending {Status.MasterReplOffset - offset + 1} bytes of backlog starting from offset {offset}.");
                return;
            }
            if (replid != "?")
                SyncPartialErr++;
        }
        FullResync(c, link, psync);
    }

    /// <summary>Sends a resynced replica the stream written since its snapshot; it is online from then on.</summary>
    private static void PutOnline(ReplicaLink link)
    {
        ReplyWriter pending = link.Pending!;
        link.Client.Output.WriteRaw(pending.WrittenSpan);
        link.Pending = null;
        link.StreamOnAck = false;
        link.State = "online";
        link.AckTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        link.Client.Wake();
        Logging.ServerLog.Notice($"Synchronization with replica {link.Ip}:{link.ListeningPort} succeeded: online, after {pending.Length} bytes of stream written meanwhile.");
    }

    /// <summary>
    /// WAIT numreplicas timeout: replies at once when enough replicas acknowledged the current offset,
    /// else asks them for an ACK and parks the caller until they do or the timeout passes.
    /// </summary>
    public void Wait(Commands.CommandContext c)
    {
        if (_server.IsReplica)
        {
            c.Error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
            return;
        }
        if (!Commands.CommandContext.TryParseLong(c[1], out long wanted) || !Commands.CommandContext.TryParseLong(c[2], out long timeout))
        {
            c.Error("ERR value is not an integer or out of range");
            return;
        }
        if (timeout < 0)
        {
            c.Error("ERR timeout is negative");
            return;
        }
        long offset = Status.MasterReplOffset;
        int acked = CountAcked(offset);
        if (acked >= wanted || c.Client.InMulti || c.Client.IsMaster)
        {
            c.Reply.Integer(acked);
            return;
        }
        BlockedState state = _server.DeferReply(c.Client, c.Command);
        long deadline = timeout == 0 ? long.MaxValue : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + timeout;
        _waiters.Add((c.Client, state, offset, (int)Math.Min(wanted, int.MaxValue), deadline));
        FeedRaw("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"u8);
    }

    private int CountAcked(long offset)
    {
        int n = 0;
        foreach (ReplicaLink x in _replicas)
        {
            if (x.State == "online" && x.AckOffset >= offset)
                n++;
        }
        return n;
    }

    private void CheckWaiters()
    {
        if (_waiters.Count == 0)
            return;
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            (Client client, BlockedState state, long offset, int wanted, long deadline) = _waiters[i];
            int acked = CountAcked(offset);
            if (acked < wanted && nowMs < deadline && ReferenceEquals(client.Blocked, state))
                continue;
            _waiters.RemoveAt(i);
            if (ServerContext.DeferredOutput(client, state) is { } output)
            {
                output.Integer(acked);
                _server.CompleteDeferred(client, state);
            }
        }
    }

    private void Cron()
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        CheckWaiters();
        long period = Math.Max(1, PassiveLong("repl-ping-replica-period", 10)) * 1000;
        if (!_server.IsReplica && _replicas.Count > 0 && nowMs - _lastPingMs >= period)
        {
            _lastPingMs = nowMs;
            FeedRaw("*1\r\n$4\r\nPING\r\n"u8);
        }
        DropTimedOutReplicas(nowMs);
        StartPendingResync(nowMs);
        if (_server.IsReplica && nowMs - _lastAckSentMs >= 1000)
        {
            _lastAckSentMs = nowMs;
            if (Status.LinkUp)
                SendAck();
        }
        ReplicaCron(nowMs);
    }

    /// <summary>
    /// Closes the links of online replicas silent for more than repl-timeout seconds (a replica sends an
    /// ACK every second), as Redis does: a hung replica stops costing output buffer and WAIT counts.
    /// </summary>
    private void DropTimedOutReplicas(long nowMs)
    {
        long timeoutMs = Math.Max(1, PassiveLong("repl-timeout", 60)) * 1000;
        for (int i = _replicas.Count - 1; i >= 0; i--)
        {
            ReplicaLink x = _replicas[i];
            // A replica that sent SYNC (before PSYNC existed) never ACKs.
            if (x.State != "online" || x.PrePsync || nowMs - x.AckTimeMs <= timeoutMs)
                continue;
            Logging.ServerLog.Warning($"Disconnecting timedout replica (streaming sync): {x.Ip}:{x.ListeningPort}, no ACK for {(nowMs - x.AckTimeMs) / 1000} seconds (repl-timeout {timeoutMs / 1000}).");
            _replicas.RemoveAt(i);
            x.Client.CloseRequested = true;
            x.Client.Transport.Close(now: true);
            _server.RemoveClient(x.Client);
        }
    }
}
