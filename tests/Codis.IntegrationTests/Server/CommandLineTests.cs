using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Server;

/// <summary>
/// The codis-server command line: version and help, config files and options, and the clear errors
/// for a bad directive or a busy port; signals stop the server cleanly.
/// </summary>
public sealed class CommandLineTests
{
    private static (int ExitCode, string Output) RunToEnd(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ServerProcess.FindCodisServerDll());
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("codis-server did not exit within 30 s: " + string.Join(' ', args));
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Version_PrintsRedisStyleLineAndExits()
    {
        (int code, string output) = RunToEnd("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("Redis server v=7.0.15 ", output);
        Assert.Equal(0, RunToEnd("-v").ExitCode);
    }

    [Fact]
    public void Help_PrintsUsageAndExits()
    {
        (int code, string output) = RunToEnd("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage: ./codis-server [/path/to/redis.conf] [options]", output);
    }

    [Fact]
    public void ConfigFile_UnknownDirective_FailsNamingFileAndLine()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "redis.conf");
            File.WriteAllText(file, "# a comment\nport 0\nno-such-directive yes\n");
            (int code, string output) = RunToEnd(file);
            Assert.Equal(1, code);
            Assert.Contains($"{file}, line 3", output);
            Assert.Contains("unknown directive 'no-such-directive'", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ConfigFile_BadValue_FailsWithReason()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "redis.conf");
            File.WriteAllText(file, "maxmemory lots\n");
            (int code, string output) = RunToEnd(file);
            Assert.Equal(1, code);
            Assert.Contains("line 1", output);
            Assert.Contains("argument must be a memory value", output);
            Assert.Equal(1, RunToEnd("--databases", "0").ExitCode);
            Assert.Equal(1, RunToEnd("--appendfsync", "sometimes").ExitCode);
            Assert.Equal(1, RunToEnd(Path.Combine(dir, "missing.conf")).ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BusyPort_FailsNamingThePort()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        (int code, string output) = RunToEnd("--port", port.ToString(), "--bind", "127.0.0.1", "--save", "");
        Assert.Equal(1, code);
        Assert.Contains($"port {port} on 127.0.0.1 is in use by another process", output);
    }

    [Fact]
    public void ConfigFileAndOptions_OptionsOverrideFile()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "redis.conf");
            File.WriteAllText(file, "maxmemory 10mb\ndatabases 4\nsave 900 1\nsave 300 10\n");
            int port = FreePort.Get();
            using ServerProcess server = ServerProcess.Start("dotnet",
                [ServerProcess.FindCodisServerDll(), file, "--port", port.ToString(), "--bind", "127.0.0.1", "--databases", "8"], port, directory: dir);
            using RespConnection c = server.Connect();
            Assert.Equal("*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n"u8.ToArray(), c.Send("CONFIG", "GET", "maxmemory"));
            Assert.Equal("*2\r\n$9\r\ndatabases\r\n$1\r\n8\r\n"u8.ToArray(), c.Send("CONFIG", "GET", "databases"));
            Assert.Equal("*2\r\n$4\r\nsave\r\n$12\r\n900 1 300 10\r\n"u8.ToArray(), c.Send("CONFIG", "GET", "save"));
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Sigterm_ShutsDownCleanly()
    {
        using ServerProcess server = ServerProcess.StartCodis();
        using (RespConnection c = server.Connect())
            Assert.Equal("+OK\r\n"u8.ToArray(), c.Send("SET", "k", "v"));
        using var kill = Process.Start("kill", ["-TERM", server.Pid.ToString()]);
        kill.WaitForExit();
        Assert.True(server.WaitForOutput("ready to exit", TimeSpan.FromSeconds(20)), server.OutputTail());
        for (int i = 0; i < 200 && !server.HasExited; i++)
            Thread.Sleep(50);
        Assert.True(server.HasExited, "the server did not exit after SIGTERM");
    }
}
