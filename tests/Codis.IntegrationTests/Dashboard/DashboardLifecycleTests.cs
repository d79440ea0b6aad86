using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard process (dashboard-api.md §7, coordinator.md §5): the lock in the coordinator, its release on
/// a clean close, stale-lock take-over, live-lock refusal, <c>--remove-lock</c>, and start-up errors.
/// </summary>
public sealed class DashboardLifecycleTests
{
    private const string LockPath = "/codis3/codis-demo/topom";

    [Fact]
    public void Start_LockHoldsTheModel_ShutdownReleasesItAndExits()
    {
        using DashboardProcess d = DashboardProcess.Start();
        string lockFile = d.NodeFile(LockPath);
        Assert.True(File.Exists(lockFile));
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(lockFile)))
        {
            JsonElement l = doc.RootElement;
            Assert.Equal(d.AdminAddr, l.GetProperty("admin_addr").GetString());
            Assert.Equal(d.Process.Pid, l.GetProperty("pid").GetInt32());
            Assert.Equal(Dns.GetHostName(), l.GetProperty("hostname").GetString());
            Assert.Equal("codis-demo", l.GetProperty("product_name").GetString());
            Assert.Equal(32, l.GetProperty("token").GetString()!.Length);
        }
        AdminReply model = d.Get("/topom/model");
        Assert.Equal(200, model.Status);
        Assert.Equal(Keys(model.Body), ["token", "start_time", "admin_addr", "product_name", "pid", "pwd", "sys"]);
        Assert.Equal(model.Body, d.Get("/api/topom/model").Body);

        AdminReply shutdown = d.Put("/api/topom/shutdown/{xauth}");
        Assert.Equal(200, shutdown.Status);
        Assert.Equal("\"OK\"", shutdown.Body);
        Assert.True(d.WaitForExit(TimeSpan.FromSeconds(20)), d.Process.OutputTail());
        Assert.Equal(0, d.Process.ExitCode);
        Assert.False(File.Exists(lockFile));
    }

    [Fact]
    public void Sigterm_ReleasesLockAndPidfile()
    {
        using DashboardProcess d = DashboardProcess.Start("", null, true, "--pidfile", "{dir}/dashboard.pid");
        string pidfile = Path.Combine(d.Process.Directory, "dashboard.pid");
        Assert.Equal(d.Process.Pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(pidfile));
        d.Terminate();
        Assert.True(d.WaitForExit(TimeSpan.FromSeconds(20)), d.Process.OutputTail());
        Assert.Equal(0, d.Process.ExitCode);
        Assert.False(File.Exists(d.NodeFile(LockPath)));
        Assert.False(File.Exists(pidfile));
    }

    [Fact]
    public void StaleLock_DeadDashboardOnThisHost_IsTakenOver()
    {
        string root = Path.Combine(ServerProcess.NewTempDirectory(), "coordinator");
        try
        {
            int deadPid;
            using (DashboardProcess first = DashboardProcess.Start("", root))
            {
                deadPid = first.Process.Pid;
                first.Process.Dispose(); // SIGKILL: the lock stays behind
            }
            Assert.Contains($"\"pid\": {deadPid}", File.ReadAllText(Path.Combine(root, "data/codis3/codis-demo/topom")), StringComparison.Ordinal);
            using DashboardProcess second = DashboardProcess.Start("", root);
            Assert.True(second.Process.WaitForOutput("take over the stale lock", TimeSpan.FromSeconds(5)), second.Process.OutputTail());
            Assert.Contains($"pid {deadPid}", second.Process.Output, StringComparison.Ordinal);
            Assert.Contains($"\"pid\": {second.Process.Pid}", File.ReadAllText(second.NodeFile(LockPath)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, true);
        }
    }

    [Fact]
    public void LiveLock_Refused_NamesTheHolder_ThenGivesUpWithExit1()
    {
        string root = Path.Combine(ServerProcess.NewTempDirectory(), "coordinator");
        try
        {
            using DashboardProcess first = DashboardProcess.Start("", root);
            using DashboardProcess second = DashboardProcess.Start("", root, waitOnline: false);
            Assert.True(second.Process.WaitForOutput($"held by the dashboard at {first.AdminAddr} (pid {first.Process.Pid}", TimeSpan.FromSeconds(20)),
                second.Process.OutputTail());
            AdminReply notOnline = second.Put("/api/topom/group/create/{xauth}/1");
            Assert.Equal(800, notOnline.Status);
            Assert.Contains("\"Cause\": \"topom is not online\"", notOnline.Body, StringComparison.Ordinal);
            Assert.Equal(800, second.Get("/topom").Status);

            // 17 attempts, 2 s apart.
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)), second.Process.OutputTail());
            Assert.Equal(1, second.Process.ExitCode);
            Assert.Contains("dashboard online failed, give up & abort :'(", second.Process.Output, StringComparison.Ordinal);
            // The holder is untouched.
            Assert.Contains($"\"pid\": {first.Process.Pid}", File.ReadAllText(first.NodeFile(LockPath)), StringComparison.Ordinal);
            Assert.Equal(200, first.Get("/topom").Status);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, true);
        }
    }

    [Fact]
    public void RemoveLock_DeletesALockOfAnotherHost()
    {
        string root = Path.Combine(ServerProcess.NewTempDirectory(), "coordinator");
        try
        {
            string lockFile = Path.Combine(root, "data/codis3/codis-demo/topom");
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            File.WriteAllText(lockFile, "{\"token\": \"x\", \"admin_addr\": \"192.0.2.9:28080\", \"pid\": 1, \"hostname\": \"elsewhere\"}");
            using DashboardProcess d = DashboardProcess.Start("", root, true, "--remove-lock");
            Assert.Contains($"\"pid\": {d.Process.Pid}", File.ReadAllText(lockFile), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, true);
        }
    }

    [Fact]
    public void LockOfAnotherHost_NotTakenOver_MessageNamesIt()
    {
        string root = Path.Combine(ServerProcess.NewTempDirectory(), "coordinator");
        try
        {
            string lockFile = Path.Combine(root, "data/codis3/codis-demo/topom");
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            File.WriteAllText(lockFile, "{\"token\": \"x\", \"admin_addr\": \"192.0.2.9:28080\", \"pid\": 1, \"hostname\": \"elsewhere\"}");
            using DashboardProcess d = DashboardProcess.Start("", root, waitOnline: false);
            Assert.True(d.Process.WaitForOutput("held by the dashboard at 192.0.2.9:28080 (pid 1 on elsewhere)", TimeSpan.FromSeconds(20)), d.Process.OutputTail());
            Assert.Contains("--remove-lock", d.Process.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, true);
        }
    }

    [Fact]
    public void BusyAdminPort_Exit1WithClearError()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            ProcessResult r = DashboardProcess.Run("--filesystem", Path.Combine(dir, "c"), "-c", WriteConfig(dir, $"admin_addr = \"127.0.0.1:{port}\""));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"listen tcp 127.0.0.1:{port}: bind: address already in use", r.StdErr + r.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("migration_method = \"fast\"", "invalid migration_method")]
    [InlineData("sentinel_quorum = 0", "invalid sentinel_quorum")]
    [InlineData("migration_timeout = \"0\"", "invalid migration_timeout")]
    [InlineData("proxy_offline_grace = \"-1s\"", "invalid proxy_offline_grace")]
    [InlineData("product_name = \"bad name\"", "bad product name = bad name")]
    [InlineData("admin_adr = \"127.0.0.1:1\"", "unknown key 'admin_adr'")]
    [InlineData("sentinel_quorum = \"two\"", "expected an integer for sentinel_quorum")]
    public void BadConfig_Exit1WithTheKeyNamed(string toml, string error)
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = WriteConfig(dir, toml);
            ProcessResult r = DashboardProcess.Run("-c", file);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"load config {file} failed", r.StdErr, StringComparison.Ordinal);
            Assert.Contains(error, r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("unknown option '--bogus'", "--bogus")]
    [InlineData("--zookeeper and --filesystem cannot be used together", "--zookeeper=127.0.0.1:1", "--filesystem=/tmp/x")]
    [InlineData("--config requires a value", "--config")]
    [InlineData("option --log-level = LOUD", "--log-level=LOUD", "--filesystem=/nonexistent/codis")]
    [InlineData("--etcd-auth needs --etcd", "--etcd-auth=a:b")]
    public void BadFlags_Exit1WithReason(string error, params string[] args)
    {
        ProcessResult r = DashboardProcess.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(error, r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadProductNameFlag_Exit1()
    {
        ProcessResult r = DashboardProcess.Run("--filesystem=/nonexistent/codis", "--product_name=a/b");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("bad product name = a/b", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultConfig_PrintsTheDefaultFile_WithTheGraceKey()
    {
        ProcessResult r = DashboardProcess.Run("--default-config");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("coordinator_name = \"filesystem\"", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("admin_addr = \"0.0.0.0:18080\"", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("proxy_offline_grace = \"30s\"", r.StdOut, StringComparison.Ordinal);
        ProcessResult v = DashboardProcess.Run("--version");
        Assert.Equal(0, v.ExitCode);
        Assert.StartsWith("version: ", v.StdOut, StringComparison.Ordinal);
        Assert.Contains("\ncompile: ", v.StdOut, StringComparison.Ordinal);
    }

    private static string WriteConfig(string dir, string toml)
    {
        string file = Path.Combine(dir, "dashboard.toml");
        File.WriteAllText(file, toml + "\n");
        return file;
    }

    internal static List<string> Keys(string json)
    {
        using JsonDocument d = JsonDocument.Parse(json);
        return d.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }
}
