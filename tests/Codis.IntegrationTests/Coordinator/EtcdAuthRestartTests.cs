using System.Text;
using Codis.Cluster.Coordinator;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Coordinator;

/// <summary>
/// The etcd coordinator with etcd authentication, and across an etcd restart: each test runs its own etcd,
/// since enabling auth or restarting would disturb the others.
/// </summary>
public sealed class EtcdAuthRestartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static void EnableAuth(EtcdProcess etcd)
    {
        ProcessResult add = etcd.Etcdctl(null, "user", "add", "root:secret");
        Assert.True(add.ExitCode == 0, add.StdErr);
        ProcessResult enable = etcd.Etcdctl(null, "auth", "enable");
        Assert.True(enable.ExitCode == 0, enable.StdErr);
    }

    [Fact]
    public async Task Auth_WrongPassword_FailsClearly_RightPasswordWorks()
    {
        using EtcdProcess etcd = EtcdProcess.Start();
        EnableAuth(etcd);

        await using ICoordinator wrong = Coordinators.Create("etcd", etcd.Address, "root:nope", Timeout);
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => wrong.UpdateAsync("/codis3/a/topom", B("x")));
        Assert.Equal("etcd: authenticate as user 'root' failed: etcdserver: authentication failed, invalid user ID or password", e.Message);

        await using ICoordinator none = Coordinators.Create("etcd", etcd.Address, "", Timeout);
        e = await Assert.ThrowsAsync<CoordinatorException>(() => none.ReadAsync("/codis3/a/topom", false));
        Assert.Equal("etcd: read /codis3/a/topom failed: etcdserver: user name is empty", e.Message);

        await using ICoordinator right = Coordinators.Create("etcd", etcd.Address, "root:secret", Timeout);
        await right.UpdateAsync("/codis3/a/topom", B("x"));
        Assert.Equal("x", Encoding.UTF8.GetString((await right.ReadAsync("/codis3/a/topom", true))!));
        Assert.Equal(["/codis3/a"], await right.ListAsync("/codis3", true));
        Task lost = await right.CreateEphemeralAsync("/jodis/a/proxy-1", B("e"));
        await right.DeleteAsync("/jodis/a/proxy-1");
        await lost.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Restart_WhileConnected_LaterCallsWork()
    {
        using EtcdProcess etcd = EtcdProcess.Start();
        await using ICoordinator c = Coordinators.Create("etcd", etcd.Address, "", Timeout);
        await c.UpdateAsync("/codis3/r/topom", B("before"));
        etcd.Restart();
        Assert.Equal("before", Encoding.UTF8.GetString((await c.ReadAsync("/codis3/r/topom", true))!));
        await c.UpdateAsync("/codis3/r/topom", B("after"));
        Assert.Equal("after", Encoding.UTF8.GetString((await c.ReadAsync("/codis3/r/topom", true))!));
    }

    [Fact]
    public async Task Restart_EphemeralNode_SurvivesAndIsStillWatched()
    {
        using EtcdProcess etcd = EtcdProcess.Start();
        // A TTL far longer than a restart: the keep-alive resumes before the lease could expire.
        await using ICoordinator c = Coordinators.Create("etcd", etcd.Address, "", TimeSpan.FromSeconds(20));
        Task lost = await c.CreateEphemeralAsync("/jodis/r/proxy-1", B("e"));
        etcd.Restart();
        await using ICoordinator other = Coordinators.Create("etcd", etcd.Address, "", Timeout);
        Assert.Equal("e", Encoding.UTF8.GetString((await other.ReadAsync("/jodis/r/proxy-1", true))!));
        Assert.False(lost.IsCompleted);
        // The watch reconnected from the node's revision: a delete after the restart is still seen.
        await other.DeleteAsync("/jodis/r/proxy-1");
        await lost.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Restart_WithAuth_TokenIsRenewed()
    {
        using EtcdProcess etcd = EtcdProcess.Start();
        EnableAuth(etcd);
        await using ICoordinator c = Coordinators.Create("etcd", etcd.Address, "root:secret", Timeout);
        await c.UpdateAsync("/codis3/r/topom", B("before"));
        etcd.Restart();
        // etcd forgets its simple tokens on restart: the client authenticates again by itself.
        Assert.Equal("before", Encoding.UTF8.GetString((await c.ReadAsync("/codis3/r/topom", true))!));
    }

    [Fact]
    public async Task Killed_WhileConnected_CallFailsWithinTimeout()
    {
        using EtcdProcess etcd = EtcdProcess.Start();
        await using ICoordinator c = Coordinators.Create("etcd", etcd.Address, "", TimeSpan.FromSeconds(2));
        await c.UpdateAsync("/codis3/k/topom", B("x"));
        etcd.Kill();
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => c.ReadAsync("/codis3/k/topom", true).WaitAsync(TimeSpan.FromSeconds(60)));
        // Depending on when gRPC notices the dead connection, the call times out, finds the endpoint
        // refusing, or is dropped with the connection: every message names the endpoint.
        string prefix = $"etcd: read /codis3/k/topom failed: ";
        Assert.True(e.Message == $"{prefix}no reply from {etcd.Address} within 2s"
            || e.Message == $"{prefix}lost the connection to {etcd.Address}"
            || e.Message.StartsWith($"{prefix}cannot reach {etcd.Address}: ", StringComparison.Ordinal), e.Message);
    }
}
