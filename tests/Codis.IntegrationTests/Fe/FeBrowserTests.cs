using System.Diagnostics;
using System.Globalization;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Fe;

/// <summary>
/// codis-fe in a real browser: Debian's headless Chromium driven by playwright-core (Fe/Browser/fe-browser.mjs,
/// run with node) against a live cluster of our binaries: create groups, add servers, add the proxy, rebalance and
/// watch the slot chart, the wrench, promote a replica, a narrow screen. The script takes screenshots
/// (Fe/Browser/screenshots under the test's output directory).
/// </summary>
public sealed class FeBrowserTests
{
    private const string Product = "codis-demo";

    [Fact]
    public async Task Browser_GroupsServersProxyRebalancePromote_ThePageShowsEachResult()
    {
        using DashboardProcess dashboard = DashboardProcess.Start($"product_name = \"{Product}\"");
        using ServerProcess master1 = ServerProcess.StartCodis();
        using ServerProcess replica1 = ServerProcess.StartCodis();
        using ServerProcess master2 = ServerProcess.StartCodis();
        using ProxyProcess proxy = ProxyProcess.Start($"product_name = \"{Product}\"");
        using FeProcess fe = FeProcess.Start("--filesystem=" + dashboard.CoordinatorRoot);

        string shots = Path.Combine(AppContext.BaseDirectory, "Fe", "Browser", "screenshots");
        Directory.CreateDirectory(shots);
        string profile = ServerProcess.NewTempDirectory();
        try
        {
            var psi = new ProcessStartInfo("node")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = BrowserDir(),
            };
            psi.ArgumentList.Add("fe-browser.mjs");
            psi.Environment["FE_URL"] = $"http://127.0.0.1:{fe.Port.ToString(CultureInfo.InvariantCulture)}/";
            psi.Environment["PRODUCT"] = Product;
            psi.Environment["PROXY_ADMIN"] = proxy.AdminAddr;
            psi.Environment["PROXY_ADDR"] = proxy.ProxyAddr;
            psi.Environment["MASTER1"] = Addr(master1);
            psi.Environment["REPLICA1"] = Addr(replica1);
            psi.Environment["MASTER2"] = Addr(master2);
            psi.Environment["SHOTS"] = shots;
            psi.Environment["USER_DATA_DIR"] = profile;
            using Process node = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
            Task<string> stdout = node.StandardOutput.ReadToEndAsync();
            Task<string> stderr = node.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180));
            try
            {
                await node.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
                Assert.Fail("the browser test did not finish within 180 s:\n" + await stdout + await stderr);
            }
            string output = await stdout + await stderr;
            Assert.True(node.ExitCode == 0, $"the browser test failed ({node.ExitCode}); screenshots in {shots}:\n{output}");
            Assert.Contains("step: PROMOTE the replica", output, StringComparison.Ordinal);
            Assert.Contains("ALL OK", output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(shots, "2-after-rebalance.png")), "the screenshot after the rebalance must exist");
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover browser profile is harmless.
            }
        }
    }

    private static string Addr(ServerProcess s) => "127.0.0.1:" + s.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Fe/Browser of the test sources (its node_modules is installed by the test project's build).</summary>
    private static string BrowserDir()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string d = Path.Combine(dir.FullName, "tests", "Codis.IntegrationTests", "Fe", "Browser");
            if (File.Exists(Path.Combine(d, "fe-browser.mjs")))
                return d;
        }
        throw new DirectoryNotFoundException("tests/Codis.IntegrationTests/Fe/Browser not found upward from " + AppContext.BaseDirectory);
    }
}
