using Etcdserverpb;
using Grpc.Core;

namespace Codis.Cluster.Coordinator.Etcd;

/// <summary>
/// Ephemeral nodes: the key is put with a lease whose TTL is the client timeout, the lease is kept alive
/// every timeout/2, and a watch on the key reports a change or deletion by anyone else. The node's signal
/// completes on such a change, when the lease cannot be kept alive, or when the client closes.
/// </summary>
public sealed partial class EtcdCoordinator
{
    // How soon a failed keep-alive or a broken watch is retried: etcd restarting should cost a moment,
    // not the lease, as long as it is back within the TTL.
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc/>
    public async Task<Task> CreateEphemeralAsync(string path, byte[] data, CancellationToken ct = default)
    {
        long ttl = Math.Max(1, (long)Math.Ceiling(_timeout.TotalSeconds));
        var grant = new LeaseGrantRequest { TTL = ttl };
        LeaseGrantResponse lease = await CallAsync("create-ephemeral", path, (h, d, c) => _client.LeaseGrantAsync(grant, h, d, c), ct).ConfigureAwait(false);
        if (lease.Error.Length > 0)
            throw new CoordinatorException($"etcd: create-ephemeral {path} failed: lease grant: {lease.Error}");
        TxnResponse put;
        try
        {
            put = await CallAsync("create-ephemeral", path, (h, d, c) =>
                _client.TransactionAsync(PutIfAbsent(path, data, lease.ID), h, d, c), ct).ConfigureAwait(false);
        }
        catch
        {
            await RevokeAsync(lease.ID).ConfigureAwait(false);
            throw;
        }
        if (!put.Succeeded)
        {
            await RevokeAsync(lease.ID).ConfigureAwait(false);
            throw new NodeExistsException($"etcd: node {path} already exists");
        }

        var node = new Ephemeral(path, lease.ID, ttl, CancellationTokenSource.CreateLinkedTokenSource(_closing.Token));
        _ephemerals[lease.ID] = node;
        if (_closed != 0)
        {
            // Close ran between the put and the registration: it did not see this lease.
            await RevokeAsync(lease.ID).ConfigureAwait(false);
            node.Stop();
            throw new CoordinatorException("use of closed etcd client");
        }
        _ = Task.Run(() => KeepAliveLoopAsync(node));
        _ = Task.Run(() => WatchLoopAsync(node, put.Header.Revision + 1));
        return node.Signal;
    }

    /// <summary>Ends a node's life as this client sees it: the signal fires and the lease is given back.</summary>
    private void Lost(Ephemeral node)
    {
        if (!node.Stop())
            return;
        _ephemerals.TryRemove(node.LeaseId, out _);
        if (_closed == 0)
            _ = RevokeAsync(node.LeaseId);
    }

    private async Task KeepAliveLoopAsync(Ephemeral node)
    {
        TimeSpan period = TimeSpan.FromTicks(Math.Max(_timeout.Ticks / 2, TimeSpan.FromMilliseconds(100).Ticks));
        DateTime lastRefresh = DateTime.UtcNow;
        TimeSpan delay = period;
        CancellationToken ct = node.Stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                long ttl = await KeepAliveOnceAsync(node.LeaseId, ct).ConfigureAwait(false);
                if (ttl <= 0)
                {
                    // etcd says the lease is gone (expired while we could not reach it): so is the node.
                    Lost(node);
                    return;
                }
                lastRefresh = DateTime.UtcNow;
                delay = period;
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (e is RpcException r && IsInvalidToken(r))
                    _token = null;
                if (DateTime.UtcNow - lastRefresh >= TimeSpan.FromSeconds(node.Ttl))
                {
                    Lost(node);
                    return;
                }
                delay = period < RetryDelay ? period : RetryDelay;
            }
        }
    }

    /// <summary>One keep-alive round trip; the lease's remaining TTL in seconds (0 when it no longer exists).</summary>
    private async Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken ct)
    {
        Metadata? headers = await HeadersAsync(ct).ConfigureAwait(false);
        using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call =
            _client.GetConnection().LeaseClient.LeaseKeepAlive(headers, DateTime.UtcNow + _timeout, ct);
        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, ct).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            throw new CoordinatorException("etcd: keep-alive stream closed without a reply");
        return call.ResponseStream.Current.TTL;
    }

    /// <summary>
    /// Watches the node from the revision after its creation, so no change is missed even across a broken
    /// stream; any event on the key (a put or a delete by anyone) means the node is no longer ours.
    /// </summary>
    private async Task WatchLoopAsync(Ephemeral node, long fromRevision)
    {
        CancellationToken ct = node.Stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                Metadata? headers = await HeadersAsync(ct).ConfigureAwait(false);
                using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call =
                    _client.GetConnection().WatchClient.Watch(headers, null, ct);
                var create = new WatchCreateRequest { Key = Key(node.Path), StartRevision = fromRevision };
                await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, ct).ConfigureAwait(false);
                while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
                {
                    WatchResponse r = call.ResponseStream.Current;
                    // A cancelled watch (history compacted past our revision) can no longer vouch for the node.
                    if (r.Events.Count > 0 || r.Canceled)
                    {
                        Lost(node);
                        return;
                    }
                }
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The keep-alive decides whether the lease survived; the watch only reconnects.
                if (e is RpcException r && IsInvalidToken(r))
                    _token = null;
            }
            try
            {
                await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Gives a lease back (deleting its keys); best effort, bounded by the timeout.</summary>
    private async Task RevokeAsync(long leaseId)
    {
        try
        {
            Metadata? headers = _token is { } token ? new Metadata { { "token", token } } : null;
            await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, headers, DateTime.UtcNow + _timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The lease then expires by itself after its TTL.
        }
    }

    /// <summary>One ephemeral node: its lease, the loops' cancellation and the caller's signal.</summary>
    private sealed class Ephemeral(string path, long leaseId, long ttl, CancellationTokenSource stopping)
    {
        private readonly TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Path { get; } = path;

        public long LeaseId { get; } = leaseId;

        public long Ttl { get; } = ttl;

        public CancellationTokenSource Stopping { get; } = stopping;

        public Task Signal => _signal.Task;

        /// <summary>Fires the signal and stops the loops; false when that already happened.</summary>
        public bool Stop()
        {
            if (!_signal.TrySetResult())
                return false;
            Stopping.Cancel();
            return true;
        }
    }
}
