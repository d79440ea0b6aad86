using System.Buffers.Text;
using Codis.Core.Slots;
using Codis.Proxy.Backend;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    /// <summary>
    /// Splits MGET/DEL/EXISTS/TOUCH/UNLINK per key and MSET per pair (proxy.md §7.2, quirks.md A.2): each
    /// part keeps the name as the client typed it and is dispatched on its own; the writer merges.
    /// </summary>
    private void Split(Request r, int step)
    {
        var args = r.ArgCount - 1;
        if (args == 0 || args % step != 0)
        {
            WrongArgs(r);
            return;
        }
        if (args == step)
        {
            DispatchByKey(r);
            return;
        }
        var parts = args / step;
        if (r.PartGroup.Length < parts)
        {
            r.PartGroup = new int[Math.Max(parts, r.PartGroup.Length * 2)];
        }
        if (SplitByConnection(r, step, parts))
        {
            return;
        }
        // One part per key, each dispatched in this session's slot order.
        EnsureSubs(r, parts);
        r.SubCount = parts;
        r.SetPending(parts + 1);   // +1 until every part is dispatched, so the merge cannot start early
        for (var i = 0; i < parts; i++)
        {
            var sub = NewPart(r, step, 1, NextSeed());
            AppendKey(sub, r, step, i);
            r.Subs[i] = sub;
            r.PartGroup[i] = i;
        }
        for (var i = 0; i < parts; i++)
        {
            var sub = r.Subs[i];
            var key = sub.Arg(1);
            sub.HasKey = key.Length > 0;
            sub.Slot = SlotHash.Slot(key);
            Submit(sub);
        }
        r.PartDone();
    }

    /// <summary>
    /// Sends one request per backend connection instead of one per key, when every key's slot is served
    /// plainly by its master (<see cref="Router.AcquireDirect"/>) and no earlier request of this session
    /// waits in its slot order: the same replies with a tenth of the backend round trips for a 10-key MSET,
    /// as twemproxy groups by server. Returns false (nothing sent, nothing held) to split per key instead.
    /// </summary>
    private bool SplitByConnection(Request r, int step, int parts)
    {
        lock (_dispatchLock)
        {
            if (_deferred.Count > 0)
            {
                return false;
            }
        }
        if (_splitSlots.Length < parts)
        {
            _splitSlots = new SlotState[Math.Max(parts, _splitSlots.Length * 2)];
        }
        var groups = 0;
        for (var i = 0; i < parts; i++)
        {
            var c = _router.AcquireDirect(SlotHash.Slot(r.Arg(1 + (i * step))), r, out _splitSlots[i]);
            if (c is null)
            {
                for (var j = 0; j < i; j++)
                {
                    _splitSlots[j].Release();
                }
                return false;
            }
            var g = Array.IndexOf(_splitConns, c, 0, groups);
            if (g < 0)
            {
                if (groups == _splitConns.Length)
                {
                    Array.Resize(ref _splitConns, groups * 2);
                    Array.Resize(ref _splitCounts, groups * 2);
                }
                g = groups++;
                _splitConns[g] = c;
                _splitCounts[g] = 0;
            }
            _splitCounts[g]++;
            r.PartGroup[i] = g;
        }
        EnsureSubs(r, groups);
        for (var g = 0; g < groups; g++)
        {
            r.Subs[g] = NewPart(r, step, _splitCounts[g], r.Seed);
        }
        for (var i = 0; i < parts; i++)
        {
            var sub = r.Subs[r.PartGroup[i]];
            AppendKey(sub, r, step, i);
            sub.AddRefSlot(_splitSlots[i]);
        }
        r.SubCount = groups;
        r.SetPending(groups + 1);   // +1 until every part is sent, so the merge cannot start early
        for (var g = 0; g < groups; g++)
        {
            var c = _splitConns[g];
            _splitConns[g] = null!;
            c.Enqueue(r.Subs[g]);
        }
        r.PartDone();
        return true;
    }

    private static void EnsureSubs(Request r, int count)
    {
        if (r.Subs.Length < count)
        {
            r.Subs = new Request[Math.Max(count, r.Subs.Length * 2)];
        }
    }

    /// <summary>A part of <paramref name="r"/> for <paramref name="keys"/> keys: the header and the name as typed.</summary>
    private Request NewPart(Request r, int step, int keys, int seed)
    {
        var sub = Rent();
        sub.Parent = r;
        sub.Op = r.Op;
        sub.Db = r.Db;
        sub.Seed = seed;
        sub.PartCount = keys;
        sub.AppendHeader((byte)'*', (keys * step) + 1);
        sub.AppendArg(r.Arg(0));
        return sub;
    }

    /// <summary>Appends key <paramref name="i"/> of <paramref name="r"/> (MSET: with its value) to a part.</summary>
    private static void AppendKey(Request sub, Request r, int step, int i)
    {
        for (var j = 1; j <= step; j++)
        {
            sub.AppendArg(r.Arg((i * step) + j));
        }
    }

    /// <summary>Writes the merged reply of a split request; true when it is a proxy-generated error.</summary>
    private bool Merge(Request r)
    {
        if (r.Op.Kind == OpKind.Function)
        {
            return MergeFunction(r);
        }
        // A part that could not be dispatched fails the whole command as a handling error (Codis answers
        // at once); a transport error of a part fails it as a response error.
        for (var i = 0; i < r.SubCount; i++)
        {
            if (r.Subs[i].Error is { } e && r.Subs[i].ErrorIsRequest)
            {
                WriteError(true, e);
                return true;
            }
        }
        for (var i = 0; i < r.SubCount; i++)
        {
            if (r.Subs[i].Error is { } e)
            {
                WriteError(false, e);
                return true;
            }
            if (r.Subs[i].ReplyLength == 0)
            {
                WriteError(false, "resp is required");
                return true;
            }
        }
        var error = r.Op.Kind switch
        {
            OpKind.MGet => MergeMGet(r),
            OpKind.MSet => MergeMSet(r),
            _ => MergeCount(r),
        };
        if (error is not null)
        {
            WriteError(false, error);
            return true;
        }
        return false;
    }

    private string? MergeMGet(Request r)
    {
        for (var i = 0; i < r.SubCount; i++)
        {
            var reply = r.Subs[i].ReplySpan;
            if (reply[0] != (byte)'*' || ReplyScanner.HeaderNumber(reply) != r.Subs[i].PartCount)
            {
                var n = reply[0] == (byte)'*' ? Math.Max(0, ReplyScanner.HeaderNumber(reply)) : 0;
                return $"bad mget resp: {ReplyScanner.TypeName(reply[0])} array.len = {n}";
            }
        }
        // Each part answered its keys in order: take key i's value from the next place in its part's reply.
        if (_mergeCursors.Length < r.SubCount)
        {
            _mergeCursors = new int[Math.Max(r.SubCount, _mergeCursors.Length * 2)];
        }
        var keys = 0;
        for (var g = 0; g < r.SubCount; g++)
        {
            _mergeCursors[g] = ReplyScanner.HeaderLength(r.Subs[g].ReplySpan);
            keys += r.Subs[g].PartCount;
        }
        WriteHeader((byte)'*', keys);
        for (var i = 0; i < keys; i++)
        {
            var g = r.PartGroup[i];
            var rest = r.Subs[g].ReplySpan[_mergeCursors[g]..];
            var length = ReplyScanner.Scan(rest, out _);
            Write(rest[..length]);
            _mergeCursors[g] += length;
        }
        return null;
    }

    private string? MergeMSet(Request r)
    {
        for (var i = 0; i < r.SubCount; i++)
        {
            var reply = r.Subs[i].ReplySpan;
            if (reply[0] != (byte)'+')
            {
                return $"bad mset resp: {ReplyScanner.TypeName(reply[0])} value.len = {ReplyScanner.ValueLength(reply)}";
            }
        }
        Write(r.Subs[r.SubCount - 1].ReplySpan);
        return null;
    }

    /// <summary>DEL/TOUCH/UNLINK: the sum of one-digit integers; EXISTS: how many are not 0.</summary>
    private string? MergeCount(Request r)
    {
        long total = 0;
        for (var i = 0; i < r.SubCount; i++)
        {
            var reply = r.Subs[i].ReplySpan;
            if (r.Subs[i].PartCount > 1)
            {
                // A part with several keys answers how many of them it deleted, touched or found.
                if (reply[0] != (byte)':' || !Utf8Parser.TryParse(ReplyScanner.LineValue(reply), out long n, out var used)
                    || used != ReplyScanner.LineValue(reply).Length)
                {
                    return $"bad {r.Op.Name.ToLowerInvariant()} resp: {ReplyScanner.TypeName(reply[0])} value.len = {ReplyScanner.ValueLength(reply)}";
                }
                total += n;
                continue;
            }
            if (reply[0] != (byte)':' || ReplyScanner.ValueLength(reply) != 1)
            {
                return $"bad {r.Op.Name.ToLowerInvariant()} resp: {ReplyScanner.TypeName(reply[0])} value.len = {ReplyScanner.ValueLength(reply)}";
            }
            var digit = reply[1] - '0';
            total += r.Op.Kind == OpKind.Exists ? (digit != 0 ? 1 : 0) : digit;
        }
        WriteHeader((byte)':', total);
        return null;
    }

    private void WriteHeader(byte kind, long n)
    {
        Ensure(24);
        _output[_outputLength++] = kind;
        Utf8Formatter.TryFormat(n, _output.AsSpan(_outputLength), out var w);
        _outputLength += w;
        _output[_outputLength++] = (byte)'\r';
        _output[_outputLength++] = (byte)'\n';
    }
}
