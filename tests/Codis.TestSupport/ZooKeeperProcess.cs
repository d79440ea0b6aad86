using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Codis.TestSupport;

/// <summary>
/// Debian's ZooKeeper (package <c>zookeeper</c>) run as a standalone server for a test: <c>java</c> with
/// <c>/usr/share/java/zookeeper.jar</c> (its manifest names its dependencies), main class
/// <c>ZooKeeperServerMain</c>, a generated <c>zoo.cfg</c> binding 127.0.0.1 on a free port with a fresh data
/// directory, no admin server. The system service the package may have started is neither used nor touched.
/// Ready once it answers <c>srvr</c> as serving. <see cref="Stop"/>/<see cref="Kill"/>/<see cref="Restart"/>
/// keep the port and the data (sessions and nodes survive a restart); Dispose kills it by PID and deletes the
/// directory.
/// </summary>
public sealed class ZooKeeperProcess : IDisposable
{
    /// <summary>The jar whose manifest class path brings ZooKeeper's dependencies.</summary>
    public const string ZooKeeperJar = "/usr/share/java/zookeeper.jar";

    private const string Slf4jSimpleJar = "/usr/share/java/slf4j-simple.jar";
    private const string MainClass = "org.apache.zookeeper.server.ZooKeeperServerMain";

    private readonly string _config;
    private ServerProcess? _process;
    private bool _disposed;

    private ZooKeeperProcess(int port, string directory)
    {
        Port = port;
        Directory = directory;
        _config = Path.Combine(directory, "zoo.cfg");
    }

    /// <summary>The client port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, as a coordinator address.</summary>
    public string Address => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The temp directory holding zoo.cfg and the data.</summary>
    public string Directory { get; }

    /// <summary>The running process, null while stopped.</summary>
    public int? Pid => _process?.Pid;

    /// <summary>What the server logged (warnings and errors), for failure messages.</summary>
    public string OutputTail => _process?.OutputTail() ?? "(stopped)";

    /// <summary>True when the package is installed (java and the jar are present).</summary>
    public static bool IsInstalled => File.Exists(ZooKeeperJar) && File.Exists("/usr/bin/java");

    /// <summary>
    /// Starts a server with tick 2000 ms: sessions may last 4 s to 40 s. <paramref name="extraConfig"/> lines
    /// are appended to zoo.cfg.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not installed, or the server did not come up (the message holds its output).</exception>
    public static ZooKeeperProcess Start(string extraConfig = "")
    {
        if (!IsInstalled)
            throw new InvalidOperationException($"ZooKeeper is not installed ({ZooKeeperJar} or /usr/bin/java missing): run scripts/install-deps.sh");
        for (int attempt = 1; ; attempt++)
        {
            var zk = new ZooKeeperProcess(FreePort.Get(), ServerProcess.NewTempDirectory());
            zk.WriteConfig(extraConfig);
            try
            {
                zk.Launch();
                return zk;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                zk.Dispose();
            }
            catch
            {
                zk.Dispose();
                throw;
            }
        }
    }

    /// <summary>Stops the server with SIGTERM (a clean shutdown) and waits for it to exit.</summary>
    public void Stop() => Halt(signal: 15);

    /// <summary>Kills the server with SIGKILL.</summary>
    public void Kill() => Halt(signal: 9);

    /// <summary>Starts the server again on the same port with the same data (after <see cref="Stop"/> or <see cref="Kill"/>; stops it first otherwise).</summary>
    public void Restart()
    {
        if (_process is not null)
            Stop();
        // The old socket may linger a moment on a busy machine: retry a bind failure.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Launch();
                return;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>Kills the server by PID and deletes its directory.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _process?.Dispose();
        _process = null;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }

    private void WriteConfig(string extra)
    {
        string data = Path.Combine(Directory, "data");
        System.IO.Directory.CreateDirectory(data);
        File.WriteAllText(_config, string.Join('\n',
            "tickTime=2000",
            "dataDir=" + data,
            "clientPort=" + Port.ToString(CultureInfo.InvariantCulture),
            "clientPortAddress=127.0.0.1",
            "admin.enableServer=false",
            "4lw.commands.whitelist=srvr,ruok",
            // Tests run many servers on a shared disk: the OS keeps written data across a process kill anyway.
            "forceSync=no",
            extra,
            ""));
    }

    private void Launch()
    {
        string classpath = File.Exists(Slf4jSimpleJar) ? ZooKeeperJar + ":" + Slf4jSimpleJar : ZooKeeperJar;
        string[] args =
        [
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dzookeeper.jmx.log4j.disable=true",
            "-cp", classpath, MainClass, _config,
        ];
        ServerProcess p = ServerProcess.Start("/usr/bin/java", args, Port, ReadyCheck.None, Directory);
        try
        {
            WaitServing(p, TimeSpan.FromSeconds(30));
        }
        catch
        {
            p.Dispose();
            throw;
        }
        _process = p;
    }

    private void Halt(int signal)
    {
        ServerProcess? p = _process;
        if (p is null)
            return;
        _process = null;
        if (!p.HasExited)
            _ = SysKill(p.Pid, signal);
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!p.HasExited && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        p.Dispose(); // kills it if the signal was not enough
    }

    /// <summary>Polls <c>srvr</c> until the server says it is serving (it accepts connections a little before).</summary>
    private void WaitServing(ServerProcess p, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                Thread.Sleep(100); // let the output readers drain
                throw new InvalidOperationException($"ZooKeeper exited before it was ready on port {Port} (address in use?).\nOutput tail:\n{p.OutputTail()}");
            }
            try
            {
                last = FourLetterWord("srvr");
                if (last.StartsWith("Zookeeper version", StringComparison.Ordinal))
                    return;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                last = e.Message;
            }
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"ZooKeeper did not serve on port {Port} within {timeout.TotalSeconds} s (last: {last}).\nOutput tail:\n{p.OutputTail()}");
    }

    /// <summary>Sends a four-letter command (<c>srvr</c>, <c>ruok</c>) and returns the answer.</summary>
    public string FourLetterWord(string word)
    {
        using var client = new TcpClient();
        client.ReceiveTimeout = 2000;
        client.SendTimeout = 2000;
        client.Connect("127.0.0.1", Port);
        using NetworkStream s = client.GetStream();
        s.Write(Encoding.ASCII.GetBytes(word));
        using var reader = new StreamReader(s, Encoding.ASCII);
        return reader.ReadToEnd();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
