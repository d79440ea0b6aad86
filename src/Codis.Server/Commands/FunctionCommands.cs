using Codis.Server.Scripting;
using static Codis.Server.Commands.CommandFlags;
using static Codis.Server.Commands.ServerCommands;

namespace Codis.Server.Commands;

/// <summary>
/// Redis 7 functions: FUNCTION LOAD/DELETE/FLUSH/RESTORE (writes, propagated to replicas and the AOF
/// as they are), LIST/STATS/DUMP/KILL/HELP, and FCALL/FCALL_RO, which run a function with EVAL's reply
/// conversion and propagate its writes as EVAL does. The libraries are in <see cref="ScriptEngine"/>.
/// </summary>
public static class FunctionCommands
{
    private static readonly SubCommand[] FunctionSubs =
    [
        new("load", -3, Write | DenyOom | NoScript, Load),
        new("delete", 3, Write | NoScript, Delete),
        new("flush", -2, Write | NoScript, Flush),
        new("restore", -3, Write | DenyOom | NoScript, Restore),
        new("list", -2, NoScript, List),
        new("stats", 2, NoScript, c => c.Server.Scripts.WriteStats(c)),
        new("kill", 2, NoScript, Kill),
        new("dump", 2, NoScript, c => c.Reply.Bulk(c.Server.Scripts.DumpLibraries())),
        new("help", 2, Loading | Stale, FunctionHelp),
    ];

    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        Container(t, "function", -2, NoScript, FunctionSubs, null);
        t.Add("fcall", -3, NoScript | Stale, 0, 0, 0, static c => FCall(c, readOnly: false), numKeysIndex: 2);
        t.Add("fcall_ro", -3, NoScript | Stale | ReadOnly, 0, 0, 0, static c => FCall(c, readOnly: true), numKeysIndex: 2);
    }

    private static void FCall(CommandContext c, bool readOnly)
    {
        ServerContext s = c.Server;
        ScriptEngine scripts = s.Scripts;
        LibraryFunction? f = scripts.FindFunction(c[1]);
        bool writes = f is not null && (f.Flags & FunctionFlags.NoWrites) == 0;
        bool obey = c.Client.IsMaster;
        // What Redis's processCommand refuses from the flags the function gives FCALL: a function that
        // may write is a write command (and deny-oom unless allow-oom), one without allow-stale is not stale.
        if (f is not null && !obey)
        {
            if (writes && s.IsReplica && s.Config.ReplicaReadOnly)
            {
                c.Error("READONLY You can't write against a read only replica.");
                return;
            }
            if (writes && (f.Flags & FunctionFlags.AllowOom) == 0 && !s.HasMemoryForScript(c.Client))
            {
                c.Error(Errors.Oom);
                return;
            }
            if ((f.Flags & FunctionFlags.AllowStale) == 0 && s.IsReplica && !s.Replication.LinkUp && !s.Config.ReplicaServeStaleData)
            {
                c.Error("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
                return;
            }
        }
        if (f is null)
        {
            c.Error("ERR Function not found");
            return;
        }
        if (!CommandContext.TryParseLong(c[2], out long numKeys))
        {
            c.Error("ERR Bad number of keys provided");
            return;
        }
        if (numKeys > c.Count - 3)
        {
            c.Error("ERR Number of keys can't be greater than number of args");
            return;
        }
        if (numKeys < 0)
        {
            c.Error("ERR Number of keys can't be negative");
            return;
        }
        // Redis's scriptPrepareForRun.
        if (writes && !obey)
        {
            if (s.WriteGuard?.Invoke() is { } misconf)
            {
                c.Error(misconf);
                return;
            }
            if (readOnly)
            {
                c.Error("ERR Can not execute a script with write flag using *_ro command.");
                return;
            }
            if (s.WriteRefusal() is { } refusal)
            {
                c.Error(refusal);
                return;
            }
        }
        scripts.Call(c, f, (int)numKeys, readOnly);
    }

    // The checks Redis applies to a write command before it runs, for the writing subcommands (the
    // FUNCTION container itself is not a write: LIST and the others run on a read-only replica).
    private static bool MayWrite(CommandContext c, bool denyOom)
    {
        ServerContext s = c.Server;
        if (c.Client.IsMaster)
            return true;
        if (denyOom && !s.HasMemoryForScript(c.Client))
        {
            c.Error(Errors.Oom);
            return false;
        }
        if (s.WriteRefusal() is { } refusal)
        {
            c.Error(refusal);
            return false;
        }
        if (s.IsReplica && s.Config.ReplicaReadOnly)
        {
            c.Error("READONLY You can't write against a read only replica.");
            return false;
        }
        return true;
    }

    // A subcommand changed the libraries: counted as a change (save points) and propagated as it is.
    private static void Changed(CommandContext c)
    {
        c.Server.Stats.Dirty++;
        c.Server.PropagateWrite(c.Client.DbIndex, c.Args, alone: true);
    }

    private static void Load(CommandContext c)
    {
        if (!MayWrite(c, denyOom: true))
            return;
        bool replace = false;
        int pos = 2;
        while (pos < c.Count - 1)
        {
            if (!c.Is(pos, "REPLACE"u8))
            {
                c.Error($"ERR Unknown option given: {c.ArgString(pos)}");
                return;
            }
            replace = true;
            pos++;
        }
        if (c.Server.Scripts.LoadLibrary(c[pos], replace, limited: !c.Client.IsMaster, out string name) is { } error)
        {
            c.Error(error);
            return;
        }
        Changed(c);
        c.Reply.Bulk(name);
    }

    private static void Delete(CommandContext c)
    {
        if (!MayWrite(c, denyOom: false))
            return;
        if (!c.Server.Scripts.DeleteLibrary(c.ArgString(2)))
        {
            c.Error("ERR Library not found");
            return;
        }
        Changed(c);
        c.Reply.Ok();
    }

    private static void Flush(CommandContext c)
    {
        if (c.Count > 3)
        {
            SubcommandSyntaxError(c);
            return;
        }
        if (c.Count == 3 && !c.Is(2, "SYNC"u8) && !c.Is(2, "ASYNC"u8))
        {
            c.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        if (!MayWrite(c, denyOom: false))
            return;
        c.Server.Scripts.FlushFunctions();
        Changed(c);
        c.Reply.Ok();
    }

    private static void Restore(CommandContext c)
    {
        if (c.Count > 4)
        {
            SubcommandSyntaxError(c);
            return;
        }
        if (!MayWrite(c, denyOom: true))
            return;
        ScriptEngine.RestorePolicy policy = ScriptEngine.RestorePolicy.Append;
        if (c.Count == 4)
        {
            if (c.Is(3, "APPEND"u8))
                policy = ScriptEngine.RestorePolicy.Append;
            else if (c.Is(3, "REPLACE"u8))
                policy = ScriptEngine.RestorePolicy.Replace;
            else if (c.Is(3, "FLUSH"u8))
                policy = ScriptEngine.RestorePolicy.Flush;
            else
            {
                c.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        if (c.Server.Scripts.RestoreLibraries(c[2], policy) is { } error)
        {
            c.Error(error);
            return;
        }
        Changed(c);
        c.Reply.Ok();
    }

    private static void List(CommandContext c)
    {
        bool withCode = false;
        byte[]? pattern = null;
        for (int i = 2; i < c.Count; i++)
        {
            if (!withCode && c.Is(i, "WITHCODE"u8))
            {
                withCode = true;
                continue;
            }
            if (pattern is null && c.Is(i, "LIBRARYNAME"u8))
            {
                if (i >= c.Count - 1)
                {
                    c.Error("ERR library name argument was not given");
                    return;
                }
                pattern = c.ArgArray(++i);
                continue;
            }
            c.Error($"ERR Unknown argument {c.ArgString(i)}");
            return;
        }
        var libraries = new List<FunctionLibrary>();
        foreach (FunctionLibrary lib in c.Server.Scripts.Libraries)
        {
            if (pattern is null || Codis.Core.Text.Glob.Match(pattern, System.Text.Encoding.UTF8.GetBytes(lib.Name), ignoreCase: true))
                libraries.Add(lib);
        }
        var w = c.Reply;
        w.Array(libraries.Count);
        foreach (FunctionLibrary lib in libraries)
        {
            w.Map(withCode ? 4 : 3);
            w.Bulk("library_name"u8);
            w.Bulk(lib.Name);
            w.Bulk("engine"u8);
            w.Bulk("LUA"u8);
            w.Bulk("functions"u8);
            w.Array(lib.Functions.Count);
            foreach (LibraryFunction f in lib.Functions)
            {
                w.Map(3);
                w.Bulk("name"u8);
                w.Bulk(f.Name);
                w.Bulk("description"u8);
                if (f.Description is null)
                    w.Null();
                else
                    w.Bulk(f.Description);
                w.Bulk("flags"u8);
                WriteFlags(w, f.Flags);
            }
            if (withCode)
            {
                w.Bulk("library_code"u8);
                w.Bulk(lib.Code);
            }
        }
    }

    private static readonly (FunctionFlags Flag, string Name)[] s_flagNames =
    [
        (FunctionFlags.NoWrites, "no-writes"), (FunctionFlags.AllowOom, "allow-oom"), (FunctionFlags.AllowStale, "allow-stale"),
        (FunctionFlags.NoCluster, "no-cluster"), (FunctionFlags.AllowCrossSlotKeys, "allow-cross-slot-keys"),
    ];

    private static void WriteFlags(Codis.Core.Resp.ReplyWriter w, FunctionFlags flags)
    {
        int count = 0;
        foreach ((FunctionFlags flag, _) in s_flagNames)
        {
            if ((flags & flag) != 0)
                count++;
        }
        w.Set(count);
        foreach ((FunctionFlags flag, string name) in s_flagNames)
        {
            if ((flags & flag) != 0)
                w.Simple(name);
        }
    }

    private static void Kill(CommandContext c)
    {
        string reply = c.Server.Scripts.Kill(eval: false);
        if (reply[0] == '-')
            c.Error(reply[1..]);
        else
            c.Reply.Ok();
    }

    // Redis's addReplySubcommandSyntaxError.
    private static void SubcommandSyntaxError(CommandContext c) =>
        c.Error($"ERR unknown subcommand or wrong number of arguments for '{c.ArgString(1)}'. Try FUNCTION HELP.");

    private static void FunctionHelp(CommandContext c) => Help(c, "FUNCTION",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).");
}
