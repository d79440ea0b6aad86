using Codis.TestSupport;
using static Codis.IntegrationTests.Replication.ReplicationAssert;

namespace Codis.IntegrationTests.Replication;

/// <summary>
/// The dashboard's sync action (server.md §8.3): MULTI, CONFIG SET masterauth, SLAVEOF, CONFIG REWRITE,
/// CLIENT KILL TYPE normal, EXEC, and the config file CONFIG REWRITE leaves behind.
/// </summary>
public sealed class DashboardSyncTests
{
    private static ServerProcess StartWithConfig(string dir, string content, out string file)
    {
        int port = FreePort.Get();
        file = Path.Combine(dir, "redis.conf");
        File.WriteAllText(file, $"# codis-server test config\nport {port}\nbind 127.0.0.1\n# keep me\nslave-priority 100\n" + content);
        return ServerProcess.Start("dotnet", [ServerProcess.FindCodisServerDll(), file], port, directory: dir);
    }

    [Fact]
    public void SetMasterTransaction_AllSucceed_FileRewrittenAndOtherClientsKilled()
    {
        using ServerProcess master = ServerProcess.StartCodis();
        string dir = ServerProcess.NewTempDirectory();
        using ServerProcess replica = StartWithConfig(dir, "", out string file);
        using RespConnection m = master.Connect();
        m.Command("SET", "k", "v");
        using RespConnection other = replica.Connect();
        Assert.Equal("PONG", other.Command("PING").Text);
        using RespConnection r = replica.Connect();
        foreach (string[] cmd in new[]
        {
            new[] { "MULTI" },
            ["CONFIG", "SET", "masterauth", ""],
            ["SLAVEOF", "127.0.0.1", master.Port.ToString()],
            ["CONFIG", "REWRITE"],
            ["CLIENT", "KILL", "TYPE", "normal"],
        })
        {
            r.Send(cmd);
        }
        RespValue exec = r.Command("EXEC");
        Assert.Equal(4, exec.Count);
        for (int i = 0; i < exec.Count; i++)
            Assert.False(exec[i].IsError, exec[i].ToString());
        Assert.True(exec[3].Integer >= 1, exec[3].ToString());
        Assert.True(other.IsClosedByServer(TimeSpan.FromSeconds(5)));
        Eventually(() => Info(r)["master_link_status"] == "up", "the link");
        Assert.Equal("v", r.Command("GET", "k").Text);

        string text = File.ReadAllText(file);
        Assert.Contains($"replicaof 127.0.0.1 {master.Port}", text);
        Assert.Contains("# codis-server test config", text);
        Assert.Contains("# keep me", text);

        // Promotion through the same transaction removes the directive.
        r.Send("MULTI");
        r.Send("CONFIG", "SET", "masterauth", "");
        r.Send("SLAVEOF", "NO", "ONE");
        r.Send("CONFIG", "REWRITE");
        r.Send("CLIENT", "KILL", "TYPE", "normal");
        exec = r.Command("EXEC");
        Assert.All(exec.Children!, x => Assert.False(x.IsError, x.ToString()));
        Assert.DoesNotContain("replicaof", File.ReadAllText(file));
        Assert.Equal("master", Info(r)["role"]);
    }

    [Fact]
    public void ConfigFileWithReplicaof_Restart_ReplicatesAtStartup()
    {
        using ServerProcess master = ServerProcess.StartCodis();
        using RespConnection m = master.Connect();
        m.Command("SET", "k", "from-master");
        string dir = ServerProcess.NewTempDirectory();
        using ServerProcess replica = StartWithConfig(dir, $"slaveof 127.0.0.1 {master.Port}\n", out _);
        using RespConnection r = replica.Connect();
        Eventually(() => Info(r)["master_link_status"] == "up", "the link");
        Assert.Equal("from-master", r.Command("GET", "k").Text);
    }

    [Fact]
    public void ConfigRewrite_NoConfigFile_FailsWithRedisError()
    {
        using ServerProcess server = ServerProcess.StartCodis();
        using RespConnection c = server.Connect();
        Assert.Equal("ERR The server is running without a config file", c.Command("CONFIG", "REWRITE").Text);
    }
}
