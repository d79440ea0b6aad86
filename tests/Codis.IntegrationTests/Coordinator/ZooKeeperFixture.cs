using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.ZooKeeper;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Coordinator;

/// <summary>One real ZooKeeper server shared by a test class; tests use their own paths.</summary>
public sealed class ZooKeeperFixture : IDisposable
{
    /// <summary>Starts the server.</summary>
    public ZooKeeperFixture() => Server = ZooKeeperProcess.Start();

    /// <summary>The server.</summary>
    public ZooKeeperProcess Server { get; }

    /// <summary>A fresh coordinator on the server.</summary>
    public ZooKeeperCoordinator Coordinator(string auth = "", TimeSpan? timeout = null) =>
        (ZooKeeperCoordinator)Coordinators.Create("zookeeper", Server.Address, auth, timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>A fresh raw client on the server.</summary>
    public Task<ZooKeeperClient> ClientAsync(string? digest = null) => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
    {
        Servers = Server.Address,
        SessionTimeout = TimeSpan.FromSeconds(20),
        Auth = digest is null ? [] : [("digest", digest)],
    });

    /// <inheritdoc/>
    public void Dispose() => Server.Dispose();
}
