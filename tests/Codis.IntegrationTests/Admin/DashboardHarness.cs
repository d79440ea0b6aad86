using System.Globalization;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Admin;

/// <summary>
/// Our codis-dashboard started for the codis-admin tests: a filesystem coordinator in a fresh folder, the admin
/// API on a free 127.0.0.1 port, ready once it holds the lock (<c>GET /topom</c> answers 200). Dispose kills it
/// by PID and deletes the folder.
/// </summary>
internal sealed class DashboardHarness : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private DashboardHarness(ServerProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    /// <summary>The process.</summary>
    public ServerProcess Process { get; }

    /// <summary>The admin port.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string Addr => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts codis-dashboard for <paramref name="product"/> with <paramref name="productAuth"/>.</summary>
    public static DashboardHarness Start(string product, string productAuth)
    {
        int port = FreePort.Get();
        string dir = ServerProcess.NewTempDirectory();
        string config = Path.Combine(dir, "dashboard.toml");
        File.WriteAllText(config,
            $"coordinator_name = \"filesystem\"\ncoordinator_addr = \"{Path.Combine(dir, "coordinator")}\"\n"
            + $"product_name = \"{product}\"\nproduct_auth = \"{productAuth}\"\nadmin_addr = \"127.0.0.1:{port}\"\n");
        ServerProcess p = ServerProcess.Start(DotnetHost(), [FindDll(), "--config", config], port, ReadyCheck.TcpConnect, dir, TimeSpan.FromSeconds(30));
        var d = new DashboardHarness(p, port);
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!d.IsOnline())
        {
            if (DateTime.UtcNow > deadline || p.HasExited)
            {
                string tail = p.OutputTail();
                d.Dispose();
                throw new InvalidOperationException("codis-dashboard did not come online within 30 s:\n" + tail);
            }
            Thread.Sleep(100);
        }
        return d;
    }

    /// <summary>GET on the admin API; the body of a 200 reply.</summary>
    public string Get(string path)
    {
        using HttpResponseMessage r = Http.GetAsync($"http://{Addr}{path}").GetAwaiter().GetResult();
        string body = r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return (int)r.StatusCode == 200 ? body : throw new InvalidOperationException($"GET {path}: {(int)r.StatusCode} {body}");
    }

    /// <summary>Waits until <paramref name="check"/> holds, polling; false at the deadline.</summary>
    public static bool WaitUntil(Func<bool> check, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!check())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(200);
        }
        return true;
    }

    /// <summary>Kills it and deletes its folder.</summary>
    public void Dispose()
    {
        Process.Dispose();
        try
        {
            Directory.Delete(Process.Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }

    private bool IsOnline()
    {
        try
        {
            using HttpResponseMessage r = Http.GetAsync($"http://{Addr}/topom").GetAwaiter().GetResult();
            return (int)r.StatusCode == 200;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>$CODIS_DASHBOARD_DLL, else the newest <c>src/Codis.Dashboard/bin/**/codis-dashboard.dll</c> above the tests.</summary>
    private static string FindDll()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_DASHBOARD_DLL");
        if (!string.IsNullOrEmpty(env))
            return env;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Codis.Dashboard", "bin");
            if (!Directory.Exists(bin))
                continue;
            string? newest = Directory.EnumerateFiles(bin, "codis-dashboard.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        throw new FileNotFoundException("codis-dashboard.dll not found: set CODIS_DASHBOARD_DLL or build src/Codis.Dashboard");
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
