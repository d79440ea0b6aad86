using System.Text;

namespace Codis.Server.Config;

/// <summary>A configuration problem found at start-up, with the place it came from.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// Reads redis.conf syntax (one directive per line, arguments split like redis-cli with quotes) and the
/// <c>--name value</c> command-line options, which Redis appends to the file's text.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Applies a config file and then the command-line options to <paramref name="table"/>.</summary>
    public static void Load(ConfigTable table, string? file, IReadOnlyList<string> options)
    {
        var lines = new List<(string Source, string Text)>();
        if (file is not null)
        {
            if (!File.Exists(file))
                throw new ConfigException($"Fatal error, can't open config file '{Path.GetFullPath(file)}': No such file or directory");
            int n = 0;
            foreach (string line in File.ReadLines(file))
            {
                n++;
                lines.Add(($"{file}, line {n}", line));
            }
        }
        foreach (string option in JoinOptions(options))
            lines.Add(("command line", option));
        bool saveSeen = false;
        foreach ((string source, string text) in lines)
        {
            string trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
                continue;
            List<string>? argv = SplitArgs(trimmed);
            if (argv is null || argv.Count == 0)
                throw new ConfigException($"Bad config at {source}: '{trimmed}': unbalanced quotes");
            string name = argv[0].ToLowerInvariant();
            string[] args = [.. argv.Skip(1)];
            if (name is "include" or "rename-command" or "loadmodule" or "user" or "aclfile")
                throw new ConfigException($"Bad config at {source}: '{trimmed}': '{name}' is not supported by codis-server");
            if (name == "save" && args.Length == 2 && saveSeen)
            {
                // Each further "save" line in a file adds a point.
                if (!long.TryParse(args[0], out long s) || !long.TryParse(args[1], out long c) || s < 1 || c < 0)
                    throw new ConfigException($"Bad config at {source}: '{trimmed}': Invalid save parameters");
                table.Config.SavePoints.Add((s, c));
                continue;
            }
            if (name == "save")
                saveSeen = true;
            if (table.Find(name) is null)
                throw new ConfigException($"Bad config at {source}: '{trimmed}': unknown directive '{argv[0]}'");
            string? error = table.Apply(name, args);
            if (error is not null)
                throw new ConfigException($"Bad config at {source}: '{trimmed}': {error}");
        }
    }

    /// <summary>Turns <c>--port 7000 --save "" --bind a b</c> into directive lines as redis-server does.</summary>
    public static IEnumerable<string> JoinOptions(IReadOnlyList<string> options)
    {
        var current = new StringBuilder();
        foreach (string o in options)
        {
            if (o.StartsWith("--", StringComparison.Ordinal) && o.Length > 2)
            {
                if (current.Length > 0)
                    yield return current.ToString();
                current.Clear().Append(o[2..]);
            }
            else
            {
                if (current.Length == 0)
                    throw new ConfigException($"Bad command-line option '{o}': options must start with '--'");
                current.Append(' ').Append(Quote(o));
            }
        }
        if (current.Length > 0)
            yield return current.ToString();
    }

    private static string Quote(string s)
    {
        if (s.Length > 0 && !s.Any(ch => ch is ' ' or '"' or '\'' or '\\' || char.IsControl(ch)))
            return s;
        var b = new StringBuilder("\"");
        foreach (char ch in s)
        {
            if (ch is '"' or '\\')
                b.Append('\\');
            b.Append(ch);
        }
        return b.Append('"').ToString();
    }

    /// <summary>Splits a line as Redis's sdssplitargs (quotes and escapes); null on unbalanced quotes.</summary>
    public static List<string>? SplitArgs(string line)
    {
        byte[] input = Encoding.UTF8.GetBytes(line);
        var args = new Core.Resp.ArgList();
        byte[] output = new byte[input.Length];
        args.Reset(output);
        if (!Core.Resp.InlineSplitter.Split(input, output, args))
            return null;
        var result = new List<string>(args.Count);
        for (int i = 0; i < args.Count; i++)
            result.Add(Encoding.UTF8.GetString(args[i]));
        return result;
    }
}
