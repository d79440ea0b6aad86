using Codis.Server.Scripting;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>EVAL, EVALSHA, their read-only forms, and SCRIPT LOAD/EXISTS/FLUSH/KILL.</summary>
public static class ScriptingCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("eval", -3, NoScript | Stale, 0, 0, 0, static c => Eval(c, bySha: false, readOnly: false), numKeysIndex: 2);
        t.Add("evalsha", -3, NoScript | Stale, 0, 0, 0, static c => Eval(c, bySha: true, readOnly: false), numKeysIndex: 2);
        t.Add("eval_ro", -3, NoScript | Stale | ReadOnly, 0, 0, 0, static c => Eval(c, bySha: false, readOnly: true), numKeysIndex: 2);
        t.Add("evalsha_ro", -3, NoScript | Stale | ReadOnly, 0, 0, 0, static c => Eval(c, bySha: true, readOnly: true), numKeysIndex: 2);
        t.Add("script", -2, NoScript, 0, 0, 0, Script, ["load", "exists", "flush", "kill", "help"]);
    }

    private static void Eval(CommandContext c, bool bySha, bool readOnly)
    {
        if (!CommandContext.TryParseLong(c[2], out long numKeys))
        {
            c.Error(Errors.NotInteger);
            return;
        }
        if (numKeys < 0)
        {
            c.Error("ERR Number of keys can't be negative");
            return;
        }
        if (numKeys > c.Count - 3)
        {
            c.Error("ERR Number of keys can't be greater than number of args");
            return;
        }
        ScriptEngine scripts = c.Server.Scripts;
        string? sha;
        if (bySha)
        {
            sha = scripts.FindSha(c[1]);
            if (sha is null)
            {
                c.Error("NOSCRIPT No matching script. Please use EVAL.");
                return;
            }
        }
        else
        {
            sha = scripts.Load(c[1], out string? error);
            if (error is not null)
            {
                c.Error(error);
                return;
            }
        }
        scripts.Run(c, sha, (int)numKeys, readOnly);
    }

    private static void Script(CommandContext c)
    {
        ScriptEngine scripts = c.Server.Scripts;
        if (c.Is(1, "LOAD"u8))
        {
            if (c.Count != 3)
            {
                ServerCommands.WrongSubcommandArity(c);
                return;
            }
            string sha = scripts.Load(c[2], out string? error);
            if (error is not null)
                c.Error(error);
            else
                c.Reply.Bulk(sha);
        }
        else if (c.Is(1, "EXISTS"u8))
        {
            if (c.Count < 3)
            {
                ServerCommands.WrongSubcommandArity(c);
                return;
            }
            c.Reply.Array(c.Count - 2);
            for (int i = 2; i < c.Count; i++)
                c.Reply.Integer(scripts.Exists(c[i]) ? 1 : 0);
        }
        else if (c.Is(1, "FLUSH"u8))
        {
            if (c.Count > 3 || (c.Count == 3 && !c.Is(2, "ASYNC"u8) && !c.Is(2, "SYNC"u8)))
            {
                c.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
                return;
            }
            scripts.Flush();
            c.Reply.Ok();
        }
        else if (c.Is(1, "KILL"u8))
        {
            if (c.Count != 2)
            {
                ServerCommands.WrongSubcommandArity(c);
                return;
            }
            string reply = scripts.Kill(eval: true);
            if (reply[0] == '-')
                c.Error(reply[1..]);
            else
                c.Reply.Ok();
        }
        else if (c.Is(1, "HELP"u8) && c.Count == 2)
        {
            ServerCommands.Help(c, "SCRIPT",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it.");
        }
        else
        {
            ServerCommands.UnknownSubcommand(c);
        }
    }
}
