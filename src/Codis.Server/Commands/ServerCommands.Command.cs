using System.Text;
using Codis.Core.Text;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class ServerCommands
{
    private static readonly SubCommand[] CommandSubs =
    [
        new("count", 2, Loading | Stale, c => c.Reply.Integer(c.Server.Commands.Count)),
        new("info", -2, Loading | Stale, CommandInfo),
        new("docs", -2, Loading | Stale, CommandDocs),
        new("list", -2, Loading | Stale, CommandList),
        new("getkeys", -4, Loading | Stale, c => CommandGetKeys(c, false)),
        new("getkeysandflags", -4, Loading | Stale, c => CommandGetKeys(c, true)),
        new("help", 2, Loading | Stale, CommandHelp),
    ];

    private static readonly (CommandFlags Flag, string Name)[] s_flagNames =
    [
        (Write, "write"), (ReadOnly, "readonly"), (DenyOom, "denyoom"), (Admin, "admin"), (PubSub, "pubsub"),
        (NoScript, "noscript"), (Blocking, "blocking"), (Loading, "loading"), (Stale, "stale"),
        (SkipMonitor, "skip_monitor"), (SkipSlowlog, "skip_slowlog"), (Fast, "fast"), (NoAuth, "no_auth"), (NoMulti, "no_multi"),
    ];

    private static void CommandAll(CommandContext c)
    {
        CommandDef[] all = [.. c.Server.Commands.All];
        c.Reply.Array(all.Length);
        foreach (CommandDef d in all)
            WriteCommandInfo(c, d.Name, d.Arity, d.Flags, d.FirstKey, d.LastKey, d.Step, SubCommands.GetValueOrDefault(d.Name), d.NumKeysIndex);
    }

    private static void CommandInfo(CommandContext c)
    {
        if (c.Count == 2)
        {
            CommandAll(c);
            return;
        }
        c.Reply.Array(c.Count - 2);
        for (int i = 2; i < c.Count; i++)
        {
            if (LookupCommand(c, c.ArgString(i)) is not { } found)
            {
                c.Reply.Null();
                continue;
            }
            WriteCommandInfo(c, found.Name, found.Arity, found.Flags, found.FirstKey, found.LastKey, found.Step, found.Subs, found.NumKeysIndex);
        }
    }

    /// <summary>A command or a <c>container|sub</c> name, with what COMMAND INFO reports about it.</summary>
    private static (string Name, int Arity, CommandFlags Flags, int FirstKey, int LastKey, int Step, SubCommand[]? Subs, int NumKeysIndex)? LookupCommand(CommandContext c, string name)
    {
        int bar = name.IndexOf('|', StringComparison.Ordinal);
        string main = (bar < 0 ? name : name[..bar]).ToLowerInvariant();
        CommandDef? d = c.Server.Commands.Find(Encoding.UTF8.GetBytes(main));
        if (d is null)
            return null;
        if (bar < 0)
            return (d.Name, d.Arity, d.Flags, d.FirstKey, d.LastKey, d.Step, SubCommands.GetValueOrDefault(d.Name), d.NumKeysIndex);
        if (SubCommands.GetValueOrDefault(d.Name) is not { } subs || FindSub(subs, Encoding.UTF8.GetBytes(name[(bar + 1)..])) is not { } sub)
            return null;
        return ($"{d.Name}|{sub.Name}", sub.Arity, sub.Flags, 0, 0, 0, null, 0);
    }

    private static void WriteCommandInfo(CommandContext c, string name, int arity, CommandFlags flags, int first, int last, int step, SubCommand[]? subs,
        int numKeysIndex = 0)
    {
        var w = c.Reply;
        w.Array(10);
        w.Bulk(name);
        w.Integer(arity);
        string[] flagNames = [.. s_flagNames.Where(f => (flags & f.Flag) != 0).Select(f => f.Name)];
        if (numKeysIndex > 0)
            flagNames = [.. flagNames, "no_mandatory_keys", "movablekeys"];
        w.Set(flagNames.Length);
        foreach (string f in flagNames)
            w.Simple(f);
        w.Integer(first);
        w.Integer(last);
        w.Integer(step);
        string[] cats = AclCategories(flags);
        w.Set(cats.Length);
        foreach (string cat in cats)
            w.Simple(cat);
        w.Set((flags & CommandFlags.Random) != 0 ? 1 : 0);
        if ((flags & CommandFlags.Random) != 0)
            w.Simple("nondeterministic_output");
        if (numKeysIndex > 0)
        {
            WriteKeyNumSpec(w, flags, numKeysIndex);
        }
        else if (first > 0)
        {
            // One key spec derived from first/last/step: begin at an index, then a key range.
            w.Array(1);
            w.Map(3);
            WriteKeyFlagsAndStart(w, (flags & Write) != 0 ? ["RW", "update"] : ["RO", "access"], first);
            w.Bulk("find_keys"u8);
            w.Map(2);
            w.Bulk("type"u8);
            w.Bulk("range"u8);
            w.Bulk("spec"u8);
            w.Map(3);
            w.Bulk("lastkey"u8);
            w.Integer(last < 0 ? last : last - first);
            w.Bulk("keystep"u8);
            w.Integer(step);
            w.Bulk("limit"u8);
            w.Integer(0);
        }
        else
        {
            w.Array(0);
        }
        if (subs is null)
        {
            w.Array(0);
            return;
        }
        w.Array(subs.Length);
        foreach (SubCommand s in subs)
            WriteCommandInfo(c, $"{name}|{s.Name}", s.Arity, s.Flags, 0, 0, 0, null);
    }

    // The key spec of EVAL and FCALL: the keys follow their count, and a script may do anything with them.
    private static void WriteKeyNumSpec(Codis.Core.Resp.ReplyWriter w, CommandFlags flags, int numKeysIndex)
    {
        bool readOnly = (flags & ReadOnly) != 0;
        w.Array(1);
        w.Map(4);
        w.Bulk("notes"u8);
        w.Bulk(readOnly
            ? "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS flags"
            : "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE flags");
        WriteKeyFlagsAndStart(w, readOnly ? ["RO", "access"] : ["RW", "access", "update"], numKeysIndex);
        w.Bulk("find_keys"u8);
        w.Map(2);
        w.Bulk("type"u8);
        w.Bulk("keynum"u8);
        w.Bulk("spec"u8);
        w.Map(3);
        w.Bulk("keynumidx"u8);
        w.Integer(0);
        w.Bulk("firstkey"u8);
        w.Integer(1);
        w.Bulk("keystep"u8);
        w.Integer(1);
    }

    // A key spec's "flags" and its "begin_search" by index (the fields every spec of this table has).
    private static void WriteKeyFlagsAndStart(Codis.Core.Resp.ReplyWriter w, string[] keyFlags, int index)
    {
        w.Bulk("flags"u8);
        w.Set(keyFlags.Length);
        foreach (string f in keyFlags)
            w.Simple(f);
        w.Bulk("begin_search"u8);
        w.Map(2);
        w.Bulk("type"u8);
        w.Bulk("index"u8);
        w.Bulk("spec"u8);
        w.Map(1);
        w.Bulk("index"u8);
        w.Integer(index);
    }

    /// <summary>ACL categories derived from the flags (Redis 7 adds a per-family category too).</summary>
    private static string[] AclCategories(CommandFlags flags)
    {
        var cats = new List<string>();
        if ((flags & Write) != 0)
            cats.Add("@write");
        if ((flags & ReadOnly) != 0)
            cats.Add("@read");
        if ((flags & Admin) != 0)
        {
            cats.Add("@admin");
            cats.Add("@dangerous");
        }
        if ((flags & PubSub) != 0)
            cats.Add("@pubsub");
        if ((flags & Blocking) != 0)
            cats.Add("@blocking");
        cats.Add((flags & Fast) != 0 ? "@fast" : "@slow");
        return [.. cats];
    }

    private static void CommandDocs(CommandContext c)
    {
        var names = new List<string>();
        if (c.Count == 2)
            names.AddRange(c.Server.Commands.All.Select(d => d.Name));
        else
        {
            for (int i = 2; i < c.Count; i++)
            {
                if (LookupCommand(c, c.ArgString(i)) is { } found)
                    names.Add(found.Name);
            }
        }
        c.Reply.Map(names.Count);
        foreach (string name in names)
        {
            (string Name, int Arity, CommandFlags Flags, int, int, int, SubCommand[]? Subs, int) info = LookupCommand(c, name)!.Value;
            c.Reply.Bulk(name);
            WriteDocs(c, info.Flags, info.Subs, name);
        }
    }

    private static void WriteDocs(CommandContext c, CommandFlags flags, SubCommand[]? subs, string name)
    {
        var w = c.Reply;
        w.Map(subs is null ? 3 : 4);
        w.Bulk("summary"u8);
        w.Bulk($"The {name.ToUpperInvariant()} command.");
        w.Bulk("since"u8);
        w.Bulk("1.0.0"u8);
        w.Bulk("group"u8);
        w.Bulk((flags & PubSub) != 0 ? "pubsub" : (flags & Admin) != 0 ? "server" : "generic");
        if (subs is null)
            return;
        w.Bulk("subcommands"u8);
        w.Map(subs.Length);
        foreach (SubCommand s in subs)
        {
            w.Bulk($"{name}|{s.Name}");
            WriteDocs(c, s.Flags, null, $"{name} {s.Name}");
        }
    }

    private static void CommandList(CommandContext c)
    {
        IEnumerable<string> names = c.Server.Commands.All.Select(d => d.Name);
        if (c.Count != 2)
        {
            if (c.Count != 5 || !c.Is(2, "FILTERBY"u8))
            {
                c.Error(Errors.Syntax);
                return;
            }
            string arg = c.ArgString(4);
            if (c.Is(3, "MODULE"u8))
            {
                names = [];
            }
            else if (c.Is(3, "ACLCAT"u8))
            {
                string cat = "@" + arg.ToLowerInvariant();
                names = c.Server.Commands.All.Where(d => AclCategories(d.Flags).Contains(cat)).Select(d => d.Name);
            }
            else if (c.Is(3, "PATTERN"u8))
            {
                byte[] pattern = Encoding.UTF8.GetBytes(arg);
                var all = new List<string>();
                foreach (CommandDef d in c.Server.Commands.All)
                {
                    all.Add(d.Name);
                    if (SubCommands.GetValueOrDefault(d.Name) is { } subs)
                        all.AddRange(subs.Select(s => $"{d.Name}|{s.Name}"));
                }
                names = all.Where(n => Glob.Match(pattern, Encoding.UTF8.GetBytes(n), ignoreCase: true));
            }
            else
            {
                c.Error(Errors.Syntax);
                return;
            }
        }
        string[] list = [.. names];
        c.Reply.Array(list.Length);
        foreach (string n in list)
            c.Reply.Bulk(n);
    }

    private static void CommandGetKeys(CommandContext c, bool withFlags)
    {
        CommandDef? d = c.Server.Commands.Find(c[2]);
        int argc = c.Count - 2;
        if (d is null)
        {
            c.Error("ERR Invalid command specified");
            return;
        }
        if ((d.Arity > 0 && d.Arity != argc) || argc < -d.Arity)
        {
            c.Error("ERR Invalid number of arguments specified for command");
            return;
        }
        var keys = new List<int>();
        if (d.NumKeysIndex > 0)
        {
            // EVAL and FCALL: the keys that follow a valid count (none otherwise: keys are not mandatory).
            if (d.NumKeysIndex < argc && CommandContext.TryParseLong(c[2 + d.NumKeysIndex], out long n) && n >= 0 && n <= argc - d.NumKeysIndex - 1)
            {
                for (int i = 0; i < n; i++)
                    keys.Add(d.NumKeysIndex + 1 + i);
            }
            WriteKeys(c, d, keys, withFlags);
            return;
        }
        if (d.FirstKey > 0)
        {
            int last = d.LastKey < 0 ? argc + d.LastKey : d.LastKey;
            for (int i = d.FirstKey; i <= last && i < argc; i += Math.Max(1, d.Step))
                keys.Add(i);
        }
        if (keys.Count == 0)
        {
            c.Error("ERR The command has no key arguments");
            return;
        }
        WriteKeys(c, d, keys, withFlags);
    }

    private static void WriteKeys(CommandContext c, CommandDef d, List<int> keys, bool withFlags)
    {
        c.Reply.Array(keys.Count);
        foreach (int i in keys)
        {
            if (!withFlags)
            {
                c.Reply.Bulk(c[2 + i]);
                continue;
            }
            c.Reply.Array(2);
            c.Reply.Bulk(c[2 + i]);
            string[] keyFlags = d.NumKeysIndex > 0
                ? (d.Has(ReadOnly) ? ["RO", "access"] : ["RW", "access", "update"])
                : d.Has(Write) ? ["RW", "update"] : ["RO", "access"];
            c.Reply.Set(keyFlags.Length);
            foreach (string f in keyFlags)
                c.Reply.Simple(f);
        }
    }

    private static void CommandHelp(CommandContext c) => Help(c, "COMMAND",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.");
}
