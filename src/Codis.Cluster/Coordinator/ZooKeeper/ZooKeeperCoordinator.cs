namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>
/// The zookeeper coordinator (coordinator.md §7.1) over <see cref="ZooKeeperClient"/>. Parents are created on
/// demand; with auth every node gets the digest ACL of that user (parents all permissions, data nodes
/// admin+read+write), without auth the world ACL with the same permissions.
/// </summary>
public sealed class ZooKeeperCoordinator : ICoordinator
{
    private readonly ZooKeeperClient _client;
    private readonly IReadOnlyList<ZooKeeperAcl> _dirAcl;
    private readonly IReadOnlyList<ZooKeeperAcl> _nodeAcl;
    private volatile bool _closed;

    /// <summary>
    /// Connects to the comma-separated server list with <paramref name="timeout"/> as session timeout and per-call
    /// timeout, and waits for the first session.
    /// </summary>
    /// <exception cref="CoordinatorException">A bad server list, or no server answered.</exception>
    public ZooKeeperCoordinator(string address, (string User, string Password)? auth, TimeSpan timeout)
    {
        Address = address;
        var options = new ZooKeeperClientOptions
        {
            Servers = address,
            SessionTimeout = timeout,
            Auth = auth is { } a ? [("digest", a.User + ":" + a.Password)] : [],
        };
        if (auth is { } u)
        {
            _dirAcl = [ZooKeeperAcl.Digest(ZooKeeperPerms.All, u.User, u.Password)];
            _nodeAcl = [ZooKeeperAcl.Digest(ZooKeeperPerms.Admin | ZooKeeperPerms.Read | ZooKeeperPerms.Write, u.User, u.Password)];
        }
        else
        {
            _dirAcl = [ZooKeeperAcl.World(ZooKeeperPerms.All)];
            _nodeAcl = [ZooKeeperAcl.World(ZooKeeperPerms.Admin | ZooKeeperPerms.Read | ZooKeeperPerms.Write)];
        }
        // The factory is synchronous; the connect path never needs the caller's context.
        _client = Task.Run(() => ZooKeeperClient.ConnectAsync(options)).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public string Name => "zookeeper";

    /// <inheritdoc/>
    public string Address { get; }

    /// <inheritdoc/>
    public bool SupportsEphemeral => true;

    /// <summary>The underlying client (tests watch its session).</summary>
    internal ZooKeeperClient Client => _client;

    /// <inheritdoc/>
    public async Task CreateAsync(string path, byte[] data, CancellationToken ct = default)
    {
        ThrowIfClosed();
        await CreateNodeAsync(path, data, ZooKeeperCreateMode.Persistent, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task UpdateAsync(string path, byte[] data, CancellationToken ct = default)
    {
        ThrowIfClosed();
        if ((await _client.ExistsAsync(path, ct: ct).ConfigureAwait(false)).Stat is null)
        {
            try
            {
                await CreateNodeAsync(path, data, ZooKeeperCreateMode.Persistent, ct).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // Created by someone else meanwhile: overwrite it below, as an update does.
            }
        }
        await _client.SetDataAsync(path, data, -1, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string path, CancellationToken ct = default)
    {
        ThrowIfClosed();
        try
        {
            await _client.DeleteAsync(path, -1, ct).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Error == ZooKeeperError.NoNode)
        {
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadAsync(string path, bool must, CancellationToken ct = default)
    {
        ThrowIfClosed();
        try
        {
            return (await _client.GetDataAsync(path, ct: ct).ConfigureAwait(false)).Data;
        }
        catch (ZooKeeperException e) when (e.Error == ZooKeeperError.NoNode)
        {
            return must ? throw new NodeMissingException(e.Message) : null;
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(string path, bool must, CancellationToken ct = default)
    {
        ThrowIfClosed();
        try
        {
            ZooKeeperChildren children = await _client.GetChildrenAsync(path, ct: ct).ConfigureAwait(false);
            string prefix = path.TrimEnd('/');
            return children.Children.Select(c => prefix + "/" + c).ToList();
        }
        catch (ZooKeeperException e) when (e.Error == ZooKeeperError.NoNode)
        {
            return must ? throw new NodeMissingException(e.Message) : [];
        }
    }

    /// <inheritdoc/>
    public async Task<Task> CreateEphemeralAsync(string path, byte[] data, CancellationToken ct = default)
    {
        ThrowIfClosed();
        bool exists = false;
        try
        {
            await CreateNodeAsync(path, data, ZooKeeperCreateMode.Ephemeral, ct).ConfigureAwait(false);
        }
        catch (NodeExistsException) when (!_closed)
        {
            exists = true;
        }
        if (exists)
        {
            // Our own session's node: a create whose reply was lost, or jodis registering again after someone
            // changed the node. The session keeps it alive, so failing would fail every retry until the session
            // ends; take it over with the new data instead. Another session's node is still an error.
            ZooKeeperStat? stat = (await _client.ExistsAsync(path, ct: ct).ConfigureAwait(false)).Stat;
            if (stat is null || stat.EphemeralOwner != _client.SessionId)
                throw new NodeExistsException(new ZooKeeperException(ZooKeeperError.NodeExists, "create", path).Message);
            await _client.SetDataAsync(path, data, -1, ct).ConfigureAwait(false);
        }
        ZooKeeperData node = await _client.GetDataAsync(path, watch: true, ct).ConfigureAwait(false);
        return node.Watch!;
    }

    /// <inheritdoc/>
    public async Task CloseAsync()
    {
        _closed = true;
        await _client.CloseAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>Creates the missing parents (each empty, "node exists" tolerated), then the node itself.</summary>
    private async Task CreateNodeAsync(string path, byte[] data, ZooKeeperCreateMode mode, CancellationToken ct)
    {
        await MakeParentsAsync(path, ct).ConfigureAwait(false);
        try
        {
            await _client.CreateAsync(path, data, _nodeAcl, mode, ct).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Error == ZooKeeperError.NodeExists)
        {
            throw new NodeExistsException(e.Message);
        }
    }

    /// <summary>
    /// Finds the deepest existing ancestor, then creates the ones below it. Asking first matters: creating an
    /// existing node under a parent we may not write reports "not authenticated" rather than "node exists".
    /// </summary>
    private async Task MakeParentsAsync(string path, CancellationToken ct)
    {
        var missing = new Stack<string>();
        for (string dir = ParentOf(path); dir.Length > 1; dir = ParentOf(dir))
        {
            if ((await _client.ExistsAsync(dir, ct: ct).ConfigureAwait(false)).Stat is not null)
                break;
            missing.Push(dir);
        }
        while (missing.TryPop(out string? dir))
        {
            try
            {
                await _client.CreateAsync(dir, [], _dirAcl, ZooKeeperCreateMode.Persistent, ct).ConfigureAwait(false);
            }
            catch (ZooKeeperException e) when (e.Error == ZooKeeperError.NodeExists)
            {
            }
        }
    }

    private static string ParentOf(string path)
    {
        int slash = path.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private void ThrowIfClosed()
    {
        if (_closed)
            throw new CoordinatorException("use of closed zk client");
    }
}
