using System.Text;
using Codis.Proxy.Backend;
using Codis.Proxy.Session;

namespace Codis.Proxy.Routing;

public sealed partial class Router
{
    /// <summary>Codis's error for a slot without a backend.</summary>
    internal const string SlotNotReady = "slot is not ready, may be offline";

    /// <summary>
    /// Dispatches a request to its slot (<see cref="Request.Slot"/>). Returns true when the request was
    /// handed to a backend or failed now; false when it is held (locked slot) or waits for a migration step,
    /// in which case the router calls <see cref="Session.Session.OnDispatched"/> once it has moved on.
    /// </summary>
    internal bool Dispatch(Request r)
    {
        var s = _slots[r.Slot];
        while (true)
        {
            s.Acquire();
            var m = s.Model;
            if (!m.Locked)
            {
                return Forward(s, m, r);
            }
            s.Release();
            lock (s)
            {
                if (s.Model.Locked)
                {
                    s.Waiters.Enqueue(r);
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// The master connection of a slot that needs no routing decision: online, unlocked, not migrating, and
    /// with no replica that could serve <paramref name="r"/>. Then the slot's in-flight count is held (the
    /// caller releases <paramref name="state"/> when the request finishes); otherwise null and nothing held.
    /// Multi-key commands use it to send one request per connection instead of one per key.
    /// </summary>
    internal BackendConnection? AcquireDirect(int slot, Request r, out SlotState state)
    {
        var s = _slots[slot];
        state = s;
        s.Acquire();
        var m = s.Model;
        if (m.Locked || m.Backend is null || m.Migrate is not null || (m.Replicas.Length > 0 && !r.Op.IsMasterOnly))
        {
            s.Release();
            return null;
        }
        return m.Backend.Get(r.Db, r.Seed, must: true);
    }

    /// <summary>Forwards with the slot's in-flight count held (it passes to the request or is released).</summary>
    private bool Forward(SlotState s, SlotModel m, Request r)
    {
        if (m.Backend is null)
        {
            s.Release();
            r.FailRequest(SlotNotReady);
            return true;
        }
        if (m.Migrate is not null && r.HasKey)
        {
            StartMigrationStep(new MigrationContext(s, m, r));
            return false;
        }
        Send(s, m, r);
        return true;
    }

    /// <summary>Hands the request to the replica or master connection (proxy.md §11).</summary>
    private static void Send(SlotState s, SlotModel m, Request r)
    {
        BackendConnection? c = null;
        if (m.Migrate is null && !r.Op.IsMasterOnly && m.Replicas.Length > 0)
        {
            foreach (var group in m.Replicas)
            {
                for (var i = 0; i < group.Length && c is null; i++)
                {
                    c = group[(r.Seed + 1 + i) % group.Length].GetServing(r.Db, r.Seed);
                }
                if (c is not null)
                {
                    break;
                }
            }
        }
        c ??= m.Backend!.Get(r.Db, r.Seed, must: true)!;
        r.AddRefSlot(s);
        c.Enqueue(r);
    }

    private sealed class MigrationContext(SlotState slot, SlotModel model, Request request)
    {
        public SlotState Slot { get; } = slot;

        public SlotModel Model { get; } = model;

        public Request Request { get; } = request;
    }

    private static readonly OpInfo MigrationOp = CommandTable.Resolve("SLOTSMGRTTAGONE"u8);

    private void StartMigrationStep(MigrationContext ctx)
    {
        var r = ctx.Request;
        var key = r.Arg(r.Op.RoutingArg);
        var step = new Request { Op = MigrationOp, Db = r.Db, CallbackState = ctx };
        if (ctx.Model.Method == 0)
        {
            // sync (migration.md §7.1): move the key's whole tag to the target, then forward there.
            var target = ctx.Model.Config.BackendAddr;
            var colon = target.LastIndexOf(':');
            step.AppendHeader((byte)'*', 5);
            step.AppendArg("SLOTSMGRTTAGONE"u8);
            step.AppendArg(Encoding.UTF8.GetBytes(colon < 0 ? target : target[..colon]));
            step.AppendArg(Encoding.UTF8.GetBytes(colon < 0 ? "" : target[(colon + 1)..]));
            step.AppendArg("3000"u8);
            step.AppendArg(key);
            step.Callback = OnSyncStep;
        }
        else
        {
            // semi-async (migration.md §7.2): the source runs the command if it still has the key.
            var bytes = r.Bytes;
            var header = bytes.IndexOf((byte)'\n') + 1;
            step.AppendHeader((byte)'*', r.ArgCount + 2);
            step.AppendArg("SLOTSMGRT-EXEC-WRAPPER"u8);
            step.AppendArg(key);
            step.Append(bytes[header..]);
            step.Callback = OnWrapperStep;
        }
        ctx.Model.Migrate!.Get(r.Db, r.Seed, must: true)!.Enqueue(step);
    }

    private void OnSyncStep(Request step)
    {
        var ctx = (MigrationContext)step.CallbackState!;
        var reply = step.ReplySpan;
        if (step.Error is not null)
        {
            FailStep(ctx, step.Error);
        }
        else if (reply[0] == (byte)':')
        {
            Send(ctx.Slot, ctx.Model, ctx.Request);
            ctx.Request.Owner?.OnDispatched(ctx.Request);
        }
        else if (reply[0] == (byte)'-')
        {
            FailStep(ctx, "bad slotsmgrt resp: " + Encoding.UTF8.GetString(ReplyScanner.LineValue(reply)));
        }
        else
        {
            FailStep(ctx, "bad slotsmgrt resp: should be integer, but got " + ReplyScanner.TypeName(reply[0]));
        }
    }

    private void OnWrapperStep(Request step)
    {
        var ctx = (MigrationContext)step.CallbackState!;
        var r = ctx.Request;
        if (step.Error is not null)
        {
            FailStep(ctx, step.Error);
            return;
        }
        var reply = step.ReplySpan;
        const string Prefix = "bad slotsmgrt-exec-wrapper resp: ";
        if (reply[0] == (byte)'-')
        {
            FailStep(ctx, Prefix + Encoding.UTF8.GetString(ReplyScanner.LineValue(reply)));
            return;
        }
        if (reply[0] != (byte)'*')
        {
            FailStep(ctx, Prefix + "should be integer, but got " + ReplyScanner.TypeName(reply[0]));
            return;
        }
        var count = ReplyScanner.HeaderNumber(reply);
        if (count != 2)
        {
            FailStep(ctx, Prefix + "array.len = " + Math.Max(0, count));
            return;
        }
        var rest = reply[ReplyScanner.HeaderLength(reply)..];
        var firstLength = ReplyScanner.Scan(rest, out _);
        var first = rest[..firstLength];
        var second = rest[firstLength..];
        if (first[0] != (byte)':' || ReplyScanner.ValueLength(first) != 1)
        {
            FailStep(ctx, $"{Prefix}type(array[0]) = {ReplyScanner.TypeName(first[0])}, len(array[0].value) = {ReplyScanner.ValueLength(first)}");
            return;
        }
        switch (first[1])
        {
            case (byte)'0':
                Send(ctx.Slot, ctx.Model, r);
                r.Owner?.OnDispatched(r);
                return;
            case (byte)'2':
                ctx.Slot.Release();
                r.SetReply(second);
                r.Complete();
                r.Owner?.OnDispatched(r);
                return;
            case (byte)'1':
                if (r.Owner is { IsClosed: true })
                {
                    FailStep(ctx, "request is broken");
                    return;
                }
                var loop = r.MigrationLoop++;
                var delay = loop < 5 ? 0 : loop < 20 ? loop : 20;
                if (delay == 0)
                {
                    StartMigrationStep(ctx);
                }
                else
                {
                    _ = Task.Delay(delay).ContinueWith(static (_, o) =>
                    {
                        var (router, c) = ((Router, MigrationContext))o!;
                        router.StartMigrationStep(c);
                    }, (this, ctx), TaskScheduler.Default);
                }
                return;
            default:
                var text = second[0] is (byte)'$' ? ReplyScanner.BulkValue(second) : ReplyScanner.LineValue(second);
                FailStep(ctx, $"{Prefix}[{(char)first[1]}] {Encoding.UTF8.GetString(text)}");
                return;
        }
    }

    private static void FailStep(MigrationContext ctx, string error)
    {
        ctx.Slot.Release();
        ctx.Request.FailRequest(error);
        ctx.Request.Owner?.OnDispatched(ctx.Request);
    }
}
