namespace Codis.Cluster.Coordinator;

/// <summary>
/// A coordinator client (coordinator.md §1): a tree of nodes holding bytes, addressed by absolute paths
/// such as <c>/codis3/demo/slots/slot-0001</c>. One contract, three backends: the filesystem, ZooKeeper and
/// etcd. Every failure is a <see cref="CoordinatorException"/>.
/// </summary>
public interface ICoordinator : IAsyncDisposable
{
    /// <summary>The backend's name as Codis prints it: <c>filesystem</c>, <c>zookeeper</c> or <c>etcd</c>.</summary>
    string Name { get; }

    /// <summary>What the client was created with: a root folder or a comma-separated server list.</summary>
    string Address { get; }

    /// <summary>True when <see cref="CreateEphemeralAsync"/> is supported (ZooKeeper, etcd).</summary>
    bool SupportsEphemeral { get; }

    /// <summary>Creates a persistent node; missing parents are created. Fails when the node exists.</summary>
    Task CreateAsync(string path, byte[] data, CancellationToken ct = default);

    /// <summary>Creates or overwrites a persistent node; missing parents are created.</summary>
    Task UpdateAsync(string path, byte[] data, CancellationToken ct = default);

    /// <summary>Deletes a node; a missing node is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken ct = default);

    /// <summary>The node's bytes; when it is absent: null if <paramref name="must"/> is false, else an error.</summary>
    Task<byte[]?> ReadAsync(string path, bool must, CancellationToken ct = default);

    /// <summary>
    /// The full paths (<c>path + "/" + name</c>) of the node's children; an absent node lists as empty when
    /// <paramref name="must"/> is false, else an error. The filesystem sorts by name; the others keep server order.
    /// </summary>
    Task<IReadOnlyList<string>> ListAsync(string path, bool must, CancellationToken ct = default);

    /// <summary>
    /// Creates a node that lives as long as this client's session or lease. The returned task completes when
    /// the node is changed or deleted, or the session is lost: the caller then re-creates it.
    /// </summary>
    /// <exception cref="CoordinatorException">The node exists, the backend has no ephemeral nodes (the filesystem:
    /// <c>not supported</c>), or the call failed.</exception>
    Task<Task> CreateEphemeralAsync(string path, byte[] data, CancellationToken ct = default);

    /// <summary>Closes the client (idempotent); later calls fail with <c>use of closed &lt;kind&gt; client</c>.</summary>
    Task CloseAsync();
}
