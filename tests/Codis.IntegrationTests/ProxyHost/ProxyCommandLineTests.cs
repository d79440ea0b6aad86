using Codis.TestSupport;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>codis-proxy's command line and start-up errors (config.md §3.1), on the real process.</summary>
public sealed class ProxyCommandLineTests
{
    [Fact]
    public void Version_PrintsVersionAndCompileLines()
    {
        ProcessResult r = ProxyProcess.Run("--version");
        Assert.Equal(0, r.ExitCode);
        string[] lines = r.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("version: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("compile: ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultConfig_PrintsTheDefaultFileFollowedByANewline()
    {
        ProcessResult r = ProxyProcess.Run("--default-config");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Codis.Proxy.Config.ProxyConfig.DefaultToml + "\n", r.StdOut);
        Assert.Contains("\nproxy_max_offheap_size = \"1024mb\"\n", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultConfig_UsedAsConfigFile_Starts()
    {
        string toml = ProxyProcess.Run("--default-config").StdOut;
        // The printed file is a valid config file. A key given twice is an error, so drop the two address
        // lines: Start writes its own free ports.
        string patched = toml.Replace("admin_addr = \"0.0.0.0:11080\"\n", "", StringComparison.Ordinal)
            .Replace("proxy_addr = \"0.0.0.0:19000\"\n", "", StringComparison.Ordinal);
        using ProxyProcess p = ProxyProcess.Start(patched);
        Assert.Equal(200, p.Get("/proxy/model").Status);
    }

    [Fact]
    public void UnknownFlag_ExitsWithUsage()
    {
        ProcessResult r = ProxyProcess.Run("--no-such-flag");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unknown option '--no-such-flag'", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("Usage:", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoOnlineModes_ExitsWithUsage()
    {
        ProcessResult r = ProxyProcess.Run("--dashboard=127.0.0.1:1", "--fillslots=x.json");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--dashboard and --fillslots cannot be used together", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigWithUnknownKey_ExitsNamingKeyAndLine()
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "p.toml");
            File.WriteAllText(file, "product_name = \"x\"\n\nsession_max_timeout = 1800\n");
            ProcessResult r = ProxyProcess.Run("--config", file);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"load config {file} failed, line 3: unknown key 'session_max_timeout'", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("backend_number_databases = 0", "invalid backend_number_databases")]
    [InlineData("proto_type = \"udp\"", "invalid proto_type")]
    [InlineData("session_recv_timeout = \"-1s\"", "invalid session_recv_timeout")]
    [InlineData("backend_recv_bufsize = \"12qb\"", "invalid bytesize unit")]
    [InlineData("backend_ping_period = 5", "expected a duration string for backend_ping_period")]
    [InlineData("product_name = \"bad name\"", "bad product name = bad name")]
    [InlineData("jodis_name = \"filesystem\"\njodis_addr = \"/tmp\"", "invalid jodis_name")]
    [InlineData("jodis_name = \"etcd\"", "invalid jodis_addr")]
    [InlineData("jodis_name = \"etcd\"\njodis_addr = \"127.0.0.1:1\"\njodis_auth = \"nocolon\"", "create 'etcd' client to '127.0.0.1:1' failed, invalid auth")]
    public void ConfigWithBadValue_ExitsWithClearError(string line, string expected)
    {
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "p.toml");
            File.WriteAllText(file, line + "\n");
            ProcessResult r = ProxyProcess.Run("-c", file);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(expected, r.StdErr, StringComparison.Ordinal);
            Assert.Contains("[PANIC]", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void MissingConfigFile_ExitsNamingIt()
    {
        ProcessResult r = ProxyProcess.Run("--config=/nonexistent/proxy.toml");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("load config /nonexistent/proxy.toml failed", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadProductNameFlag_ExitsWithProductError()
    {
        ProcessResult r = ProxyProcess.Run("--product_name=-x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("bad product name = -x", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadLogLevel_Exits()
    {
        ProcessResult r = ProxyProcess.Run("--log-level=LOUD");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("option --log-level = LOUD", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Zookeeper_NoTopomNode_LogsAndKeepsWaiting()
    {
        using ZooKeeperProcess zk = ZooKeeperProcess.Start();
        using ProxyProcess p = ProxyProcess.Start("product_name = \"zkdemo\"\n", "--zookeeper=" + zk.Address);
        Assert.True(p.Process.WaitForOutput("/codis3/zkdemo/topom does not exist in the zookeeper coordinator", TimeSpan.FromSeconds(30)), p.Process.OutputTail());
        Assert.False(p.Process.HasExited);
        Assert.Equal(200, p.Get("/proxy/model").Status);
    }

    [Fact]
    public void Zookeeper_DeadAddress_ExitsNamingIt()
    {
        string dead = "127.0.0.1:" + FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture);
        ProcessResult r = ProxyProcess.Run("--zookeeper=" + dead);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"create 'zookeeper' client to '{dead}' failed, zk: cannot connect to any of {dead}: {dead}: ", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Ulimit_TooHigh_ExitsWithCodisMessage()
    {
        ProcessResult r = ProxyProcess.Run("--ulimit=2000000000");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ulimit too small: ", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("should be at least 2000000000", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void BusyProxyPort_ExitsNamingTheAddress()
    {
        using ServerProcess busy = ServerProcess.StartRedis();
        int admin = FreePort.Get();
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "p.toml");
            File.WriteAllText(file, $"admin_addr = \"127.0.0.1:{admin}\"\nproxy_addr = \"127.0.0.1:{busy.Port}\"\n");
            ProcessResult r = ProxyProcess.Run("-c", file);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"listen tcp4 127.0.0.1:{busy.Port}: bind: address already in use", r.StdErr, StringComparison.Ordinal);
            Assert.Contains("proxy_addr", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void BusyAdminPort_ExitsNamingTheAddress()
    {
        using ServerProcess busy = ServerProcess.StartRedis();
        int proxy = FreePort.Get();
        string dir = ServerProcess.NewTempDirectory();
        try
        {
            string file = Path.Combine(dir, "p.toml");
            File.WriteAllText(file, $"admin_addr = \"127.0.0.1:{busy.Port}\"\nproxy_addr = \"127.0.0.1:{proxy}\"\n");
            ProcessResult r = ProxyProcess.Run("-c", file);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"listen tcp 127.0.0.1:{busy.Port}: bind: address already in use", r.StdErr, StringComparison.Ordinal);
            Assert.Contains("admin_addr", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
