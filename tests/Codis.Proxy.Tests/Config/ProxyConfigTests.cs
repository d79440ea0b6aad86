using System.Text.Json;
using Codis.Core.Config;
using Codis.Core.Json;
using Codis.Proxy.Config;
using Codis.Proxy.Host;

namespace Codis.Proxy.Tests.Config;

public sealed class ProxyConfigTests
{
    private static readonly string[] JsonOrder =
    [
        "proto_type", "proxy_addr", "admin_addr", "jodis_name", "jodis_addr", "jodis_auth", "jodis_timeout",
        "jodis_compatible", "product_name", "proxy_datacenter", "proxy_max_clients", "proxy_max_offheap_size",
        "proxy_heap_placeholder", "backend_ping_period", "backend_recv_bufsize", "backend_recv_timeout",
        "backend_send_bufsize", "backend_send_timeout", "backend_max_pipeline", "backend_primary_only",
        "backend_primary_parallel", "backend_replica_parallel", "backend_keepalive_period", "backend_number_databases",
        "session_recv_bufsize", "session_recv_timeout", "session_send_bufsize", "session_send_timeout",
        "session_max_pipeline", "session_keepalive_period", "session_break_on_failure", "metrics_report_server",
        "metrics_report_period", "metrics_report_influxdb_server", "metrics_report_influxdb_period",
        "metrics_report_influxdb_username", "metrics_report_influxdb_database", "metrics_report_statsd_server",
        "metrics_report_statsd_period", "metrics_report_statsd_prefix",
    ];

    [Fact]
    public void DefaultToml_ParsesToTheDefaults()
    {
        ProxyConfig parsed = ProxyConfig.Default.Apply(ProxyConfig.DefaultToml);
        Assert.Equal(ProxyConfig.Default, parsed);
        // Applied over different values it sets every key back.
        ProxyConfig other = new ProxyConfig { ProductName = "x", BackendMaxPipeline = 1, SessionRecvTimeout = Duration.Zero };
        Assert.Equal(ProxyConfig.Default, other.Apply(ProxyConfig.DefaultToml));
    }

    [Fact]
    public void DefaultToml_HoldsEveryKeyOnce()
    {
        var keys = Codis.Core.Config.TomlReader.Parse(ProxyConfig.DefaultToml).Select(p => p.Key).ToList();
        Assert.Equal(ProxyConfig.KeyNames.OrderBy(k => k), keys.OrderBy(k => k));
        Assert.StartsWith("\n####", ProxyConfig.DefaultToml, StringComparison.Ordinal);
        Assert.EndsWith("metrics_report_statsd_prefix = \"\"\n", ProxyConfig.DefaultToml, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_MatchTheSpecTable()
    {
        ProxyConfig c = ProxyConfig.Default;
        Assert.Equal(("codis-demo", "0.0.0.0:11080", "tcp4", "0.0.0.0:19000"), (c.ProductName, c.AdminAddr, c.ProtoType, c.ProxyAddr));
        Assert.Equal("20s", c.JodisTimeout.ToString());
        Assert.Equal(1000, c.ProxyMaxClients);
        Assert.Equal("1gb", c.ProxyMaxOffheapSize.ToString());
        Assert.Equal("256mb", c.ProxyHeapPlaceholder.ToString());
        Assert.Equal("5s", c.BackendPingPeriod.ToString());
        Assert.Equal(131072, c.BackendRecvBufsize.Bytes);
        Assert.Equal(20480, c.BackendMaxPipeline);
        Assert.Equal("75s", c.BackendKeepAlivePeriod.ToString());
        Assert.Equal(16, c.BackendNumberDatabases);
        Assert.Equal("30m", c.SessionRecvTimeout.ToString());
        Assert.Equal(65536, c.SessionSendBufsize.Bytes);
        Assert.Equal(10000, c.SessionMaxPipeline);
        Assert.Equal("1s", c.MetricsReportStatsdPeriod.ToString());
        c.Validate();
    }

    [Fact]
    public void Json_KeysInCodisOrder_WithoutSecrets()
    {
        ProxyConfig c = ProxyConfig.Default with { ProductAuth = "pa", SessionAuth = "sa", MetricsReportInfluxdbPassword = "ip", HostAdmin = "h:1" };
        string json = CodisJson.Encode(c);
        using JsonDocument d = JsonDocument.Parse(json);
        Assert.Equal(JsonOrder, d.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("\"pa\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"sa\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"ip\"", json, StringComparison.Ordinal);
        Assert.Contains("\"proxy_max_offheap_size\": \"1gb\"", json, StringComparison.Ordinal);
        Assert.Contains("\"session_recv_timeout\": \"30m\"", json, StringComparison.Ordinal);
        Assert.Contains("\"proxy_heap_placeholder\": \"0\"", CodisJson.Encode(c with { ProxyHeapPlaceholder = new ByteSize(0) }), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_OverridesOnlyGivenKeys()
    {
        ProxyConfig c = ProxyConfig.Default.Apply("""
            product_name = "p1"
            backend_primary_only = true
            backend_max_pipeline = 7
            session_recv_timeout = "0"
            backend_recv_bufsize = "1mb"
            """);
        Assert.Equal("p1", c.ProductName);
        Assert.True(c.BackendPrimaryOnly);
        Assert.Equal(7, c.BackendMaxPipeline);
        Assert.True(c.SessionRecvTimeout.IsZero);
        Assert.Equal(1 << 20, c.BackendRecvBufsize.Bytes);
        Assert.Equal(ProxyConfig.Default.AdminAddr, c.AdminAddr);
    }

    [Theory]
    [InlineData("sesion_auth = \"x\"", "line 1: unknown key 'sesion_auth' (did you mean 'session_auth'?)")]
    [InlineData("whatever = 1", "line 1: unknown key 'whatever'")]
    [InlineData("\nproxy_max_clients = \"10\"", "line 2: proxy_max_clients = \"10\": expected an integer for proxy_max_clients, got string")]
    [InlineData("product_name = 5", "line 1: product_name = 5: expected a string for product_name, got integer")]
    [InlineData("backend_primary_only = \"yes\"", "line 1: backend_primary_only = \"yes\": expected true or false for backend_primary_only, got string")]
    [InlineData("backend_recv_bufsize = 1024", "expected a byte size string for backend_recv_bufsize (e.g. \"128kb\"), got integer")]
    [InlineData("backend_recv_bufsize = \"1zb\"", "line 1: backend_recv_bufsize = \"1zb\": invalid bytesize unit")]
    [InlineData("session_recv_timeout = \"1h30m\"", "line 1: session_recv_timeout = \"1h30m\": invalid timesize")]
    [InlineData("product_name = codis", "line 1: invalid value 'codis' (strings must be quoted)")]
    public void Apply_BadInput_ClearError(string toml, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ProxyConfig.Default.Apply(toml));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidValues => new()
    {
        { "proto_type = \"\"", "invalid proto_type" },
        { "proto_type = \"udp\"", "invalid proto_type" },
        { "proxy_addr = \"\"", "invalid proxy_addr" },
        { "admin_addr = \"\"", "invalid admin_addr" },
        { "jodis_name = \"zookeeper\"", "invalid jodis_addr" },
        { "jodis_addr = \"192.0.2.22:7022\"", "invalid jodis_name" },
        { "product_name = \"\"", "invalid product_name" },
        { "product_name = \"a/b\"", "bad product name = a/b" },
        { "proxy_max_clients = -1", "invalid proxy_max_clients" },
        { "proxy_max_offheap_size = \"-1\"", "invalid proxy_max_offheap_size" },
        { "proxy_heap_placeholder = \"-1mb\"", "invalid proxy_heap_placeholder" },
        { "backend_ping_period = \"-1s\"", "invalid backend_ping_period" },
        { "backend_recv_bufsize = \"4gb\"", "invalid backend_recv_bufsize" },
        { "backend_recv_timeout = \"-1\"", "invalid backend_recv_timeout" },
        { "backend_send_bufsize = \"-1\"", "invalid backend_send_bufsize" },
        { "backend_send_timeout = \"-1ms\"", "invalid backend_send_timeout" },
        { "backend_max_pipeline = -1", "invalid backend_max_pipeline" },
        { "backend_primary_parallel = -1", "invalid backend_primary_parallel" },
        { "backend_replica_parallel = -1", "invalid backend_replica_parallel" },
        { "backend_keepalive_period = \"-1s\"", "invalid backend_keepalive_period" },
        { "backend_number_databases = 0", "invalid backend_number_databases" },
        { "session_recv_bufsize = \"-1\"", "invalid session_recv_bufsize" },
        { "session_recv_timeout = \"-1s\"", "invalid session_recv_timeout" },
        { "session_send_bufsize = \"-1\"", "invalid session_send_bufsize" },
        { "session_send_timeout = \"-1s\"", "invalid session_send_timeout" },
        { "session_max_pipeline = -1", "invalid session_max_pipeline" },
        { "session_keepalive_period = \"-1s\"", "invalid session_keepalive_period" },
        { "metrics_report_period = \"-1s\"", "invalid metrics_report_period" },
        { "metrics_report_influxdb_period = \"-1s\"", "invalid metrics_report_influxdb_period" },
        { "metrics_report_statsd_period = \"-1s\"", "invalid metrics_report_statsd_period" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Validate_InvalidValue_CodisMessage(string toml, string message)
    {
        ProxyConfig c = ProxyConfig.Default.Apply(toml);
        Assert.Equal(message, Assert.Throws<ConfigException>(c.Validate).Message);
    }

    [Fact]
    public void LoadFile_PrefixesPath()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "backend_number_databases = 0\n");
            var e = Assert.Throws<ConfigException>(() => ProxyConfig.LoadFile(file));
            Assert.Equal($"load config {file} failed, invalid backend_number_databases", e.Message);
            File.WriteAllText(file, "backend_number_databases = 4\nproxy_datacenter = \"dc1\"\n");
            ProxyConfig c = ProxyConfig.LoadFile(file);
            Assert.Equal((4L, "dc1"), (c.BackendNumberDatabases, c.ProxyDataCenter));
        }
        finally
        {
            File.Delete(file);
        }
        Assert.StartsWith("load config /no/such/file failed, ", Assert.Throws<ConfigException>(() => ProxyConfig.LoadFile("/no/such/file")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToToml_HidesSecrets_AndReloads()
    {
        ProxyConfig c = ProxyConfig.Default with { ProductAuth = "secret", ProductName = "p" };
        string toml = c.ToToml();
        Assert.Contains("product_auth = \"<hidden>\"", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", toml, StringComparison.Ordinal);
        Assert.Equal(c with { ProductAuth = "<hidden>" }, ProxyConfig.Default.Apply(toml));
    }

    [Fact]
    public void ToRouterOptions_MapsEveryDataPathValue()
    {
        ProxyConfig c = ProxyConfig.Default.Apply("""
            product_auth = "pa"
            session_auth = "sa"
            proxy_max_clients = 12
            backend_ping_period = "2s"
            backend_recv_bufsize = "1kb"
            backend_recv_timeout = "3s"
            backend_send_bufsize = "2kb"
            backend_send_timeout = "4s"
            backend_max_pipeline = 99
            backend_primary_only = true
            backend_primary_parallel = 3
            backend_replica_parallel = 2
            backend_keepalive_period = "0"
            backend_number_databases = 8
            session_recv_bufsize = "3kb"
            session_recv_timeout = "5m"
            session_send_bufsize = "4kb"
            session_send_timeout = "6s"
            session_max_pipeline = 77
            session_keepalive_period = "7s"
            session_break_on_failure = true
            """);
        Codis.Proxy.Routing.RouterOptions o = c.ToRouterOptions();
        Assert.Equal(("pa", "sa", 12), (o.ProductAuth, o.SessionAuth, o.ProxyMaxClients));
        Assert.Equal(TimeSpan.FromSeconds(2), o.BackendPingPeriod);
        Assert.Equal((1024, 2048, 3072, 4096), (o.BackendRecvBufsize, o.BackendSendBufsize, o.SessionRecvBufsize, o.SessionSendBufsize));
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)), (o.BackendRecvTimeout, o.BackendSendTimeout));
        Assert.Equal((99, true, 3, 2, 8), (o.BackendMaxPipeline, o.BackendPrimaryOnly, o.BackendPrimaryParallel, o.BackendReplicaParallel, o.BackendNumberDatabases));
        Assert.Equal(TimeSpan.Zero, o.BackendKeepalivePeriod);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(6), 77, TimeSpan.FromSeconds(7), true),
            (o.SessionRecvTimeout, o.SessionSendTimeout, o.SessionMaxPipeline, o.SessionKeepalivePeriod, o.SessionBreakOnFailure));
    }
}
