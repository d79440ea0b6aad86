using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Config;
using Codis.Server.Persistence;

namespace Codis.Server.Replication;

/// <summary>
/// Full resyncs, as Redis 7.0 schedules them: one background snapshot serves every replica waiting when
/// it starts. A diskless resync (repl-diskless-sync, and every waiting replica understands the EOF
/// payload) waits repl-diskless-sync-delay seconds for more replicas, or until
/// repl-diskless-sync-max-replicas wait; a replica arriving while a disk-target snapshot runs joins it
/// (it is sent the same payload and the stream written since), one arriving during a diskless transfer
/// waits for the next snapshot. Waiting replicas report <c>state=wait_bgsave</c> and get their
/// <c>+FULLRESYNC</c> when their snapshot starts, at its offset.
/// </summary>
public sealed partial class Replicator
{
    // Replicas waiting for the next snapshot (Redis's SLAVE_STATE_WAIT_BGSAVE_START), in arrival order.
    private readonly List<ReplicaLink> _waitingResync = [];

    // The snapshot in progress for replicas, or null.
    private ResyncJob? _resync;

    /// <summary>One background snapshot and the replicas it is for.</summary>
    private sealed class ResyncJob(RdbSnapshot snapshot, MemoryStream image, bool diskless, int streamDb, string replId, long offset)
    {
        public RdbSnapshot Snapshot { get; } = snapshot;

        public MemoryStream Image { get; } = image;

        public bool Diskless { get; } = diskless;

        public int StreamDb { get; } = streamDb;

        public string ReplId { get; } = replId;

        public long Offset { get; } = offset;

        public List<ReplicaLink> Links { get; } = [];
    }

    private void FullResync(Commands.CommandContext c, ReplicaLink link, bool psync)
    {
        Client client = c.Client;
        if (_backlog is null && _replicas.Count == 0 && !_server.IsReplica)
        {
            // A new history starts with the first replica, as Redis changes its replication id then.
            Status.ReplId = ServerInfo.NewRunId();
            Status.ReplId2 = new string('0', 40);
            Status.SecondReplOffset = -1;
        }
        _backlog ??= new ReplicationBacklog((int)PassiveLong("repl-backlog-size", 1024 * 1024), Status.MasterReplOffset + 1);
        SyncFull++;
        Logging.ServerLog.Notice($"Full resync requested by replica {link.Ip}:{link.ListeningPort}.");
        client.IsReplica = true;
        link.PrePsync = !psync;
        link.State = "wait_bgsave";
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        link.AckTimeMs = nowMs;
        link.WaitingSinceMs = nowMs;
        _replicas.Add(link);

        if (_resync is { } job)
        {
            // A disk-target snapshot serves any replica; its stream since the start is the same for all.
            if (!job.Diskless && job.Links.Find(x => x.Pending is not null) is { } sibling)
            {
                link.Pending = new ReplyWriter(Math.Max(4096, sibling.Pending!.Length));
                link.Pending.WriteRaw(sibling.Pending.WrittenSpan);
                if (psync)
                    client.Output.WriteRaw(Encoding.ASCII.GetBytes($"+FULLRESYNC {job.ReplId} {job.Offset}\r\n"));
                job.Links.Add(link);
                Logging.ServerLog.Notice("Waiting for end of BGSAVE for SYNC");
                return;
            }
            _waitingResync.Add(link);
            Logging.ServerLog.Notice(job.Diskless
                ? "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC"
                : "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
            return;
        }
        _waitingResync.Add(link);
        ServerConfig config = _server.Config;
        if (config.ReplDisklessSync && link.CapaEof && config.ReplDisklessSyncDelay > 0)
        {
            Logging.ServerLog.Notice("Delay next BGSAVE for diskless SYNC");
            StartPendingResync(nowMs);
            return;
        }
        StartResync();
    }

    /// <summary>
    /// The cron's check (Redis's replicationStartPendingFork): starts the snapshot for the waiting
    /// replicas once none runs and the first of them has waited repl-diskless-sync-delay seconds, or
    /// repl-diskless-sync-max-replicas wait (at once with disk sync).
    /// </summary>
    private void StartPendingResync(long nowMs)
    {
        if (_resync is not null || _waitingResync.Count == 0)
            return;
        ServerConfig config = _server.Config;
        long waitedMs = nowMs - _waitingResync[0].WaitingSinceMs;
        if (!config.ReplDisklessSync
            || (config.ReplDisklessSyncMaxReplicas > 0 && _waitingResync.Count >= config.ReplDisklessSyncMaxReplicas)
            || waitedMs >= config.ReplDisklessSyncDelay * 1000L)
            StartResync();
    }

    /// <summary>
    /// Starts one background snapshot for every waiting replica: each gets its <c>+FULLRESYNC</c> at the
    /// current offset, and the stream from this instant on waits in its link until the snapshot is sent.
    /// </summary>
    private void StartResync()
    {
        bool diskless = _server.Config.ReplDisklessSync;
        foreach (ReplicaLink x in _waitingResync)
            diskless &= x.CapaEof;
        int streamDb = _server.IsReplica ? MasterStreamDb : -1;
        if (!_server.IsReplica)
        {
            // The next write selects its database explicitly, wherever the stream was.
            _streamDb = -1;
        }
        Logging.ServerLog.Notice($"Starting BGSAVE for SYNC with target: {(diskless ? "replicas sockets" : "disk")} ({_waitingResync.Count} replica(s), offset {Status.MasterReplOffset}).");
        // The dataset is written in the background, as Redis forks for it: clients keep being served.
        var image = new MemoryStream();
        var job = new ResyncJob(RdbSnapshot.Start(_server, image), image, diskless, streamDb, Status.ReplId, Status.MasterReplOffset);
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (ReplicaLink x in _waitingResync)
        {
            if (!x.PrePsync)
                x.Client.Output.WriteRaw(Encoding.ASCII.GetBytes($"+FULLRESYNC {job.ReplId} {job.Offset}\r\n"));
            x.Pending = new ReplyWriter(4096);
            x.AckTimeMs = nowMs;
            x.Client.Wake();
            job.Links.Add(x);
        }
        _waitingResync.Clear();
        _resync = job;
        _ = SendSnapshotAsync(job);
    }

    /// <summary>
    /// Waits for a full resync's snapshot (outside the lock), then sends it and the stream written
    /// meanwhile to each of its replicas still connected; they are online from then on. A failed
    /// snapshot closes them, and they retry.
    /// </summary>
    private async Task SendSnapshotAsync(ResyncJob job)
    {
        byte[]? rdb = null;
        string? failure = null;
        try
        {
            await job.Snapshot.Completion.ConfigureAwait(false);
            rdb = ResyncPayload.WithAux(job.Image.ToArray(), job.StreamDb, job.ReplId, job.Offset);
        }
        catch (Exception e)
        {
            failure = e.Message;
        }
        lock (_server.Lock)
        {
            if (ReferenceEquals(_resync, job))
                _resync = null;
            string mark = ServerInfo.NewRunId();
            foreach (ReplicaLink link in job.Links)
            {
                if (_replicas.Contains(link))
                    SendSnapshot(link, rdb, failure, job.Diskless, mark);
            }
            StartPendingResync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
    }

    private void SendSnapshot(ReplicaLink link, byte[]? rdb, string? failure, bool diskless, string mark)
    {
        Client client = link.Client;
        if (rdb is null)
        {
            Logging.ServerLog.Warning($"Full resync of replica {link.Ip}:{link.ListeningPort} failed: the snapshot could not be written ({failure}); closing the link so that it retries.");
            _replicas.Remove(link);
            client.CloseRequested = true;
            client.Transport.Close(now: true);
            return;
        }
        if (diskless)
        {
            client.Output.WriteRaw(Encoding.ASCII.GetBytes($"$EOF:{mark}\r\n"));
            client.Output.WriteRaw(rdb);
            client.Output.WriteRaw(Encoding.ASCII.GetBytes(mark));
            // A diskless replica finds the end of the payload by its last 40 bytes: the stream
            // waits for its first ACK, which it sends once loaded (as Redis does).
            link.State = "online";
            link.StreamOnAck = true;
            link.AckTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            client.Wake();
            Logging.ServerLog.Notice($"Streamed RDB transfer with replica {link.Ip}:{link.ListeningPort} succeeded ({rdb.Length} bytes, socket). Waiting for REPLCONF ACK from replica to enable streaming.");
            return;
        }
        client.Output.WriteRaw(Encoding.ASCII.GetBytes($"${rdb.Length}\r\n"));
        client.Output.WriteRaw(rdb);
        Logging.ServerLog.Notice($"Sent the snapshot ({rdb.Length} bytes) to replica {link.Ip}:{link.ListeningPort}.");
        PutOnline(link);
    }
}
