using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Logging;

namespace Codis.Server.Replication;

/// <summary>A failed step of the replica's handshake or sync (the link retries a second later).</summary>
public sealed class ReplicationException(string message) : Exception(message);

/// <summary>
/// The replica side: SLAVEOF/REPLICAOF, the handshake with the master (PING, AUTH masterauth, REPLCONF
/// listening-port and capa, PSYNC), loading the full-resync RDB (bulk or EOF-marked), applying the
/// stream as the master client whose replies are discarded, ACKs, and reconnecting with a partial resync.
/// </summary>
public sealed partial class Replicator
{
    private long _generation;
    private CancellationTokenSource? _linkCts;
    private Client? _masterClient;
    private NetworkStream? _masterStream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private bool _psyncPossible;

    /// <summary>connect, connecting, sync or connected (ROLE's link state).</summary>
    public string LinkState { get; private set; } = "connect";

    /// <summary>The database the master's stream is in (repl-stream-db for a chained replica's full resync).</summary>
    internal int MasterStreamDb => _masterClient?.DbIndex ?? -1;

    /// <summary>
    /// SLAVEOF host port: becomes a replica of that master (keeping the data until the sync replaces it).
    /// Returns false when already replicating that master. Caller holds the lock.
    /// </summary>
    public bool SetMaster(string host, int port)
    {
        ReplicationStatus r = Status;
        if (_server.IsReplica && r.MasterHost == host && r.MasterPort == port)
            return false;
        if (!_server.IsReplica)
        {
            // Our own history lets a former master partially resync with its new master (PSYNC2).
            _psyncPossible = _backlog is not null;
        }
        StopLink();
        DisconnectReplicas();
        _server.IsReplica = true;
        r.MasterHost = host;
        r.MasterPort = port;
        r.LinkUp = false;
        r.LinkDownSinceUnix = 0;
        r.SyncInProgress = false;
        ServerLog.Notice($"Connecting to MASTER {host}:{port}");
        StartLink(host, port);
        return true;
    }

    /// <summary>SLAVEOF NO ONE: becomes a master, keeping the data; the old replication id becomes replid2.</summary>
    public void UnsetMaster()
    {
        if (!_server.IsReplica)
            return;
        StopLink();
        ReplicationStatus r = Status;
        _server.IsReplica = false;
        r.MasterHost = "";
        r.MasterPort = 0;
        r.LinkUp = false;
        r.SyncInProgress = false;
        r.ReplId2 = r.ReplId;
        r.SecondReplOffset = r.MasterReplOffset + 1;
        r.ReplId = ServerInfo.NewRunId();
        _streamDb = -1;
        _psyncPossible = false;
        DisconnectReplicas();
        ServerLog.Notice("MASTER MODE enabled (user request)");
    }

    private void StartLink(string host, int port)
    {
        long gen = ++_generation;
        var cts = new CancellationTokenSource();
        _linkCts = cts;
        LinkState = "connect";
        _ = Task.Run(() => RunLinkAsync(host, port, gen, cts.Token));
    }

    private void StopLink()
    {
        _generation++;
        _linkCts?.Cancel();
        _linkCts = null;
        _masterStream?.Dispose();
        _masterStream = null;
        if (_masterClient is { } m)
        {
            _server.RemoveClient(m);
            _masterClient = null;
        }
        LinkState = "connect";
    }

    private void ReplicaCron(long nowMs)
    {
        if (_server.IsReplica && Status.LinkUp && _masterClient is { } m)
            m.LastInteractionMs = nowMs;
    }

    /// <summary>Sends REPLCONF ACK with the processed offset to the master (outside the lock).</summary>
    private void SendAck()
    {
        NetworkStream? s = _masterStream;
        if (s is null)
            return;
        byte[] ack = Command("REPLCONF", "ACK", Status.ReplicaReplOffset.ToString(CultureInfo.InvariantCulture));
        _ = Task.Run(async () =>
        {
            await _sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await s.WriteAsync(ack).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // The reader notices the broken link.
            }
            finally
            {
                _sendLock.Release();
            }
        });
    }

    private static byte[] Command(params string[] args)
    {
        var b = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
            b.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        return Encoding.UTF8.GetBytes(b.ToString());
    }

    private async Task RunLinkAsync(string host, int port, long gen, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SyncWithMasterAsync(host, port, gen, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or ReplicationException or ObjectDisposedException or OperationCanceledException)
            {
                if (!ct.IsCancellationRequested)
                    ServerLog.Warning($"Replication with MASTER {host}:{port}: {e.Message}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ServerLog.Warning($"Internal error in the link with MASTER {host}:{port}: {e}");
            }
            lock (_server.Lock)
            {
                if (gen != _generation)
                    return;
                if (Status.LinkUp)
                    ServerLog.Notice("Connection with master lost.");
                if (Status.LinkUp || Status.LinkDownSinceUnix == 0)
                    Status.LinkDownSinceUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                Status.LinkUp = false;
                Status.SyncInProgress = false;
                LinkState = "connect";
                _masterStream?.Dispose();
                _masterStream = null;
                if (_masterClient is { } m)
                {
                    // Kept (as Redis caches the master) so its selected database survives a partial resync.
                    _server.Clients.Remove(m.Id);
                }
            }
            try
            {
                await Task.Delay(1000, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SyncWithMasterAsync(string host, int port, long gen, CancellationToken ct)
    {
        using var tcp = new TcpClient { NoDelay = true };
        long timeoutMs = Math.Max(1, PassiveLong("repl-timeout", 60)) * 1000;
        using (var connectCts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connectCts.CancelAfter((int)Math.Min(timeoutMs, int.MaxValue));
            lock (_server.Lock)
                LinkState = "connecting";
            await tcp.ConnectAsync(host, port, connectCts.Token).ConfigureAwait(false);
        }
        NetworkStream stream = tcp.GetStream();
        await using var registration = ct.Register(() => stream.Dispose()).ConfigureAwait(false);
        var reader = new LinkReader(stream);
        ServerLog.Notice("MASTER <-> REPLICA sync started");

        string masterAuth, ourPort;
        lock (_server.Lock)
        {
            masterAuth = _server.Config.MasterAuth;
            ourPort = _server.Port.ToString(CultureInfo.InvariantCulture);
        }
        await stream.WriteAsync(Command("PING"), ct).ConfigureAwait(false);
        string pong = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (pong.StartsWith('-') && !pong.StartsWith("-NOAUTH", StringComparison.Ordinal) && !pong.StartsWith("-NOPERM", StringComparison.Ordinal)
            && !pong.StartsWith("-ERR operation not permitted", StringComparison.Ordinal))
            throw new ReplicationException($"Error reply to PING from master: '{pong}'");
        if (masterAuth.Length > 0)
        {
            await stream.WriteAsync(Command("AUTH", masterAuth), ct).ConfigureAwait(false);
            string auth = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (auth.StartsWith('-'))
                throw new ReplicationException($"Unable to AUTH to MASTER: {auth}");
        }
        await stream.WriteAsync(Command("REPLCONF", "listening-port", ourPort), ct).ConfigureAwait(false);
        string lp = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (lp.StartsWith('-'))
            ServerLog.Notice($"(Non critical) Master does not understand REPLCONF listening-port: {lp}");
        await stream.WriteAsync(Command("REPLCONF", "capa", "eof", "capa", "psync2"), ct).ConfigureAwait(false);
        string capa = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (capa.StartsWith('-'))
            ServerLog.Notice($"(Non critical) Master does not understand REPLCONF capa: {capa}");

        string psyncId;
        long psyncOffset;
        lock (_server.Lock)
        {
            if (gen != _generation)
                return;
            psyncId = _psyncPossible ? Status.ReplId : "?";
            psyncOffset = _psyncPossible ? Status.MasterReplOffset + 1 : -1;
        }
        await stream.WriteAsync(Command("PSYNC", psyncId, psyncOffset.ToString(CultureInfo.InvariantCulture)), ct).ConfigureAwait(false);
        string reply;
        do
        {
            reply = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        }
        while (reply.Length == 0);
        if (reply.StartsWith("+FULLRESYNC", StringComparison.Ordinal))
        {
            string[] parts = reply.Split(' ');
            if (parts.Length < 3 || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long offset))
                throw new ReplicationException($"Bad +FULLRESYNC reply from master: '{reply}'");
            ServerLog.Notice($"Full resync from master: {parts[1]}:{offset}");
            await FullSyncAsync(reader, gen, parts[1], offset, ct).ConfigureAwait(false);
        }
        else if (reply.StartsWith("+CONTINUE", StringComparison.Ordinal))
        {
            string newId = reply.Length > 10 ? reply[10..].Trim() : "";
            lock (_server.Lock)
            {
                if (gen != _generation)
                    return;
                ReplicationStatus r = Status;
                if (newId.Length == 40 && newId != r.ReplId)
                {
                    r.ReplId2 = r.ReplId;
                    r.SecondReplOffset = r.MasterReplOffset + 1;
                    r.ReplId = newId;
                    // Sub-replicas reconnect and continue under the new id.
                    DisconnectReplicas();
                }
                _masterClient ??= NewMasterClient(host, port, 0);
                ServerLog.Notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
            }
        }
        else
        {
            throw new ReplicationException($"Unexpected reply to PSYNC from master: {reply}");
        }

        lock (_server.Lock)
        {
            if (gen != _generation)
                return;
            ReplicationStatus r = Status;
            r.LinkUp = true;
            r.LinkDownSinceUnix = 0;
            r.SyncInProgress = false;
            r.LastIoUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            LinkState = "connected";
            _psyncPossible = true;
            _masterStream = stream;
            _server.Clients[_masterClient!.Id] = _masterClient;
        }
        SendAck();
        await StreamAsync(reader, gen, ct).ConfigureAwait(false);
    }

    private Client NewMasterClient(string host, int port, int db)
    {
        var client = new Client(new MasterTransport(this), $"{host}:{port}", "", _server.Now)
        {
            IsMaster = true,
            Authenticated = true,
            DbIndex = db,
        };
        return client;
    }

    private async Task FullSyncAsync(LinkReader reader, long gen, string replId, long offset, CancellationToken ct)
    {
        lock (_server.Lock)
        {
            if (gen != _generation)
                return;
            Status.SyncInProgress = true;
            LinkState = "sync";
        }
        string header;
        do
        {
            header = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        }
        while (header.Length == 0);
        if (header.StartsWith('-'))
            throw new ReplicationException($"Master aborted replication with an error: {header}");
        if (!header.StartsWith('$'))
            throw new ReplicationException($"Bad protocol from MASTER, the first byte is not '$' (we received '{header}'), are you sure the host and port are right?");
        byte[] rdb;
        if (header.StartsWith("$EOF:", StringComparison.Ordinal))
        {
            byte[] mark = Encoding.ASCII.GetBytes(header[5..]);
            if (mark.Length != 40)
                throw new ReplicationException($"Bad EOF mark from master: '{header}'");
            rdb = await reader.ReadUntilMarkAsync(mark, ct).ConfigureAwait(false);
        }
        else
        {
            if (!long.TryParse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long length) || length > int.MaxValue)
                throw new ReplicationException($"Bad payload length from master: '{header}'");
            lock (_server.Lock)
                Status.SyncLeftBytes = length;
            rdb = await reader.ReadExactAsync((int)length, ct).ConfigureAwait(false);
        }
        ServerLog.Notice($"MASTER <-> REPLICA sync: received {rdb.Length} bytes of RDB; flushing old data and loading");
        lock (_server.Lock)
        {
            if (gen != _generation)
                return;
            _server.FlushAll();
            string? error = ResyncPayload.Load(_server, rdb, out int streamDb);
            if (error is not null)
            {
                _server.FlushAll();
                throw new ReplicationException($"Failed trying to load the MASTER synchronization DB from socket: {error}");
            }
            ReplicationStatus r = Status;
            r.ReplId = replId;
            r.ReplId2 = new string('0', 40);
            r.SecondReplOffset = -1;
            r.MasterReplOffset = offset;
            r.ReplicaReplOffset = offset;
            r.SyncLeftBytes = 0;
            _backlog = new ReplicationBacklog((int)PassiveLong("repl-backlog-size", 1024 * 1024), offset + 1);
            DisconnectReplicas();
            if (_masterClient is { } old)
                _server.RemoveClient(old);
            _masterClient = NewMasterClient(Status.MasterHost, Status.MasterPort, Math.Max(0, streamDb));
            ServerLog.Notice("MASTER <-> REPLICA sync: Finished with success");
        }
    }

    private async Task StreamAsync(LinkReader reader, long gen, CancellationToken ct)
    {
        var parser = new RequestParser();
        var args = new ArgList();
        // The first bytes of the stream may have arrived with the +CONTINUE line or the payload: applied first.
        bool first = true;
        while (true)
        {
            if (!first && await reader.FillAsync(ct).ConfigureAwait(false) == 0)
                throw new ReplicationException("the master closed the connection");
            first = false;
            lock (_server.Lock)
            {
                if (gen != _generation)
                    return;
                Client master = _masterClient!;
                Status.LastIoUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                long timestamp = 0;
                while (reader.Available > 0)
                {
                    ParseResult result = parser.TryParse(reader.Buffer, reader.Start, reader.Available, args);
                    if (result == ParseResult.Incomplete)
                        break;
                    if (result == ParseResult.Error)
                        throw new ReplicationException($"Protocol error from master: {parser.Error}");
                    int consumed = parser.Consumed;
                    ReadOnlySpan<byte> raw = reader.Buffer.AsSpan(reader.Start, consumed);
                    if (result != ParseResult.Empty)
                    {
                        int before = master.Output.Length;
                        _server.Execute(master, args, ref timestamp);
                        master.Output.Truncate(before);
                    }
                    // Chained replicas get exactly what we applied, so offsets stay equal along the chain.
                    FeedRaw(raw);
                    Status.ReplicaReplOffset += consumed;
                    reader.Consume(consumed);
                }
            }
        }
    }

    /// <summary>The master client's transport: replies are discarded; CLIENT KILL drops the link (it reconnects).</summary>
    private sealed class MasterTransport(Replicator owner) : IClientTransport
    {
        public void RequestFlush()
        {
        }

        public void Close(bool now)
        {
            owner._masterStream?.Dispose();
        }
    }

    /// <summary>Buffered reads from the master: lines, exact byte counts, EOF-marked payloads, raw chunks.</summary>
    private sealed class LinkReader(NetworkStream stream)
    {
        private byte[] _buffer = new byte[64 * 1024];

        public byte[] Buffer => _buffer;

        public int Start { get; private set; }

        public int End { get; private set; }

        public int Available => End - Start;

        public void Consume(int n) => Start += n;

        public async Task<int> FillAsync(CancellationToken ct)
        {
            if (Start == End)
            {
                Start = End = 0;
            }
            else if (End == _buffer.Length)
            {
                int pending = End - Start;
                byte[] target = pending * 2 > _buffer.Length ? new byte[_buffer.Length * 2] : _buffer;
                System.Buffer.BlockCopy(_buffer, Start, target, 0, pending);
                _buffer = target;
                Start = 0;
                End = pending;
            }
            int n = await stream.ReadAsync(_buffer.AsMemory(End), ct).ConfigureAwait(false);
            End += n;
            return n;
        }

        public async Task<string> ReadLineAsync(CancellationToken ct)
        {
            while (true)
            {
                int nl = Array.IndexOf(_buffer, (byte)'\n', Start, End - Start);
                if (nl >= 0)
                {
                    string line = Encoding.UTF8.GetString(_buffer, Start, nl - Start).TrimEnd('\r');
                    Start = nl + 1;
                    return line;
                }
                if (await FillAsync(ct).ConfigureAwait(false) == 0)
                    throw new ReplicationException("the master closed the connection");
            }
        }

        public async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            int have = Math.Min(count, Available);
            System.Buffer.BlockCopy(_buffer, Start, result, 0, have);
            Start += have;
            while (have < count)
            {
                int n = await stream.ReadAsync(result.AsMemory(have), ct).ConfigureAwait(false);
                if (n == 0)
                    throw new ReplicationException("the master closed the connection during the transfer");
                have += n;
            }
            return result;
        }

        public async Task<byte[]> ReadUntilMarkAsync(byte[] mark, CancellationToken ct)
        {
            var data = new MemoryStream();
            while (true)
            {
                int previous = (int)data.Length;
                data.Write(_buffer, Start, Available);
                Start = End;
                Span<byte> all = data.GetBuffer().AsSpan(0, (int)data.Length);
                int from = Math.Max(0, previous - mark.Length + 1);
                int at = all[from..].IndexOf(mark);
                if (at >= 0)
                {
                    at += from;
                    // Whatever follows the mark is already the command stream: it goes back to the buffer.
                    ReadOnlySpan<byte> rest = all[(at + mark.Length)..];
                    if (rest.Length > _buffer.Length)
                        _buffer = new byte[rest.Length * 2];
                    rest.CopyTo(_buffer);
                    Start = 0;
                    End = rest.Length;
                    return all[..at].ToArray();
                }
                if (await FillAsync(ct).ConfigureAwait(false) == 0)
                    throw new ReplicationException("the master closed the connection during the transfer");
            }
        }
    }
}
