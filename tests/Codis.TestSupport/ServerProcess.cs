using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Codis.TestSupport;

/// <summary>How <see cref="ServerProcess.Start"/> decides that a started server is ready.</summary>
public enum ReadyCheck
{
    /// <summary>The port answers PING with any complete reply (an error reply counts).</summary>
    Ping,

    /// <summary>The port accepts a TCP connection (for servers that do not speak RESP, e.g. HTTP).</summary>
    TcpConnect,

    /// <summary>Do not wait.</summary>
    None,
}

/// <summary>
/// A server process started for a test on a free 127.0.0.1 port with a fresh temporary directory.
/// Dispose kills it by PID (its whole tree, never by name) and deletes the directory.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    /// <summary>The Debian redis-server used as the reference implementation.</summary>
    public const string RedisServerPath = "/usr/bin/redis-server";

    private const int OutputLimit = 1 << 20;

    private static readonly ConcurrentDictionary<int, Process> Live = new();

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDirectory;
    private bool _disposed;

    static ServerProcess()
    {
        // A test run that crashes or forgets Dispose must not leave servers behind on a shared machine.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (Process p in Live.Values)
                TryKill(p);
        };
    }

    private ServerProcess(Process process, int port, string directory, bool ownsDirectory, string description)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Description = description;
    }

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>The server's temporary working/data directory (deleted on Dispose when created here).</summary>
    public string Directory { get; }

    /// <summary>The command line, for messages.</summary>
    public string Description { get; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit status once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Waits for the process to exit and, once it has, for its stdout and stderr readers to reach the end, so
    /// <see cref="Output"/> holds its last lines; false on timeout.
    /// </summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            return false;
        _process.WaitForExit(); // the timed overload does not wait for the output readers
        return true;
    }

    /// <summary>Everything the process wrote to stdout and stderr so far (interleaved by line).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>
    /// Starts Debian's redis-server with <c>--bind 127.0.0.1 --port N --save "" --appendonly no
    /// --daemonize no --dir &lt;fresh temp dir&gt;</c> followed by <paramref name="extraArgs"/>.
    /// </summary>
    public static ServerProcess StartRedis(params string[] extraArgs) => StartRedisLike(RedisServerPath, [], extraArgs);

    /// <summary>
    /// Starts our codis-server (<c>dotnet codis-server.dll</c>, see <see cref="FindCodisServerDll"/>) with the
    /// same arguments as <see cref="StartRedis"/>.
    /// </summary>
    public static ServerProcess StartCodis(params string[] extraArgs) => StartRedisLike(DotnetHost(), [FindCodisServerDll()], extraArgs);

    /// <summary><see cref="StartCodis"/> with extra environment variables (e.g. CODIS_NETWORK=sockets).</summary>
    public static ServerProcess StartCodisWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
        => StartRedisLike(DotnetHost(), [FindCodisServerDll()], extraArgs, environment);

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/>, expecting it to listen on
    /// <paramref name="port"/>, and waits until it is ready (default: answers PING, within 20 s).
    /// <paramref name="directory"/> becomes the working directory; when null a fresh temp dir is created and
    /// deleted on Dispose (use <see cref="NewTempDirectory"/> first when the arguments must name it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The process exited or was not ready in time; the message
    /// holds the tail of its output.</exception>
    public static ServerProcess Start(string fileName, IEnumerable<string> arguments, int port, ReadyCheck ready = ReadyCheck.Ping,
        string? directory = null, TimeSpan? startTimeout = null, IReadOnlyDictionary<string, string>? environment = null)
        => StartCore(fileName, arguments, port, ready, directory ?? NewTempDirectory(), directory is null, startTimeout, environment);

    private static ServerProcess StartCore(string fileName, IEnumerable<string> arguments, int port, ReadyCheck ready,
        string directory, bool ownsDirectory, TimeSpan? startTimeout, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = directory,
        };
        foreach (string a in arguments)
            psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (KeyValuePair<string, string> kv in environment)
                psi.Environment[kv.Key] = kv.Value;
        }
        string description = fileName + " " + string.Join(" ", psi.ArgumentList.Select(a => a.Length == 0 || a.Contains(' ') ? $"\"{a}\"" : a));
        var process = new Process { StartInfo = psi };
        ServerProcess server;
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            if (ownsDirectory)
                DeleteDirectory(directory);
            throw;
        }
        Live[process.Id] = process;
        server = new ServerProcess(process, port, directory, ownsDirectory, description);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.WaitReady(ready, startTimeout ?? TimeSpan.FromSeconds(20));
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>Creates an empty directory under the system temp directory.</summary>
    public static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "codis-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// The codis-server.dll to run: $CODIS_SERVER_DLL if set, else the newest
    /// <c>src/Codis.Server/bin/**/codis-server.dll</c> found searching upward from the test's directory, else
    /// <c>codis-server.dll</c> next to the test assembly.
    /// </summary>
    /// <exception cref="FileNotFoundException">None of these exists.</exception>
    public static string FindCodisServerDll()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_SERVER_DLL");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new FileNotFoundException($"CODIS_SERVER_DLL points to a missing file: {env}", env);
        }
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Codis.Server", "bin");
            if (!System.IO.Directory.Exists(bin))
                continue;
            string? newest = System.IO.Directory.EnumerateFiles(bin, "codis-server.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        string local = Path.Combine(AppContext.BaseDirectory, "codis-server.dll");
        return File.Exists(local) ? local
            : throw new FileNotFoundException(
                $"codis-server.dll not found: set CODIS_SERVER_DLL or build src/Codis.Server (searched upward from {AppContext.BaseDirectory})");
    }

    /// <summary>A new client connection to this server.</summary>
    public RespConnection Connect() => new(Port);

    /// <summary>
    /// Waits until <see cref="Output"/> contains <paramref name="text"/> (output is read asynchronously, so
    /// it may lag behind what the server already answers); false after <paramref name="timeout"/> (default 10 s).
    /// </summary>
    public bool WaitForOutput(string text, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>The last <paramref name="lines"/> lines of <see cref="Output"/>.</summary>
    public string OutputTail(int lines = 30)
    {
        string[] all = Output.Split('\n');
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Kills the process tree (by PID), waits for it, and deletes the temp directory.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        TryKill(_process);
        Live.TryRemove(_process.Id, out _);
        _process.Dispose();
        if (_ownsDirectory)
            DeleteDirectory(Directory);
    }

    private static ServerProcess StartRedisLike(string fileName, string[] leading, string[] extraArgs,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        // FreePort releases the port before the server binds it; on a shared machine someone may take it.
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Get();
            string dir = NewTempDirectory();
            string[] args =
            [
                .. leading,
                "--bind", "127.0.0.1",
                "--port", port.ToString(CultureInfo.InvariantCulture),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", dir,
                .. extraArgs,
            ];
            try
            {
                // The server owns (and on failure already deleted) the directory.
                return StartCore(fileName, args, port, ReadyCheck.Ping, dir, ownsDirectory: true, null, environment);
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            if (_output.Length > OutputLimit)
                _output.Remove(0, _output.Length - (OutputLimit / 2));
            _output.Append(line).Append('\n');
        }
    }

    private void WaitReady(ReadyCheck ready, TimeSpan timeout)
    {
        if (ready == ReadyCheck.None)
            return;
        DateTime deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // flushes the output readers
                throw new InvalidOperationException(
                    $"{Description} exited with code {_process.ExitCode} before it was ready on port {Port}.\nOutput tail:\n{OutputTail()}");
            }
            try
            {
                if (ready == ReadyCheck.TcpConnect)
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Connect("127.0.0.1", Port);
                }
                else
                {
                    using var connection = new RespConnection(Port) { ReadTimeout = TimeSpan.FromSeconds(2) };
                    connection.Send("PING");
                }
                // Whoever took the free port first may have answered: ready only once this process listens
                // there. If it cannot bind, it exits, and the caller's "in use" retry picks another port.
                if (PortOwner.ListensOn(_process.Id, Port) != false)
                    return;
                last = new IOException($"port {Port} answered, but by another process than pid {_process.Id}");
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or InvalidDataException)
            {
                last = e;
            }
            Thread.Sleep(50);
        }
        throw new InvalidOperationException(
            $"{Description} did not answer on port {Port} within {timeout.TotalSeconds} s (last error: {last?.Message}).\nOutput tail:\n{OutputTail()}");
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static void TryKill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting as we kill it.
        }
    }

    private static void DeleteDirectory(string dir)
    {
        for (int i = 0; i < 5; i++)
        {
            try
            {
                if (System.IO.Directory.Exists(dir))
                    System.IO.Directory.Delete(dir, recursive: true);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }
}
