using System.Text;
using Codis.Server.Clients;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class ServerCommands
{
    private const CommandFlags ClientFlags = Admin | NoScript | Loading | Stale;

    private static readonly SubCommand[] ClientSubs =
    [
        new("id", 2, NoScript | Loading | Stale, c => c.Reply.Integer(c.Client.Id)),
        new("info", 2, NoScript | Loading | Stale, ClientInfo),
        new("list", -2, ClientFlags, ClientList),
        new("kill", -3, ClientFlags, ClientKill),
        new("getname", 2, NoScript | Loading | Stale, ClientGetName),
        new("setname", 3, NoScript | Loading | Stale, ClientSetName),
        new("pause", -3, ClientFlags, ClientPause),
        new("unpause", 2, ClientFlags, ClientUnpause),
        new("reply", 3, NoScript | Loading | Stale, ClientReply),
        new("no-evict", 3, ClientFlags, c => ClientOnOff(c, v => c.Client.NoEvict = v)),
        new("no-touch", 3, NoScript | Loading | Stale, c => ClientOnOff(c, v => c.Client.NoTouch = v)),
        new("setinfo", 4, NoScript | Loading | Stale, ClientSetInfo),
        new("unblock", -3, ClientFlags, ClientUnblock),
        new("tracking", -3, NoScript | Loading | Stale, c => c.Error("ERR CLIENT TRACKING is not supported by this server")),
        new("caching", 3, NoScript | Loading | Stale, c => c.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")),
        new("getredir", 2, NoScript | Loading | Stale, c => c.Reply.Integer(-1)),
        new("trackinginfo", 2, NoScript | Loading | Stale, ClientTrackingInfo),
        new("help", 2, Loading | Stale, ClientHelp),
    ];

    /// <summary>Redis's client types (CLIENT LIST/KILL TYPE).</summary>
    private enum ClientType
    {
        Normal,
        Replica,
        PubSub,
        Master,
    }

    private static ClientType TypeOf(Client x) =>
        x.IsMaster ? ClientType.Master : x.IsReplica ? ClientType.Replica : x.SubscriptionCount > 0 ? ClientType.PubSub : ClientType.Normal;

    private static bool TryParseType(ReadOnlySpan<byte> s, out ClientType type)
    {
        type = ClientType.Normal;
        if (CommandContext.EqualsIgnoreCase(s, "NORMAL"u8))
            return true;
        type = ClientType.Replica;
        if (CommandContext.EqualsIgnoreCase(s, "REPLICA"u8) || CommandContext.EqualsIgnoreCase(s, "SLAVE"u8))
            return true;
        type = ClientType.PubSub;
        if (CommandContext.EqualsIgnoreCase(s, "PUBSUB"u8))
            return true;
        type = ClientType.Master;
        return CommandContext.EqualsIgnoreCase(s, "MASTER"u8);
    }

    /// <summary>One CLIENT LIST line (without the newline) in Redis 7.0's field order.</summary>
    public static string ClientLine(ServerContext s, Client x, Client? current)
    {
        var flags = new StringBuilder();
        if (x.IsMonitor)
            flags.Append('O');
        if (x.IsReplica)
            flags.Append('S');
        if (x.IsMaster)
            flags.Append('M');
        if (x.SubscriptionCount > 0)
            flags.Append('P');
        if (x.InMulti)
            flags.Append('x');
        if (x.Blocked is not null)
            flags.Append('b');
        if (x.DirtyCas)
            flags.Append('d');
        if (x.CloseRequested)
            flags.Append('c');
        if (x.NoEvict)
            flags.Append('e');
        if (x.NoTouch)
            flags.Append('T');
        if (flags.Length == 0)
            flags.Append('N');
        long now = s.Now;
        int multi = x.InMulti ? x.MultiQueue.Count : -1;
        // Only the client running the command has arguments in memory (as in Redis).
        long argvMem = 0;
        if (ReferenceEquals(current, x))
        {
            for (int i = 0; i < x.Context.Args.Count; i++)
                argvMem += x.Context.Args[i].Length;
        }
        long omem = x.Output.Length;
        long totMem = x.QueryBufferLength + argvMem + omem + 16 * 1024 + 1024;
        string cmd = x.LastCommand;
        return $"id={x.Id} addr={x.Address} laddr={x.LocalAddress} fd={x.Id + 7} name={x.Name} age={(now - x.CreatedMs) / 1000} " +
            $"idle={(now - x.LastInteractionMs) / 1000} flags={flags} db={x.DbIndex} sub={x.Channels.Count} psub={x.Patterns.Count} ssub=0 " +
            $"multi={multi} qbuf={x.QueryBufferLength} qbuf-free=0 argv-mem={argvMem} multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem={omem} " +
            $"tot-mem={totMem} events=r cmd={cmd} user=default redir=-1 resp={x.Protocol}";
    }

    private static void ClientInfo(CommandContext c) => c.Reply.Bulk(ClientLine(c.Server, c.Client, c.Client) + "\n");

    private static void ClientList(CommandContext c)
    {
        ClientType? type = null;
        HashSet<long>? ids = null;
        if (c.Count >= 4 && c.Is(2, "TYPE"u8) && c.Count == 4)
        {
            if (!TryParseType(c[3], out ClientType t))
            {
                c.Error($"ERR Unknown client type '{c.ArgString(3)}'");
                return;
            }
            type = t;
        }
        else if (c.Count >= 4 && c.Is(2, "ID"u8))
        {
            ids = [];
            for (int i = 3; i < c.Count; i++)
            {
                if (!CommandContext.TryParseLong(c[i], out long id) || id <= 0)
                {
                    c.Error("ERR Invalid client ID");
                    return;
                }
                ids.Add(id);
            }
        }
        else if (c.Count != 2)
        {
            c.Error(Errors.Syntax);
            return;
        }
        var b = new StringBuilder();
        foreach (Client x in c.Server.Clients.Values.OrderBy(x => x.Id))
        {
            if (type is { } t && TypeOf(x) != t)
                continue;
            if (ids is not null && !ids.Contains(x.Id))
                continue;
            b.Append(ClientLine(c.Server, x, c.Client)).Append('\n');
        }
        c.Reply.Bulk(b.ToString());
    }

    private static void ClientKill(CommandContext c)
    {
        ServerContext s = c.Server;
        if (c.Count == 3)
        {
            // Old form: CLIENT KILL addr:port, which may kill the caller too.
            string addr = c.ArgString(2);
            Client? target = s.Clients.Values.FirstOrDefault(x => x.Address == addr);
            if (target is null)
            {
                c.Error("ERR No such client");
                return;
            }
            c.Reply.Ok();
            Kill(c, target);
            return;
        }
        if (c.Count % 2 != 0)
        {
            c.Error(Errors.Syntax);
            return;
        }
        long? id = null;
        ClientType? type = null;
        string? addrFilter = null, laddrFilter = null;
        bool skipMe = true;
        for (int i = 2; i < c.Count; i += 2)
        {
            if (c.Is(i, "ID"u8))
            {
                if (!CommandContext.TryParseLong(c[i + 1], out long v) || v <= 0)
                {
                    c.Error("ERR client-id should be greater than 0");
                    return;
                }
                id = v;
            }
            else if (c.Is(i, "TYPE"u8))
            {
                if (!TryParseType(c[i + 1], out ClientType t))
                {
                    c.Error($"ERR Unknown client type '{c.ArgString(i + 1)}'");
                    return;
                }
                type = t;
            }
            else if (c.Is(i, "ADDR"u8))
            {
                addrFilter = c.ArgString(i + 1);
            }
            else if (c.Is(i, "LADDR"u8))
            {
                laddrFilter = c.ArgString(i + 1);
            }
            else if (c.Is(i, "USER"u8))
            {
                if (c.ArgString(i + 1) != "default")
                {
                    c.Error($"ERR No such user '{c.ArgString(i + 1)}'");
                    return;
                }
            }
            else if (c.Is(i, "SKIPME"u8))
            {
                if (c.Is(i + 1, "YES"u8))
                    skipMe = true;
                else if (c.Is(i + 1, "NO"u8))
                    skipMe = false;
                else
                {
                    c.Error(Errors.Syntax);
                    return;
                }
            }
            else
            {
                c.Error(Errors.Syntax);
                return;
            }
        }
        var victims = new List<Client>();
        foreach (Client x in s.Clients.Values)
        {
            if (id is { } want && x.Id != want)
                continue;
            if (type is { } t && TypeOf(x) != t)
                continue;
            if (addrFilter is not null && x.Address != addrFilter)
                continue;
            if (laddrFilter is not null && x.LocalAddress != laddrFilter)
                continue;
            if (skipMe && ReferenceEquals(x, c.Client))
                continue;
            victims.Add(x);
        }
        c.Reply.Integer(victims.Count);
        foreach (Client x in victims)
            Kill(c, x);
    }

    /// <summary>Closes a client: the caller after its reply is sent, any other at once.</summary>
    private static void Kill(CommandContext c, Client target)
    {
        if (ReferenceEquals(target, c.Client))
        {
            target.CloseRequested = true;
            return;
        }
        target.CloseRequested = true;
        // Forgotten at once, as Redis frees the client: CLIENT LIST right after no longer shows it,
        // whenever its connection gets to closing the socket.
        c.Server.RemoveClient(target);
        target.Transport.Close(now: true);
    }

    private static void ClientGetName(CommandContext c)
    {
        if (c.Client.Name.Length == 0)
            c.Reply.Null();
        else
            c.Reply.Bulk(c.Client.Name);
    }

    private static void ClientSetName(CommandContext c)
    {
        foreach (byte b in c[2])
        {
            if (b < '!' || b > '~')
            {
                c.Error("ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
        }
        c.Client.Name = c.ArgString(2);
        c.Reply.Ok();
    }

    private static void ClientSetInfo(CommandContext c)
    {
        bool name = c.Is(2, "LIB-NAME"u8), version = c.Is(2, "LIB-VER"u8);
        if (!name && !version)
        {
            c.Error($"ERR Unrecognized option '{c.ArgString(2)}'");
            return;
        }
        foreach (byte b in c[3])
        {
            if (b < '!' || b > '~')
            {
                c.Error($"ERR {(name ? "lib-name" : "lib-ver")} cannot contain spaces, newlines or special characters.");
                return;
            }
        }
        c.Client.LibName = c.ArgString(3);
        c.Reply.Ok();
    }

    private static void ClientPause(CommandContext c)
    {
        if (!CommandContext.TryParseLong(c[2], out long ms))
        {
            c.Error("ERR timeout is not an integer or out of range");
            return;
        }
        if (ms < 0)
        {
            c.Error("ERR timeout is negative");
            return;
        }
        bool all = true;
        if (c.Count == 4)
        {
            if (c.Is(3, "WRITE"u8))
                all = false;
            else if (!c.Is(3, "ALL"u8))
            {
                c.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        else if (c.Count > 4)
        {
            c.Error(Errors.Syntax);
            return;
        }
        c.Server.Pause(c.Now + ms, all);
        c.Reply.Ok();
    }

    private static void ClientUnpause(CommandContext c)
    {
        c.Server.Unpause();
        c.Reply.Ok();
    }

    private static void ClientReply(CommandContext c)
    {
        if (c.Is(2, "ON"u8))
        {
            c.Client.ReplyMode = ReplyMode.On;
            c.Reply.Ok();
        }
        else if (c.Is(2, "OFF"u8))
        {
            c.Client.ReplyMode = ReplyMode.Off;
        }
        else if (c.Is(2, "SKIP"u8))
        {
            if (c.Client.ReplyMode != ReplyMode.Off)
                c.Client.ReplyMode = ReplyMode.Skip;
        }
        else
        {
            c.Error(Errors.Syntax);
        }
    }

    private static void ClientOnOff(CommandContext c, Action<bool> set)
    {
        if (c.Is(2, "ON"u8))
            set(true);
        else if (c.Is(2, "OFF"u8))
            set(false);
        else
        {
            c.Error(Errors.Syntax);
            return;
        }
        c.Reply.Ok();
    }

    private static void ClientUnblock(CommandContext c)
    {
        long id = c.Long(2);
        bool error = false;
        if (c.Count == 4)
        {
            if (c.Is(3, "ERROR"u8))
                error = true;
            else if (!c.Is(3, "TIMEOUT"u8))
            {
                c.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        else if (c.Count > 4)
        {
            c.Error(Errors.Syntax);
            return;
        }
        ServerContext s = c.Server;
        bool done = s.Clients.TryGetValue(id, out Client? target) && !s.IsPaused(target)
            && s.UnblockWith(target, error ? "UNBLOCKED client unblocked via CLIENT UNBLOCK" : null);
        c.Reply.Integer(done ? 1 : 0);
    }

    private static void ClientTrackingInfo(CommandContext c)
    {
        c.Reply.Map(3);
        c.Reply.Bulk("flags"u8);
        c.Reply.Set(1);
        c.Reply.Bulk("off"u8);
        c.Reply.Bulk("redirect"u8);
        c.Reply.Integer(-1);
        c.Reply.Bulk("prefixes"u8);
        c.Reply.Array(0);
    }

    private static void ClientHelp(CommandContext c) => Help(c, "CLIENT",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.");
}
