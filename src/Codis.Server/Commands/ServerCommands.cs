using System.Globalization;
using System.Text;
using Codis.Server.Clients;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// Server and administration commands: INFO, CONFIG, CLIENT, COMMAND, SLOWLOG, LATENCY, DEBUG, MEMORY,
/// TIME, LASTSAVE, DBSIZE, MONITOR, SHUTDOWN. Each concern lives in a <c>ServerCommands.*.cs</c> partial.
/// </summary>
public static partial class ServerCommands
{
    /// <summary>A subcommand of a container command (CONFIG GET, CLIENT LIST...): Redis arity rules apply.</summary>
    /// <param name="Name">Lower-case subcommand name.</param>
    /// <param name="Arity">Arity counting the command and the subcommand (positive exact, negative minimum).</param>
    /// <param name="Flags">Flags reported by COMMAND.</param>
    /// <param name="Handler">The implementation.</param>
    public sealed record SubCommand(string Name, int Arity, CommandFlags Flags, CommandHandler Handler);

    /// <summary>Subcommand tables by container command name (COMMAND INFO/DOCS report them).</summary>
    public static Dictionary<string, SubCommand[]> SubCommands { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        Container(t, "info", -1, Loading | Stale, null, Info);
        Container(t, "config", -2, Admin | NoScript | Loading | Stale, ConfigSubs, null);
        Container(t, "client", -2, Admin | NoScript | Loading | Stale, ClientSubs, null);
        Container(t, "command", -1, Loading | Stale, CommandSubs, CommandAll);
        Container(t, "slowlog", -2, Admin | CommandFlags.Random | Loading | Stale, SlowlogSubs, null);
        Container(t, "latency", -2, Admin | NoScript | Loading | Stale, LatencySubs, null);
        t.Add("debug", -2, Admin | NoScript | Loading | Stale, 0, 0, 0, Debug);
        Container(t, "memory", -2, ReadOnly, MemorySubs, null);
        t.Add("time", 1, Loading | Stale | Fast | CommandFlags.Random, 0, 0, 0, Time);
        t.Add("lastsave", 1, Loading | Stale | Fast | CommandFlags.Random, 0, 0, 0, LastSave);
        if (t.Find("dbsize"u8) is null)
            t.Add("dbsize", 1, ReadOnly | Fast, 0, 0, 0, DbSize);
        t.Add("monitor", 1, Admin | NoScript | Loading | Stale, 0, 0, 0, Monitor);
        t.Add("shutdown", -1, Admin | NoScript | Loading | Stale | NoMulti, 0, 0, 0, ShutdownCommand);
    }

    /// <summary>
    /// Registers a command with subcommands: <paramref name="plain"/> runs when no subcommand is given
    /// (or for INFO, always); otherwise the subcommand is looked up and its arity checked.
    /// </summary>
    internal static void Container(CommandTable t, string name, int arity, CommandFlags flags, SubCommand[]? subs, CommandHandler? plain)
    {
        if (subs is null)
        {
            t.Add(name, arity, flags, 0, 0, 0, plain!);
            return;
        }
        SubCommands[name] = subs;
        t.Add(name, arity, flags, 0, 0, 0, c => RunSubcommand(c, subs, plain), [.. subs.Select(s => s.Name)]);
    }

    private static void RunSubcommand(CommandContext c, SubCommand[] subs, CommandHandler? plain)
    {
        if (c.Count == 1 && plain is not null)
        {
            plain(c);
            return;
        }
        SubCommand? sub = FindSub(subs, c[1]);
        if (sub is null)
        {
            UnknownSubcommand(c);
            return;
        }
        if ((sub.Arity > 0 && c.Count != sub.Arity) || c.Count < -sub.Arity)
        {
            WrongSubcommandArity(c);
            return;
        }
        c.Client.LastCommand = $"{c.Command.Name}|{sub.Name}";
        sub.Handler(c);
    }

    /// <summary>The subcommand named <paramref name="name"/> (any case), or null.</summary>
    public static SubCommand? FindSub(SubCommand[] subs, ReadOnlySpan<byte> name)
    {
        foreach (SubCommand s in subs)
        {
            if (name.Length == s.Name.Length && Ascii.EqualsIgnoreCase(name, Encoding.ASCII.GetBytes(s.Name)))
                return s;
        }
        return null;
    }


    /// <summary>Writes Redis's HELP reply: a header line and the given lines, as simple strings.</summary>
    public static void Help(CommandContext c, string command, params string[] lines)
    {
        c.Reply.Array(lines.Length + 3);
        c.Reply.Simple($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (string l in lines)
            c.Reply.Simple(l);
        c.Reply.Simple("HELP");
        c.Reply.Simple("    Prints this help.");
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

    private static void Time(CommandContext c)
    {
        long us = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        c.Reply.Array(2);
        c.Reply.BulkInteger(us / 1_000_000);
        c.Reply.BulkInteger(us % 1_000_000);
    }

    private static void LastSave(CommandContext c) => c.Reply.Integer(c.Server.Persistence.LastSaveUnix);

    private static void DbSize(CommandContext c) => c.Reply.Integer(c.Db.Count);

    private static void Monitor(CommandContext c)
    {
        // As Redis: a replica connection cannot become a monitor, and a second MONITOR is a no-op.
        if (c.Client.IsReplica)
            return;
        if (c.Client.IsMonitor)
        {
            c.Reply.Ok();
            return;
        }
        c.Server.AddMonitor(c.Client);
        c.Reply.Ok();
    }

    private static void ShutdownCommand(CommandContext c)
    {
        bool nosave = false, save = false, abort = false;
        for (int i = 1; i < c.Count; i++)
        {
            if (c.Is(i, "NOSAVE"u8))
                nosave = true;
            else if (c.Is(i, "SAVE"u8))
                save = true;
            else if (c.Is(i, "NOW"u8) || c.Is(i, "FORCE"u8))
                continue;
            else if (c.Is(i, "ABORT"u8))
                abort = true;
            else
            {
                c.Error(Errors.Syntax);
                return;
            }
        }
        if ((abort && c.Count != 2) || (nosave && save))
        {
            c.Error(Errors.Syntax);
            return;
        }
        if (abort)
        {
            // Shutdown here is immediate, so there is never a pending one to abort.
            c.Error("ERR No shutdown in progress.");
            return;
        }
        if (c.Server.ScriptBusy && !nosave)
        {
            // Saving now would write half a script's effects.
            c.Error("UNKILLABLE The busy script was sent a SHUTDOWN command. Try SHUTDOWN NOSAVE.");
            return;
        }
        // Persistence saves through the ShuttingDown event (SAVE forces it, NOSAVE skips it).
        c.Server.ShutdownSave = save ? true : nosave ? false : null;
        c.Server.RequestShutdown("SHUTDOWN");
        // No reply on success: the connection closes, as with Redis.
        c.Client.CloseRequested = true;
        c.Client.Transport.Close(now: true);
    }

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static bool IsNormal(Client x) => !x.IsReplica && !x.IsMaster && x.SubscriptionCount == 0;
}
