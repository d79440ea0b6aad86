using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Admin;

/// <summary>
/// codis-admin's replica-group, sync-action, resync and sentinel forms against our codis-dashboard with one
/// real codis-server in group 1.
/// </summary>
public sealed class AdminDashboardGroupTests : IDisposable
{
    private const string ProductAuth = "secret";
    private readonly ServerProcess _server = ServerProcess.StartCodis("--requirepass", ProductAuth);
    private readonly DashboardProcess _dashboard = DashboardProcess.Start($"product_auth = \"{ProductAuth}\"");

    public AdminDashboardGroupTests()
    {
        Ok(D, "--create-group", "--gid=1");
        Ok(D, "--group-add", "--gid=1", "--addr=" + Server, "--datacenter=dc1");
    }

    public void Dispose()
    {
        _dashboard.Dispose();
        _server.Dispose();
    }

    private string Server => "127.0.0.1:" + _server.Port.ToString(CultureInfo.InvariantCulture);

    private string D => "--dashboard=" + _dashboard.AdminAddr;

    private static ProcessResult Ok(params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.True(r.ExitCode == 0, $"codis-admin {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}");
        return r;
    }

    private ProcessResult Fails(string op, params string[] args)
    {
        ProcessResult r = AdminProcess.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"[PANIC] call rpc {op} to dashboard {_dashboard.AdminAddr} failed\n[error]: ", r.StdErr, StringComparison.Ordinal);
        return r;
    }

    private JsonElement FirstServer()
    {
        using JsonDocument d = JsonDocument.Parse(Ok(D, "--list-group").StdOut);
        return d.RootElement[0].GetProperty("servers")[0].Clone();
    }

    [Fact]
    public void GroupAdd_Datacenter_Stored()
    {
        Assert.Equal("dc1", FirstServer().GetProperty("datacenter").GetString());
    }

    [Fact]
    public void ReplicaGroups_EnableDisable_FlagStored_UnknownServerRefused()
    {
        Ok(D, "--replica-groups", "--gid=1", "--addr=" + Server, "--enable");
        Assert.True(FirstServer().GetProperty("replica_group").GetBoolean());
        Ok(D, "--replica-groups", "-g", "1", "-x", Server, "--disable");
        Assert.False(FirstServer().GetProperty("replica_group").GetBoolean());

        ProcessResult r = Fails("replica-groups", D, "--replica-groups", "--gid=1", "--addr=127.0.0.1:1", "--enable");
        Assert.Contains("[Remote Error] group-[1] doesn't have server-[127.0.0.1:1]", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void SyncAction_CreateThenRemove_ActionCleared_UnknownServerRefused()
    {
        Ok(D, "--sync-action", "--create", "--addr=" + Server);
        Ok(D, "--sync-action", "--remove", "--addr=" + Server);
        Assert.Equal("{}", FirstServer().GetProperty("action").GetRawText());

        ProcessResult r = Fails("create-sync-action", D, "--sync-action", "--create", "--addr=127.0.0.1:1");
        Assert.Contains("[Remote Error] server-[127.0.0.1:1] doesn't exist", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ResyncGroup_AllAndOne_Ok_UnknownGroupRefused()
    {
        Ok(D, "--resync-group", "--all");
        Ok(D, "--resync-group", "--gid=1");
        Fails("resync-group", D, "--resync-group", "--gid=9");
        ProcessResult missing = AdminProcess.Run(D, "--resync-group");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("[PANIC] option --gid is required", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Sentinels_UnreachableAddRefused_UnknownDelRefused_ResyncOk()
    {
        Fails("add-sentinel", D, "--sentinel-add", "--addr=127.0.0.1:" + FreePort.Get().ToString(CultureInfo.InvariantCulture));
        ProcessResult del = Fails("del-sentinel", D, "--sentinel-del", "--addr=127.0.0.1:1", "--force");
        Assert.Contains("[Remote Error] sentinel-[127.0.0.1:1] not found", del.StdErr, StringComparison.Ordinal);
        Ok(D, "--sentinel-resync");
    }
}
