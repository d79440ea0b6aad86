using System.Text.Json;
using Codis.Core.Config;
using Codis.Core.Json;
using Codis.Dashboard.Config;

namespace Codis.Dashboard.Tests;

/// <summary>The dashboard configuration (config.md §2): defaults, the default file, validation, JSON.</summary>
public sealed class DashboardConfigTests
{
    [Fact]
    public void DefaultToml_AppliedOverDefaults_ChangesNothing_AndNamesEveryKey()
    {
        Assert.Equal(DashboardConfig.Default, DashboardConfig.Default.Apply(DashboardConfig.DefaultToml));
        foreach (string key in DashboardConfig.KeyNames)
            Assert.Contains(key + " = ", DashboardConfig.DefaultToml, StringComparison.Ordinal);
        DashboardConfig.Default.Validate();
    }

    [Fact]
    public void Defaults_AreCodisDefaults()
    {
        DashboardConfig c = DashboardConfig.Default;
        Assert.Equal("filesystem", c.CoordinatorName);
        Assert.Equal("/tmp/codis", c.CoordinatorAddr);
        Assert.Equal("0.0.0.0:18080", c.AdminAddr);
        Assert.Equal("semi-async", c.MigrationMethod);
        Assert.Equal(1, c.ForwardMethod);
        Assert.Equal(32L << 20, c.MigrationAsyncMaxBytes.Bytes);
        Assert.Equal(TimeSpan.FromMinutes(5), c.SentinelFailoverTimeout.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(30), c.ProxyOfflineGrace.ToTimeSpan());
    }

    [Fact]
    public void Json_KeysInCodisOrder_ProductAuthNeverShown()
    {
        DashboardConfig c = DashboardConfig.Default with { ProductAuth = "secret" };
        string json = CodisJson.Encode(c);
        Assert.DoesNotContain("secret", json, StringComparison.Ordinal);
        using JsonDocument d = JsonDocument.Parse(json);
        Assert.Equal(
        [
            "coordinator_name", "coordinator_addr", "coordinator_auth", "admin_addr", "product_name", "migration_method",
            "migration_parallel_slots", "migration_async_maxbulks", "migration_async_maxbytes", "migration_async_numkeys",
            "migration_timeout", "sentinel_client_timeout", "sentinel_quorum", "sentinel_parallel_syncs", "sentinel_down_after",
            "sentinel_failover_timeout", "sentinel_notification_script", "sentinel_client_reconfig_script", "proxy_offline_grace",
            "auto_repoint_replicas",
        ], d.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("32mb", d.RootElement.GetProperty("migration_async_maxbytes").GetString());
        Assert.Equal("5m", d.RootElement.GetProperty("sentinel_failover_timeout").GetString());
    }

    [Theory]
    [InlineData("coordinator_name = \"\"", "invalid coordinator_name")]
    [InlineData("coordinator_addr = \"\"", "invalid coordinator_addr")]
    [InlineData("admin_addr = \"\"", "invalid admin_addr")]
    [InlineData("product_name = \"\"", "invalid product_name")]
    [InlineData("product_name = \"-x\"", "bad product name = -x")]
    [InlineData("migration_method = \"async\"", "invalid migration_method")]
    [InlineData("migration_parallel_slots = 0", "invalid migration_parallel_slots")]
    [InlineData("migration_async_maxbulks = -1", "invalid migration_async_maxbulks")]
    [InlineData("migration_async_maxbytes = \"0\"", "invalid migration_async_maxbytes")]
    [InlineData("migration_async_numkeys = 0", "invalid migration_async_numkeys")]
    [InlineData("migration_timeout = \"0s\"", "invalid migration_timeout")]
    [InlineData("sentinel_client_timeout = \"0\"", "invalid sentinel_client_timeout")]
    [InlineData("sentinel_quorum = 0", "invalid sentinel_quorum")]
    [InlineData("sentinel_parallel_syncs = 0", "invalid sentinel_parallel_syncs")]
    [InlineData("sentinel_down_after = \"0\"", "invalid sentinel_down_after")]
    [InlineData("sentinel_failover_timeout = \"0\"", "invalid sentinel_failover_timeout")]
    [InlineData("proxy_offline_grace = \"-1s\"", "invalid proxy_offline_grace")]
    public void Validate_BadValue_NamesTheKey(string toml, string error)
    {
        DashboardConfig c = DashboardConfig.Default.Apply(toml);
        ConfigException e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Equal(error, e.Message);
    }

    [Theory]
    [InlineData("sync", 0)]
    [InlineData("SYNC", 0)]
    [InlineData("Semi-Async", 1)]
    public void MigrationMethod_CaseInsensitive(string method, int forward)
    {
        DashboardConfig c = DashboardConfig.Default.Apply($"migration_method = \"{method}\"");
        c.Validate();
        Assert.Equal(forward, c.ForwardMethod);
    }

    [Fact]
    public void Apply_UnknownKeyOrWrongType_ErrorNamesLineAndKey()
    {
        ConfigException unknown = Assert.Throws<ConfigException>(() => DashboardConfig.Default.Apply("\nproduct_nam = \"x\""));
        Assert.Equal("line 2: unknown key 'product_nam'", unknown.Message);
        ConfigException type = Assert.Throws<ConfigException>(() => DashboardConfig.Default.Apply("sentinel_quorum = \"2\""));
        Assert.Contains("expected an integer for sentinel_quorum", type.Message, StringComparison.Ordinal);
        ConfigException size = Assert.Throws<ConfigException>(() => DashboardConfig.Default.Apply("migration_async_maxbytes = \"12qb\""));
        Assert.Contains("migration_async_maxbytes", size.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ValuesOverDefaults()
    {
        DashboardConfig c = DashboardConfig.Default.Apply("product_name = \"p1\"\nproduct_auth = \"pw\"\nmigration_async_maxbytes = \"1mb\"\nproxy_offline_grace = \"5s\"\n");
        Assert.Equal("p1", c.ProductName);
        Assert.Equal("pw", c.ProductAuth);
        Assert.Equal(new ByteSize(1 << 20), c.MigrationAsyncMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), c.ProxyOfflineGrace.ToTimeSpan());
        Assert.Equal("/tmp/codis", c.CoordinatorAddr);
    }

    [Fact]
    public void LoadFile_MissingFile_SaysWhich()
    {
        ConfigException e = Assert.Throws<ConfigException>(() => DashboardConfig.LoadFile("/nonexistent/dashboard.toml"));
        Assert.StartsWith("load config /nonexistent/dashboard.toml failed, ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToToml_HidesProductAuth()
    {
        string toml = (DashboardConfig.Default with { ProductAuth = "pw" }).ToToml();
        Assert.Contains("product_auth = \"<hidden>\"", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("\"pw\"", toml, StringComparison.Ordinal);
        Assert.Equal(DashboardConfig.Default with { ProductAuth = "<hidden>" }, DashboardConfig.Default.Apply((DashboardConfig.Default with { ProductAuth = "x" }).ToToml()));
    }
}
