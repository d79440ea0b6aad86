using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Quickstart;

/// <summary>
/// <c>scripts/quickstart.sh</c> (<c>make quickstart</c>) with the real binaries: the cluster it starts serves
/// data through the proxy, has every slot assigned and both replicas synced, stops every child on SIGINT, and a
/// second run on the same folder keeps the data; a busy port is refused before anything starts.
/// </summary>
public sealed class QuickstartTests : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(90);
    private readonly string _dir = ServerProcess.NewTempDirectory();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }

    [Fact]
    public void Quickstart_StartsWholeCluster_ServesData_StopsEveryChildOnSigint_SecondRunKeepsData()
    {
        int basePort = QuickstartRun.FreeBasePort();
        using (QuickstartRun run = QuickstartRun.Start(basePort, _dir))
        {
            run.WaitFor("Press Ctrl-C", StartDeadline);
            Assert.Contains($"redis-cli -p {basePort}", run.Output, StringComparison.Ordinal);
            Assert.Contains("codis-fe    http://127.0.0.1:", run.Output, StringComparison.Ordinal);

            using (var proxy = new RespConnection(basePort))
            {
                Assert.Equal("OK", proxy.Command("SET", "quickstart:k", "v").Text);
                Assert.Equal("v", proxy.Command("GET", "quickstart:k").Text);
            }

            // Every slot in group 1 or 2, and both replicas replicate their master (the sync action).
            WaitUntil(() => ReplicasUp(run), "both replicas report master_link_status:up", StartDeadline);
            using (JsonDocument topom = run.DashboardGet("/topom"))
            {
                JsonElement stats = topom.RootElement.GetProperty("stats");
                int[] groups = [.. stats.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("group_id").GetInt32())];
                Assert.Equal(1024, groups.Length);
                Assert.Equal(512, groups.Count(g => g == 1));
                Assert.Equal(512, groups.Count(g => g == 2));
                Assert.Single(stats.GetProperty("proxy").GetProperty("models").EnumerateArray());
            }

            Dictionary<string, int> pids = run.ChildPids();
            Assert.Equal(7, pids.Count);
            Assert.All(pids, p => Assert.True(QuickstartRun.Alive(p.Value), p.Key + " must run"));

            run.Signal(2); // SIGINT, as Ctrl-C
            Assert.True(run.Process.WaitForExit(StopDeadline), "the quickstart must exit after SIGINT:\n" + run.Output);
            run.Process.WaitForExit();
            Assert.Equal(0, run.Process.ExitCode);
            Assert.Contains("stopped", run.Output, StringComparison.Ordinal);
            Assert.All(pids, p => Assert.False(QuickstartRun.Alive(p.Value), p.Key + $" (pid {p.Value}) must be gone after SIGINT"));
            Assert.All(QuickstartRun.Offsets, o => WaitUntil(() => QuickstartRun.IsFree(basePort + o), $"port {basePort + o} is free again", StopDeadline));
        }

        // The second run reuses the folder: same cluster, same data.
        using (QuickstartRun again = QuickstartRun.Start(basePort, _dir))
        {
            again.WaitFor("Press Ctrl-C", StartDeadline);
            Assert.Contains("reusing the cluster", again.Output, StringComparison.Ordinal);
            using var proxy = new RespConnection(basePort);
            Assert.Equal("v", proxy.Command("GET", "quickstart:k").Text);
            again.Signal(15);
            Assert.True(again.Process.WaitForExit(StopDeadline), "the quickstart must exit after SIGTERM:\n" + again.Output);
            Assert.All(again.ChildPids(), p => Assert.False(QuickstartRun.Alive(p.Value), p.Key + " must be gone after SIGTERM"));
        }
    }

    [Fact]
    public void Quickstart_BusyPort_IsRefusedNamingThePortAndTheFix_NothingStarted()
    {
        int basePort = QuickstartRun.FreeBasePort();
        int dashboardPort = basePort - 920;
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, dashboardPort);
        squatter.Start();
        using QuickstartRun run = QuickstartRun.Start(basePort, _dir);
        Assert.True(run.Process.WaitForExit(60_000), "a busy port must end the quickstart at once:\n" + run.Output);
        run.Process.WaitForExit();
        Assert.Equal(1, run.Process.ExitCode);
        Assert.Contains($"port {dashboardPort} (codis-dashboard) is already in use", run.Output, StringComparison.Ordinal);
        Assert.Contains("--base-port=", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.ChildPids());
    }

    private static bool ReplicasUp(QuickstartRun run)
    {
        using JsonDocument topom = run.DashboardGet("/topom");
        JsonElement groupStats = topom.RootElement.GetProperty("stats").GetProperty("group").GetProperty("stats");
        int[] ports = run.ServerPorts;
        return new[] { ports[1], ports[3] }.All(p =>
            groupStats.TryGetProperty("127.0.0.1:" + p, out JsonElement s)
            && s.TryGetProperty("stats", out JsonElement info)
            && info.TryGetProperty("master_link_status", out JsonElement link) && link.GetString() == "up");
    }

    private static void WaitUntil(Func<bool> condition, string what, TimeSpan deadline)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > deadline)
                Assert.Fail("timed out waiting until " + what);
            Thread.Sleep(200);
        }
    }
}
