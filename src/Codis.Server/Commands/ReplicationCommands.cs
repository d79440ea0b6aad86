using System.Globalization;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>SLAVEOF/REPLICAOF, SYNC/PSYNC, REPLCONF, ROLE and WAIT (the work is in <see cref="Replication.Replicator"/>).</summary>
public static class ReplicationCommands
{
    /// <summary>Registers the replication commands.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("slaveof", 3, Admin | NoScript | Stale, 0, 0, 0, SlaveOf);
        t.Add("replicaof", 3, Admin | NoScript | Stale, 0, 0, 0, SlaveOf);
        t.Add("sync", 1, Admin | NoScript | NoMulti, 0, 0, 0, c => c.Server.Replicator.Sync(c));
        t.Add("psync", -3, Admin | NoScript | NoMulti, 0, 0, 0, c => c.Server.Replicator.Sync(c));
        t.Add("replconf", -1, Admin | NoScript | Loading | Stale, 0, 0, 0, c => c.Server.Replicator.ReplConf(c));
        t.Add("role", 1, NoScript | Loading | Stale | Fast, 0, 0, 0, Role);
        t.Add("wait", 3, NoScript, 0, 0, 0, c => c.Server.Replicator.Wait(c));
    }

    private static void SlaveOf(CommandContext c)
    {
        ServerContext s = c.Server;
        if (c.Is(1, "NO"u8) && c.Is(2, "ONE"u8))
        {
            s.Replicator.UnsetMaster();
            s.Config.ReplicaOf = "";
            c.Reply.Ok();
            return;
        }
        if (c.Client.IsReplica)
        {
            c.Error("ERR Command is not valid when client is a replica.");
            return;
        }
        if (!CommandContext.TryParseLong(c[2], out long port))
        {
            c.Error("ERR value is not an integer or out of range");
            return;
        }
        if (port < 0 || port > 65535)
        {
            c.Error("ERR Invalid master port");
            return;
        }
        string host = c.ArgString(1);
        if (!s.Replicator.SetMaster(host, (int)port))
        {
            c.Reply.Simple("OK Already connected to specified master");
            return;
        }
        s.Config.ReplicaOf = host + " " + port.ToString(CultureInfo.InvariantCulture);
        c.Reply.Ok();
    }

    private static void Role(CommandContext c)
    {
        ServerContext s = c.Server;
        ReplicationStatus r = s.Replication;
        if (s.IsReplica)
        {
            c.Reply.Array(5);
            c.Reply.Bulk("slave"u8);
            c.Reply.Bulk(r.MasterHost);
            c.Reply.Integer(r.MasterPort);
            c.Reply.Bulk(s.Replicator.LinkState);
            c.Reply.Integer(r.LinkUp ? r.ReplicaReplOffset : -1);
            return;
        }
        c.Reply.Array(3);
        c.Reply.Bulk("master"u8);
        c.Reply.Integer(r.MasterReplOffset);
        IReadOnlyList<Replication.ReplicaLink> replicas = s.Replicator.Replicas;
        c.Reply.Array(replicas.Count);
        foreach (Replication.ReplicaLink x in replicas)
        {
            c.Reply.Array(3);
            c.Reply.Bulk(x.Ip);
            c.Reply.Bulk(x.ListeningPort.ToString(CultureInfo.InvariantCulture));
            c.Reply.Bulk(x.AckOffset.ToString(CultureInfo.InvariantCulture));
        }
    }
}
