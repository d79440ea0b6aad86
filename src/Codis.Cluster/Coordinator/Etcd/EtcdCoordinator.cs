namespace Codis.Cluster.Coordinator.Etcd;

/// <summary>The etcd coordinator (coordinator.md §7). Placeholder until the client is written.</summary>
public sealed class EtcdCoordinator : ICoordinator
{
    /// <summary>Connects to the comma-separated server list.</summary>
    /// <exception cref="CoordinatorException">Always, for now.</exception>
    public EtcdCoordinator(string address, (string User, string Password)? auth, TimeSpan timeout)
    {
        _ = auth;
        _ = timeout;
        Address = address;
        throw new CoordinatorException("the etcd coordinator is not supported yet");
    }

    /// <inheritdoc/>
    public string Name => "etcd";

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
