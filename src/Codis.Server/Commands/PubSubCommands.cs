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

    private static void UnsubscribeCommand(CommandContext c) =>
        UnsubscribeGeneric(c, c.Client.Channels, "unsubscribe"u8, static (s, client, ch) => s.Unsubscribe(client, ch));

    private static void PUnsubscribeCommand(CommandContext c) =>
        UnsubscribeGeneric(c, c.Client.Patterns, "punsubscribe"u8, static (s, client, p) => s.PUnsubscribe(client, p));

    /// <summary>
    /// UNSUBSCRIBE and PUNSUBSCRIBE: from the named channels (patterns), or from all of the client's when
    /// none is named, confirming each; with none to leave, one confirmation with a null name.
    /// </summary>
    private static void UnsubscribeGeneric(CommandContext c, HashSet<byte[]> current, ReadOnlySpan<byte> kind,
        Func<ServerContext, Client, byte[], bool> leave)
    {
        if (c.Count > 1)
        {
            for (int i = 1; i < c.Count; i++)
            {
                leave(c.Server, c.Client, c.ArgArray(i));
                Confirm(c, kind, c[i]);
            }
            return;
        }
        if (current.Count == 0)
        {
            Confirm(c, kind, default, nullName: true);
            return;
        }
        foreach (byte[] name in current.ToArray())
        {
            leave(c.Server, c.Client, name);
            Confirm(c, kind, name);
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
