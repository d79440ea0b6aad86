using Codis.Core.Resp;
using Codis.Server.Clients;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>MULTI, EXEC, DISCARD, WATCH, UNWATCH.</summary>
public static class TransactionCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("multi", 1, NoScript | Loading | Stale | Fast | TransactionControl, 0, 0, 0, Multi);
        t.Add("exec", 1, NoScript | Loading | Stale | SkipSlowlog | TransactionControl, 0, 0, 0, Exec);
        t.Add("discard", 1, NoScript | Loading | Stale | Fast | TransactionControl, 0, 0, 0, Discard);
        t.Add("watch", -2, NoScript | Loading | Stale | Fast | TransactionControl, 1, -1, 1, Watch);
        t.Add("unwatch", 1, NoScript | Loading | Stale | Fast, 0, 0, 0, Unwatch);
    }

    /// <summary>Leaves MULTI state, dropping queued commands.</summary>
    public static void DiscardTransaction(ServerContext server, Client client)
    {
        client.InMulti = false;
        client.MultiError = false;
        client.MultiQueue.Clear();
        server.Unwatch(client);
    }

    private static void Multi(CommandContext c)
    {
        if (c.Client.InMulti)
        {
            c.Error("ERR MULTI calls can not be nested");
            return;
        }
        c.Client.InMulti = true;
        c.Reply.Ok();
    }

    private static void Discard(CommandContext c)
    {
        if (!c.Client.InMulti)
        {
            c.Error("ERR DISCARD without MULTI");
            return;
        }
        DiscardTransaction(c.Server, c.Client);
        c.Reply.Ok();
    }

    private static void Watch(CommandContext c)
    {
        if (c.Client.InMulti)
        {
            c.Error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        for (int i = 1; i < c.Count; i++)
            c.Server.Watch(c.Client, c[i]);
        c.Reply.Ok();
    }

    private static void Unwatch(CommandContext c)
    {
        c.Server.Unwatch(c.Client);
        c.Reply.Ok();
    }

    private static void Exec(CommandContext c)
    {
        Client client = c.Client;
        ServerContext server = c.Server;
        if (!client.InMulti)
        {
            c.Error("ERR EXEC without MULTI");
            return;
        }
        if (client.MultiError)
        {
            DiscardTransaction(server, client);
            c.Error("EXECABORT Transaction discarded because of previous errors.");
            return;
        }
        if (client.DirtyCas)
        {
            DiscardTransaction(server, client);
            c.Reply.NullArray();
            return;
        }
        List<(CommandDef Command, ArgList Args)> queue = [.. client.MultiQueue];
        client.InMulti = false;
        client.MultiQueue.Clear();
        server.Unwatch(client);
        ArgList execArgs = c.Args;
        CommandDef exec = c.Command;
        c.Reply.Array(queue.Count);
        c.InExec = true;
        try
        {
            foreach ((CommandDef cmd, ArgList args) in queue)
            {
                c.Args = args;
                c.Command = cmd;
                if (server.IsReplica && server.Config.ReplicaReadOnly && cmd.Has(Write) && !client.IsMaster)
                {
                    c.Error("READONLY You can't write against a read only replica.");
                    continue;
                }
                server.Call(c, cmd);
            }
        }
        finally
        {
            c.InExec = false;
            c.Args = execArgs;
            c.Command = exec;
        }
    }
}
