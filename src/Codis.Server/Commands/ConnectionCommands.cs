using System.Text;
using Codis.Server.Clients;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>PING, ECHO, AUTH, SELECT, QUIT, HELLO, RESET.</summary>
public static class ConnectionCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("ping", -1, Fast | AllowedWhileSubscribed, 0, 0, 0, Ping);
        t.Add("echo", 2, Fast, 0, 0, 0, Echo);
        t.Add("auth", -2, NoScript | Loading | Stale | Fast | NoAuth | SkipMonitor | SkipSlowlog, 0, 0, 0, Auth);
        t.Add("select", 2, Loading | Stale | Fast, 0, 0, 0, Select);
        t.Add("quit", -1, Loading | Stale | Fast | NoAuth | AllowedWhileSubscribed | TransactionControl, 0, 0, 0, Quit);
        t.Add("hello", -1, NoScript | Loading | Stale | Fast | NoAuth | SkipMonitor | SkipSlowlog, 0, 0, 0, Hello);
        t.Add("reset", 1, NoScript | Loading | Stale | Fast | NoAuth | AllowedWhileSubscribed | TransactionControl, 0, 0, 0, Reset);
    }

    private static void Ping(CommandContext c)
    {
        if (c.Count > 2)
        {
            c.Error(Errors.WrongArgs("ping"));
            return;
        }
        if (c.Client.SubscriptionCount > 0 && c.Client.Protocol == 2)
        {
            c.Reply.Array(2);
            c.Reply.Bulk("pong"u8);
            if (c.Count == 2)
                c.Reply.Bulk(c[1]);
            else
                c.Reply.Bulk(""u8);
            return;
        }
        if (c.Count == 2)
            c.Reply.Bulk(c[1]);
        else
            c.Reply.WriteRaw("+PONG\r\n"u8);
    }

    private static void Echo(CommandContext c) => c.Reply.Bulk(c[1]);

    /// <summary>True when <paramref name="given"/> is the password (constant-time comparison).</summary>
    public static bool CheckPassword(ServerContext server, ReadOnlySpan<byte> given)
    {
        byte[] expected = Encoding.UTF8.GetBytes(server.Config.RequirePass);
        // Time independent of where the first difference is, over the longer of the two, without
        // hashing: SHA-256 would load OpenSSL (5 MB of resident memory) for this one comparison.
        int diff = given.Length ^ expected.Length;
        int n = Math.Max(given.Length, expected.Length);
        for (int i = 0; i < n; i++)
        {
            int a = i < given.Length ? given[i] : 0;
            int b = i < expected.Length ? expected[i] : 0;
            diff |= a ^ b;
        }
        return diff == 0;
    }

    private static void Auth(CommandContext c)
    {
        if (c.Count > 3)
        {
            c.Error(Errors.Syntax);
            return;
        }
        ReadOnlySpan<byte> user = c.Count == 3 ? c[1] : "default"u8;
        ReadOnlySpan<byte> pass = c[c.Count - 1];
        if (c.Server.Config.RequirePass.Length == 0)
        {
            if (c.Count == 2)
            {
                c.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
                return;
            }
            if (user.SequenceEqual("default"u8))
            {
                c.Client.Authenticated = true;
                c.Reply.Ok();
                return;
            }
            c.Error("WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        if (user.SequenceEqual("default"u8) && CheckPassword(c.Server, pass))
        {
            c.Client.Authenticated = true;
            c.Reply.Ok();
        }
        else
        {
            c.Error("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    private static void Select(CommandContext c)
    {
        if (!CommandContext.TryParseLong(c[1], out long db))
        {
            c.Error(Errors.NotInteger);
            return;
        }
        if (db < 0 || db >= c.Server.Databases.Length)
        {
            c.Error(Errors.DbIndexOutOfRange);
            return;
        }
        c.Client.DbIndex = (int)db;
        c.Reply.Ok();
    }

    private static void Quit(CommandContext c)
    {
        c.Reply.Ok();
        c.Client.CloseRequested = true;
    }

    private static void Hello(CommandContext c)
    {
        int protocol = c.Client.Protocol;
        int next = 2;
        if (c.Count >= 2)
        {
            if (!CommandContext.TryParseLong(c[1], out long ver))
            {
                c.Error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (ver is < 2 or > 3)
            {
                c.Error("NOPROTO unsupported protocol version");
                return;
            }
            next = (int)ver;
            for (int i = 2; i < c.Count; i++)
            {
                bool more = i + 1 < c.Count;
                if (c.Is(i, "AUTH"u8) && i + 2 < c.Count)
                {
                    if (!(c[i + 1].SequenceEqual("default"u8) && (c.Server.Config.RequirePass.Length == 0 || CheckPassword(c.Server, c[i + 2]))))
                    {
                        c.Error("WRONGPASS invalid username-password pair or user is disabled.");
                        return;
                    }
                    c.Client.Authenticated = true;
                    i += 2;
                }
                else if (c.Is(i, "SETNAME"u8) && more)
                {
                    c.Client.Name = c.ArgString(i + 1);
                    i++;
                }
                else
                {
                    c.Error($"ERR Syntax error in HELLO option '{c.ArgString(i)}'");
                    return;
                }
            }
        }
        else
        {
            next = protocol;
        }
        if (!c.Client.Authenticated)
        {
            c.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }
        c.Client.Protocol = next;
        c.Reply.Map(7);
        c.Reply.Bulk("server"u8);
        c.Reply.Bulk("redis"u8);
        c.Reply.Bulk("version"u8);
        c.Reply.Bulk(ServerInfo.RedisVersion);
        c.Reply.Bulk("proto"u8);
        c.Reply.Integer(next);
        c.Reply.Bulk("id"u8);
        c.Reply.Integer(c.Client.Id);
        c.Reply.Bulk("mode"u8);
        c.Reply.Bulk("standalone"u8);
        c.Reply.Bulk("role"u8);
        c.Reply.Bulk(c.Server.IsReplica ? "replica"u8 : "master"u8);
        c.Reply.Bulk("modules"u8);
        c.Reply.Array(0);
    }

    private static void Reset(CommandContext c)
    {
        Client client = c.Client;
        ServerContext s = c.Server;
        TransactionCommands.DiscardTransaction(s, client);
        s.Unwatch(client);
        foreach (byte[] ch in client.Channels.ToArray())
            s.Unsubscribe(client, ch);
        foreach (byte[] p in client.Patterns.ToArray())
            s.PUnsubscribe(client, p);
        client.DbIndex = 0;
        client.Name = "";
        client.ReplyMode = ReplyMode.On;
        client.Protocol = 2;
        client.NoEvict = false;
        client.Authenticated = s.Config.RequirePass.Length == 0;
        c.Reply.Simple("RESET"u8);
    }
}
