using Codis.Core.Text;
using Codis.Server.Clients;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.</summary>
public static class PubSubCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        const CommandFlags sub = PubSub | NoScript | Loading | Stale | AllowedWhileSubscribed;
        t.Add("subscribe", -2, sub, 0, 0, 0, SubscribeCommand);
        t.Add("unsubscribe", -1, sub, 0, 0, 0, UnsubscribeCommand);
        t.Add("psubscribe", -2, sub, 0, 0, 0, PSubscribeCommand);
        t.Add("punsubscribe", -1, sub, 0, 0, 0, PUnsubscribeCommand);
        t.Add("publish", 3, PubSub | Loading | Stale | Fast, 0, 0, 0, PublishCommand);
        t.Add("pubsub", -2, PubSub | CommandFlags.Random | Loading | Stale, 0, 0, 0, PubSubCommand, ["channels", "numsub", "numpat", "help"]);
    }

    private static void Confirm(CommandContext c, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> name, bool nullName = false)
    {
        c.Reply.Push(3);
        c.Reply.Bulk(kind);
        if (nullName)
            c.Reply.Null();
        else
            c.Reply.Bulk(name);
        c.Reply.Integer(c.Client.SubscriptionCount);
    }

    private static void SubscribeCommand(CommandContext c)
    {
        if (c.InExec)
            Errors.Throw("ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client");
        for (int i = 1; i < c.Count; i++)
        {
            c.Server.Subscribe(c.Client, c.ArgArray(i));
            Confirm(c, "subscribe"u8, c[i]);
        }
    }

    private static void PSubscribeCommand(CommandContext c)
    {
        if (c.InExec)
            Errors.Throw("ERR PSUBSCRIBE isn't allowed for a DENY BLOCKING client");
        for (int i = 1; i < c.Count; i++)
        {
            c.Server.PSubscribe(c.Client, c.ArgArray(i));
            Confirm(c, "psubscribe"u8, c[i]);
        }
    }

    private static void UnsubscribeCommand(CommandContext c)
    {
        Client client = c.Client;
        if (c.Count == 1)
        {
            if (client.Channels.Count == 0)
            {
                Confirm(c, "unsubscribe"u8, default, nullName: true);
                return;
            }
            foreach (byte[] ch in client.Channels.ToArray())
            {
                c.Server.Unsubscribe(client, ch);
                Confirm(c, "unsubscribe"u8, ch);
            }
            return;
        }
        for (int i = 1; i < c.Count; i++)
        {
            c.Server.Unsubscribe(client, c.ArgArray(i));
            Confirm(c, "unsubscribe"u8, c[i]);
        }
    }

    private static void PUnsubscribeCommand(CommandContext c)
    {
        Client client = c.Client;
        if (c.Count == 1)
        {
            if (client.Patterns.Count == 0)
            {
                Confirm(c, "punsubscribe"u8, default, nullName: true);
                return;
            }
            foreach (byte[] p in client.Patterns.ToArray())
            {
                c.Server.PUnsubscribe(client, p);
                Confirm(c, "punsubscribe"u8, p);
            }
            return;
        }
        for (int i = 1; i < c.Count; i++)
        {
            c.Server.PUnsubscribe(client, c.ArgArray(i));
            Confirm(c, "punsubscribe"u8, c[i]);
        }
    }

    private static void PublishCommand(CommandContext c)
    {
        int n = c.Server.Publish(c[1], c[2]);
        c.Reply.Integer(n);
    }

    private static void PubSubCommand(CommandContext c)
    {
        if (c.Is(1, "CHANNELS"u8) && c.Count is 2 or 3)
        {
            var matches = new List<byte[]>();
            foreach (byte[] ch in c.Server.ActiveChannels)
            {
                if (c.Count == 2 || Glob.Match(c[2], ch))
                    matches.Add(ch);
            }
            c.Reply.Array(matches.Count);
            foreach (byte[] ch in matches)
                c.Reply.Bulk(ch);
        }
        else if (c.Is(1, "NUMSUB"u8))
        {
            c.Reply.Map(c.Count - 2);
            for (int i = 2; i < c.Count; i++)
            {
                c.Reply.Bulk(c[i]);
                c.Reply.Integer(c.Server.SubscriberCount(c.ArgArray(i)));
            }
        }
        else if (c.Is(1, "NUMPAT"u8) && c.Count == 2)
        {
            c.Reply.Integer(c.Server.PatternCount);
        }
        else if (c.Is(1, "HELP"u8) && c.Count == 2)
        {
            ServerCommands.Help(c, "PUBSUB",
                "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT", "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).");
        }
        else
        {
            ServerCommands.UnknownSubcommand(c);
        }
    }
}
