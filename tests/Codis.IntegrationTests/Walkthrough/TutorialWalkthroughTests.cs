using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Walkthrough;

/// <summary>
/// The whole walkthrough of the Chinese Codis tutorial (shared/seed/codis-tutorial-zh.txt, mapped step by step in
/// docs/walkthrough.md), with real processes only: codis-servers, two codis-proxies, codis-dashboard, the
/// coordinator (a directory, Debian's ZooKeeper or etcd) and every operator step run through codis-admin as a
/// subprocess. After every step the data written so far is read back through a proxy.
/// </summary>
public sealed partial class TutorialWalkthroughTests
{
    private const string Product = "codis-demo";

    // Migrations are slow on a loaded machine: generous deadlines, polled (never a fixed sleep).
    private static readonly TimeSpan MigrationDeadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(90);

    /// <summary>The coordinators of the tutorial's <c>coordinator_name</c>.</summary>
    public static TheoryData<string> Coordinators => new() { "filesystem", "zookeeper", "etcd" };

    [Theory]
    [MemberData(nameof(Coordinators))]
    public void Tutorial_EveryStepThroughCodisAdmin_ClusterServesAllData(string coordinator)
    {
        using var run = new Walk(coordinator);
        run.Run();
    }

    /// <summary>One run of the walkthrough: the processes it started (killed by PID on dispose) and the data written.</summary>
    private sealed partial class Walk(string coordinator) : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private readonly Dictionary<string, string> _data = [];
        private readonly string _root = ServerProcess.NewTempDirectory();
        private string _coordinatorAddr = "";
        private string[] _coordinatorFlag = [];
        private DashboardProcess _dashboard = null!;

        private string D => "--dashboard=" + _dashboard.AdminAddr;

        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--)
                _owned[i].Dispose();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        }

        private T Own<T>(T d)
            where T : IDisposable
        {
            _owned.Add(d);
            return d;
        }

        public void Run()
        {
            StartCoordinator();

            // 启动 codis-dashboard.
            _dashboard = StartDashboard();

            // 启动 codis-proxy: it waits online until it is added to the cluster.
            ProxyProcess proxy1 = Own(ProxyProcess.Start($"product_name = \"{Product}\""));
            Assert.False(ProxyOnline(proxy1), "a new proxy must wait until it is added");

            // 启动 codis-server (two for group 1: master and replica, one for group 2).
            ServerProcess master1 = Own(ServerProcess.StartCodis());
            ServerProcess replica1 = Own(ServerProcess.StartCodis());
            ServerProcess master2 = Own(ServerProcess.StartCodis());

            // 添加 Proxy: codis-admin --dashboard=... --create-proxy -x <proxy admin_addr>.
            Ok(D, "--create-proxy", "-x", proxy1.AdminAddr);
            Assert.True(ProxyOnline(proxy1), "the proxy must be online once added");
            Assert.Contains(proxy1.AdminAddr, Ok(D, "--proxy-status").StdOut, StringComparison.Ordinal);

            // 添加 codis-group: group 1 with one server.
            Ok(D, "--create-group", "--gid=1");
            Ok(D, "--group-add", "--gid=1", "--addr=" + Addr(master1));
            Assert.Contains(Addr(master1), Ok(D, "--list-group").StdOut, StringComparison.Ordinal);

            // 初始化 slot ("Rebalance All Slots"): every slot to group 1.
            Rebalance();
            AssertSlots(g => g == 1, "all slots in group 1");
            AssertSlotsServedBy(master1);

            // 连接到 codis-proxy: set 1 a, set 2 b.
            Write(proxy1, ("1", "a"), ("2", "b"));
            WriteMany(proxy1, "step1", 40);
            Check(proxy1);

            // 添加 codis-proxy: a second proxy, added the same way; it serves the same data.
            ProxyProcess proxy2 = Own(ProxyProcess.Start($"product_name = \"{Product}\""));
            Ok(D, "--create-proxy", "-x", proxy2.AdminAddr);
            Assert.True(ProxyOnline(proxy2), "the second proxy must be online once added");
            Check(proxy2);

            // 添加 codis-server 作为 slave: into group 1, then the "wrench" (sync action) makes it replicate.
            Ok(D, "--group-add", "--gid=1", "--addr=" + Addr(replica1));
            Ok(D, "--sync-action", "--create", "--addr=" + Addr(replica1));
            Assert.Contains("\"state\": \"", Ok(D, "--list-group").StdOut, StringComparison.Ordinal);
            // The dashboard's sync-action loop sends SLAVEOF to the new server (ha.md §5).
            WaitReplicated(replica1, master1);
            Check(proxy1);

            // 添加 codis-server 到新的 group 2, then rebalance: slots spread over both groups.
            Ok(D, "--create-group", "--gid=2");
            Ok(D, "--group-add", "--gid=2", "--addr=" + Addr(master2));
            Rebalance();
            Dictionary<int, int> spread = SlotCounts();
            Assert.True(spread.GetValueOrDefault(1) > 0 && spread.GetValueOrDefault(2) > 0, "both groups own slots: " + Show(spread));
            Write(proxy1, ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("sw", "sw"));
            WriteMany(proxy2, "step2", 40);
            Check(proxy1);
            Check(proxy2);
            Assert.True(DbSize(master2) > 0, "group 2 must hold keys after the rebalance");

            // 移除一个 group: move its slots away first (so no data is lost), then remove its servers and the group.
            // A range may not hold slots already in the target group (Codis: "slot-[i] already in group-[g]"):
            // one range per contiguous run of group 1's slots.
            foreach ((int beg, int end) in RunsOfGroup(1))
            {
                Ok(D, "--slot-action", "--create-range", "--beg=" + beg.ToString(CultureInfo.InvariantCulture),
                    "--end=" + end.ToString(CultureInfo.InvariantCulture), "--gid=2");
            }
            WaitSlots(g => g == 2, "all slots moved to group 2");
            Check(proxy1);
            Ok(D, "--group-del", "--gid=1", "--addr=" + Addr(replica1));
            Ok(D, "--group-del", "--gid=1", "--addr=" + Addr(master1));
            Ok(D, "--remove-group", "--gid=1");
            Assert.DoesNotContain(Addr(master1), Ok(D, "--list-group").StdOut, StringComparison.Ordinal);
            WriteMany(proxy1, "step3", 20);
            Check(proxy1);
            Check(proxy2);

            // codis-proxy 异常退出的修复: a killed proxy cannot be told to go offline; --force removes it anyway.
            Kill(proxy2.Process.Pid);
            Assert.True(proxy2.WaitForExit(StepDeadline), "the killed proxy must exit");
            ProcessResult refused = AdminProcess.Run(D, "--remove-proxy", "--addr=" + proxy2.AdminAddr);
            Assert.True(refused.ExitCode != 0, "removing a dead proxy without --force must fail: " + refused.StdOut);
            Ok(D, "--remove-proxy", "--addr=" + proxy2.AdminAddr, "--force");
            string proxies = Ok(D, "--list-proxy").StdOut;
            Assert.DoesNotContain(proxy2.AdminAddr, proxies, StringComparison.Ordinal);
            Assert.Contains(proxy1.AdminAddr, proxies, StringComparison.Ordinal);
            Check(proxy1);

            // Codis异常关闭后启动出错 / codis-dashboard 异常退出的修复: SIGKILL the dashboard and start it again.
            RecoverKilledDashboard();
            AssertSlots(g => g == 2, "all slots still in group 2 after the restart");
            AssertSlotsServedBy(master2);
            Assert.Contains(proxy1.AdminAddr, Ok(D, "--list-proxy").StdOut, StringComparison.Ordinal);
            Assert.Contains(Addr(master2), Ok(D, "--list-group").StdOut, StringComparison.Ordinal);
            // The restarted dashboard still drives the cluster: a new group takes half of the slots.
            ServerProcess master3 = Own(ServerProcess.StartCodis());
            Ok(D, "--create-group", "--gid=3");
            Ok(D, "--group-add", "--gid=3", "--addr=" + Addr(master3));
            Rebalance();
            Dictionary<int, int> after = SlotCounts();
            Assert.True(after.GetValueOrDefault(2) > 0 && after.GetValueOrDefault(3) > 0, "groups 2 and 3 own slots: " + Show(after));
            WriteMany(proxy1, "step4", 20);
            Check(proxy1);
        }

        private void StartCoordinator()
        {
            switch (coordinator)
            {
                case "filesystem":
                    _coordinatorAddr = Path.Combine(_root, "coordinator");
                    _coordinatorFlag = ["--filesystem=" + _coordinatorAddr];
                    break;
                case "zookeeper":
                    _coordinatorAddr = Own(ZooKeeperProcess.Start()).Address;
                    _coordinatorFlag = ["--zookeeper=" + _coordinatorAddr];
                    break;
                case "etcd":
                    _coordinatorAddr = Own(EtcdProcess.Start()).Address;
                    _coordinatorFlag = ["--etcd=" + _coordinatorAddr];
                    break;
                default:
                    throw new ArgumentException("unknown coordinator " + coordinator, nameof(coordinator));
            }
        }

        private DashboardProcess StartDashboard() =>
            // --zookeeper/--etcd/--filesystem override the file's coordinator, as in the tutorial's usage line.
            Own(DashboardProcess.Start($"product_name = \"{Product}\"", coordinatorRoot: coordinator == "filesystem" ? _coordinatorAddr : null,
                waitOnline: true, args: _coordinatorFlag));

        private void RecoverKilledDashboard()
        {
            DashboardProcess old = _dashboard;
            Kill(old.Process.Pid);
            Assert.True(old.WaitForExit(StepDeadline), "the killed dashboard must exit");
            if (coordinator != "filesystem")
            {
                // The tutorial's fix: remove the lock with codis-admin. On ZooKeeper and etcd our lock is ephemeral
                // and would also vanish by itself, but only after the session/lease timeout (up to a minute).
                Ok(["--remove-lock", "--product=" + Product, .. _coordinatorFlag]);
            }
            // On the filesystem no --remove-lock is needed: the new dashboard takes over the stale lock of a dead
            // dashboard of this host.
            _dashboard = StartDashboard();
        }

        private static string Addr(ServerProcess s) => "127.0.0.1:" + s.Port.ToString(CultureInfo.InvariantCulture);

        private static ProcessResult Ok(params string[] args)
        {
            ProcessResult r = AdminProcess.Run(args);
            Assert.True(r.ExitCode == 0, $"codis-admin {string.Join(' ', args)} exited {r.ExitCode}:\n{r.StdErr}\n{r.StdOut}");
            return r;
        }

        private static void Kill(int pid)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
            kill?.WaitForExit();
        }

        private static bool ProxyOnline(ProxyProcess proxy)
        {
            using JsonDocument d = JsonDocument.Parse(Ok("--proxy=" + proxy.AdminAddr, "stats").StdOut);
            return d.RootElement.GetProperty("online").GetBoolean();
        }
    }
}
