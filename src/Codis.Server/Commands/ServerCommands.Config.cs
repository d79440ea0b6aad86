using System.Text;
using Codis.Core.Text;
using Codis.Server.Config;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class ServerCommands
{
    private static readonly SubCommand[] ConfigSubs =
    [
        new("get", -3, Admin | NoScript | Loading | Stale, ConfigGet),
        new("set", -4, Admin | NoScript | Loading | Stale, ConfigSet),
        new("resetstat", 2, Admin | NoScript | Loading | Stale, ConfigResetStat),
        new("rewrite", 2, Admin | NoScript | Loading | Stale, ConfigRewrite),
        new("help", 2, Loading | Stale, ConfigHelp),
    ];

    private static void ConfigGet(CommandContext c)
    {
        // As Redis 7: a name without glob characters is looked up directly (aliases too) and reported
        // under the name given; a pattern matches every canonical name and alias.
        ConfigTable table = c.Server.ConfigTable;
        var matches = new List<(string Name, ConfigParam Param)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 2; i < c.Count; i++)
        {
            string arg = c.ArgString(i);
            if (arg.AsSpan().IndexOfAny("[*?") < 0)
            {
                if (table.Find(arg) is { } p && seen.Add(arg))
                    matches.Add((arg, p));
                continue;
            }
            byte[] pattern = Encoding.UTF8.GetBytes(arg);
            foreach (ConfigParam p in table.All)
            {
                AddIfMatch(p.Name, p);
                foreach (string alias in p.Aliases)
                    AddIfMatch(alias, p);
            }

            void AddIfMatch(string name, ConfigParam p)
            {
                if (!seen.Contains(name) && Glob.Match(pattern, Encoding.ASCII.GetBytes(name), ignoreCase: true) && seen.Add(name))
                    matches.Add((name, p));
            }
        }
        c.Reply.Map(matches.Count);
        foreach ((string name, ConfigParam p) in matches)
        {
            c.Reply.Bulk(name);
            c.Reply.Bulk(p.Get());
        }
    }

    private static void ConfigSet(CommandContext c)
    {
        if (c.Count % 2 != 0)
        {
            c.Error(Errors.Syntax);
            return;
        }
        ConfigTable table = c.Server.ConfigTable;
        int pairs = (c.Count - 2) / 2;
        var parms = new ConfigParam[pairs];
        var names = new string[pairs];
        var values = new string[pairs];
        // First every name is checked (unknown, immutable, protected, duplicate), then the values are
        // applied; a failing value restores the ones already applied, so the change is atomic.
        for (int i = 0; i < pairs; i++)
        {
            names[i] = c.ArgString(2 + i * 2);
            values[i] = c.ArgString(3 + i * 2);
            ConfigParam? p = table.Find(names[i]);
            if (p is null)
            {
                c.Error($"ERR Unknown option or number of arguments for CONFIG SET - '{names[i]}'");
                return;
            }
            string? problem = null;
            if (!p.Mutable)
                problem = "can't set immutable config";
            else if (p.Protected && !LocalOptionAllows(c, table.Config.EnableProtectedConfigs))
                problem = "can't set protected config";
            else if (Array.IndexOf(parms, p, 0, i) >= 0)
                problem = "duplicate parameter";
            if (problem is not null)
            {
                c.Error($"ERR CONFIG SET failed (possibly related to argument '{names[i]}') - {problem}");
                return;
            }
            parms[i] = p;
        }
        var old = new string[pairs];
        for (int i = 0; i < pairs; i++)
            old[i] = parms[i].Get();
        for (int i = 0; i < pairs; i++)
        {
            string? error = parms[i].Set([values[i]]);
            if (error is null)
                continue;
            for (int j = 0; j < i; j++)
                parms[j].Set([old[j]]);
            c.Error($"ERR CONFIG SET failed (possibly related to argument '{names[i]}') - {error}");
            return;
        }
        for (int i = 0; i < pairs; i++)
            table.Config.Changed.Add(parms[i].Name);
        c.Server.ConfigChanged?.Invoke(parms.Select(p => p.Name).ToArray());
        c.Reply.Ok();
    }

    /// <summary>enable-*-command / enable-protected-configs: "yes", or "local" for a loopback client.</summary>
    private static bool LocalOptionAllows(CommandContext c, string option) =>
        option == "yes" || (option == "local" && (c.Client.Address.StartsWith("127.", StringComparison.Ordinal)
            || c.Client.Address.StartsWith("[::1]", StringComparison.Ordinal) || c.Client.Address.StartsWith("::1", StringComparison.Ordinal)));

    private static void ConfigResetStat(CommandContext c)
    {
        c.Server.ResetStats();
        c.Server.SlowLog.Reset();
        c.Server.Latency.Reset([]);
        c.Reply.Ok();
    }

    private static void ConfigRewrite(CommandContext c)
    {
        if (c.Server.ConfigFile.Length == 0)
        {
            c.Error("ERR The server is running without a config file");
            return;
        }
        string? error = ConfigRewriter.RewriteFile(c.Server.ConfigTable, c.Server.ConfigFile);
        if (error is not null)
        {
            Logging.ServerLog.Warning($"CONFIG REWRITE failed: {error}");
            c.Error($"ERR Rewriting config file: {error}");
            return;
        }
        Logging.ServerLog.Notice("CONFIG REWRITE executed with success.");
        c.Reply.Ok();
    }

    private static void ConfigHelp(CommandContext c) => Help(c, "CONFIG",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.");
}
