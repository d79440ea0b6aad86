using System.Globalization;
using Codis.Core.Config;
using Codis.Core.Topology;

namespace Codis.Proxy.Config;

/// <summary>A configuration file that cannot be loaded, or a value that fails validation.</summary>
public sealed class ConfigException(string message) : Exception(message);

public sealed partial record ProxyConfig
{
    private delegate ProxyConfig Setter(ProxyConfig c, TomlValue v, string key);

    // Every TOML key, how to read it, and how to set it. Unknown keys are an error (Codis ignores them,
    // which hides typos such as "session_max_timout").
    private static readonly Dictionary<string, Setter> Keys = new(StringComparer.Ordinal)
    {
        ["product_name"] = (c, v, k) => c with { ProductName = Str(v, k) },
        ["product_auth"] = (c, v, k) => c with { ProductAuth = Str(v, k) },
        ["session_auth"] = (c, v, k) => c with { SessionAuth = Str(v, k) },
        ["admin_addr"] = (c, v, k) => c with { AdminAddr = Str(v, k) },
        ["proto_type"] = (c, v, k) => c with { ProtoType = Str(v, k) },
        ["proxy_addr"] = (c, v, k) => c with { ProxyAddr = Str(v, k) },
        ["jodis_name"] = (c, v, k) => c with { JodisName = Str(v, k) },
        ["jodis_addr"] = (c, v, k) => c with { JodisAddr = Str(v, k) },
        ["jodis_auth"] = (c, v, k) => c with { JodisAuth = Str(v, k) },
        ["jodis_timeout"] = (c, v, k) => c with { JodisTimeout = Dur(v, k) },
        ["jodis_compatible"] = (c, v, k) => c with { JodisCompatible = Bool(v, k) },
        ["proxy_datacenter"] = (c, v, k) => c with { ProxyDataCenter = Str(v, k) },
        ["proxy_max_clients"] = (c, v, k) => c with { ProxyMaxClients = Int(v, k) },
        ["proxy_max_offheap_size"] = (c, v, k) => c with { ProxyMaxOffheapSize = Size(v, k) },
        ["proxy_heap_placeholder"] = (c, v, k) => c with { ProxyHeapPlaceholder = Size(v, k) },
        ["backend_ping_period"] = (c, v, k) => c with { BackendPingPeriod = Dur(v, k) },
        ["backend_recv_bufsize"] = (c, v, k) => c with { BackendRecvBufsize = Size(v, k) },
        ["backend_recv_timeout"] = (c, v, k) => c with { BackendRecvTimeout = Dur(v, k) },
        ["backend_send_bufsize"] = (c, v, k) => c with { BackendSendBufsize = Size(v, k) },
        ["backend_send_timeout"] = (c, v, k) => c with { BackendSendTimeout = Dur(v, k) },
        ["backend_max_pipeline"] = (c, v, k) => c with { BackendMaxPipeline = Int(v, k) },
        ["backend_primary_only"] = (c, v, k) => c with { BackendPrimaryOnly = Bool(v, k) },
        ["backend_primary_parallel"] = (c, v, k) => c with { BackendPrimaryParallel = Int(v, k) },
        ["backend_replica_parallel"] = (c, v, k) => c with { BackendReplicaParallel = Int(v, k) },
        ["backend_keepalive_period"] = (c, v, k) => c with { BackendKeepAlivePeriod = Dur(v, k) },
        ["backend_number_databases"] = (c, v, k) => c with { BackendNumberDatabases = Int(v, k) },
        ["session_recv_bufsize"] = (c, v, k) => c with { SessionRecvBufsize = Size(v, k) },
        ["session_recv_timeout"] = (c, v, k) => c with { SessionRecvTimeout = Dur(v, k) },
        ["session_send_bufsize"] = (c, v, k) => c with { SessionSendBufsize = Size(v, k) },
        ["session_send_timeout"] = (c, v, k) => c with { SessionSendTimeout = Dur(v, k) },
        ["session_max_pipeline"] = (c, v, k) => c with { SessionMaxPipeline = Int(v, k) },
        ["session_keepalive_period"] = (c, v, k) => c with { SessionKeepAlivePeriod = Dur(v, k) },
        ["session_break_on_failure"] = (c, v, k) => c with { SessionBreakOnFailure = Bool(v, k) },
        ["metrics_report_server"] = (c, v, k) => c with { MetricsReportServer = Str(v, k) },
        ["metrics_report_period"] = (c, v, k) => c with { MetricsReportPeriod = Dur(v, k) },
        ["metrics_report_influxdb_server"] = (c, v, k) => c with { MetricsReportInfluxdbServer = Str(v, k) },
        ["metrics_report_influxdb_period"] = (c, v, k) => c with { MetricsReportInfluxdbPeriod = Dur(v, k) },
        ["metrics_report_influxdb_username"] = (c, v, k) => c with { MetricsReportInfluxdbUsername = Str(v, k) },
        ["metrics_report_influxdb_password"] = (c, v, k) => c with { MetricsReportInfluxdbPassword = Str(v, k) },
        ["metrics_report_influxdb_database"] = (c, v, k) => c with { MetricsReportInfluxdbDatabase = Str(v, k) },
        ["metrics_report_statsd_server"] = (c, v, k) => c with { MetricsReportStatsdServer = Str(v, k) },
        ["metrics_report_statsd_period"] = (c, v, k) => c with { MetricsReportStatsdPeriod = Dur(v, k) },
        ["metrics_report_statsd_prefix"] = (c, v, k) => c with { MetricsReportStatsdPrefix = Str(v, k) },
    };

    /// <summary>The names of every TOML key, in the order of the default file.</summary>
    public static IReadOnlyCollection<string> KeyNames => Keys.Keys;

    /// <summary>The defaults (the same values as <see cref="DefaultToml"/>).</summary>
    public static ProxyConfig Default { get; } = new();

    /// <summary>Loads a file over the defaults and validates the result (config.md §1).</summary>
    /// <exception cref="ConfigException"><c>load config &lt;file&gt; failed, &lt;reason&gt;</c>.</exception>
    public static ProxyConfig LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"load config {path} failed, {e.Message}");
        }
        try
        {
            ProxyConfig c = Default.Apply(text);
            c.Validate();
            return c;
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"load config {path} failed, {e.Message}");
        }
    }

    /// <summary>Applies the keys of a TOML text over this configuration (no validation).</summary>
    /// <exception cref="ConfigException">A syntax error, an unknown key or a value of the wrong type; the message names the line.</exception>
    public ProxyConfig Apply(string toml)
    {
        IReadOnlyList<KeyValuePair<string, TomlValue>> pairs;
        try
        {
            pairs = TomlReader.Parse(toml);
        }
        catch (TomlException e)
        {
            throw new ConfigException(e.Message);
        }
        ProxyConfig c = this;
        foreach ((string key, TomlValue value) in pairs)
        {
            if (!Keys.TryGetValue(key, out Setter? set))
                throw new ConfigException($"line {value.Line}: unknown key '{key}'{Suggest(key)}");
            try
            {
                c = set(c, value, key);
            }
            catch (FormatException e)
            {
                throw new ConfigException($"line {value.Line}: {key} = {value}: {e.Message}");
            }
        }
        return c;
    }

    /// <summary>Checks every value (Codis's <c>Config.Validate</c> plus the product-name rule).</summary>
    /// <exception cref="ConfigException"><c>invalid &lt;key&gt;</c>.</exception>
    public void Validate()
    {
        static void Check(bool ok, string key)
        {
            if (!ok)
                throw new ConfigException("invalid " + key);
        }
        Check(ProtoType is "tcp" or "tcp4" or "tcp6" or "unix" or "unixpacket", "proto_type");
        Check(ProxyAddr.Length > 0, "proxy_addr");
        Check(AdminAddr.Length > 0, "admin_addr");
        if (JodisName.Length > 0 || JodisAddr.Length > 0)
        {
            Check(JodisName is "zookeeper" or "zk" or "etcd", "jodis_name");
            Check(JodisAddr.Length > 0, "jodis_addr");
            Check(JodisTimeout.Nanoseconds >= 0, "jodis_timeout");
        }
        Check(ProductName.Length > 0, "product_name");
        if (!CoordinatorPaths.IsValidProduct(ProductName))
            throw new ConfigException($"bad product name = {ProductName}");
        Check(ProxyMaxClients >= 0, "proxy_max_clients");
        Check(ProxyMaxOffheapSize.Bytes >= 0, "proxy_max_offheap_size");
        Check(ProxyHeapPlaceholder.Bytes >= 0, "proxy_heap_placeholder");
        Check(BackendPingPeriod.Nanoseconds >= 0, "backend_ping_period");
        Check(BackendRecvBufsize.Bytes is >= 0 and <= int.MaxValue, "backend_recv_bufsize");
        Check(BackendRecvTimeout.Nanoseconds >= 0, "backend_recv_timeout");
        Check(BackendSendBufsize.Bytes is >= 0 and <= int.MaxValue, "backend_send_bufsize");
        Check(BackendSendTimeout.Nanoseconds >= 0, "backend_send_timeout");
        Check(BackendMaxPipeline is >= 0 and <= int.MaxValue, "backend_max_pipeline");
        Check(BackendPrimaryParallel is >= 0 and <= int.MaxValue, "backend_primary_parallel");
        Check(BackendReplicaParallel is >= 0 and <= int.MaxValue, "backend_replica_parallel");
        Check(BackendKeepAlivePeriod.Nanoseconds >= 0, "backend_keepalive_period");
        Check(BackendNumberDatabases is >= 1 and <= int.MaxValue, "backend_number_databases");
        Check(SessionRecvBufsize.Bytes is >= 0 and <= int.MaxValue, "session_recv_bufsize");
        Check(SessionRecvTimeout.Nanoseconds >= 0, "session_recv_timeout");
        Check(SessionSendBufsize.Bytes is >= 0 and <= int.MaxValue, "session_send_bufsize");
        Check(SessionSendTimeout.Nanoseconds >= 0, "session_send_timeout");
        Check(SessionMaxPipeline is >= 0 and <= int.MaxValue, "session_max_pipeline");
        Check(SessionKeepAlivePeriod.Nanoseconds >= 0, "session_keepalive_period");
        Check(MetricsReportPeriod.Nanoseconds >= 0, "metrics_report_period");
        Check(MetricsReportInfluxdbPeriod.Nanoseconds >= 0, "metrics_report_influxdb_period");
        Check(MetricsReportStatsdPeriod.Nanoseconds >= 0, "metrics_report_statsd_period");
    }

    /// <summary>The configuration as TOML (every key, current values), for the start-up log.</summary>
    public string ToToml()
    {
        var sb = new System.Text.StringBuilder();
        foreach (System.Reflection.PropertyInfo p in typeof(ProxyConfig).GetProperties())
        {
            string? name = TomlName(p);
            if (name is null)
                continue;
            object? v = p.GetValue(this);
            string text = v switch
            {
                string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                bool b => b ? "true" : "false",
                long l => l.ToString(CultureInfo.InvariantCulture),
                _ => "\"" + v + "\"",
            };
            if (name is "product_auth" or "session_auth" or "metrics_report_influxdb_password" && text != "\"\"")
                text = "\"<hidden>\"";
            sb.Append(name).Append(" = ").Append(text).Append('\n');
        }
        return sb.ToString();
    }

    private static string? TomlName(System.Reflection.PropertyInfo p)
    {
        if (p.Name is nameof(HostProxy) or nameof(HostAdmin) or nameof(EqualityContract))
            return null;
        return p.Name switch
        {
            nameof(ProductAuth) => "product_auth",
            nameof(SessionAuth) => "session_auth",
            nameof(MetricsReportInfluxdbPassword) => "metrics_report_influxdb_password",
            _ => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
                .OfType<System.Text.Json.Serialization.JsonPropertyNameAttribute>().FirstOrDefault()?.Name,
        };
    }

    private static string Suggest(string key)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string k in Keys.Keys)
        {
            int d = Distance(key, k);
            if (d < bestDistance)
                (best, bestDistance) = (k, d);
        }
        return best is not null && bestDistance <= 3 ? $" (did you mean '{best}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int prev = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cur = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = cur;
            }
        }
        return row[b.Length];
    }

    private static string Str(TomlValue v, string key) => v.Kind == TomlKind.String ? v.Text
        : throw new FormatException($"expected a string for {key}, got {v.TypeName}");

    private static bool Bool(TomlValue v, string key) => v.Kind == TomlKind.Boolean ? v.Boolean
        : throw new FormatException($"expected true or false for {key}, got {v.TypeName}");

    private static long Int(TomlValue v, string key) => v.Kind == TomlKind.Integer ? v.Integer
        : throw new FormatException($"expected an integer for {key}, got {v.TypeName}");

    private static ByteSize Size(TomlValue v, string key) => v.Kind == TomlKind.String ? ByteSize.Parse(v.Text)
        : throw new FormatException($"expected a byte size string for {key} (e.g. \"128kb\"), got {v.TypeName}");

    private static Duration Dur(TomlValue v, string key) => v.Kind == TomlKind.String ? Duration.Parse(v.Text)
        : throw new FormatException($"expected a duration string for {key} (e.g. \"30s\"), got {v.TypeName}");
}
