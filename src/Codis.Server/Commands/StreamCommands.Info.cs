using Codis.Core.Resp;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>XINFO STREAM [FULL [COUNT n]], XINFO GROUPS and XINFO CONSUMERS with Redis 7.0's fields.</summary>
public static partial class StreamCommands
{
    private static readonly string[] s_xinfoHelp =
    [
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ];

    private static void RegisterInfo(CommandTable t) =>
        t.Add("xinfo", -2, ReadOnly, 2, 2, 1, XInfo, ["consumers", "groups", "stream", "help"]);

    private static void XInfo(CommandContext c)
    {
        if (!CheckSubcommand(c, ["consumers", "groups", "stream", "help"], [4, 3, -3, 2]))
            return;
        ReplyWriter r = c.Reply;
        if (c.Is(1, "HELP"u8))
        {
            r.Array(s_xinfoHelp.Length);
            foreach (string line in s_xinfoHelp)
                r.Simple(line);
            return;
        }
        RedisStream s = Read(c, c[2]) ?? throw new CommandException(Errors.NoSuchKey);
        if (c.Is(1, "CONSUMERS"u8))
        {
            StreamGroup g = s.FindGroup(c[3])
                ?? throw new CommandException($"NOGROUP No such consumer group '{c.ArgString(3)}' for key name '{c.ArgString(2)}'");
            r.Array(g.Consumers.Count);
            foreach (StreamConsumer consumer in g.Consumers.Values)
            {
                r.Map(3);
                r.Bulk("name"u8);
                r.Bulk(consumer.Name);
                r.Bulk("pending"u8);
                r.Integer(consumer.Pending.Count);
                r.Bulk("idle"u8);
                r.Integer(Math.Max(0, c.Now - consumer.SeenTime));
            }
        }
        else if (c.Is(1, "GROUPS"u8))
        {
            r.Array(s.Groups.Count);
            foreach ((byte[] name, StreamGroup g) in s.Groups)
            {
                r.Map(6);
                r.Bulk("name"u8);
                r.Bulk(name);
                r.Bulk("consumers"u8);
                r.Integer(g.Consumers.Count);
                r.Bulk("pending"u8);
                r.Integer(g.Pending.Count);
                r.Bulk("last-delivered-id"u8);
                BulkId(r, g.LastId);
                ReplyReadAndLag(r, s, g);
            }
        }
        else
        {
            StreamInfo(c, s);
        }
    }

    private static void ReplyReadAndLag(ReplyWriter r, RedisStream s, StreamGroup g)
    {
        r.Bulk("entries-read"u8);
        if (g.EntriesRead != StreamGroup.InvalidEntriesRead)
            r.Integer(g.EntriesRead);
        else
            r.Null();
        r.Bulk("lag"u8);
        if (s.Lag(g) is long lag)
            r.Integer(lag);
        else
            r.Null();
    }

    private static void StreamInfo(CommandContext c, RedisStream s)
    {
        bool full = c.Count > 3;
        long count = 10;
        if (full)
        {
            if ((c.Count != 4 && c.Count != 6) || !c.Is(3, "FULL"u8) || (c.Count == 6 && !c.Is(4, "COUNT"u8)))
            {
                SubcommandSyntaxError(c);
                return;
            }
            if (c.Count == 6)
            {
                count = c.Long(5);
                if (count < 0)
                    count = 10;
            }
        }
        ReplyWriter r = c.Reply;
        r.Map(full ? 9 : 10);
        r.Bulk("length"u8);
        r.Integer(s.Count);
        // Redis reports its radix tree of listpack nodes; ours are the same nodes, the tree's inner
        // node count is an estimate (a documented difference).
        long nodes = s.NodeCount();
        r.Bulk("radix-tree-keys"u8);
        r.Integer(nodes);
        r.Bulk("radix-tree-nodes"u8);
        r.Integer(nodes + 1);
        r.Bulk("last-generated-id"u8);
        BulkId(r, s.LastId);
        r.Bulk("max-deleted-entry-id"u8);
        BulkId(r, s.MaxDeletedId);
        r.Bulk("entries-added"u8);
        r.Integer(s.EntriesAdded);
        r.Bulk("recorded-first-entry-id"u8);
        BulkId(r, s.FirstId);
        if (!full)
        {
            r.Bulk("groups"u8);
            r.Integer(s.Groups.Count);
            r.Bulk("first-entry"u8);
            if (s.Count > 0)
                ReplyEntry(r, s.Entries[0]);
            else
                r.Null();
            r.Bulk("last-entry"u8);
            if (s.Count > 0)
                ReplyEntry(r, s.Entries[^1]);
            else
                r.Null();
            return;
        }
        r.Bulk("entries"u8);
        ReplyRange(r, s, StreamId.Zero, StreamId.Max, count, rev: false);
        r.Bulk("groups"u8);
        r.Array(s.Groups.Count);
        foreach ((byte[] name, StreamGroup g) in s.Groups)
        {
            r.Map(7);
            r.Bulk("name"u8);
            r.Bulk(name);
            r.Bulk("last-delivered-id"u8);
            BulkId(r, g.LastId);
            ReplyReadAndLag(r, s, g);
            r.Bulk("pel-count"u8);
            r.Integer(g.Pending.Count);
            r.Bulk("pending"u8);
            long n = count == 0 ? g.Pending.Count : Math.Min(count, g.Pending.Count);
            r.Array(n);
            for (int i = 0; i < n; i++)
            {
                PendingEntry nack = g.Pending.Values[i];
                r.Array(4);
                BulkId(r, g.Pending.Keys[i]);
                r.Bulk(nack.Consumer.Name);
                r.Integer(nack.DeliveryTime);
                r.Integer(nack.DeliveryCount);
            }
            r.Bulk("consumers"u8);
            r.Array(g.Consumers.Count);
            foreach (StreamConsumer consumer in g.Consumers.Values)
            {
                r.Map(4);
                r.Bulk("name"u8);
                r.Bulk(consumer.Name);
                r.Bulk("seen-time"u8);
                r.Integer(consumer.SeenTime);
                r.Bulk("pel-count"u8);
                r.Integer(consumer.Pending.Count);
                r.Bulk("pending"u8);
                long m = count == 0 ? consumer.Pending.Count : Math.Min(count, consumer.Pending.Count);
                r.Array(m);
                for (int i = 0; i < m; i++)
                {
                    PendingEntry nack = consumer.Pending.Values[i];
                    r.Array(3);
                    BulkId(r, consumer.Pending.Keys[i]);
                    r.Integer(nack.DeliveryTime);
                    r.Integer(nack.DeliveryCount);
                }
            }
        }
    }
}
