using System.Diagnostics;

namespace Codis.TestSupport;

/// <summary>
/// Debian's ZooKeeper command-line client (what <c>zkCli.sh</c> runs: <c>org.apache.zookeeper.ZooKeeperMain</c>),
/// run as a subprocess so tests can check what a client other than ours sees.
/// </summary>
public static class ZooKeeperCli
{
    private const string MainClass = "org.apache.zookeeper.ZooKeeperMain";
    private const string Slf4jSimpleJar = "/usr/share/java/slf4j-simple.jar";

    // The CLI prints this once connected; what a command prints comes after it.
    private const string Connected = "WatchedEvent state:SyncConnected type:None path:null\n";

    /// <summary>
    /// Runs <paramref name="commands"/> against <paramref name="address"/>: a single command as arguments (the exit code
    /// then says whether it succeeded), several through standard input (so e.g. <c>addauth</c> applies to the next ones;
    /// the exit code is then 0).
    /// </summary>
    /// <returns>The exit code, the commands' output (the connection chatter and the final newlines removed) and standard error.</returns>
    public static ProcessResult Run(string address, params string[] commands)
    {
        string classpath = File.Exists(Slf4jSimpleJar) ? ZooKeeperProcess.ZooKeeperJar + ":" + Slf4jSimpleJar : ZooKeeperProcess.ZooKeeperJar;
        var psi = new ProcessStartInfo("/usr/bin/java")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = commands.Length > 1,
        };
        foreach (string a in new[] { "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath, MainClass, "-server", address })
            psi.ArgumentList.Add(a);
        if (commands.Length == 1)
        {
            foreach (string a in commands[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start java " + MainClass);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (commands.Length > 1)
        {
            foreach (string c in commands)
                p.StandardInput.Write(c + "\n");
            p.StandardInput.Write("quit\n");
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"zkCli {string.Join("; ", commands)} did not exit within 60 s");
        }
        return new ProcessResult(p.ExitCode, Output(stdout.Result), stderr.Result);
    }

    /// <summary>
    /// The data of <paramref name="path"/> as <c>get</c> prints it, or null when the CLI cannot read it (missing node,
    /// no permission: see <see cref="ProcessResult.StdErr"/> of <see cref="Run"/>). With <paramref name="digest"/>
    /// (<c>user:password</c>) it first runs <c>addauth digest</c>.
    /// </summary>
    public static string? Get(string address, string path, string? digest = null)
    {
        ProcessResult r = digest is null ? Run(address, "get " + path) : Run(address, "addauth digest " + digest, "get " + path);
        // Through standard input a failed command still exits 0, with nothing on standard output.
        return r.ExitCode != 0 || r.StdOut.Length == 0 ? null : r.StdOut;
    }

    private static string Output(string stdout)
    {
        int at = stdout.IndexOf(Connected, StringComparison.Ordinal);
        string rest = at < 0 ? "" : stdout[(at + Connected.Length)..];
        // Reading commands from standard input, the CLI reports the session closing after them.
        int closing = rest.IndexOf("\nWATCHER::", StringComparison.Ordinal);
        if (closing >= 0)
            rest = rest[..closing];
        // Each command's output ends with a newline.
        return rest.TrimEnd('\n');
    }
}
