using System.Collections.Concurrent;
using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Logging;
using Codis.Dashboard.Config;
using Codis.Dashboard.Topology;

namespace Codis.Dashboard.Tests;

/// <summary>
/// The lock on a coordinator with ephemeral nodes (ZooKeeper, etcd): held as an ephemeral node, re-acquired
/// when the session is lost, given up (dashboard closed) when another dashboard holds it. Uses an in-memory
/// coordinator that behaves as those backends do.
/// </summary>
public sealed class DashboardLockTests
{
    private const string LockPath = "/codis3/codis-demo/topom";

    /// <summary>An in-memory coordinator with ephemeral nodes whose session can be "lost" by the test.</summary>
    private sealed class EphemeralCoordinator : ICoordinator
    {
        private readonly ConcurrentDictionary<string, byte[]> _nodes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _watches = new(StringComparer.Ordinal);

        public int EphemeralCreates;

        public string Name => "zookeeper";

        public string Address => "memory";

        public bool SupportsEphemeral => true;

        public Task CreateAsync(string path, byte[] data, CancellationToken ct = default) =>
            _nodes.TryAdd(path, data) ? Task.CompletedTask : throw new NodeExistsException("node exists: " + path);

        public Task UpdateAsync(string path, byte[] data, CancellationToken ct = default)
        {
            _nodes[path] = data;
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string path, CancellationToken ct = default)
        {
            _nodes.TryRemove(path, out _);
            return Task.CompletedTask;
        }

        public Task<byte[]?> ReadAsync(string path, bool must, CancellationToken ct = default) =>
            Task.FromResult(_nodes.TryGetValue(path, out byte[]? d) ? d : must ? throw new NodeMissingException(path) : null);

        public Task<IReadOnlyList<string>> ListAsync(string path, bool must, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<string>>(_nodes.Keys.Where(k => k.StartsWith(path + "/", StringComparison.Ordinal) && k.LastIndexOf('/') == path.Length).Order(StringComparer.Ordinal).ToList());

        public Task<Task> CreateEphemeralAsync(string path, byte[] data, CancellationToken ct = default)
        {
            if (!_nodes.TryAdd(path, data))
                throw new NodeExistsException("node exists: " + path);
            Interlocked.Increment(ref EphemeralCreates);
            var watch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watches[path] = watch;
            return Task.FromResult<Task>(watch.Task);
        }

        /// <summary>The session expires: the node goes, the watch fires; <paramref name="replacement"/> (another dashboard) may take it.</summary>
        public void LoseSession(string path, byte[]? replacement = null)
        {
            _nodes.TryRemove(path, out _);
            if (replacement is not null)
                _nodes[path] = replacement;
            if (_watches.TryRemove(path, out TaskCompletionSource? w))
                w.TrySetResult();
        }

        public string? Text(string path) => _nodes.TryGetValue(path, out byte[]? d) ? Encoding.UTF8.GetString(d) : null;

        public Task CloseAsync() => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<(Topom, EphemeralCoordinator, CodisLog)> StartAsync()
    {
        var c = new EphemeralCoordinator();
        var log = new CodisLog { Level = CodisLogLevel.None };
        var topom = new Topom(DashboardConfig.Default with { CoordinatorName = "zookeeper" }, c, log);
        topom.SetIdentity("192.0.2.10:28080", "192.0.2.10:28080");
        await topom.StartAsync();
        return (topom, c, log);
    }

    private static bool Eventually(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }

    [Fact]
    public async Task Start_HoldsAnEphemeralNode_ReleasedOnClose()
    {
        (Topom topom, EphemeralCoordinator c, CodisLog log) = await StartAsync();
        using (log)
        {
            Assert.True(topom.IsOnline);
            Assert.Equal(1, c.EphemeralCreates);
            Assert.Contains("\"admin_addr\": \"192.0.2.10:28080\"", c.Text(LockPath), StringComparison.Ordinal);
            await topom.DisposeAsync();
            Assert.Null(c.Text(LockPath));
        }
    }

    [Fact]
    public async Task SessionLost_LockReacquired()
    {
        (Topom topom, EphemeralCoordinator c, CodisLog log) = await StartAsync();
        using (log)
        {
            await using (topom)
            {
                c.LoseSession(LockPath);
                Assert.True(Eventually(() => c.EphemeralCreates == 2 && c.Text(LockPath) is not null));
                Assert.True(topom.IsOnline);
            }
        }
    }

    [Fact]
    public async Task SessionLost_AnotherDashboardTookIt_ThisOneCloses_LeavingItsLock()
    {
        (Topom topom, EphemeralCoordinator c, CodisLog log) = await StartAsync();
        using (log)
        {
            await using (topom)
            {
                byte[] other = Encoding.UTF8.GetBytes("{\"token\": \"other\", \"admin_addr\": \"192.0.2.9:28080\", \"pid\": 4242}");
                c.LoseSession(LockPath, other);
                Assert.True(Eventually(() => topom.IsClosed));
                await topom.Exited.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Contains("192.0.2.9:28080", c.Text(LockPath), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void IsDashboardAlive_OwnPidMissingPidOrOtherProgram_False()
    {
        Assert.False(Topom.IsDashboardAlive(Environment.ProcessId));
        Assert.False(Topom.IsDashboardAlive(0));
        Assert.False(Topom.IsDashboardAlive(int.MaxValue));
        // pid 1 is alive but it is not a codis-dashboard.
        Assert.False(Topom.IsDashboardAlive(1));
    }
}
