using Codis.Core.Config;

namespace Codis.Dashboard.Config;

/// <summary>A configuration file that cannot be loaded, or a value that fails validation.</summary>
public sealed class ConfigException(string message) : Exception(message);

public sealed partial record DashboardConfig
{
    private delegate DashboardConfig Setter(DashboardConfig c, TomlValue v, string key);

    // Every TOML key and how to set it. Unknown keys are an error (Codis ignores them, which hides typos),
    // as in the proxy's configuration.
    private static readonly Dictionary<string, Setter> Keys = new(StringComparer.Ordinal)
    {
        ["coordinator_name"] = (c, v, k) => c with { CoordinatorName = Str(v, k) },
        ["coordinator_addr"] = (c, v, k) => c with { CoordinatorAddr = Str(v, k) },
        ["coordinator_auth"] = (c, v, k) => c with { CoordinatorAuth = Str(v, k) },
        ["product_name"] = (c, v, k) => c with { ProductName = Str(v, k) },
        ["product_auth"] = (c, v, k) => c with { ProductAuth = Str(v, k) },
        ["admin_addr"] = (c, v, k) => c with { AdminAddr = Str(v, k) },
        ["migration_method"] = (c, v, k) => c with { MigrationMethod = Str(v, k) },
        ["migration_parallel_slots"] = (c, v, k) => c with { MigrationParallelSlots = Int(v, k) },
        ["migration_async_maxbulks"] = (c, v, k) => c with { MigrationAsyncMaxBulks = Int(v, k) },
        ["migration_async_maxbytes"] = (c, v, k) => c with { MigrationAsyncMaxBytes = Size(v, k) },
        ["migration_async_numkeys"] = (c, v, k) => c with { MigrationAsyncNumKeys = Int(v, k) },
        ["migration_timeout"] = (c, v, k) => c with { MigrationTimeout = Dur(v, k) },
        ["sentinel_client_timeout"] = (c, v, k) => c with { SentinelClientTimeout = Dur(v, k) },
        ["sentinel_quorum"] = (c, v, k) => c with { SentinelQuorum = Int(v, k) },
        ["sentinel_parallel_syncs"] = (c, v, k) => c with { SentinelParallelSyncs = Int(v, k) },
        ["sentinel_down_after"] = (c, v, k) => c with { SentinelDownAfter = Dur(v, k) },
        ["sentinel_failover_timeout"] = (c, v, k) => c with { SentinelFailoverTimeout = Dur(v, k) },
        ["sentinel_notification_script"] = (c, v, k) => c with { SentinelNotificationScript = Str(v, k) },
        ["sentinel_client_reconfig_script"] = (c, v, k) => c with { SentinelClientReconfigScript = Str(v, k) },
        ["proxy_offline_grace"] = (c, v, k) => c with { ProxyOfflineGrace = Dur(v, k) },
        ["auto_repoint_replicas"] = (c, v, k) => c with { AutoRepointReplicas = Bool(v, k) },
    };

    /// <summary>The names of every TOML key.</summary>
    public static IReadOnlyCollection<string> KeyNames => Keys.Keys;

    /// <summary>The defaults (the same values as <see cref="DefaultToml"/>).</summary>
    public static DashboardConfig Default { get; } = new();

    /// <summary>Loads a file over the defaults and validates the result (config.md §1).</summary>
    /// <exception cref="ConfigException"><c>load config &lt;file&gt; failed, &lt;reason&gt;</c>.</exception>
    public static DashboardConfig LoadFile(string path)
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
            DashboardConfig c = Default.Apply(text);
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
    public DashboardConfig Apply(string toml)
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
        DashboardConfig c = this;
        foreach ((string key, TomlValue value) in pairs)
        {
            if (!Keys.TryGetValue(key, out Setter? set))
                throw new ConfigException($"line {value.Line}: unknown key '{key}'");
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
    /// <exception cref="ConfigException"><c>invalid &lt;key&gt;</c>, or <c>bad product name = X</c>.</exception>
    public void Validate()
    {
        static void Check(bool ok, string key)
        {
            if (!ok)
                throw new ConfigException("invalid " + key);
        }
        Check(CoordinatorName.Length > 0, "coordinator_name");
        Check(CoordinatorAddr.Length > 0, "coordinator_addr");
        Check(AdminAddr.Length > 0, "admin_addr");
        Check(ProductName.Length > 0, "product_name");
        if (!CoordinatorPaths.IsValidProduct(ProductName))
            throw new ConfigException($"bad product name = {ProductName}");
        Check(MigrationMethod.Equals("sync", StringComparison.OrdinalIgnoreCase)
            || MigrationMethod.Equals("semi-async", StringComparison.OrdinalIgnoreCase), "migration_method");
        Check(MigrationParallelSlots is > 0 and <= int.MaxValue, "migration_parallel_slots");
        Check(MigrationAsyncMaxBulks is > 0 and <= int.MaxValue, "migration_async_maxbulks");
        Check(MigrationAsyncMaxBytes.Bytes > 0, "migration_async_maxbytes");
        Check(MigrationAsyncNumKeys is > 0 and <= int.MaxValue, "migration_async_numkeys");
        Check(MigrationTimeout.Nanoseconds > 0, "migration_timeout");
        Check(SentinelClientTimeout.Nanoseconds > 0, "sentinel_client_timeout");
        Check(SentinelQuorum is > 0 and <= int.MaxValue, "sentinel_quorum");
        Check(SentinelParallelSyncs is > 0 and <= int.MaxValue, "sentinel_parallel_syncs");
        Check(SentinelDownAfter.Nanoseconds > 0, "sentinel_down_after");
        Check(SentinelFailoverTimeout.Nanoseconds > 0, "sentinel_failover_timeout");
        Check(ProxyOfflineGrace.Nanoseconds >= 0, "proxy_offline_grace");
    }

    /// <summary>The configuration as TOML (every key, current values; product_auth hidden), for the start-up log.</summary>
    public string ToToml()
    {
        static string Q(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        var sb = new System.Text.StringBuilder();
        void Add(string key, string value) => sb.Append(key).Append(" = ").Append(value).Append('\n');
        Add("coordinator_name", Q(CoordinatorName));
        Add("coordinator_addr", Q(CoordinatorAddr));
        Add("coordinator_auth", Q(CoordinatorAuth));
        Add("product_name", Q(ProductName));
        Add("product_auth", ProductAuth.Length == 0 ? "\"\"" : "\"<hidden>\"");
        Add("admin_addr", Q(AdminAddr));
        Add("migration_method", Q(MigrationMethod));
        Add("migration_parallel_slots", MigrationParallelSlots.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("migration_async_maxbulks", MigrationAsyncMaxBulks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("migration_async_maxbytes", Q(MigrationAsyncMaxBytes.ToString()));
        Add("migration_async_numkeys", MigrationAsyncNumKeys.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("migration_timeout", Q(MigrationTimeout.ToString()));
        Add("sentinel_client_timeout", Q(SentinelClientTimeout.ToString()));
        Add("sentinel_quorum", SentinelQuorum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("sentinel_parallel_syncs", SentinelParallelSyncs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("sentinel_down_after", Q(SentinelDownAfter.ToString()));
        Add("sentinel_failover_timeout", Q(SentinelFailoverTimeout.ToString()));
        Add("sentinel_notification_script", Q(SentinelNotificationScript));
        Add("sentinel_client_reconfig_script", Q(SentinelClientReconfigScript));
        Add("proxy_offline_grace", Q(ProxyOfflineGrace.ToString()));
        Add("auto_repoint_replicas", AutoRepointReplicas ? "true" : "false");
        return sb.ToString();
    }

    private static string Str(TomlValue v, string key) => v.Kind == TomlKind.String ? v.Text
        : throw new FormatException($"expected a string for {key}, got {v.TypeName}");

    private static bool Bool(TomlValue v, string key) => v.Kind == TomlKind.Boolean ? v.Boolean
        : throw new FormatException($"expected a boolean (true or false) for {key}, got {v.TypeName}");

    private static long Int(TomlValue v, string key) => v.Kind == TomlKind.Integer ? v.Integer
        : throw new FormatException($"expected an integer for {key}, got {v.TypeName}");

    private static ByteSize Size(TomlValue v, string key) => v.Kind == TomlKind.String ? ByteSize.Parse(v.Text)
        : throw new FormatException($"expected a byte size string for {key} (e.g. \"32mb\"), got {v.TypeName}");

    private static Duration Dur(TomlValue v, string key) => v.Kind == TomlKind.String ? Duration.Parse(v.Text)
        : throw new FormatException($"expected a duration string for {key} (e.g. \"30s\"), got {v.TypeName}");
}
