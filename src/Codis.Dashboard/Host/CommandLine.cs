using System.Globalization;

namespace Codis.Dashboard.Host;

/// <summary>A command line that cannot be used; the message says why, the usage text follows it.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The codis-dashboard command line (config.md §2.1), parsed the way docopt accepts it: <c>--name=value</c>,
/// <c>--name value</c>, <c>-c FILE</c>, <c>-l FILE</c>.
/// </summary>
public sealed class CommandLine
{
    /// <summary>The usage text printed for <c>--help</c> and with a usage error.</summary>
    public const string Usage = """
        Usage:
        	codis-dashboard [--ncpu=N] [--config=CONF] [--log=FILE] [--log-level=LEVEL] [--host-admin=ADDR] [--pidfile=FILE] [--zookeeper=ADDR [--zookeeper-auth=USR:PWD]|--etcd=ADDR [--etcd-auth=USR:PWD]|--filesystem=ROOT] [--product_name=NAME] [--product_auth=AUTH] [--remove-lock]
        	codis-dashboard  --default-config
        	codis-dashboard  --version

        Options:
        	--ncpu=N                    worker threads (accepted; .NET sizes its thread pool itself).
        	-c CONF, --config=CONF      load the configuration file CONF over the defaults.
        	-l FILE, --log=FILE         log to FILE.YYYY-MM-DD, a new file every day (default: standard error).
        	--log-level=LEVEL           ERROR, WARN, INFO (default), DEBUG or NONE.
        	--host-admin=ADDR           address to advertise when admin_addr has an unspecified IP.
        	--pidfile=FILE              write the process id to FILE, removed at exit.
        	--zookeeper=ADDR            use ZooKeeper at ADDR as the coordinator (overrides the config file).
        	--etcd=ADDR                 use etcd at ADDR as the coordinator.
        	--filesystem=ROOT           use the directory ROOT as the coordinator.
        	--product_name=NAME         override product_name.
        	--product_auth=AUTH         override product_auth.
        	--remove-lock               delete the dashboard lock /codis3/NAME/topom before starting.
        """;

    private static readonly HashSet<string> ValueFlags =
    [
        "--ncpu", "--config", "--log", "--log-level", "--host-admin", "--pidfile", "--zookeeper", "--zookeeper-auth",
        "--etcd", "--etcd-auth", "--filesystem", "--product_name", "--product_auth",
    ];

    private static readonly HashSet<string> SwitchFlags = ["--default-config", "--version", "--help", "--remove-lock"];

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="UsageException">An unknown flag, a missing value, a flag given twice, or a combination the usage forbids.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var cl = new CommandLine();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string name;
            string? value = null;
            if (a is "-c" or "-l" or "-h")
            {
                name = a switch { "-c" => "--config", "-l" => "--log", _ => "--help" };
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = a.IndexOf('=');
                name = eq < 0 ? a : a[..eq];
                if (eq >= 0)
                    value = a[(eq + 1)..];
            }
            else if (a.StartsWith("-c", StringComparison.Ordinal) || a.StartsWith("-l", StringComparison.Ordinal))
            {
                name = a[1] == 'c' ? "--config" : "--log";
                value = a[2..];
            }
            else
            {
                throw new UsageException($"unexpected argument '{a}'");
            }
            if (SwitchFlags.Contains(name))
            {
                if (value is not null)
                    throw new UsageException($"{name} takes no value");
                cl._switches.Add(name);
                continue;
            }
            if (!ValueFlags.Contains(name))
                throw new UsageException($"unknown option '{name}'");
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new UsageException($"{name} requires a value");
                value = args[++i];
            }
            if (!cl._values.TryAdd(name, value))
                throw new UsageException($"{name} is given twice");
        }
        cl.Check();
        return cl;
    }

    /// <summary>True when the switch or flag was given.</summary>
    public bool Has(string name) => _switches.Contains(name) || _values.ContainsKey(name);

    /// <summary>The value of a flag, or null.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out string? v) ? v : null;

    /// <summary>The integer value of a flag, or null.</summary>
    /// <exception cref="UsageException">Not an integer.</exception>
    public int? GetInt(string name)
    {
        string? v = Get(name);
        if (v is null)
            return null;
        return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
            : throw new UsageException($"option {name} = '{v}' is not an integer");
    }

    private void Check()
    {
        if (_switches.Contains("--help"))
            return;
        string[] standalone = ["--default-config", "--version"];
        int alone = standalone.Count(_switches.Contains);
        if (alone > 0 && (_values.Count > 0 || _switches.Count > 1))
            throw new UsageException("--default-config and --version take no other option");
        string[] modes = ["--zookeeper", "--etcd", "--filesystem"];
        string[] given = modes.Where(_values.ContainsKey).ToArray();
        if (given.Length > 1)
            throw new UsageException($"{given[0]} and {given[1]} cannot be used together");
        if (_values.ContainsKey("--zookeeper-auth") && !_values.ContainsKey("--zookeeper"))
            throw new UsageException("--zookeeper-auth needs --zookeeper");
        if (_values.ContainsKey("--etcd-auth") && !_values.ContainsKey("--etcd"))
            throw new UsageException("--etcd-auth needs --etcd");
    }
}
