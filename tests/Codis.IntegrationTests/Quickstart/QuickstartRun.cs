using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Quickstart;

/// <summary>
/// One run of <c>scripts/quickstart.sh</c> (the README's first command) on a base port whose derived ports are
/// free, with the binaries of ./bin and a state folder of the test. Dispose stops it (SIGTERM to the script)
/// and kills by PID any child the script left behind, so a failed test leaves nothing running.
/// </summary>
internal sealed class QuickstartRun : IDisposable
{
    /// <summary>The codis ports relative to the base port (the proxy's), as the script derives them.</summary>
    public static readonly int[] Offsets = [0, 11080 - 19000, 18080 - 19000, 9090 - 19000, 6380 - 19000, 6381 - 19000, 6382 - 19000, 6383 - 19000];

    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly object _lock = new();

    private QuickstartRun(Process process, int basePort, string dir)
    {
        _process = process;
        BasePort = basePort;
        Dir = dir;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The base port (the proxy listens on it).</summary>
    public int BasePort { get; }

    /// <summary>The state folder.</summary>
    public string Dir { get; }

    /// <summary>The script's process.</summary>
    public Process Process => _process;

    /// <summary>The dashboard's admin address.</summary>
    public string Dashboard => "127.0.0.1:" + (BasePort - 920).ToString(CultureInfo.InvariantCulture);

    /// <summary>The codis-server ports: group 1 master, replica, group 2 master, replica.</summary>
    public int[] ServerPorts => [BasePort - 12620, BasePort - 12619, BasePort - 12618, BasePort - 12617];

    /// <summary>What the script printed so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_lock)
                return _out.ToString();
        }
    }

    /// <summary>A base port between 25000 and 58000 whose every derived port is free right now.</summary>
    public static int FreeBasePort()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int b = Random.Shared.Next(25000, 58000);
            if (Offsets.All(o => IsFree(b + o)))
                return b;
        }
        throw new InvalidOperationException("no base port with 8 free derived ports found");
    }

    /// <summary>Whether <paramref name="port"/> can be bound on 127.0.0.1.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts the script with <paramref name="args"/> (besides --base-port, --dir and --bin).</summary>
    public static QuickstartRun Start(int basePort, string dir, params string[] args)
    {
        // env --default-signal=INT: the script must be able to trap SIGINT even if the test runner was started
        // with SIGINT ignored (a background job), which a child would otherwise inherit.
        var psi = new ProcessStartInfo("env")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])["--default-signal=INT", "bash", Script(), "--base-port=" + basePort.ToString(CultureInfo.InvariantCulture),
            "--dir=" + dir, "--bin=" + BinDir(), .. args])
            psi.ArgumentList.Add(a);
        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the quickstart script");
        return new QuickstartRun(p, basePort, dir);
    }

    /// <summary>Waits until the script printed <paramref name="text"/>; fails when it exits first or after the deadline.</summary>
    public void WaitFor(string text, TimeSpan deadline)
    {
        var sw = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && !Output.Contains(text, StringComparison.Ordinal))
            {
                _process.WaitForExit();
                Assert.Fail($"the quickstart exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }
            if (sw.Elapsed > deadline)
                Assert.Fail($"the quickstart did not print '{text}' within {deadline.TotalSeconds} s:\n{Output}");
            Thread.Sleep(100);
        }
    }

    /// <summary>The PIDs the script recorded for its children (pids/*.pid of the state folder).</summary>
    public Dictionary<string, int> ChildPids() =>
        Directory.Exists(Path.Combine(Dir, "pids"))
            ? Directory.GetFiles(Path.Combine(Dir, "pids"), "*.pid").ToDictionary(f => Path.GetFileNameWithoutExtension(f)!,
                f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture), StringComparer.Ordinal)
            : [];

    /// <summary>Whether a process with <paramref name="pid"/> exists (a zombie counts as gone).</summary>
    public static bool Alive(int pid)
    {
        string stat = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
        try
        {
            string s = File.ReadAllText(stat);
            int close = s.LastIndexOf(')');
            return close < 0 || close + 2 >= s.Length || s[close + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the script.</summary>
    public void Signal(int signal) => _ = SysKill(_process.Id, signal);

    /// <summary>GET <paramref name="path"/> of the dashboard, parsed.</summary>
    public JsonDocument DashboardGet(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return JsonDocument.Parse(http.GetStringAsync(new Uri("http://" + Dashboard + path)).Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal(15);
            if (!_process.WaitForExit(60_000))
                _process.Kill();
        }
        foreach (int pid in ChildPids().Values)
        {
            if (Alive(pid))
                _ = SysKill(pid, 9);
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_lock)
            _out.AppendLine(line);
    }

    private static string Script()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string s = Path.Combine(dir.FullName, "scripts", "quickstart.sh");
            if (File.Exists(s))
                return s;
        }
        throw new FileNotFoundException("scripts/quickstart.sh not found upward from " + AppContext.BaseDirectory);
    }

    /// <summary>The directory of the published binaries: that of $CODIS_SERVER_DLL, else ./bin of the repository.</summary>
    private static string BinDir()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_SERVER_DLL");
        if (!string.IsNullOrEmpty(env))
            return Path.GetDirectoryName(Path.GetFullPath(env))!;
        return Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Script()))!, "bin");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
