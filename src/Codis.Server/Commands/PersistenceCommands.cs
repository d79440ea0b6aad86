using Codis.Server.Persistence;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>SAVE, BGSAVE [SCHEDULE] and BGREWRITEAOF (the work is in <see cref="Persister"/>).</summary>
public static class PersistenceCommands
{
    /// <summary>Registers the commands.</summary>
    public static void Register(CommandTable t)
    {
        ArgumentNullException.ThrowIfNull(t);
        t.Add("save", 1, Admin | NoScript | NoMulti, 0, 0, 0, Save);
        t.Add("bgsave", -1, Admin | NoScript, 0, 0, 0, Bgsave);
        t.Add("bgrewriteaof", 1, Admin | NoScript, 0, 0, 0, BgRewriteAof);
    }

    private static Persister Persister(CommandContext c) =>
        c.Server.Persister ?? throw new CommandException("ERR persistence is not enabled in this server");

    private static void Save(CommandContext c)
    {
        Persister p = Persister(c);
        if (p.BgsaveInProgress)
        {
            c.Error("ERR Background save already in progress");
            return;
        }
        if (p.Save())
            c.Reply.Ok();
        else
            c.Error("ERR");
    }

    private static void Bgsave(CommandContext c)
    {
        bool schedule = false;
        if (c.Count > 1)
        {
            if (c.Count == 2 && c.Is(1, "SCHEDULE"u8))
            {
                schedule = true;
            }
            else
            {
                c.Error(Errors.Syntax);
                return;
            }
        }
        Persister p = Persister(c);
        if (p.BgsaveInProgress)
        {
            c.Error("ERR Background save already in progress");
            return;
        }
        if (p.AofRewriteRunning || c.Client.InMulti)
        {
            if (schedule || c.Client.InMulti)
            {
                p.ScheduleBgsave();
                c.Reply.Simple("Background saving scheduled");
            }
            else
            {
                c.Error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            }
            return;
        }
        if (p.StartBgsave() is { } error)
            c.Error(error);
        else
            c.Reply.Simple("Background saving started");
    }

    private static void BgRewriteAof(CommandContext c)
    {
        Persister p = Persister(c);
        if (p.AofRewriteRunning)
        {
            c.Error("ERR Background append only file rewriting already in progress");
            return;
        }
        if (p.BgsaveInProgress || c.Client.InMulti)
        {
            c.Server.Persistence.AofRewriteScheduled = true;
            c.Reply.Simple("Background append only file rewriting scheduled");
            return;
        }
        if (p.StartAofRewrite() is { } error)
            c.Error(error);
        else
            c.Reply.Simple("Background append only file rewriting started");
    }
}
