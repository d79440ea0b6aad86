using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Codis.TestSupport.Tests;

public class ServerProcessTests
{
    [Fact]
    public void FreePort_Get_PortCanBeBound()
    {
        int port = FreePort.Get();
        Assert.InRange(port, 1024, 65535);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    [Fact]
    public void StartRedis_Default_AnswersOnItsPortWithItsDir()
    {
        using ServerProcess redis = ServerProcess.StartRedis();
        using RespConnection c = redis.Connect();
        Assert.Equal(redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Command("CONFIG", "GET", "port")[1].Text);
        Assert.Equal(redis.Directory, c.Command("CONFIG", "GET", "dir")[1].Text);
        Assert.Equal("", c.Command("CONFIG", "GET", "save")[1].Text);
        Assert.Equal("no", c.Command("CONFIG", "GET", "appendonly")[1].Text);
        Assert.True(Directory.Exists(redis.Directory));
        Assert.True(redis.WaitForOutput("Ready to accept connections"), redis.Output);
        Assert.Contains("Redis is starting", redis.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void StartRedis_ExtraArgs_Applied()
    {
        using ServerProcess redis = ServerProcess.StartRedis("--databases", "3");
        using RespConnection c = redis.Connect();
        Assert.Equal("3", c.Command("CONFIG", "GET", "databases")[1].Text);
    }

    [Fact]
    public void Dispose_RunningServer_ProcessGoneAndDirDeleted()
    {
        ServerProcess redis = ServerProcess.StartRedis();
        int pid = redis.Pid;
        string dir = redis.Directory;
        int port = redis.Port;
        redis.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} still exists");
        Assert.False(Directory.Exists(dir));
        Assert.Throws<SocketException>(() => new RespConnection(port).Dispose());
        redis.Dispose();
    }

    [Fact]
    public void Start_ProcessExitsEarly_ErrorWithOutputTail()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            ServerProcess.Start("/bin/sh", ["-c", "echo boom-on-stdout; echo boom-on-stderr >&2; exit 3"], FreePort.Get(),
                startTimeout: TimeSpan.FromSeconds(5)));
        Assert.Contains("code 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("boom-on-stdout", e.Message, StringComparison.Ordinal);
        Assert.Contains("boom-on-stderr", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NeverListens_TimesOutAndKillsProcess()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            ServerProcess.Start("/bin/sh", ["-c", "echo waiting; exec sleep 60"], FreePort.Get(), startTimeout: TimeSpan.FromMilliseconds(500)));
        Assert.Contains("did not answer", e.Message, StringComparison.Ordinal);
        Assert.Contains("waiting", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PortOwner_ListensOn_TellsThisProcessFromAnother()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var sleeper = Process.Start("sleep", "30");
        try
        {
            Assert.True(PortOwner.ListensOn(Environment.ProcessId, port));
            Assert.False(PortOwner.ListensOn(sleeper.Id, port));
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void Start_PortAnsweredByAnotherProcess_NotReady()
    {
        // The free port was taken (here by the test itself) before the started process could bind it: a
        // connect succeeds, but the started process is not the one listening.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var e = Assert.Throws<InvalidOperationException>(() =>
            ServerProcess.Start("/bin/sh", ["-c", "exec sleep 60"], port, ReadyCheck.TcpConnect, startTimeout: TimeSpan.FromSeconds(1)));
        Assert.Contains("by another process than pid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_TcpConnectCheck_GenericBinaryWithOwnArgs()
    {
        int port = FreePort.Get();
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            using ServerProcess redis = ServerProcess.Start(ServerProcess.RedisServerPath,
                ["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--dir", dir],
                port, ReadyCheck.TcpConnect, dir);
            Assert.Equal(port, redis.Port);
            Assert.Equal(dir, redis.Directory);
            using RespConnection c = redis.Connect();
            Assert.Equal("PONG", c.Command("PING").Text);
        }
        finally
        {
            // A directory passed in stays the caller's.
            Assert.True(Directory.Exists(dir));
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FindCodisServerDll_EnvVarToMissingFile_ClearError()
    {
        string? before = Environment.GetEnvironmentVariable("CODIS_SERVER_DLL");
        try
        {
            Environment.SetEnvironmentVariable("CODIS_SERVER_DLL", "/nonexistent/codis-server.dll");
            var e = Assert.Throws<FileNotFoundException>(ServerProcess.FindCodisServerDll);
            Assert.Contains("CODIS_SERVER_DLL", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CODIS_SERVER_DLL", before);
        }
    }

    [Fact]
    public void Dispose_ChildProcesses_WholeTreeKilled()
    {
        // A shell that starts redis-server as a child: killing the shell alone would leave redis running.
        int port = FreePort.Get();
        ServerProcess server = ServerProcess.Start("/bin/sh",
            ["-c", $"{ServerProcess.RedisServerPath} --bind 127.0.0.1 --port {port} --save '' & wait"], port);
        using var c = new RespConnection(port);
        int redisPid = (int)c.Command("INFO", "server").Text!.Split("\r\n").Where(l => l.StartsWith("process_id:", StringComparison.Ordinal))
            .Select(l => long.Parse(l["process_id:".Length..], System.Globalization.CultureInfo.InvariantCulture)).Single();
        Assert.NotEqual(server.Pid, redisPid);
        server.Dispose();
        // SIGKILL reaches the grandchild at once, but the kernel may take a moment to end it: poll, don't race.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsAlive(redisPid) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.False(IsAlive(redisPid), $"child redis {redisPid} survived");
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z";
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public void Start_Always_RecordsDescription()
    {
        using ServerProcess redis = ServerProcess.StartRedis();
        Assert.Contains("--port " + redis.Port, redis.Description, StringComparison.Ordinal);
        Assert.False(redis.HasExited);
        Assert.Equal(redis.Pid, Process.GetProcessById(redis.Pid).Id);
    }
}
