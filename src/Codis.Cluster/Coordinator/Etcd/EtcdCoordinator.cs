using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Codis.Cluster.Coordinator.Etcd;

/// <summary>
/// The etcd coordinator (coordinator.md §7.2) over etcd's v3 API. Codis 3.2 used the v2 keys API with real
/// directories; v3 keys are flat, so the tree is emulated: node <c>/a/b</c> is the key <c>/a/b</c>, and a
/// "directory" is any prefix <c>/a/</c> that deeper keys share. Every call carries a deadline of the client
/// timeout, so a dead endpoint is an error, never a hang.
/// </summary>
public sealed partial class EtcdCoordinator : ICoordinator
{
    private readonly EtcdClient _client;
    private readonly (string User, string Password)? _auth;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private readonly ConcurrentDictionary<long, Ephemeral> _ephemerals = new();
    private readonly CancellationTokenSource _closing = new();
    private volatile string? _token;
    private int _closed;

    /// <summary>A client of the comma-separated <c>host:port</c> list (<c>http://</c> added when no scheme is given).</summary>
    /// <param name="address">The endpoints.</param>
    /// <param name="auth">etcd user and password, or null when etcd runs without authentication.</param>
    /// <param name="timeout">The deadline of every call and the TTL of ephemeral nodes.</param>
    /// <exception cref="CoordinatorException">An empty or malformed endpoint list.</exception>
    public EtcdCoordinator(string address, (string User, string Password)? auth, TimeSpan timeout)
    {
        Address = address;
        _auth = auth;
        _timeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(5);
        string endpoints = Endpoints(address);
        try
        {
            _client = new EtcdClient(endpoints);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or InvalidOperationException)
        {
            throw new CoordinatorException($"etcd: invalid endpoints '{address}': {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public string Name => "etcd";

    /// <inheritdoc/>
    public string Address { get; }

    /// <inheritdoc/>
    public bool SupportsEphemeral => true;

    /// <summary>Each endpoint with <c>http://</c> prepended when it has no scheme, joined by commas.</summary>
    /// <exception cref="CoordinatorException">No endpoint at all.</exception>
    internal static string Endpoints(string address)
    {
        string[] parts = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            throw new CoordinatorException($"etcd: invalid endpoints '{address}': no host:port given");
        for (int i = 0; i < parts.Length; i++)
        {
            if (!parts[i].Contains("://", StringComparison.Ordinal))
                parts[i] = "http://" + parts[i];
        }
        return string.Join(',', parts);
    }

    /// <inheritdoc/>
    public async Task CreateAsync(string path, byte[] data, CancellationToken ct = default)
    {
        TxnResponse r = await CallAsync("create", path, (h, d, c) =>
            _client.TransactionAsync(PutIfAbsent(path, data, lease: 0), h, d, c), ct).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new NodeExistsException($"etcd: node {path} already exists");
    }

    /// <inheritdoc/>
    public async Task UpdateAsync(string path, byte[] data, CancellationToken ct = default)
    {
        var put = new PutRequest { Key = Key(path), Value = ByteString.CopyFrom(data) };
        await CallAsync("update", path, (h, d, c) => _client.PutAsync(put, h, d, c), ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string path, CancellationToken ct = default)
    {
        // Only the key itself: Codis deletes non-recursively, and a missing key deletes nothing, silently.
        var delete = new DeleteRangeRequest { Key = Key(path) };
        await CallAsync("delete", path, (h, d, c) => _client.DeleteAsync(delete, h, d, c), ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadAsync(string path, bool must, CancellationToken ct = default)
    {
        var get = new RangeRequest { Key = Key(path) };
        RangeResponse r = await CallAsync("read", path, (h, d, c) => _client.GetAsync(get, h, d, c), ct).ConfigureAwait(false);
        if (r.Kvs.Count > 0)
            return r.Kvs[0].Value.ToByteArray();
        // No key: a path that only prefixes deeper keys is a directory, which v2 refused to read.
        if (await HasChildrenAsync("read", path, ct).ConfigureAwait(false))
            throw new CoordinatorException("etcd: not a file");
        return must ? throw new NodeMissingException($"etcd: node {path} does not exist") : null;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(string path, bool must, CancellationToken ct = default)
    {
        string prefix = DirPrefix(path);
        var range = new RangeRequest { Key = Key(prefix), RangeEnd = PrefixEnd(prefix), KeysOnly = true };
        RangeResponse r = await CallAsync("list", path, (h, d, c) => _client.GetAsync(range, h, d, c), ct).ConfigureAwait(false);
        var children = new List<string>();
        string? last = null;
        foreach (Mvccpb.KeyValue kv in r.Kvs)
        {
            string rest = kv.Key.ToStringUtf8()[prefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string child = prefix + (slash < 0 ? rest : rest[..slash]);
            // Keys come sorted, so the deeper keys of one child are adjacent.
            if (child != last)
                children.Add(child);
            last = child;
        }
        if (children.Count > 0)
            return children;
        var self = new RangeRequest { Key = Key(path), CountOnly = true };
        RangeResponse s = await CallAsync("list", path, (h, d, c) => _client.GetAsync(self, h, d, c), ct).ConfigureAwait(false);
        if (s.Count > 0)
            throw new CoordinatorException("etcd: not a dir");
        return must ? throw new NodeMissingException($"etcd: node {path} does not exist") : [];
    }

    /// <inheritdoc/>
    public async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
            return;
        await _closing.CancelAsync().ConfigureAwait(false);
        // Revoking the leases removes the ephemeral nodes now rather than a TTL later.
        foreach (Ephemeral e in _ephemerals.Values)
        {
            await RevokeAsync(e.LeaseId).ConfigureAwait(false);
            e.Stop();
        }
        _ephemerals.Clear();
        _client.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private static ByteString Key(string path) => ByteString.CopyFromUtf8(path);

    /// <summary>The prefix shared by a node's descendants: <c>/a</c> → <c>/a/</c>, <c>/</c> → <c>/</c>.</summary>
    private static string DirPrefix(string path) => path.TrimEnd('/') + "/";

    /// <summary>The end of the key range holding every key that starts with <paramref name="prefix"/> (ending in '/').</summary>
    private static ByteString PrefixEnd(string prefix)
    {
        byte[] end = Encoding.UTF8.GetBytes(prefix);
        end[^1]++;
        return ByteString.CopyFrom(end);
    }

    private static TxnRequest PutIfAbsent(string path, byte[] data, long lease)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare
        {
            Key = Key(path),
            Target = Compare.Types.CompareTarget.Create,
            Result = Compare.Types.CompareResult.Equal,
            CreateRevision = 0,
        });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key(path), Value = ByteString.CopyFrom(data), Lease = lease } });
        return txn;
    }

    private async Task<bool> HasChildrenAsync(string op, string path, CancellationToken ct)
    {
        string prefix = DirPrefix(path);
        var range = new RangeRequest { Key = Key(prefix), RangeEnd = PrefixEnd(prefix), CountOnly = true };
        RangeResponse r = await CallAsync(op, path, (h, d, c) => _client.GetAsync(range, h, d, c), ct).ConfigureAwait(false);
        return r.Count > 0;
    }

    /// <summary>
    /// Runs one etcd call with the auth token and a deadline; an expired token (etcd forgets simple tokens
    /// when it restarts) is renewed once. Failures become <see cref="CoordinatorException"/>s naming the call.
    /// </summary>
    private async Task<T> CallAsync<T>(string op, string path, Func<Metadata?, DateTime, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            ThrowIfClosed();
            Metadata? headers = await HeadersAsync(ct).ConfigureAwait(false);
            try
            {
                return await call(headers, DateTime.UtcNow + _timeout, ct).ConfigureAwait(false);
            }
            catch (RpcException e) when (attempt == 0 && _auth is not null && IsInvalidToken(e))
            {
                _token = null;
            }
            catch (Exception e) when (e is not CoordinatorException && !ct.IsCancellationRequested)
            {
                throw Failure($"{op} {path}", e);
            }
        }
    }

    private static bool IsInvalidToken(RpcException e) =>
        e.StatusCode == StatusCode.Unauthenticated || e.Status.Detail.Contains("invalid auth token", StringComparison.Ordinal);

    /// <summary>The <c>token</c> header for an authenticated client (authenticating first if needed); null without auth.</summary>
    private async Task<Metadata?> HeadersAsync(CancellationToken ct)
    {
        if (_auth is not { } auth)
            return null;
        string? token = _token;
        if (token is null)
        {
            await _authLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                token = _token;
                if (token is null)
                {
                    var request = new AuthenticateRequest { Name = auth.User, Password = auth.Password };
                    try
                    {
                        AuthenticateResponse r = await _client.AuthenticateAsync(request, null, DateTime.UtcNow + _timeout, ct).ConfigureAwait(false);
                        token = _token = r.Token;
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        throw Failure($"authenticate as user '{auth.User}'", e);
                    }
                }
            }
            finally
            {
                _authLock.Release();
            }
        }
        return new Metadata { { "token", token } };
    }

    private CoordinatorException Failure(string what, Exception e)
    {
        if (_closed != 0 && e is ObjectDisposedException or OperationCanceledException)
            return new CoordinatorException("use of closed etcd client", e);
        string why = e switch
        {
            RpcException { StatusCode: StatusCode.DeadlineExceeded } =>
                $"no reply from {Address} within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s",
            RpcException { StatusCode: StatusCode.Unavailable } r => $"cannot reach {Address}: {r.Status.Detail}",
            // Nobody cancelled the call: gRPC gave up on it because the connection broke under it.
            RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException => $"lost the connection to {Address}",
            RpcException r => r.Status.Detail,
            _ => e.Message,
        };
        return new CoordinatorException($"etcd: {what} failed: {why}", e);
    }

    private void ThrowIfClosed()
    {
        if (_closed != 0)
            throw new CoordinatorException("use of closed etcd client");
    }
}
