using System.Text;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>Server commands: INFO, CONFIG, CLIENT, COMMAND, DBSIZE, FLUSHDB, ...</summary>
public static class ServerCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
    }

    /// <summary>Writes Redis's HELP reply: a header line and the given lines, as simple strings.</summary>
    public static void Help(CommandContext c, string command, params string[] lines)
    {
        c.Reply.Array(lines.Length + 3);
        c.Reply.Simple($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string l in lines)
            c.Reply.Simple(l);
        c.Reply.Simple("HELP");
        c.Reply.Simple("    Print this help.");
    }

    /// <summary>Redis 7's reply to an unknown subcommand.</summary>
    public static void UnknownSubcommand(CommandContext c)
    {
        string sub = Encoding.UTF8.GetString(c[1][..Math.Min(c[1].Length, 128)]);
        c.Error($"ERR unknown subcommand '{sub}'. Try {c.Command.Name.ToUpperInvariant()} HELP.");
    }

    /// <summary>Redis 7's arity error for a subcommand (<c>'config|get'</c>).</summary>
    public static void WrongSubcommandArity(CommandContext c)
    {
        string sub = Encoding.UTF8.GetString(c[1]).ToLowerInvariant();
        c.Error($"ERR wrong number of arguments for '{c.Command.Name}|{sub}' command");
    }
}
