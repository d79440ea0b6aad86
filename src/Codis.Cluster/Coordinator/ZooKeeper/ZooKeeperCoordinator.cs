namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>The zookeeper coordinator (coordinator.md §7). Placeholder until the client is written.</summary>
public sealed class ZooKeeperCoordinator : ICoordinator
{
    /// <summary>Connects to the comma-separated server list.</summary>
    /// <exception cref="CoordinatorException">Always, for now.</exception>
    public ZooKeeperCoordinator(string address, (string User, string Password)? auth, TimeSpan timeout)
    {
        _ = auth;
        _ = timeout;
        Address = address;
        throw new CoordinatorException("the zookeeper coordinator is not supported yet");
    }

    /// <inheritdoc/>
    public string Name => "zookeeper";

    /// <inheritdoc/>
    public string Address { get; }

    /// <inheritdoc/>
    public bool SupportsEphemeral => true;

    /// <inheritdoc/>
    public Task CreateAsync(string path, byte[] data, CancellationToken ct = default) => throw new NotSupportedException();

    /// <inheritdoc/>
    public Task UpdateAsync(string path, byte[] data, CancellationToken ct = default) => throw new NotSupportedException();

    /// <inheritdoc/>
    public Task DeleteAsync(string path, CancellationToken ct = default) => throw new NotSupportedException();

    /// <inheritdoc/>
    public Task<byte[]?> ReadAsync(string path, bool must, CancellationToken ct = default) => throw new NotSupportedException();

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync(string path, bool must, CancellationToken ct = default) => throw new NotSupportedException();

    /// <inheritdoc/>
    public Task<Task> CreateEphemeralAsync(string path, byte[] data, CancellationToken ct = default) => throw new NotSupportedException();

    /// <inheritdoc/>
    public Task CloseAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
