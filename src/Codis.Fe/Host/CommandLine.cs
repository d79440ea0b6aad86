using System.Globalization;

namespace Codis.Fe.Host;

/// <summary>A command line that cannot be used; the message says why, the usage text follows it.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The codis-fe command line (fe.md §1), parsed the way docopt accepts it: <c>--name=value</c>,
/// <c>--name value</c>, <c>-d FILE</c>, <c>-l FILE</c>.
/// </summary>
public sealed class CommandLine
{
    /// <summary>The usage text printed for <c>--help</c> and with a usage error.</summary>
    public const string Usage = """
        Usage:
        	codis-fe [--ncpu=N] [--log=FILE] [--log-level=LEVEL] [--assets-dir=PATH] [--pidfile=FILE] (--dashboard-list=FILE|--zookeeper=ADDR [--zookeeper-auth=USR:PWD]|--etcd=ADDR [--etcd-auth=USR:PWD]|--filesystem=ROOT) --listen=ADDR
        	codis-fe  --version

        Options:
        	--ncpu=N                        worker threads (accepted; .NET sizes its thread pool itself).
        	-d FILE, --dashboard-list=FILE  the products and their dashboards, a JSON array as printed by codis-admin --dashboard-list.
        	--zookeeper=ADDR                find the dashboards in ZooKeeper at ADDR (/codis3/*/topom).
        	--etcd=ADDR                     find the dashboards in etcd at ADDR.
        	--filesystem=ROOT               find the dashboards in the filesystem coordinator at ROOT.
        	-l FILE, --log=FILE             log to FILE.YYYY-MM-DD, a new file every day (default: standard error).
        	--log-level=LEVEL               ERROR, WARN, INFO (default), DEBUG or NONE.
        	--assets-dir=PATH               the web UI files (default: the assets directory next to the binary).
        	--pidfile=FILE                  write the process id to FILE, removed at exit.
        	--listen=ADDR                   the HTTP listen address, e.g. 127.0.0.1:9090.
        """;

    private static readonly HashSet<string> ValueFlags =
    [
        "--ncpu", "--log", "--log-level", "--assets-dir", "--pidfile", "--dashboard-list", "--zookeeper", "--zookeeper-auth",
        "--etcd", "--etcd-auth", "--filesystem", "--listen",
    ];

    private static readonly HashSet<string> SwitchFlags = ["--version", "--help"];

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
            if (a is "-d" or "-l" or "-h")
            {
                name = a switch { "-d" => "--dashboard-list", "-l" => "--log", _ => "--help" };
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = a.IndexOf('=');
                name = eq < 0 ? a : a[..eq];
                if (eq >= 0)
                    value = a[(eq + 1)..];
            }
            else if (a.StartsWith("-d", StringComparison.Ordinal) || a.StartsWith("-l", StringComparison.Ordinal))
            {
                name = a[1] == 'd' ? "--dashboard-list" : "--log";
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
        if (_switches.Contains("--version"))
        {
            if (_values.Count > 0)
                throw new UsageException("--version takes no other option");
            return;
        }
        string[] sources = ["--dashboard-list", "--zookeeper", "--etcd", "--filesystem"];
        string[] given = sources.Where(_values.ContainsKey).ToArray();
        if (given.Length > 1)
            throw new UsageException($"{given[0]} and {given[1]} cannot be used together");
        if (given.Length == 0)
            throw new UsageException("one of --dashboard-list, --zookeeper, --etcd or --filesystem is required");
        if (_values.ContainsKey("--zookeeper-auth") && !_values.ContainsKey("--zookeeper"))
            throw new UsageException("--zookeeper-auth needs --zookeeper");
        if (_values.ContainsKey("--etcd-auth") && !_values.ContainsKey("--etcd"))
            throw new UsageException("--etcd-auth needs --etcd");
        if (!_values.ContainsKey("--listen"))
            throw new UsageException("--listen=ADDR is required");
    }
}
