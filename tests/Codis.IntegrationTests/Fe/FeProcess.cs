using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Fe;

/// <summary>A reply of codis-fe: status, body and headers (lower-case names, content headers included).</summary>
public sealed record FeReply(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The Content-Type header, or "".</summary>
    public string ContentType => Headers.TryGetValue("content-type", out string? v) ? v : "";
}

/// <summary>
/// Our codis-fe started for a test on a free 127.0.0.1 port, with the assets built next to it (or
/// <c>--assets-dir</c> among the arguments). Dispose kills it by PID.
/// </summary>
public sealed class FeProcess : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(90),
    };

    private FeProcess(ServerProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    /// <summary>The process (output, PID).</summary>
    public ServerProcess Process { get; }

    /// <summary>The HTTP port.</summary>
    public int Port { get; }

    /// <summary>Starts codis-fe with <paramref name="args"/> and <c>--listen=127.0.0.1:&lt;free port&gt;</c>.</summary>
    public static FeProcess Start(params string[] args)
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Get();
            try
            {
                ServerProcess p = ServerProcess.Start(DotnetHost(), [FindDll(), .. args, $"--listen=127.0.0.1:{port}"], port,
                    ReadyCheck.TcpConnect, startTimeout: TimeSpan.FromSeconds(60));
                return new FeProcess(p, port);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another test took the free port first: try another.
            }
        }
    }

    /// <summary>Runs codis-fe with <paramref name="args"/> until it exits (at most 90 s).</summary>
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
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("cannot start codis-fe");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(90_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("codis-fe " + string.Join(" ", args) + " did not exit within 90 s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The codis-fe.dll to run: $CODIS_FE_DLL if set, else the newest <c>src/Codis.Fe/bin/**/codis-fe.dll</c> found
    /// searching upward from the test's directory.
    /// </summary>
    public static string FindDll()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_FE_DLL");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new FileNotFoundException($"CODIS_FE_DLL points to a missing file: {env}", env);
        }
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Codis.Fe", "bin");
            if (!Directory.Exists(bin))
                continue;
            string? newest = Directory.EnumerateFiles(bin, "codis-fe.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        throw new FileNotFoundException(
            $"codis-fe.dll not found: set CODIS_FE_DLL or build src/Codis.Fe (searched upward from {AppContext.BaseDirectory})");
    }

    /// <summary>An HTTP call to codis-fe.</summary>
    public FeReply Call(HttpMethod method, string pathAndQuery, string? body = null)
    {
        using var req = new HttpRequestMessage(method, $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{pathAndQuery}");
        if (body is not null)
            req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage resp = Http.Send(req);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> h in resp.Headers.Concat(resp.Content.Headers))
            headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
        using var reader = new StreamReader(resp.Content.ReadAsStream(), Encoding.UTF8);
        return new FeReply((int)resp.StatusCode, reader.ReadToEnd(), headers);
    }

    /// <summary>GET on codis-fe.</summary>
    public FeReply Get(string pathAndQuery) => Call(HttpMethod.Get, pathAndQuery);

    /// <summary>PUT on codis-fe.</summary>
    public FeReply Put(string pathAndQuery, string? body = null) => Call(HttpMethod.Put, pathAndQuery, body);

    /// <summary>Kills the process (by PID).</summary>
    public void Dispose() => Process.Dispose();

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
