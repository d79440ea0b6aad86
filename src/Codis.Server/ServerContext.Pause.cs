using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Commands;

namespace Codis.Server;

/// <summary>
/// CLIENT PAUSE: while paused, commands of normal clients that could change data (or every command,
/// with ALL) are held back. A held client waits like a blocked client (no keys, no timeout) and its
/// command runs, with all of Redis's checks again, when the pause ends.
/// </summary>
public sealed partial class ServerContext
{
    private readonly List<Client> _paused = [];
    private ITimer? _pauseTimer;
    private bool _resumePending;

    /// <summary>Number of clients whose command is held back by CLIENT PAUSE.</summary>
    public int PausedClients => _paused.Count;

    /// <summary>
    /// CLIENT PAUSE: holds commands until <paramref name="untilMs"/> (unix ms). A pause never gets
    /// shorter or less restrictive while another is in effect, as in Redis.
    /// </summary>
    public void Pause(long untilMs, bool all)
    {
        bool active = PausedUntilMs != 0;
        PauseAll = all || (active && PauseAll);
        if (!active || untilMs > PausedUntilMs)
            PausedUntilMs = untilMs;
        _pauseTimer?.Dispose();
        _pauseTimer = TimeProvider.System.CreateTimer(static s => ((ServerContext)s!).PauseTimerFired(), this,
            TimeSpan.FromMilliseconds(Math.Max(1, PausedUntilMs - _now)), Timeout.InfiniteTimeSpan);
    }

    /// <summary>CLIENT UNPAUSE: ends the pause; held commands run after the current command.</summary>
    public void Unpause()
    {
        PausedUntilMs = 0;
        PauseAll = false;
        _pauseTimer?.Dispose();
        _pauseTimer = null;
        _resumePending = _paused.Count > 0;
    }

    private void PauseTimerFired()
    {
        lock (Lock)
        {
            UpdateClock();
            if (PausedUntilMs == 0)
                return;
            if (_now < PausedUntilMs)
            {
                _pauseTimer?.Dispose();
                _pauseTimer = TimeProvider.System.CreateTimer(static s => ((ServerContext)s!).PauseTimerFired(), this,
                    TimeSpan.FromMilliseconds(PausedUntilMs - _now), Timeout.InfiniteTimeSpan);
                return;
            }
            Unpause();
            ResumePaused();
        }
    }

    /// <summary>True when <paramref name="cmd"/> of <paramref name="client"/> must wait for the pause to end.</summary>
    private bool MustPause(Client client, CommandDef cmd)
    {
        if (_now >= PausedUntilMs)
        {
            Unpause();
            return false;
        }
        if (client.IsReplica || client.IsMaster)
            return false;
        if (PauseAll)
            return true;
        if (cmd.Has(CommandFlags.Write) || cmd.Name is "publish" or "spublish" or "pfcount" or "eval" or "evalsha" or "fcall")
            return true;
        if (cmd.Name == "exec")
        {
            foreach ((CommandDef queued, _) in client.MultiQueue)
            {
                if (queued.Has(CommandFlags.Write))
                    return true;
            }
        }
        return false;
    }

    private void PauseClient(Client client, CommandDef cmd, ArgList args)
    {
        client.Blocked = new BlockedState
        {
            Command = cmd,
            Args = args.Detach(),
            Db = client.DbIndex,
            Keys = [],
            DeadlineMs = 0,
            NullArrayOnTimeout = false,
        };
        _blockedCount++;
        _paused.Add(client);
    }

    /// <summary>True when the client waits because of CLIENT PAUSE (CLIENT UNBLOCK does not apply).</summary>
    public bool IsPaused(Client client) => _paused.Contains(client);

    /// <summary>Runs the held commands in the order they arrived.</summary>
    private void ResumePaused()
    {
        _resumePending = false;
        if (_paused.Count == 0)
            return;
        Client[] held = [.. _paused];
        _paused.Clear();
        foreach (Client client in held)
        {
            if (client.Blocked is not { } state || !Clients.ContainsKey(client.Id))
                continue;
            client.Blocked = null;
            _blockedCount--;
            Execute(client, state.Args);
            state.Done.TrySetResult();
            client.Wake();
        }
    }

    /// <summary>Drops a held client that disconnects.</summary>
    private void ForgetPaused(Client client) => _paused.Remove(client);
}
