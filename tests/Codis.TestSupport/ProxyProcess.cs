using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Codis.TestSupport;

/// <summary>The outcome of a command that ran to completion.</summary>
/// <param name="ExitCode">Exit status.</param>
/// <param name="StdOut">Standard output.</param>
/// <param name="StdErr">Standard error.</param>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

/// <summary>An HTTP reply of the proxy's admin API.</summary>
/// <param name="Status">Status code (800 for Codis errors).</param>
/// <param name="Body">Body text (decompressed).</param>
/// <param name="Headers">Response and content headers, names lower-case.</param>
public sealed record AdminReply(int Status, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Our codis-proxy started for a test: admin and client listeners on free 127.0.0.1 ports, a config file in a
/// fresh temp directory, ready once the admin port accepts connections. Dispose kills it by PID.
/// </summary>
public sealed class ProxyProcess : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private ProxyProcess(ServerProcess process, int adminPort, int proxyPort, string configFile)
    {
        Process = process;
        AdminPort = adminPort;
        ProxyPort = proxyPort;
        ConfigFile = configFile;
    }

    /// <summary>The process (output, PID, directory).</summary>
    public ServerProcess Process { get; }

    /// <summary>The admin HTTP port.</summary>
    public int AdminPort { get; }

    /// <summary>The client (RESP) port.</summary>
    public int ProxyPort { get; }

    /// <summary>The config file written for it.</summary>
    public string ConfigFile { get; }

    /// <summary><c>127.0.0.1:&lt;admin port&gt;</c>.</summary>
    public string AdminAddr => "127.0.0.1:" + AdminPort.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>127.0.0.1:&lt;proxy port&gt;</c>.</summary>
    public string ProxyAddr => "127.0.0.1:" + ProxyPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Starts codis-proxy with a config file holding <c>admin_addr</c>, <c>proxy_addr</c> (free ports) and
    /// <paramref name="extraToml"/>, followed by the command-line <paramref name="args"/>. Arguments may use
    /// <c>{dir}</c> for the temp directory. A <c>proxy_addr</c> in <paramref name="extraToml"/> replaces the free port.
    /// </summary>
    public static ProxyProcess Start(string extraToml = "", params string[] args)
    {
        for (int attempt = 1; ; attempt++)
        {
            int admin = FreePort.Get();
            int proxy = FreePort.Get();
            string dir = ServerProcess.NewTempDirectory();
            string config = Path.Combine(dir, "proxy.toml");
            // A key may appear once: the test's own proxy_addr (e.g. a unix socket) replaces the free port.
            bool ownProxyAddr = System.Text.RegularExpressions.Regex.IsMatch(extraToml, @"^\s*proxy_addr\s*=", System.Text.RegularExpressions.RegexOptions.Multiline);
            File.WriteAllText(config,
                $"admin_addr = \"127.0.0.1:{admin}\"\n" + (ownProxyAddr ? "" : $"proxy_addr = \"127.0.0.1:{proxy}\"\n") + extraToml + "\n");
            string[] full = [FindCodisProxyDll(), "--config", config, .. args.Select(a => a.Replace("{dir}", dir, StringComparison.Ordinal))];
            try
            {
                ServerProcess p = ServerProcess.Start(DotnetHost(), full, admin, ReadyCheck.TcpConnect, dir, TimeSpan.FromSeconds(30));
                return new ProxyProcess(p, admin, proxy, config);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                DeleteQuietly(dir);
            }
            catch
            {
                DeleteQuietly(dir);
                throw;
            }
        }
    }

    /// <summary>Runs codis-proxy with <paramref name="args"/> until it exits (at most 60 s).</summary>
    public static ProcessResult Run(params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(FindCodisProxyDll());
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("cannot start codis-proxy");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("codis-proxy " + string.Join(" ", args) + " did not exit within 60 s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The codis-proxy.dll to run: $CODIS_PROXY_DLL if set, else the newest <c>src/Codis.Proxy/bin/**/codis-proxy.dll</c>
    /// found searching upward from the test's directory, else one next to the test assembly.
    /// </summary>
    /// <exception cref="FileNotFoundException">None of these exists.</exception>
    public static string FindCodisProxyDll()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_PROXY_DLL");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new FileNotFoundException($"CODIS_PROXY_DLL points to a missing file: {env}", env);
        }
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Codis.Proxy", "bin");
            if (!Directory.Exists(bin))
                continue;
            string? newest = Directory.EnumerateFiles(bin, "codis-proxy.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        string local = Path.Combine(AppContext.BaseDirectory, "codis-proxy.dll");
        return File.Exists(local) ? local
            : throw new FileNotFoundException(
                $"codis-proxy.dll not found: set CODIS_PROXY_DLL or build src/Codis.Proxy (searched upward from {AppContext.BaseDirectory})");
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

    /// <summary>PUT on the admin API.</summary>
    public AdminReply Put(string path, string? body = null) => Call(HttpMethod.Put, path, body);

    /// <summary>A RESP connection to the client port.</summary>
    public RespConnection Connect() => new(ProxyPort);

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
