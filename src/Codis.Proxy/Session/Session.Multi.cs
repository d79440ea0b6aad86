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
        if (r.Subs.Length < parts)
        {
            r.Subs = new Request[Math.Max(parts, r.Subs.Length * 2)];
        }
        r.SubCount = parts;
        r.SetPending(parts + 1);   // +1 until every part is dispatched, so the merge cannot start early
        var name = r.Arg(0);
        for (var i = 0; i < parts; i++)
        {
            var sub = Rent();
            sub.Parent = r;
            sub.Op = r.Op;
            sub.Db = r.Db;
            sub.Seed = NextSeed();
            sub.AppendHeader((byte)'*', step + 1);
            sub.AppendArg(name);
            for (var j = 1; j <= step; j++)
            {
                sub.AppendArg(r.Arg(i * step + j));
            }
            r.Subs[i] = sub;
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
            if (reply[0] != (byte)'*' || ReplyScanner.HeaderNumber(reply) != 1)
            {
                var n = reply[0] == (byte)'*' ? Math.Max(0, ReplyScanner.HeaderNumber(reply)) : 0;
                return $"bad mget resp: {ReplyScanner.TypeName(reply[0])} array.len = {n}";
            }
        }
        WriteHeader((byte)'*', r.SubCount);
        for (var i = 0; i < r.SubCount; i++)
        {
            var reply = r.Subs[i].ReplySpan;
            Write(reply[ReplyScanner.HeaderLength(reply)..]);
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
