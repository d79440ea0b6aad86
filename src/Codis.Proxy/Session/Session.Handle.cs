using System.Buffers;
using System.Diagnostics;
using System.Text;
using Codis.Core.Slots;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    /// <summary>
    /// Handles one request (proxy.md §7): answers it, dispatches it, or fails it. Returns false when the
    /// reader must stop (QUIT).
    /// </summary>
    private bool Handle(Request r)
    {
        var name = r.Arg(0);
        if (name.Length is 0 or > CommandTable.MaxNameLength)
        {
            r.Op = CommandTable.Resolve("UNKNOWN"u8);
            r.FailRequest("bad command length, too short or too long");
            return true;
        }
        var op = CommandTable.Resolve(name);
        r.Op = op;
        if (op.IsNotAllowed)
        {
            r.FailRequest($"command '{op.Name}' is not allowed");
            return true;
        }
        switch (op.Kind)
        {
            case OpKind.Quit:
                ReplyLocal(r, "+OK\r\n"u8);
                return false;
            case OpKind.Auth:
                HandleAuth(r);
                return true;
        }
        if (!_authorized)
        {
            ReplyLocal(r, "-NOAUTH Authentication required\r\n"u8);
            return true;
        }
        switch (op.Kind)
        {
            case OpKind.Select:
                HandleSelect(r);
                break;
            case OpKind.Ping:
            case OpKind.Info:
                HandleAddressed(r, minArgs: 1, exactArgs: false);
                break;
            case OpKind.SlotsInfo:
                HandleAddressed(r, minArgs: 2, exactArgs: true);
                break;
            case OpKind.SlotsScan:
                HandleSlotsScan(r);
                break;
            case OpKind.SlotsMapping:
                HandleSlotsMapping(r);
                break;
            case OpKind.MGet:
            case OpKind.Del:
            case OpKind.Exists:
            case OpKind.Touch:
            case OpKind.Unlink:
                Split(r, 1);
                break;
            case OpKind.MSet:
                Split(r, 2);
                break;
            case OpKind.Function:
                HandleFunction(r);
                break;
            default:
                if ((GeoStoreCrossSlot(r) ?? ScriptCrossSlot(r)) is { } error)
                    r.FailRequest(error);
                else
                    DispatchByKey(r);
                break;
        }
        return true;
    }

    private static void ReplyLocal(Request r, ReadOnlySpan<byte> reply)
    {
        r.SetReply(reply);
        r.Complete();
    }

    private static void ReplyError(Request r, string message)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(message.Length) + 3);
        try
        {
            bytes[0] = (byte)'-';
            var n = 1 + Encoding.UTF8.GetBytes(message, bytes.AsSpan(1));
            bytes[n++] = (byte)'\r';
            bytes[n++] = (byte)'\n';
            ReplyLocal(r, bytes.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void WrongArgs(Request r) => ReplyError(r, $"ERR wrong number of arguments for '{r.Op.Name}' command");

    private void HandleAuth(Request r)
    {
        if (r.ArgCount != 2)
        {
            WrongArgs(r);
            return;
        }
        if (_options.SessionAuth.Length == 0)
        {
            ReplyLocal(r, "-ERR Client sent AUTH, but no password is set\r\n"u8);
            return;
        }
        var given = r.Arg(1);
        var ok = given.Length == Encoding.UTF8.GetByteCount(_options.SessionAuth)
            && Encoding.UTF8.GetString(given) == _options.SessionAuth;
        _authorized = ok;
        ReplyLocal(r, ok ? "+OK\r\n"u8 : "-ERR invalid password\r\n"u8);
    }

    private void HandleSelect(Request r)
    {
        if (r.ArgCount != 2)
        {
            WrongArgs(r);
            return;
        }
        if (!RequestDecoder.TryParseInt(r.Arg(1), out var db) || db > int.MaxValue || db < int.MinValue)
        {
            ReplyLocal(r, "-ERR invalid DB index\r\n"u8);
            return;
        }
        if (db < 0 || db >= _options.Databases)
        {
            ReplyError(r, $"ERR invalid DB index, only accept DB [0,{_options.Databases})");
            return;
        }
        _db = (int)db;
        ReplyLocal(r, "+OK\r\n"u8);
    }

    /// <summary>
    /// PING/INFO (optionally with a backend address) and SLOTSINFO addr: without an address the request
    /// goes to a pseudo-random slot; with one, the address is removed and the rest goes to that server.
    /// </summary>
    private void HandleAddressed(Request r, int minArgs, bool exactArgs)
    {
        if (r.ArgCount < minArgs || (exactArgs && r.ArgCount != minArgs))
        {
            WrongArgs(r);
            return;
        }
        if (r.ArgCount == 1)
        {
            r.Slot = (int)(Stopwatch.GetTimestamp() % SlotHash.SlotCount);
            Submit(r);
            return;
        }
        var conn = _router.FindConnected(r.Arg(1), r.Db, r.Seed);
        if (conn is null)
        {
            ReplyError(r, $"ERR backend server '{Encoding.UTF8.GetString(r.Arg(1))}' not found");
            return;
        }
        RemoveArgument(r, 1);
        conn.Enqueue(r);
    }

    /// <summary>Rewrites the request without argument <paramref name="index"/>.</summary>
    private static void RemoveArgument(Request r, int index)
    {
        var copy = ArrayPool<byte>.Shared.Rent(r.Length);
        var offsets = ArrayPool<int>.Shared.Rent(r.ArgCount);
        var lengths = ArrayPool<int>.Shared.Rent(r.ArgCount);
        try
        {
            var count = r.ArgCount;
            r.Bytes.CopyTo(copy);
            r.ArgOffsets.AsSpan(0, count).CopyTo(offsets);
            r.ArgLengths.AsSpan(0, count).CopyTo(lengths);
            r.Length = 0;
            r.ArgCount = 0;
            r.AppendHeader((byte)'*', count - 1);
            for (var i = 0; i < count; i++)
            {
                if (i != index)
                {
                    r.AppendArg(copy.AsSpan(offsets[i], lengths[i]));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
            ArrayPool<int>.Shared.Return(offsets);
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    private void HandleSlotsScan(Request r)
    {
        if (r.ArgCount < 3)
        {
            WrongArgs(r);
            return;
        }
        if (!TryParseSlot(r, r.Arg(1), out var slot))
        {
            return;
        }
        r.Slot = slot;
        Submit(r);
    }

    /// <summary>Parses a slot argument; on failure replies Codis's <c>parse slotnum</c> error.</summary>
    private static bool TryParseSlot(Request r, ReadOnlySpan<byte> arg, out int slot)
    {
        slot = -1;
        var text = Encoding.UTF8.GetString(arg);
        if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            // Go's strconv error text, as Codis prints it.
            var reason = text.Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
            ReplyError(r, $"ERR parse slotnum '{text}' failed, strconv.Atoi: parsing \"{text}\": {reason}");
            return false;
        }
        if (value is < 0 or >= SlotHash.SlotCount)
        {
            ReplyError(r, $"ERR parse slotnum '{text}' failed, out of range");
            return false;
        }
        slot = (int)value;
        return true;
    }

    private void HandleSlotsMapping(Request r)
    {
        if (r.ArgCount > 2)
        {
            WrongArgs(r);
            return;
        }
        var sb = new StringBuilder();
        if (r.ArgCount == 2)
        {
            if (!TryParseSlot(r, r.Arg(1), out var slot))
            {
                return;
            }
            AppendMapping(sb, _router.GetSlot(slot));
        }
        else
        {
            sb.Append("*1024\r\n");
            foreach (var s in _router.GetSlots())
            {
                AppendMapping(sb, s);
            }
        }
        ReplyLocal(r, Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>One SLOTSMAPPING entry: id, backend, migrate-from as simple strings, then the replica groups.</summary>
    private static void AppendMapping(StringBuilder sb, Codis.Core.Topology.Slot s)
    {
        sb.Append("*4\r\n+").Append(s.Id).Append("\r\n+").Append(s.BackendAddr).Append("\r\n+").Append(s.MigrateFrom).Append("\r\n");
        if (s.ReplicaGroups.Count == 0)
        {
            sb.Append("*-1\r\n");
            return;
        }
        sb.Append('*').Append(s.ReplicaGroups.Count).Append("\r\n");
        foreach (var group in s.ReplicaGroups)
        {
            sb.Append('*').Append(group.Count).Append("\r\n");
            foreach (var addr in group)
            {
                sb.Append('+').Append(addr).Append("\r\n");
            }
        }
    }

    private void DispatchByKey(Request r)
    {
        var index = r.Op.RoutingArg;
        var key = index < r.ArgCount ? r.Arg(index) : [];
        r.HasKey = key.Length > 0;
        r.Slot = SlotHash.Slot(key);
        Submit(r);
    }
}
