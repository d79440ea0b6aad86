using System.Diagnostics;
using System.Globalization;

namespace Codis.TestSupport;

/// <summary>
/// Debian's etcd (package <c>etcd-server</c>) started for a test: a one-member cluster on free 127.0.0.1
/// client and peer ports with its data in a fresh temp directory. It never touches a system etcd on 2379.
/// Kill/Restart/Dispose act on its PID only; Dispose also deletes the directory.
/// </summary>
public sealed class EtcdProcess : IDisposable
{
    /// <summary>The Debian etcd binary.</summary>
    public const string EtcdPath = "/usr/bin/etcd";

    /// <summary>The Debian etcdctl binary (package <c>etcd-client</c>).</summary>
    public const string EtcdctlPath = "/usr/bin/etcdctl";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };

    private readonly string _directory;
    private ServerProcess? _process;

    private EtcdProcess(string directory, int clientPort, int peerPort)
    {
        _directory = directory;
        ClientPort = clientPort;
        PeerPort = peerPort;
    }

    /// <summary>The client port (gRPC and HTTP) on 127.0.0.1.</summary>
    public int ClientPort { get; }

    /// <summary>The peer port on 127.0.0.1.</summary>
    public int PeerPort { get; }

    /// <summary><c>127.0.0.1:&lt;client port&gt;</c>, the form Codis configs use.</summary>
    public string Address => "127.0.0.1:" + ClientPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>The running process's id, or -1 after <see cref="Kill"/>.</summary>
    public int Pid => _process?.Pid ?? -1;

    /// <summary>Starts etcd and waits until <c>/health</c> reports healthy.</summary>
    /// <exception cref="InvalidOperationException">It exited or was not healthy within 30 s (the message holds its output).</exception>
    public static EtcdProcess Start()
    {
        for (int attempt = 1; ; attempt++)
        {
            var etcd = new EtcdProcess(ServerProcess.NewTempDirectory(), FreePort.Get(), FreePort.Get());
            try
            {
                etcd.Launch();
                return etcd;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took a port between FreePort and the bind: try other ports.
                etcd.Dispose();
            }
            catch
            {
                etcd.Dispose();
                throw;
            }
        }
    }

    /// <summary>Kills the process (SIGKILL, by PID) and keeps the data.</summary>
    public void Kill()
    {
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Kills it and starts it again on the same ports with the same data.</summary>
    public void Restart()
    {
        Kill();
        Launch();
    }

    /// <summary>
    /// Runs etcdctl (v3 API) against this server with <paramref name="args"/> (e.g. <c>user add root:pw</c>);
    /// <paramref name="user"/> is <c>user:password</c> when auth is on.
    /// </summary>
    public ProcessResult Etcdctl(string? user, params string[] args)
    {
        var psi = new ProcessStartInfo(EtcdctlPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["ETCDCTL_API"] = "3";
        psi.ArgumentList.Add("--endpoints=http://" + Address);
        psi.ArgumentList.Add("--dial-timeout=5s");
        psi.ArgumentList.Add("--command-timeout=10s");
        if (user is not null)
            psi.ArgumentList.Add("--user=" + user);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + EtcdctlPath);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException("etcdctl " + string.Join(' ', args) + " did not finish within 30 s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Kills the process and deletes the data directory.</summary>
    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private void Launch()
    {
        string client = "http://" + Address;
        string peer = "http://127.0.0.1:" + PeerPort.ToString(CultureInfo.InvariantCulture);
        string[] args =
        [
            "--name", "codis-test",
            "--data-dir", Path.Combine(_directory, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "codis-test=" + peer,
            "--initial-cluster-state", "new",
        ];
        _process = ServerProcess.Start(EtcdPath, args, ClientPort, ReadyCheck.None, _directory);
        var deadline = Stopwatch.StartNew();
        while (!Healthy())
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                string tail = _process.OutputTail();
                Kill();
                throw new InvalidOperationException("etcd did not become healthy:\n" + tail);
            }
            Thread.Sleep(100);
        }
    }

    private bool Healthy()
    {
        try
        {
            string body = Http.GetStringAsync($"http://{Address}/health").GetAwaiter().GetResult();
            return body.Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
