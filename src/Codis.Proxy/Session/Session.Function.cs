using System.Text;
using Codis.Proxy.Backend;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    /// <summary>The group a part of a fanned-out FUNCTION went to, and the connection opened for it (KILL).</summary>
    private sealed record FunctionTarget(int GroupId, string Addr, BackendConnection? Own);

    /// <summary>
    /// FUNCTION subcommand ...: FCALL runs on the group of its key, so a library must exist on every group's
    /// master. LOAD, DELETE, FLUSH and RESTORE go to the master of every group in the slot table
    /// (<see cref="Router.GroupMasters"/>) and the writer merges the replies (<see cref="FunctionFanOut"/>);
    /// KILL goes to all of them too, each on a connection of its own, because the pooled one is busy
    /// waiting for the very function to kill; LIST, DUMP, STATS, HELP and unknown subcommands (the server
    /// answers Redis's error) go to the first group by slot order. A control path: it allocates.
    /// </summary>
    private void HandleFunction(Request r)
    {
        if (r.ArgCount < 2)
        {
            ReplyLocal(r, "-ERR wrong number of arguments for 'function' command\r\n"u8);
            return;
        }
        var masters = _router.GroupMasters();
        if (masters.Count == 0)
        {
            r.FailRequest(Router.SlotNotReady);
            return;
        }
        var route = FunctionFanOut.RouteOf(r.Arg(1));
        if (route == FunctionRoute.One)
        {
            masters[0].Entry.Get(r.Db, r.Seed, must: true)!.Enqueue(r);
            return;
        }
        var parts = masters.Count;
        if (r.Subs.Length < parts)
        {
            r.Subs = new Request[parts];
        }
        r.SubCount = parts;
        r.SetPending(parts + 1);   // +1 until every part is sent, so the merge cannot start early
        for (var i = 0; i < parts; i++)
        {
            var sub = Rent();
            sub.Parent = r;
            sub.Op = r.Op;
            sub.Db = r.Db;
            sub.Seed = NextSeed();
            sub.AppendHeader((byte)'*', r.ArgCount);
            for (var j = 0; j < r.ArgCount; j++)
            {
                sub.AppendArg(r.Arg(j));
            }
            r.Subs[i] = sub;
        }
        for (var i = 0; i < parts; i++)
        {
            var sub = r.Subs[i];
            var master = masters[i];
            if (route == FunctionRoute.Any)
            {
                // Database 0: a fresh connection must not SELECT, which a busy server refuses.
                var own = new BackendConnection(master.Addr, 0, _options, _logger);
                sub.CallbackState = new FunctionTarget(master.GroupId, master.Addr, own);
                sub.Callback = OnOwnConnectionDone;
                own.Enqueue(sub);
                // Not in a pool, so no keep-alive tick enforces backend_recv_timeout: a server that never
                // answers gets the connection closed (the part fails with backend conn reset) after it.
                var limit = _options.BackendRecvTimeout > TimeSpan.Zero ? _options.BackendRecvTimeout : TimeSpan.FromSeconds(30);
                _ = Task.Delay(limit).ContinueWith(static (_, c) => ((BackendConnection)c!).Close(), own, TaskScheduler.Default);
            }
            else
            {
                sub.CallbackState = new FunctionTarget(master.GroupId, master.Addr, null);
                master.Entry.Get(r.Db, sub.Seed, must: true)!.Enqueue(sub);
            }
        }
        r.PartDone();
    }

    /// <summary>A part sent on its own connection finished: close that connection (not on its own reader).</summary>
    private static void OnOwnConnectionDone(Request sub)
    {
        var own = ((FunctionTarget)sub.CallbackState!).Own!;
        _ = Task.Run(own.Close);
        sub.Parent!.PartDone();
    }

    /// <summary>Writes the merged reply of a fanned-out FUNCTION; true when it is the proxy's merged error.</summary>
    private bool MergeFunction(Request r)
    {
        var replies = new FunctionReply[r.SubCount];
        for (var i = 0; i < r.SubCount; i++)
        {
            var sub = r.Subs[i];
            var target = (FunctionTarget)sub.CallbackState!;
            var reply = sub.Error is null && sub.ReplyLength > 0 ? sub.ReplySpan.ToArray() : null;
            replies[i] = new FunctionReply(target.GroupId, target.Addr, reply, sub.Error);
        }
        var command = "FUNCTION " + Encoding.UTF8.GetString(r.Arg(1)).ToUpperInvariant();
        var index = FunctionFanOut.Merge(FunctionFanOut.RouteOf(r.Arg(1)), command, replies, out var error);
        if (index >= 0)
        {
            Write(r.Subs[index].ReplySpan);
            return false;
        }
        Write("-"u8);
        Ensure(Encoding.UTF8.GetMaxByteCount(error!.Length) + 2);
        _outputLength += Encoding.UTF8.GetBytes(error, _output.AsSpan(_outputLength));
        Write("\r\n"u8);
        return true;
    }
}
