using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Codis.Core.Resp;
using Codis.Server.Commands;
using Codis.Server.Logging;
using static Codis.Server.Scripting.LuaNative;

namespace Codis.Server.Scripting;

/// <summary>
/// The functions Lua calls back into: redis.call's command runner, sha1hex, log, setresp and the
/// instruction-count hook. None of them raises a Lua error (see <see cref="LuaNative"/>): failures are
/// returned as (false, text) and raised by the Lua side.
/// </summary>
public sealed unsafe partial class ScriptEngine
{
    private readonly ArgList _callArgs = new();
    private byte[] _callBuffer = new byte[256];
    private int _respVersion = 2;

    private static void PushNativeTable(nint L)
    {
        lua_createtable(L, 0, 8);
        lua_pushcclosure(L, &NativeCall, 0);
        RawSetField(L, -2, "call");
        lua_pushcclosure(L, &NativeSha1Hex, 0);
        RawSetField(L, -2, "sha1hex");
        lua_pushcclosure(L, &NativeLog, 0);
        RawSetField(L, -2, "log");
        lua_pushcclosure(L, &NativeSetResp, 0);
        RawSetField(L, -2, "setresp");
        lua_pushlightuserdata(L, 0);
        RawSetField(L, -2, "null");
        PushString(L, ServerInfo.RedisVersion);
        RawSetField(L, -2, "version");
        lua_pushinteger(L, VersionNumber(ServerInfo.RedisVersion));
        RawSetField(L, -2, "version_num");
    }

    private static long VersionNumber(string version)
    {
        string[] parts = version.Split('.');
        long n = 0;
        for (int i = 0; i < 3; i++)
            n = (n << 8) | (uint)(i < parts.Length && int.TryParse(parts[i], out int v) ? v : 0);
        return n;
    }

    [UnmanagedCallersOnly]
    private static void Hook(nint L, nint debugInfo)
    {
        ScriptEngine? e = t_running;
        if (e is null)
            return;
        if (e._loading)
        {
            // FUNCTION LOAD's time limit (none for our master's or the AOF's).
            if (e._loadDeadline != 0 && Stopwatch.GetTimestamp() > e._loadDeadline && lua_isyieldable(L) != 0)
            {
                e._loadTimedOut = true;
                _ = lua_yieldk(L, 0, 0, 0);
            }
            return;
        }
        try
        {
            e.OnHook();
        }
        catch (Exception ex)
        {
            ServerLog.Warning($"Script hook: {ex}");
        }
        if (e._killRequested && lua_isyieldable(L) != 0)
            _ = lua_yieldk(L, 0, 0, 0);
    }

    private void OnHook()
    {
        long limit = _server.Config.LuaTimeLimit;
        if (!_busy && limit > 0 && ElapsedMs() >= limit)
        {
            _busy = true;
            ServerLog.Warning($"Slow script detected: still in execution after {ElapsedMs()} milliseconds. You can try killing the script using the {(_isFunction ? "FUNCTION KILL" : "SCRIPT KILL")} command. Script name is: {_name}.");
        }
        if (_busy)
            _server.ServeWhileBusy?.Invoke();
    }

    [UnmanagedCallersOnly]
    private static int NativeCall(nint L)
    {
        ScriptEngine? e = t_running;
        if (e is null)
            return Fail(L, "ERR redis.call can only be used from a script");
        try
        {
            return e.RunCommand(L);
        }
        catch (Exception ex)
        {
            ServerLog.Warning($"Script redis.call: {ex}");
            return Fail(L, $"ERR internal error in redis.call: {ex.Message}");
        }
    }

    private static int Fail(nint L, string text)
    {
        lua_settop(L, 0);
        lua_pushboolean(L, 0);
        PushString(L, text);
        return 2;
    }

    private int RunCommand(nint L)
    {
        int argc = lua_gettop(L);
        if (argc == 0)
            return Fail(L, "ERR Please specify at least one argument for this redis lib call");
        if (!BuildArgs(L, argc))
            return Fail(L, "ERR Lua redis lib command arguments must be strings or integers");
        ArgList args = _callArgs;
        CommandDef? cmd = _server.Commands.Find(args[0]);
        if (cmd is null)
            return Fail(L, "ERR Unknown Redis command called from script");
        if ((cmd.Arity > 0 && args.Count != cmd.Arity) || args.Count < -cmd.Arity)
            return Fail(L, "ERR Wrong number of args calling Redis command from script");
        if (cmd.Has(CommandFlags.NoScript))
            return Fail(L, "ERR This Redis command is not allowed from script");
        CommandContext caller = _caller!;
        if (cmd.Has(CommandFlags.Write))
        {
            if (_readOnly)
                return Fail(L, "ERR Write commands are not allowed from read-only scripts.");
            if (_server.IsReplica && _server.Config.ReplicaReadOnly && !caller.Client.IsMaster)
                return Fail(L, "READONLY You can't write against a read only replica.");
            if (!caller.Client.IsMaster && _server.WriteRefusal() is { } refusal)
                return Fail(L, refusal);
        }
        if (cmd.Has(CommandFlags.DenyOom) && !_wrote && !_server.HasMemoryForScript(caller.Client))
            return Fail(L, Errors.Oom);

        CommandContext ctx = _luaClient.Context;
        ctx.Server = _server;
        ctx.Args = args;
        ctx.Command = cmd;
        ctx.InExec = true;
        ctx.InScript = true;
        ReplyWriter output = _luaClient.Output;
        output.Clear();
        long dirty = _server.Stats.Dirty;
        _server.Call(ctx, cmd);
        if (_server.Stats.Dirty != dirty && cmd.Has(CommandFlags.Write))
            _wrote = true;
        lua_settop(L, 0);
        ReadOnlySpan<byte> reply = output.WrittenSpan;
        if (reply.Length > 0 && reply[0] == (byte)'-')
        {
            int end = reply.IndexOf("\r\n"u8);
            lua_pushboolean(L, 0);
            PushBytes(L, reply[1..(end < 0 ? reply.Length : end)]);
            output.Clear();
            return 2;
        }
        lua_pushboolean(L, 1);
        int pos = 0;
        if (reply.Length == 0)
            lua_pushboolean(L, 0);
        else
            ReplyToLua(L, reply, ref pos, 0);
        output.Clear();
        return 2;
    }

    // The Lua arguments 1..argc as the command's arguments (strings as they are, numbers as Redis prints them).
    private bool BuildArgs(nint L, int argc)
    {
        int total = 0;
        Span<byte> number = stackalloc byte[32];
        for (int i = 1; i <= argc; i++)
        {
            int type = lua_type(L, i);
            if (type == LUA_TNUMBER)
            {
                total += FormatNumber(L, i, number);
            }
            else if (type == LUA_TSTRING)
            {
                _ = lua_tolstring(L, i, out nuint len);
                total += checked((int)len);
            }
            else
            {
                return false;
            }
        }
        if (_callBuffer.Length < total)
            _callBuffer = new byte[Math.Max(total, _callBuffer.Length * 2)];
        _callArgs.Reset(_callBuffer);
        int pos = 0;
        for (int i = 1; i <= argc; i++)
        {
            int n;
            if (lua_type(L, i) == LUA_TNUMBER)
            {
                n = FormatNumber(L, i, number);
                number[..n].CopyTo(_callBuffer.AsSpan(pos));
            }
            else
            {
                ReadOnlySpan<byte> s = ToBytes(L, i);
                s.CopyTo(_callBuffer.AsSpan(pos));
                n = s.Length;
            }
            _callArgs.Add(pos, n);
            pos += n;
        }
        return true;
    }

    // Integers in decimal, other numbers as C's "%.17g" (what Redis 7 passes to commands).
    private static int FormatNumber(nint L, int idx, Span<byte> into)
    {
        if (lua_isinteger(L, idx) != 0)
        {
            long v = lua_tointegerx(L, idx, out _);
            v.TryFormat(into, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
            return n;
        }
        double d = lua_tonumberx(L, idx, out _);
        string text = FormatG17(d);
        return System.Text.Encoding.ASCII.GetBytes(text, into);
    }

    /// <summary>C's <c>%.17g</c>.</summary>
    internal static string FormatG17(double d)
    {
        if (double.IsNaN(d))
            return double.IsNegative(d) ? "-nan" : "nan";
        if (double.IsInfinity(d))
            return d > 0 ? "inf" : "-inf";
        string s = d.ToString("G17", System.Globalization.CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e < 0)
            return s;
        // .NET writes E+20 / E-05; C writes e+20 / e-05 (at least two exponent digits).
        string mantissa = s[..e];
        string exp = s[(e + 1)..];
        char sign = exp[0] == '-' ? '-' : '+';
        string digits = exp.TrimStart('+', '-');
        if (digits.Length < 2)
            digits = "0" + digits;
        return $"{mantissa}e{sign}{digits}";
    }

    [UnmanagedCallersOnly]
    private static int NativeSha1Hex(nint L)
    {
        ReadOnlySpan<byte> s = lua_type(L, 1) == LUA_TSTRING ? ToBytes(L, 1) : default;
        PushString(L, Sha1.Hex(s));
        return 1;
    }

    [UnmanagedCallersOnly]
    private static int NativeLog(nint L)
    {
        long level = lua_tointegerx(L, 1, out _);
        string text = lua_type(L, 2) == LUA_TSTRING ? ToText(L, 2) : "";
        try
        {
            switch (level)
            {
                case 0:
                    ServerLog.Write(LogLevel.Debug, text);
                    break;
                case 1:
                    ServerLog.Verbose(text);
                    break;
                case 2:
                    ServerLog.Notice(text);
                    break;
                default:
                    ServerLog.Warning(text);
                    break;
            }
        }
        catch (Exception)
        {
            // Logging must never fail a script.
        }
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int NativeSetResp(nint L)
    {
        if (t_running is { } e)
        {
            e._respVersion = (int)lua_tointegerx(L, 1, out _);
            e._luaClient.Output.Protocol = e._respVersion;
        }
        return 0;
    }

    /// <summary>
    /// Converts one RESP reply at <paramref name="pos"/> into a Lua value pushed on the stack, with
    /// Redis's rules: integers to numbers, bulk strings to strings, a null to false, arrays to tables,
    /// a status to {ok=...}, an error to {err=...}; RESP3 (after redis.setresp(3)) maps to {map=...},
    /// sets to {set=...}, doubles to {double=...}, booleans to booleans, nulls to nil.
    /// </summary>
    private static void ReplyToLua(nint L, ReadOnlySpan<byte> reply, ref int pos, int depth)
    {
        _ = lua_checkstack(L, 4);
        byte kind = reply[pos];
        int lineEnd = reply[pos..].IndexOf("\r\n"u8) + pos;
        ReadOnlySpan<byte> line = reply[(pos + 1)..lineEnd];
        pos = lineEnd + 2;
        switch (kind)
        {
            case (byte)':':
                _ = RequestParser.TryParseLong(line, out long n);
                lua_pushinteger(L, n);
                return;
            case (byte)'+':
                lua_createtable(L, 0, 1);
                PushBytes(L, line);
                RawSetField(L, -2, "ok");
                return;
            case (byte)'-':
                lua_createtable(L, 0, 1);
                PushBytes(L, line);
                RawSetField(L, -2, "err");
                return;
            case (byte)'$':
            case (byte)'=':
                {
                    _ = RequestParser.TryParseLong(line, out long len);
                    if (len < 0)
                    {
                        lua_pushboolean(L, 0);
                        return;
                    }
                    ReadOnlySpan<byte> body = reply.Slice(pos, (int)len);
                    pos += (int)len + 2;
                    if (kind == (byte)'=')
                    {
                        lua_createtable(L, 0, 1);
                        lua_createtable(L, 0, 2);
                        PushBytes(L, body[..3]);
                        RawSetField(L, -2, "format");
                        PushBytes(L, body[4..]);
                        RawSetField(L, -2, "string");
                        RawSetField(L, -2, "verbatim_string");
                        return;
                    }
                    PushBytes(L, body);
                    return;
                }
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
                {
                    _ = RequestParser.TryParseLong(line, out long count);
                    if (count < 0)
                    {
                        lua_pushboolean(L, 0);
                        return;
                    }
                    if (kind == (byte)'%' || kind == (byte)'~')
                    {
                        lua_createtable(L, 0, 1);
                        lua_createtable(L, 0, (int)Math.Min(count, 1 << 20));
                        for (long i = 0; i < count; i++)
                        {
                            ReplyToLua(L, reply, ref pos, depth + 1);
                            if (kind == (byte)'%')
                                ReplyToLua(L, reply, ref pos, depth + 1);
                            else
                                lua_pushboolean(L, 1);
                            lua_rawset(L, -3);
                        }
                        RawSetField(L, -2, kind == (byte)'%' ? "map" : "set");
                        return;
                    }
                    lua_createtable(L, (int)Math.Min(count, 1 << 20), 0);
                    for (long i = 0; i < count; i++)
                    {
                        ReplyToLua(L, reply, ref pos, depth + 1);
                        lua_rawseti(L, -2, i + 1);
                    }
                    return;
                }
            case (byte)'_':
                lua_pushnil(L);
                return;
            case (byte)'#':
                lua_pushboolean(L, line.Length > 0 && line[0] == (byte)'t' ? 1 : 0);
                return;
            case (byte)',':
                {
                    lua_createtable(L, 0, 1);
                    _ = CommandContext.TryParseDouble(line, out double d);
                    lua_pushnumber(L, d);
                    RawSetField(L, -2, "double");
                    return;
                }
            case (byte)'(':
                lua_createtable(L, 0, 1);
                PushBytes(L, line);
                RawSetField(L, -2, "big_number");
                return;
            default:
                lua_pushboolean(L, 0);
                return;
        }
    }

    /// <summary>
    /// Writes the Lua value at <paramref name="idx"/> as the script's reply, with Redis's rules: numbers
    /// as integers (truncated), strings as bulk strings, true as 1, false and nil as null, a table with
    /// err or ok as an error or status, any other table as an array up to its first nil.
    /// </summary>
    private void LuaToReply(nint L, int idx, ReplyWriter reply, int depth)
    {
        idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
        _ = lua_checkstack(L, 4);
        switch (lua_type(L, idx))
        {
            case LUA_TNUMBER:
                reply.Integer(lua_isinteger(L, idx) != 0 ? lua_tointegerx(L, idx, out _) : DoubleToLong(lua_tonumberx(L, idx, out _)));
                return;
            case LUA_TSTRING:
                reply.Bulk(ToBytes(L, idx));
                return;
            case LUA_TBOOLEAN:
                if (lua_toboolean(L, idx) != 0)
                {
                    if (_respVersion == 3 && reply.Protocol == 3)
                        reply.Boolean(true);
                    else
                        reply.Integer(1);
                }
                else if (_respVersion == 3 && reply.Protocol == 3)
                {
                    reply.Boolean(false);
                }
                else
                {
                    reply.Null();
                }
                return;
            case LUA_TTABLE:
                TableToReply(L, idx, reply, depth);
                return;
            default:
                reply.Null();
                return;
        }
    }

    private void TableToReply(nint L, int idx, ReplyWriter reply, int depth)
    {
        if (depth > 1000)
        {
            reply.Error("ERR reached lua stack limit");
            return;
        }
        if (RawGetField(L, idx, "err") == LUA_TSTRING)
        {
            reply.Error(ToBytes(L, -1));
            Pop(L);
            return;
        }
        Pop(L);
        if (RawGetField(L, idx, "ok") == LUA_TSTRING)
        {
            ReadOnlySpan<byte> s = ToBytes(L, -1);
            byte[] clean = s.ToArray();
            for (int i = 0; i < clean.Length; i++)
            {
                if (clean[i] is (byte)'\r' or (byte)'\n')
                    clean[i] = (byte)' ';
            }
            reply.Simple(clean);
            Pop(L);
            return;
        }
        Pop(L);
        if (RawGetField(L, idx, "double") == LUA_TNUMBER)
        {
            reply.Double(lua_tonumberx(L, -1, out _));
            Pop(L);
            return;
        }
        Pop(L);
        if (RawGetField(L, idx, "map") == LUA_TTABLE)
        {
            WriteMapOrSet(L, lua_gettop(L), reply, depth, isMap: true);
            Pop(L);
            return;
        }
        Pop(L);
        if (RawGetField(L, idx, "set") == LUA_TTABLE)
        {
            WriteMapOrSet(L, lua_gettop(L), reply, depth, isMap: false);
            Pop(L);
            return;
        }
        Pop(L);
        int count = 0;
        while (lua_rawgeti(L, idx, count + 1) != LUA_TNIL)
        {
            Pop(L);
            count++;
        }
        Pop(L);
        reply.Array(count);
        for (int i = 1; i <= count; i++)
        {
            _ = lua_rawgeti(L, idx, i);
            LuaToReply(L, -1, reply, depth + 1);
            Pop(L);
        }
    }

    private void WriteMapOrSet(nint L, int table, ReplyWriter reply, int depth, bool isMap)
    {
        int count = 0;
        lua_pushnil(L);
        while (lua_next(L, table) != 0)
        {
            count++;
            Pop(L);
        }
        if (isMap)
            reply.Map(count);
        else
            reply.Set(count);
        lua_pushnil(L);
        while (lua_next(L, table) != 0)
        {
            LuaToReply(L, -2, reply, depth + 1);
            if (isMap)
                LuaToReply(L, -1, reply, depth + 1);
            Pop(L);
        }
    }

    // Lua's (long long) cast of a double, saturating instead of undefined past the range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long DoubleToLong(double d) =>
        double.IsNaN(d) ? long.MinValue : d >= 9.2233720368547758E18 ? long.MinValue : d <= -9.2233720368547758E18 ? long.MinValue : (long)d;
}
