using System.Diagnostics;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Commands;

namespace Codis.Server;

public sealed partial class ServerContext
{
    /// <summary>The command table.</summary>
    public CommandTable Commands { get; } = new();

    /// <summary>
    /// Runs one request of <paramref name="client"/> with Redis's checks in Redis's order (unknown
    /// command, arity, authentication, subscribed context, MULTI queueing, OOM, read-only replica).
    /// The caller holds <see cref="Lock"/>.
    /// </summary>
    public void Execute(Client client, ArgList args)
    {
        long timestamp = 0;
        Execute(client, args, ref timestamp);
    }

    /// <summary>
    /// <see cref="Execute(Client, ArgList)"/> for a run of requests in one lock section: the clock
    /// reading that ends one command's timing (passed in <paramref name="timestamp"/>, 0 for the first)
    /// also starts the next one's, so a pipelined command reads the clock once instead of twice.
    /// </summary>
    public void Execute(Client client, ArgList args, ref long timestamp)
    {
        long started = timestamp != 0 ? timestamp : Stopwatch.GetTimestamp();
        timestamp = started;
        UpdateClock(started);
        client.LastInteractionMs = _now;
        CommandContext ctx = client.Context;
        ctx.Server = this;
        ctx.Args = args;
        CommandDef? cmd = Commands.Find(args[0]);
        if (cmd is null)
        {
            RejectCommand(client, null, UnknownCommandError(args));
            return;
        }
        ctx.Command = cmd;
        if ((cmd.Arity > 0 && args.Count != cmd.Arity) || args.Count < -cmd.Arity)
        {
            RejectCommand(client, cmd, Errors.WrongArgs(cmd.Name));
            return;
        }
        if (!client.Authenticated && !cmd.Has(CommandFlags.NoAuth))
        {
            if (Config.RequirePass.Length == 0)
            {
                client.Authenticated = true;
            }
            else
            {
                RejectCommand(client, cmd, "NOAUTH Authentication required.");
                return;
            }
        }
        if (client.SubscriptionCount > 0 && client.Protocol == 2 && !cmd.Has(CommandFlags.AllowedWhileSubscribed))
        {
            RejectCommand(client, cmd, $"ERR Can't execute '{cmd.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        // A replica whose link is down answers only the "stale" commands (PING, INFO, REPLICAOF, ...).
        if (IsReplica && !Replication.LinkUp && !Config.ReplicaServeStaleData && !cmd.Has(CommandFlags.Stale) && !client.IsMaster)
        {
            RejectCommand(client, cmd, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
            return;
        }
        if (_scripts is { Busy: true } scripts && scripts.RefuseWhileBusy(cmd, args) is { } busy)
        {
            RejectCommand(client, cmd, busy);
            return;
        }
        // MISCONF and NOREPLICAS refuse a write before it is queued, and an EXEC whose transaction
        // writes (aborting it), as Redis checks them.
        if (!client.IsMaster && (cmd.Has(CommandFlags.Write) || (client.InMulti && cmd.IsExec && QueuedWrite(client)))
            && WriteRefusal() is { } refusal)
        {
            if (client.InMulti && cmd.IsExec)
            {
                cmd.RejectedCalls++;
                TransactionCommands.DiscardTransaction(this, client);
                client.Output.Error("EXECABORT Transaction discarded because of: " + refusal);
                CountError(System.Text.Encoding.UTF8.GetBytes(refusal));
                return;
            }
            RejectCommand(client, cmd, refusal);
            return;
        }
        if (client.InMulti && !cmd.Has(CommandFlags.TransactionControl))
        {
            if (cmd.Has(CommandFlags.NoMulti))
            {
                RejectCommand(client, cmd, $"ERR Command not allowed inside a transaction");
                return;
            }
            if (cmd.Has(CommandFlags.DenyOom) && !HasMemoryFor(client))
            {
                RejectCommand(client, cmd, Errors.Oom);
                return;
            }
            client.MultiQueue.Add((cmd, args.Detach()));
            client.Output.WriteRaw("+QUEUED\r\n"u8);
            return;
        }
        if (cmd.Has(CommandFlags.DenyOom) && !HasMemoryFor(client))
        {
            RejectCommand(client, cmd, Errors.Oom);
            return;
        }
        if (IsReplica && Config.ReplicaReadOnly && cmd.Has(CommandFlags.Write) && !client.IsMaster)
        {
            RejectCommand(client, cmd, "READONLY You can't write against a read only replica.");
            return;
        }
        if (PausedUntilMs != 0 && MustPause(client, cmd))
        {
            PauseClient(client, cmd, args);
            return;
        }
        client.LastCommand = cmd.Name;
        timestamp = Call(ctx, cmd, started);
        if (_readyKeys.Count > 0)
            ServeReadyKeys();
        if (_resumePending)
            ResumePaused();
    }

    /// <summary>
    /// Runs a command that passed the checks: statistics, slow log, MONITOR feed, CLIENT REPLY modes
    /// and the replication hook. Used by <see cref="Execute(Client, ArgList)"/> and by EXEC for each queued command.
    /// </summary>
    public void Call(CommandContext ctx, CommandDef cmd) => _ = Call(ctx, cmd, Stopwatch.GetTimestamp());

    private static readonly double s_microsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>
    /// <see cref="Call(CommandContext, CommandDef)"/> timed from <paramref name="started"/> (the
    /// timestamp <see cref="Execute(Client, ArgList, ref long)"/> already read for the command clock: one
    /// clock read fewer). Returns the clock reading that ended the command.
    /// </summary>
    private long Call(CommandContext ctx, CommandDef cmd, long started)
    {
        _callDepth++;
        try
        {
            return CallCore(ctx, cmd, started);
        }
        finally
        {
            if (--_callDepth == 0 && _pendingWrites > 0)
                FlushPendingWrites();
        }
    }

    private long CallCore(CommandContext ctx, CommandDef cmd, long started)
    {
        Client client = ctx.Client;
        ReplyWriter output = client.Output;
        int replyStart = output.Length;
        long dirtyBefore = Stats.Dirty;
        if (_monitors.Count > 0 && !cmd.Has(CommandFlags.SkipMonitor))
            FeedMonitors(client, ctx.Args);
        try
        {
            cmd.Handler(ctx);
        }
        catch (CommandException e)
        {
            output.Error(e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in one command must not take the server down: report it to the client and the log.
            Logging.ServerLog.Warning($"Internal error running '{cmd.Name}': {e}");
            output.Error($"ERR internal error running '{cmd.Name}': {e.GetType().Name}: {e.Message}");
        }
        long ended = Stopwatch.GetTimestamp();
        long micros = (long)((ended - started) * s_microsPerTick);
        if (output.Length > replyStart && output.Buffer[replyStart] == (byte)'-')
        {
            // Any error reply of the command itself (thrown or written) counts as a failed call.
            cmd.FailedCalls++;
            CountError(output.WrittenSpan[(replyStart + 1)..]);
        }
        if (Config.LatencyMonitorThreshold > 0 && micros / 1000 >= Config.LatencyMonitorThreshold)
            Latency.Add(cmd.Has(CommandFlags.Fast) ? "fast-command" : "command", _now / 1000, micros / 1000);
        cmd.Calls++;
        cmd.Microseconds += micros;
        Stats.CommandsProcessed++;
        if (Config.SlowlogLogSlowerThan >= 0 && micros >= Config.SlowlogLogSlowerThan && !cmd.Has(CommandFlags.SkipSlowlog))
            SlowLog.Add(ctx, micros);
        ctx.Propagate(this, Stats.Dirty != dirtyBefore && cmd.Has(CommandFlags.Write));
        switch (client.ReplyMode)
        {
            case ReplyMode.Off:
                output.Truncate(replyStart);
                break;
            case ReplyMode.Skip when ctx.Command.Name != "client":
                output.Truncate(replyStart);
                client.ReplyMode = ReplyMode.On;
                break;
        }
        return ended;
    }


    private static bool QueuedWrite(Client client)
    {
        foreach ((CommandDef queued, _) in client.MultiQueue)
        {
            if (queued.Has(CommandFlags.Write))
                return true;
        }
        return false;
    }

    private void RejectCommand(Client client, CommandDef? cmd, string error)
    {
        if (cmd is not null)
            cmd.RejectedCalls++;
        if (client.InMulti)
            client.MultiError = true;
        client.Output.Error(error);
        CountError(System.Text.Encoding.UTF8.GetBytes(error));
    }

    /// <summary>Counts an error reply by its code (the first word), as INFO errorstats shows it.</summary>
    private void CountError(ReadOnlySpan<byte> text)
    {
        Stats.ErrorReplies++;
        int end = text.IndexOfAny((byte)' ', (byte)'\r');
        string code = System.Text.Encoding.UTF8.GetString(end < 0 ? text : text[..end]);
        // Redis stops adding new codes after 128 distinct ones.
        if (ErrorCounts.TryGetValue(code, out long n))
            ErrorCounts[code] = n + 1;
        else if (ErrorCounts.Count < 128)
            ErrorCounts[code] = 1;
    }

    private static string UnknownCommandError(ArgList args)
    {
        // As Redis: the name clipped to 128 bytes, then quoted arguments while they total under 128 bytes.
        var rest = new System.Text.StringBuilder();
        for (int i = 1; i < args.Count && rest.Length < 128; i++)
        {
            int room = 128 - rest.Length;
            rest.Append('\'');
            AppendClipped(rest, args[i], room);
            rest.Append("' ");
        }
        var b = new System.Text.StringBuilder("ERR unknown command '");
        AppendClipped(b, args[0], 128);
        return b.Append("', with args beginning with: ").Append(rest).ToString();
    }

    private static void AppendClipped(System.Text.StringBuilder b, ReadOnlySpan<byte> s, int max)
    {
        if (max <= 0)
            return;
        string text = System.Text.Encoding.UTF8.GetString(s[..Math.Min(s.Length, max)]);
        b.Append(text);
    }
}
