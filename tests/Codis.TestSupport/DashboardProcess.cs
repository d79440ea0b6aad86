using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Codis.TestSupport;

/// <summary>
/// Our codis-dashboard started for a test: admin listener on a free 127.0.0.1 port, a filesystem coordinator
/// (a fresh directory, or one shared by several dashboards), a config file in a fresh temp directory. Ready
/// once the admin port accepts connections; <see cref="WaitOnline"/> waits for the lock. Dispose kills it by PID.
/// </summary>
public sealed class DashboardProcess : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(90),
    };

    private DashboardProcess(ServerProcess process, int adminPort, string configFile, string coordinatorRoot, string product)
    {
        Process = process;
        AdminPort = adminPort;
        ConfigFile = configFile;
        CoordinatorRoot = coordinatorRoot;
        Product = product;
    }

    /// <summary>The process (output, PID, directory).</summary>
    public ServerProcess Process { get; }

    /// <summary>The admin HTTP port.</summary>
    public int AdminPort { get; }

    /// <summary>The config file written for it.</summary>
    public string ConfigFile { get; }

    /// <summary>The filesystem coordinator's root directory.</summary>
    public string CoordinatorRoot { get; }

    /// <summary>The product name.</summary>
    public string Product { get; }

    /// <summary><c>127.0.0.1:&lt;admin port&gt;</c>.</summary>
    public string AdminAddr => "127.0.0.1:" + AdminPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>The dashboard xauth (<c>xauth(product)</c>).</summary>
    public string XAuth => Codis.TestSupport.XAuthFormula.Dashboard(Product);

    /// <summary>The file of a coordinator node, e.g. <c>/codis3/codis-demo/topom</c>.</summary>
    public string NodeFile(string path) => Path.Combine(CoordinatorRoot, "data", path.TrimStart('/'));

    /// <summary>
    /// Starts codis-dashboard with a config file holding <c>admin_addr</c> (a free port), the filesystem
    /// coordinator at <paramref name="coordinatorRoot"/> (a new directory when null) and <paramref name="extraToml"/>,
    /// then the command-line <paramref name="args"/>. With <paramref name="waitOnline"/> it also waits for the lock.
    /// </summary>
    public static DashboardProcess Start(string extraToml = "", string? coordinatorRoot = null, bool waitOnline = true, params string[] args)
    {
        for (int attempt = 1; ; attempt++)
        {
            int admin = FreePort.Get();
            string dir = ServerProcess.NewTempDirectory();
            string root = coordinatorRoot ?? Path.Combine(dir, "coordinator");
            string config = Path.Combine(dir, "dashboard.toml");
            string product = System.Text.RegularExpressions.Regex.Match(extraToml, "^\\s*product_name\\s*=\\s*\"([^\"]*)\"", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } m
                ? m.Groups[1].Value : "codis-demo";
            File.WriteAllText(config, $"admin_addr = \"127.0.0.1:{admin}\"\ncoordinator_name = \"filesystem\"\ncoordinator_addr = \"{root}\"\n" + extraToml + "\n");
            string[] full = [FindDll(), "--config", config, .. args.Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal))];
            DashboardProcess d;
            try
            {
                ServerProcess p = ServerProcess.Start(DotnetHost(), full, admin, ReadyCheck.TcpConnect, dir, TimeSpan.FromSeconds(30));
                d = new DashboardProcess(p, admin, config, root, product);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                DeleteQuietly(dir);
                continue;
            }
            catch
            {
                DeleteQuietly(dir);
                throw;
            }
            if (waitOnline && !d.WaitOnline(TimeSpan.FromSeconds(30)))
            {
                string tail = d.Process.OutputTail();
                d.Dispose();
                throw new InvalidOperationException("codis-dashboard did not go online within 30 s:\n" + tail);
            }
            return d;
        }
    }

    /// <summary>Runs codis-dashboard with <paramref name="args"/> until it exits (at most 90 s).</summary>
    public static ProcessResult Run(params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(FindDll());
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("cannot start codis-dashboard");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(90_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("codis-dashboard " + string.Join(" ", args) + " did not exit within 90 s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The codis-dashboard.dll to run: $CODIS_DASHBOARD_DLL if set, else the newest
    /// <c>src/Codis.Dashboard/bin/**/codis-dashboard.dll</c> found searching upward from the test's directory.
    /// </summary>
    /// <exception cref="FileNotFoundException">None exists.</exception>
    public static string FindDll()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_DASHBOARD_DLL");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new FileNotFoundException($"CODIS_DASHBOARD_DLL points to a missing file: {env}", env);
        }
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Codis.Dashboard", "bin");
            if (!Directory.Exists(bin))
                continue;
            string? newest = Directory.EnumerateFiles(bin, "codis-dashboard.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        string local = Path.Combine(AppContext.BaseDirectory, "codis-dashboard.dll");
        return File.Exists(local) ? local
            : throw new FileNotFoundException(
                $"codis-dashboard.dll not found: set CODIS_DASHBOARD_DLL or build src/Codis.Dashboard (searched upward from {AppContext.BaseDirectory})");
    }

    /// <summary>Polls <c>GET /topom</c> until it answers 200 (the lock is held); false on timeout or exit.</summary>
    public bool WaitOnline(TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !Process.HasExited)
        {
            try
            {
                if (Get("/topom").Status == 200)
                    return true;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Thread.Sleep(100);
        }
        return false;
    }

    /// <summary>An HTTP call to the admin API.</summary>
    public AdminReply Call(HttpMethod method, string path, string? body = null, bool gzip = false)
    {
        using var req = new HttpRequestMessage(method, $"http://{AdminAddr}{path}");
        if (body is not null)
            req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (gzip)
            req.Headers.AcceptEncoding.ParseAdd("gzip");
        using HttpResponseMessage resp = Http.Send(req);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> h in resp.Headers.Concat(resp.Content.Headers))
            headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
        using Stream raw = resp.Content.ReadAsStream();
        Stream s = headers.TryGetValue("content-encoding", out string? enc) && enc == "gzip"
            ? new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress) : raw;
        using var reader = new StreamReader(s, Encoding.UTF8);
        return new AdminReply((int)resp.StatusCode, reader.ReadToEnd(), headers);
    }

    /// <summary>GET on the admin API.</summary>
    public AdminReply Get(string path, bool gzip = false) => Call(HttpMethod.Get, path, null, gzip);

    /// <summary>PUT on the admin API; <c>{xauth}</c> in the path is replaced by the dashboard xauth.</summary>
    public AdminReply Put(string path, string? body = null) => Call(HttpMethod.Put, path.Replace("{xauth}", XAuth, StringComparison.Ordinal), body);

    /// <summary>Sends SIGTERM (by PID).</summary>
    public void Terminate()
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Process.Pid.ToString(CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
    }

    /// <summary>Waits for the process to exit and its output to be read to the end; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout) => Process.WaitForExit(timeout);

    /// <summary>Kills the process (by PID) and deletes its directory.</summary>
    public void Dispose()
    {
        Process.Dispose();
        DeleteQuietly(Process.Directory);
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static void DeleteQuietly(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }
}

/// <summary>The xauth formula (dashboard-api.md §3), so that TestSupport needs no product reference.</summary>
public static class XAuthFormula
{
    /// <summary><c>xauth(product)</c>.</summary>
    public static string Dashboard(string product) => XAuth(product);

    /// <summary><c>xauth(segments...)</c>: first 32 hex chars of sha256("Codis-XAuth" + "-[seg]"...).</summary>
    public static string XAuth(params string[] segments)
    {
        var sb = new StringBuilder("Codis-XAuth");
        foreach (string s in segments)
            sb.Append("-[").Append(s).Append(']');
        byte[] hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
