using System.Globalization;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;

namespace Codis.Server;

/// <summary>Connected clients, MONITOR and the slow log.</summary>
public sealed partial class ServerContext
{
    private readonly List<Client> _monitors = [];

    /// <summary>Connected clients by id.</summary>
    public Dictionary<long, Client> Clients { get; } = [];

    /// <summary>The slow log.</summary>
    public SlowLog SlowLog { get; } = new();

    /// <summary>CLIENT PAUSE: writes (or all commands) wait until this unix ms.</summary>
    public long PausedUntilMs { get; set; }

    /// <summary>CLIENT PAUSE applies to every command (true) or only writes.</summary>
    public bool PauseAll { get; set; }

    /// <summary>Registers a new connection; false (with the reply written) when maxclients is reached.</summary>
    public bool AddClient(Client client)
    {
        Stats.ConnectionsReceived++;
        if (Clients.Count >= Config.MaxClients)
        {
            Stats.RejectedConnections++;
            return false;
        }
        client.Authenticated = Config.RequirePass.Length == 0;
        Clients.Add(client.Id, client);
        return true;
    }

    /// <summary>Forgets a closed connection: subscriptions, watches, blocking, MONITOR.</summary>
    public void RemoveClient(Client client)
    {
        if (!Clients.Remove(client.Id))
            return;
        ForgetPaused(client);
        Unblock(client);
        Unwatch(client);
        foreach (byte[] ch in client.Channels.ToArray())
            Unsubscribe(client, ch);
        foreach (byte[] p in client.Patterns.ToArray())
            PUnsubscribe(client, p);
        if (client.IsMonitor)
            _monitors.Remove(client);
        ClientRemoved?.Invoke(client);
    }

    /// <summary>Hook for layers that track clients (replication).</summary>
    public Action<Client>? ClientRemoved { get; set; }

    /// <summary>Turns the client into a MONITOR.</summary>
    public void AddMonitor(Client client)
    {
        if (client.IsMonitor)
            return;
        client.IsMonitor = true;
        _monitors.Add(client);
    }

    private void FeedMonitors(Client source, ArgList args)
    {
        var b = new StringBuilder();
        // One clock read for seconds and microseconds (two reads could disagree across a tick).
        long us = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        b.Append((us / 1_000_000).ToString(CultureInfo.InvariantCulture)).Append('.')
            .Append((us % 1_000_000).ToString("D6", CultureInfo.InvariantCulture))
            .Append(" [").Append(source.DbIndex.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(source.Address).Append(']');
        for (int i = 0; i < args.Count; i++)
        {
            b.Append(' ');
            AppendRepr(b, args[i]);
        }
        string line = b.ToString();
        foreach (Client m in _monitors)
        {
            if (ReferenceEquals(m, source))
                continue;
            m.Output.Simple(line);
            m.Wake();
        }
    }

    /// <summary>Redis's sdscatrepr: a quoted, escaped representation.</summary>
    public static void AppendRepr(StringBuilder b, ReadOnlySpan<byte> s)
    {
        b.Append('"');
        foreach (byte ch in s)
        {
            switch (ch)
            {
                case (byte)'\\': b.Append("\\\\"); break;
                case (byte)'"': b.Append("\\\""); break;
                case (byte)'\n': b.Append("\\n"); break;
                case (byte)'\r': b.Append("\\r"); break;
                case (byte)'\t': b.Append("\\t"); break;
                case 7: b.Append("\\a"); break;
                case 8: b.Append("\\b"); break;
                default:
                    if (ch >= 32 && ch < 127)
                        b.Append((char)ch);
                    else
                        b.Append("\\x").Append(ch.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        b.Append('"');
    }
}

/// <summary>SLOWLOG entries, newest first.</summary>
public sealed class SlowLog
{
    private long _nextId;

    /// <summary>Entries, newest first.</summary>
    public LinkedList<SlowLogEntry> Entries { get; } = new();

    /// <summary>Records a slow command.</summary>
    public void Add(Commands.CommandContext ctx, long micros)
    {
        int max = ctx.Server.Config.SlowlogMaxLen;
        if (max <= 0)
            return;
        int argc = Math.Min(ctx.Args.Count, 32);
        var args = new byte[argc][];
        for (int i = 0; i < argc; i++)
        {
            if (i == 31 && ctx.Args.Count > 32)
            {
                args[i] = Encoding.ASCII.GetBytes($"... ({ctx.Args.Count - 31} more arguments)");
                break;
            }
            ReadOnlySpan<byte> a = ctx.Args[i];
            args[i] = a.Length > 128 ? [.. a[..128], .. Encoding.ASCII.GetBytes($"... ({a.Length - 128} more bytes)")] : a.ToArray();
        }
        Entries.AddFirst(new SlowLogEntry(_nextId++, ctx.Now / 1000, micros, args, ctx.Client.Address, ctx.Client.Name));
        while (Entries.Count > max)
            Entries.RemoveLast();
    }

    /// <summary>SLOWLOG RESET.</summary>
    public void Reset() => Entries.Clear();
}

/// <summary>One slow log entry.</summary>
public sealed record SlowLogEntry(long Id, long Timestamp, long Micros, byte[][] Args, string Address, string Name);
