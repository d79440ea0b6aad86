using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Commands;
using Codis.Server.DataTypes;

namespace Codis.Server;

/// <summary>
/// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...). A blocked client's command is run again when
/// one of its keys is modified, in the order clients blocked (FIFO per key), after the command that
/// modified it, as Redis serves blocked clients.
/// </summary>
public sealed partial class ServerContext
{
    private Dictionary<byte[], LinkedList<Client>>?[] _blocking = [];
    private readonly List<(int Db, byte[] Key)> _readyKeys = [];
    private int _blockedCount;

    /// <summary>Number of clients blocked on keys (INFO blocked_clients).</summary>
    public int BlockedClients => _blockedCount;

    /// <summary>Blocks <paramref name="client"/>; its connection waits for <see cref="BlockedState.Done"/>.</summary>
    internal void BlockClient(Client client, CommandDef cmd, ArgList args, List<byte[]> keys, long timeoutMs, bool nullArray)
    {
        int db = client.DbIndex;
        var state = new BlockedState
        {
            Command = cmd,
            Args = args.Detach(),
            Db = db,
            Keys = keys,
            DeadlineMs = timeoutMs == 0 ? 0 : _now + timeoutMs,
            NullArrayOnTimeout = nullArray,
        };
        client.Blocked = state;
        _blockedCount++;
        if (_blocking.Length < Databases.Length)
            Array.Resize(ref _blocking, Databases.Length);
        Dictionary<byte[], LinkedList<Client>> map = _blocking[db] ??= new(ByteArrayComparer.Instance);
        foreach (byte[] key in keys)
        {
            if (!map.TryGetValue(key, out LinkedList<Client>? list))
                map[key] = list = new LinkedList<Client>();
            if (!list.Contains(client))
                list.AddLast(client);
        }
        if (timeoutMs > 0)
        {
            state.Timer = TimeProvider.System.CreateTimer(static s =>
            {
                var (server, c, st) = ((ServerContext, Client, BlockedState))s!;
                server.TimeoutBlocked(c, st);
            }, (this, client, state), TimeSpan.FromMilliseconds(timeoutMs), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Holds back <paramref name="client"/>'s further requests until <see cref="CompleteDeferred"/>: its
    /// current command's reply is written later by someone else, as the migrations do (the sync one while
    /// it transfers outside the lock; the async one until its batch ends: quirk 33, so pipelined commands
    /// are answered after the migration's reply). CLIENT UNBLOCK does not apply to such a client.
    /// </summary>
    internal BlockedState DeferReply(Client client, CommandDef cmd)
    {
        var state = new BlockedState
        {
            Command = cmd,
            Args = new ArgList(),
            Db = client.DbIndex,
            Keys = [],
            DeadlineMs = 0,
            NullArrayOnTimeout = false,
            DeferredReply = true,
        };
        client.Blocked = state;
        return state;
    }

    /// <summary>
    /// The writer for the deferred reply of <paramref name="client"/>, or null when it no longer waits for
    /// <paramref name="state"/> (it disconnected or was killed: the reply is dropped). The caller writes the
    /// reply, then calls <see cref="CompleteDeferred"/>.
    /// </summary>
    internal static ReplyWriter? DeferredOutput(Client client, BlockedState state)
        => ReferenceEquals(client.Blocked, state) ? client.Output : null;

    /// <summary>Releases a client after its deferred reply was written and sends it.</summary>
    internal void CompleteDeferred(Client client, BlockedState state)
    {
        if (!ReferenceEquals(client.Blocked, state))
            return;
        Unblock(client);
        client.Wake();
    }

    private void TimeoutBlocked(Client client, BlockedState state)
    {
        lock (Lock)
        {
            if (!ReferenceEquals(client.Blocked, state))
                return;
            if (state.NullArrayOnTimeout)
                client.Output.NullArray();
            else
                client.Output.Null();
            Unblock(client);
            client.Wake();
        }
    }

    /// <summary>Releases a blocked client (served, timed out, killed or disconnected).</summary>
    public void Unblock(Client client)
    {
        BlockedState? state = client.Blocked;
        if (state is null)
            return;
        client.Blocked = null;
        if (!state.DeferredReply)
            _blockedCount--;
        state.Timer?.Dispose();
        if (_blocking.Length > state.Db && _blocking[state.Db] is { } map)
        {
            foreach (byte[] key in state.Keys)
            {
                if (map.TryGetValue(key, out LinkedList<Client>? list))
                {
                    list.Remove(client);
                    if (list.Count == 0)
                        map.Remove(key);
                }
            }
        }
        state.Done.TrySetResult();
    }

    /// <summary>Unblocks a client with the timeout reply (CLIENT UNBLOCK TIMEOUT) or an error.</summary>
    public bool UnblockWith(Client client, string? error)
    {
        BlockedState? state = client.Blocked;
        if (state is null || state.DeferredReply)
            return false;
        if (error is not null)
            client.Output.Error(error);
        else if (state.NullArrayOnTimeout)
            client.Output.NullArray();
        else
            client.Output.Null();
        Unblock(client);
        client.Wake();
        return true;
    }

    /// <summary>Wakes the clients blocked on a key that changed without a write to it (XGROUP DESTROY).</summary>
    internal void SignalBlockedKey(int db, ReadOnlySpan<byte> key)
    {
        if (_blockedCount > 0)
            SignalKeyReady(db, key);
    }

    private void SignalKeyReady(int db, ReadOnlySpan<byte> key)
    {
        if (db >= _blocking.Length || _blocking[db] is not { } map || map.Count == 0)
            return;
        if (!map.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out _))
            return;
        foreach ((int d, byte[] k) in _readyKeys)
        {
            if (d == db && key.SequenceEqual(k))
                return;
        }
        _readyKeys.Add((db, key.ToArray()));
    }

    /// <summary>Serves clients blocked on keys that became ready (handleClientsBlockedOnKeys).</summary>
    private void ServeReadyKeys()
    {
        // Serving a client may make other keys ready (BLMOVE pushes): loop until quiet.
        while (_readyKeys.Count > 0)
        {
            (int Db, byte[] Key)[] ready = [.. _readyKeys];
            _readyKeys.Clear();
            foreach ((int db, byte[] key) in ready)
            {
                if (_blocking[db] is not { } map || !map.TryGetValue(key, out LinkedList<Client>? list))
                    continue;
                foreach (Client client in list.ToArray())
                {
                    if (client.Blocked is not { } state)
                        continue;
                    // Only XREADGROUP hears of its key going away (Redis 7 unblocks it with an error).
                    if (!Databases[db].Exists(key) && !state.Command.IsXReadGroup)
                        continue;
                    RunBlocked(client, state);
                }
            }
        }
    }

    private void RunBlocked(Client client, BlockedState state)
    {
        CommandContext ctx = client.Context;
        ctx.Server = this;
        ctx.Args = state.Args;
        ctx.Command = state.Command;
        ctx.Reprocessing = true;
        ReplyWriter output = client.Output;
        int mark = output.Length;
        bool served;
        try
        {
            Call(ctx, state.Command);
            served = output.Length != mark;
            if (served && output.Buffer[mark] == (byte)'-' && !ctx.BlockFailed)
            {
                // A type change of the key is not a reason to unblock (Redis keeps waiting).
                output.Truncate(mark);
                served = false;
            }
        }
        finally
        {
            ctx.Reprocessing = false;
            ctx.BlockFailed = false;
        }
        if (served)
        {
            Unblock(client);
            client.Wake();
        }
    }
}
