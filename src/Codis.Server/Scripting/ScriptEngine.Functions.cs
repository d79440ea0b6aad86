using System.Diagnostics;
using System.Text;
using Codis.Server.Commands;
using Codis.Server.Persistence;
using static Codis.Server.Scripting.LuaNative;

namespace Codis.Server.Scripting;

/// <summary>
/// Redis 7 functions: libraries loaded with FUNCTION LOAD (<c>#!lua name=lib</c>), each registering
/// functions that FCALL runs. They live in a Lua state of their own (SCRIPT FLUSH does not touch them),
/// built by the same prelude plus <c>Lua/functions.lua</c>; a library runs once at load time with only
/// the library API as its globals, its functions later with the script API. Function names are unique
/// across libraries, without regard to case, as in Redis.
/// </summary>
public sealed unsafe partial class ScriptEngine
{
    /// <summary>FUNCTION LOAD's time limit for the library's top level (Redis's LOAD_TIMEOUT_MS).</summary>
    private const int LoadTimeoutMs = 500;

    private static readonly byte[] s_functionChunkName = "@user_function\0"u8.ToArray();

    private FunctionSet _live = new();
    private nint _fnLua;
    private nint _fnThread;
    private int _fnRunnerRef;
    private int _fnLoaderRef;
    private int _fnEnvRef;

    // A FUNCTION LOAD running the library's top level.
    private volatile bool _loading;
    private long _loadDeadline;
    private bool _loadTimedOut;

    /// <summary>Number of functions (INFO number_of_functions).</summary>
    public int FunctionCount => _live.Functions.Count;

    /// <summary>Number of libraries (INFO number_of_libraries).</summary>
    public int LibraryCount => _live.Libraries.Count;

    /// <summary>Bytes the functions' Lua state uses (INFO used_memory_vm_functions).</summary>
    public long FunctionsMemoryBytes => _fnLua == 0 ? 0 : (lua_gc(_fnLua, LUA_GCCOUNT, 0) * 1024L) + lua_gc(_fnLua, LUA_GCCOUNTB, 0);

    /// <summary>Bytes of the libraries' code (INFO used_memory_functions, an approximation of Redis's).</summary>
    public long LibrariesCodeBytes
    {
        get
        {
            long n = 0;
            foreach (FunctionLibrary lib in _live.Libraries.Values)
                n += lib.Code.Length;
            return n;
        }
    }

    /// <summary>The loaded libraries (FUNCTION LIST).</summary>
    internal IEnumerable<FunctionLibrary> Libraries => _live.Libraries.Values;

    /// <summary>The code of every library, shebang included, as the RDB function records carry it.</summary>
    public List<byte[]> LibraryCodes()
    {
        var codes = new List<byte[]>(_live.Libraries.Count);
        foreach (FunctionLibrary lib in _live.Libraries.Values)
            codes.Add(lib.Code);
        return codes;
    }

    /// <summary>The function named <paramref name="name"/> (any case), or null.</summary>
    internal LibraryFunction? FindFunction(ReadOnlySpan<byte> name)
    {
        // FCALL runs per command: a usual name is looked up as characters on the stack, not as a new string.
        if (name.Length > 128)
            return _live.Functions.TryGetValue(Encoding.UTF8.GetString(name), out LibraryFunction? named) ? named : null;
        Span<char> chars = stackalloc char[128];
        int n = Encoding.UTF8.GetChars(name, chars);
        return _live.FunctionLookup.TryGetValue(chars[..n], out LibraryFunction? f) ? f : null;
    }

    /// <summary>
    /// FUNCTION LOAD: creates (or with <paramref name="replace"/> replaces) the library whose code is
    /// <paramref name="code"/>; returns null and its name, or the error reply. <paramref name="limited"/>
    /// applies the load time limit (not for our master or the AOF).
    /// </summary>
    public string? LoadLibrary(ReadOnlySpan<byte> code, bool replace, bool limited, out string name) =>
        CreateLibrary(_live, code.ToArray(), replace, limited, out name);

    /// <summary>A library of an RDB image (functions were cleared before the load); null or the error.</summary>
    public string? LoadLibraryFromRdb(byte[] code) => CreateLibrary(_live, code, replace: false, limited: false, out _);

    /// <summary>Forgets every library (an RDB load replaces them with its own).</summary>
    public void ClearLibraries() => FlushFunctions();

    /// <summary>FUNCTION DELETE: false when there is no such library.</summary>
    public bool DeleteLibrary(string name)
    {
        if (!_live.Libraries.TryGetValue(name, out FunctionLibrary? lib))
            return false;
        _live.Unlink(lib);
        Release(lib);
        return true;
    }

    /// <summary>FUNCTION FLUSH: forgets every library and frees their Lua state.</summary>
    public void FlushFunctions()
    {
        _live = new FunctionSet();
        CloseFunctionState();
    }

    /// <summary>
    /// FUNCTION DUMP: a record (RDB_OPCODE_FUNCTION2 and the code) per library, then the RDB version
    /// (Redis 7.0's, 10) and the CRC-64, as Redis's payload.
    /// </summary>
    public byte[] DumpLibraries()
    {
        var w = new RdbWriter();
        foreach (FunctionLibrary lib in _live.Libraries.Values)
        {
            w.WriteByte(RdbFile.OpFunction2);
            w.WriteString(lib.Code);
        }
        return DumpPayload.Seal(w, DumpPayload.StreamWriteVersion);
    }

    /// <summary>How FUNCTION RESTORE treats the libraries already loaded.</summary>
    public enum RestorePolicy
    {
        /// <summary>Add the payload's libraries; fail when one exists.</summary>
        Append,

        /// <summary>Add the payload's libraries, replacing those of the same name.</summary>
        Replace,

        /// <summary>Replace every library by the payload's.</summary>
        Flush,
    }

    /// <summary>FUNCTION RESTORE: null, or the error reply (nothing changed then).</summary>
    public string? RestoreLibraries(ReadOnlySpan<byte> payload, RestorePolicy policy)
    {
        if (!DumpPayload.VerifyFooter(payload, out _))
            return DumpPayload.VersionOrChecksumError;
        var incoming = new FunctionSet();
        string? error = ReadRecords(payload, incoming);
        if (error is null && policy == RestorePolicy.Flush)
        {
            FunctionSet old = _live;
            _live = incoming;
            foreach (FunctionLibrary lib in old.Libraries.Values)
                Release(lib);
            return null;
        }
        error ??= Join(incoming, policy == RestorePolicy.Replace);
        if (error is not null)
        {
            foreach (FunctionLibrary lib in incoming.Libraries.Values)
                Release(lib);
        }
        return error;
    }

    // The function records of a DUMP payload (all but its 10-byte footer) into set.
    private string? ReadRecords(ReadOnlySpan<byte> payload, FunctionSet set)
    {
        var r = new RdbReader(payload);
        while (payload.Length - r.Position > 10)
        {
            if (!r.TryReadByte(out byte type))
                return "ERR can not read data type";
            byte[]? code = ReadFunctionRecord(ref r, type, out string? error);
            if (code is null)
                return "ERR " + (error ?? "given type is not a function");
            if (CreateLibrary(set, code, replace: false, limited: false, out _) is { } createError)
                return createError;
        }
        return null;
    }

    /// <summary>
    /// The library code of a function record whose type byte <paramref name="type"/> was read: 245
    /// (RDB_OPCODE_FUNCTION2, the code) or 246 (Redis 7.0-rc's RDB_OPCODE_FUNCTION: name, engine,
    /// optional description and body, turned into the shebang form). Null and the reason otherwise.
    /// </summary>
    internal static byte[]? ReadFunctionRecord(ref RdbReader r, byte type, out string? error)
    {
        error = null;
        if (type == RdbFile.OpFunction2)
        {
            if (r.TryReadString(out byte[] code))
                return code;
            error = "Failed loading library payload";
            return null;
        }
        if (type != RdbFile.OpFunction)
        {
            error = "given type is not a function";
            return null;
        }
        if (!r.TryReadString(out byte[] name))
            error = "Failed loading library name";
        else if (!r.TryReadString(out byte[] engine))
            error = "Failed loading engine name";
        else if (!r.TryReadCount(out ulong hasDescription))
            error = "Failed loading library description indicator";
        else if (hasDescription != 0 && !r.TryReadString(out _))
            error = "Failed loading library description";
        else if (!r.TryReadString(out byte[] body))
            error = "Failed loading library blob";
        else
            return [.. Encoding.UTF8.GetBytes($"#!{Encoding.UTF8.GetString(engine)} name={Encoding.UTF8.GetString(name)}\n"), .. body];
        return null;
    }

    // Redis's libraryJoin: adds incoming's libraries to the live ones, or changes nothing and fails.
    private string? Join(FunctionSet incoming, bool replace)
    {
        var replaced = new List<FunctionLibrary>();
        foreach (FunctionLibrary lib in incoming.Libraries.Values)
        {
            if (!_live.Libraries.TryGetValue(lib.Name, out FunctionLibrary? old))
                continue;
            if (!replace)
            {
                Relink(replaced);
                return $"ERR Library {lib.Name} already exists";
            }
            _live.Unlink(old);
            replaced.Add(old);
        }
        foreach (LibraryFunction f in incoming.Functions.Values)
        {
            if (_live.Functions.ContainsKey(f.Name))
            {
                Relink(replaced);
                return $"ERR Function {f.Name} already exists";
            }
        }
        foreach (FunctionLibrary lib in incoming.Libraries.Values)
            _live.Link(lib);
        foreach (FunctionLibrary old in replaced)
            Release(old);
        return null;

        void Relink(List<FunctionLibrary> libs)
        {
            foreach (FunctionLibrary old in libs)
                _live.Link(old);
        }
    }

    // Redis's functionsCreateWithLibraryCtx: parses the shebang, compiles and runs the library,
    // checks its functions and links it into set (replacing the library of the same name when asked).
    private string? CreateLibrary(FunctionSet set, byte[] code, bool replace, bool limited, out string name)
    {
        name = "";
        if (ParseShebang(code, out string engine, out string libName, out int bodyStart) is { } metaError)
            return "ERR " + metaError;
        if (!IsValidName(libName))
            return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
        if (!engine.Equals("LUA", StringComparison.OrdinalIgnoreCase))
            return $"ERR Engine '{engine}' not found";
        set.Libraries.TryGetValue(libName, out FunctionLibrary? old);
        if (old is not null && !replace)
            return $"ERR Library '{libName}' already exists";
        EnsureFunctionState();
        var lib = new FunctionLibrary(libName, code);
        if (RunLibrary(lib, code.AsSpan(bodyStart), limited) is { } runError)
            return runError;
        if (lib.Functions.Count == 0)
            return "ERR No functions registered";
        foreach (LibraryFunction f in lib.Functions)
        {
            if (set.Functions.TryGetValue(f.Name, out LibraryFunction? other) && other.Library != old)
            {
                Release(lib);
                return $"ERR Function {f.Name} already exists";
            }
        }
        if (old is not null)
        {
            set.Unlink(old);
            Release(old);
        }
        set.Link(lib);
        name = libName;
        return null;
    }

    // Compiles the library's body with the library environment and runs it through the loader,
    // collecting what it registers into lib; null or the error reply.
    private string? RunLibrary(FunctionLibrary lib, ReadOnlySpan<byte> body, bool limited)
    {
        nint L = _fnLua;
        if (Compile(L, body, s_functionChunkName) is { } compileError)
            return "ERR Error compiling function: " + compileError;
        lua_rawgeti(L, LUA_REGISTRYINDEX, _fnEnvRef);
        _ = lua_setupvalue(L, -2, 1);
        nint T = _fnThread;
        if (lua_status(T) != LUA_OK || lua_gettop(T) != 0)
            _ = lua_closethread(T, L);
        lua_rawgeti(T, LUA_REGISTRYINDEX, _fnLoaderRef);
        lua_xmove(L, T, 1);
        lua_sethook(T, &Hook, LUA_MASKCOUNT, HookInstructions);
        _loadTimedOut = false;
        _loadDeadline = limited ? Stopwatch.GetTimestamp() + (LoadTimeoutMs * Stopwatch.Frequency / 1000) : 0;
        _loading = true;
        ScriptEngine? previous = t_running;
        t_running = this;
        int status;
        int results;
        try
        {
            status = lua_resume(T, L, 1, out results);
        }
        finally
        {
            t_running = previous;
            _loading = false;
        }
        try
        {
            if (status != LUA_OK)
            {
                string reason = _loadTimedOut ? "ERR FUNCTION LOAD timeout" : "ERR " + ToText(T, -1);
                _ = lua_closethread(T, L);
                EndStoppedLoad();
                return "ERR Error registering functions: " + reason;
            }
            if (results < 2 || lua_toboolean(T, 1) == 0)
                return "ERR Error registering functions: " + ToText(T, 2);
            // {{name, callback, flags, description}, ...}
            for (long i = 1; lua_rawgeti(T, 2, i) == LUA_TTABLE; i++)
            {
                int entry = lua_gettop(T);
                lua_rawgeti(T, entry, 1);
                string name = ToText(T, -1);
                lua_rawgeti(T, entry, 3);
                var flags = (FunctionFlags)lua_tointegerx(T, -1, out _);
                string? description = lua_rawgeti(T, entry, 4) == LUA_TSTRING ? ToText(T, -1) : null;
                lua_settop(T, entry);
                lua_rawgeti(T, entry, 2);
                int callback = luaL_ref(T, LUA_REGISTRYINDEX);
                lib.Functions.Add(new LibraryFunction(name, description, flags, callback, lib));
                Pop(T);
            }
            return null;
        }
        finally
        {
            lua_settop(T, 0);
        }
    }

    // The loader after a library was stopped mid-load (its time limit): not registering any more.
    private void EndStoppedLoad()
    {
        nint T = _fnThread;
        lua_rawgeti(T, LUA_REGISTRYINDEX, _fnLoaderRef);
        lua_pushnil(T);
        _ = lua_resume(T, _fnLua, 1, out _);
        lua_settop(T, 0);
    }

    /// <summary>
    /// FCALL and FCALL_RO: runs <paramref name="f"/> with the keys and arguments of <paramref name="c"/>
    /// from index 3 on and writes its reply. The caller checked the flags against the server's state.
    /// </summary>
    internal void Call(CommandContext c, LibraryFunction f, int numKeys, bool readOnly)
    {
        if (Running)
        {
            c.Error("ERR This Redis command is not allowed from script");
            return;
        }
        Execute(c, _fnLua, _fnThread, _fnRunnerRef, f.CallbackRef, f.Name, isFunction: true, numKeys,
            readOnly || (f.Flags & FunctionFlags.NoWrites) != 0);
    }

    /// <summary>
    /// FUNCTION STATS: the running function (name, command, duration_ms; null when none) and the
    /// engine's counts. An EVAL running is refused with its BUSY error, as in Redis.
    /// </summary>
    internal void WriteStats(CommandContext c)
    {
        if (Running && !_isFunction)
        {
            c.Error(BusyError);
            return;
        }
        var w = c.Reply;
        w.Map(2);
        w.Bulk("running_script"u8);
        if (Running && _caller is { } caller)
        {
            w.Map(3);
            w.Bulk("name"u8);
            w.Bulk(_name);
            w.Bulk("command"u8);
            w.Array(caller.Count);
            for (int i = 0; i < caller.Count; i++)
                w.Bulk(caller[i]);
            w.Bulk("duration_ms"u8);
            w.Integer(ElapsedMs());
        }
        else
        {
            w.Null();
        }
        w.Bulk("engines"u8);
        w.Map(1);
        w.Bulk("LUA"u8);
        w.Map(2);
        w.Bulk("libraries_count"u8);
        w.Integer(LibraryCount);
        w.Bulk("functions_count"u8);
        w.Integer(FunctionCount);
    }

    // FUNCTION STATS answered without the lock while a script is busy (RESP2, without the last CRLF).
    private string RunningStatsResp2()
    {
        if (!_isFunction)
            return "-" + BusyError;
        var sb = new StringBuilder("*4\r\n$14\r\nrunning_script\r\n");
        if (_caller is { } caller)
        {
            sb.Append("*6\r\n$4\r\nname\r\n").Append(Resp2Bulk(_name)).Append("$7\r\ncommand\r\n*").Append(caller.Count).Append("\r\n");
            for (int i = 0; i < caller.Count; i++)
                sb.Append(Resp2Bulk(Encoding.UTF8.GetString(caller[i])));
            sb.Append("$11\r\nduration_ms\r\n:").Append(ElapsedMs()).Append("\r\n");
        }
        else
        {
            sb.Append("$-1\r\n");
        }
        sb.Append("$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:").Append(LibraryCount)
            .Append("\r\n$15\r\nfunctions_count\r\n:").Append(FunctionCount);
        return sb.ToString();

        static string Resp2Bulk(string s) => $"${Encoding.UTF8.GetByteCount(s)}\r\n{s}\r\n";
    }

    /// <summary>
    /// Redis's functionExtractLibMetaData: the first line is <c>#!&lt;engine&gt; name=&lt;library&gt;</c>
    /// (arguments split as redis-cli splits them); the body starts at its newline. Null or the error text.
    /// </summary>
    internal static string? ParseShebang(ReadOnlySpan<byte> code, out string engine, out string name, out int bodyStart)
    {
        engine = "";
        name = "";
        bodyStart = 0;
        if (!code.StartsWith("#!"u8))
            return "Missing library metadata";
        int newline = code.IndexOf((byte)'\n');
        if (newline < 0)
            return "Invalid library metadata";
        List<string>? parts = SplitArgs(Encoding.UTF8.GetString(code[..newline]));
        if (parts is null || parts.Count == 0)
            return "Invalid library metadata";
        engine = parts[0][2..];
        string? found = null;
        for (int i = 1; i < parts.Count; i++)
        {
            string part = parts[i];
            if (!part.StartsWith("name=", StringComparison.OrdinalIgnoreCase))
                return $"Invalid metadata value given: {part}";
            if (found is not null)
                return "Invalid metadata value, name argument was given multiple times";
            found = part[5..];
        }
        if (found is null)
            return "Library name was not given";
        name = found;
        bodyStart = newline;
        return null;
    }

    // Redis's sdssplitargs: words separated by white space, "double quotes" with backslash escapes,
    // 'single quotes'; a closing quote must end its word. Null for unbalanced quotes.
    private static List<string>? SplitArgs(string line)
    {
        var parts = new List<string>();
        int i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
                i++;
            if (i == line.Length)
                return parts;
            var word = new StringBuilder();
            bool inDouble = false, inSingle = false;
            while (true)
            {
                if (inDouble)
                {
                    if (i == line.Length)
                        return null;
                    char ch = line[i];
                    if (ch == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && Uri.IsHexDigit(line[i + 2]) && Uri.IsHexDigit(line[i + 3]))
                    {
                        word.Append((char)Convert.ToInt32(line.Substring(i + 2, 2), 16));
                        i += 3;
                    }
                    else if (ch == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        word.Append(line[i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'a' => '\a', char other => other });
                    }
                    else if (ch == '"')
                    {
                        if (i + 1 < line.Length && !char.IsWhiteSpace(line[i + 1]))
                            return null;
                        inDouble = false;
                        i++;
                        break;
                    }
                    else
                    {
                        word.Append(ch);
                    }
                }
                else if (inSingle)
                {
                    if (i == line.Length)
                        return null;
                    char ch = line[i];
                    if (ch == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                    {
                        i++;
                        word.Append('\'');
                    }
                    else if (ch == '\'')
                    {
                        if (i + 1 < line.Length && !char.IsWhiteSpace(line[i + 1]))
                            return null;
                        inSingle = false;
                        i++;
                        break;
                    }
                    else
                    {
                        word.Append(ch);
                    }
                }
                else
                {
                    if (i == line.Length || char.IsWhiteSpace(line[i]))
                        break;
                    if (line[i] == '"')
                        inDouble = true;
                    else if (line[i] == '\'')
                        inSingle = true;
                    else
                        word.Append(line[i]);
                }
                i++;
            }
            parts.Add(word.ToString());
        }
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0)
            return false;
        foreach (char ch in name)
        {
            if (!char.IsAsciiLetterOrDigit(ch) && ch != '_')
                return false;
        }
        return true;
    }

    private void EnsureFunctionState()
    {
        if (_fnLua == 0)
            (_fnLua, _fnThread, _fnRunnerRef, _, _fnLoaderRef, _fnEnvRef) = NewState(functions: true);
    }

    // Frees the callbacks of a library no longer linked anywhere.
    private void Release(FunctionLibrary lib)
    {
        if (_fnLua == 0)
            return;
        foreach (LibraryFunction f in lib.Functions)
            luaL_unref(_fnLua, LUA_REGISTRYINDEX, f.CallbackRef);
        lib.Functions.Clear();
    }

    private void CloseFunctionState()
    {
        if (_fnLua != 0)
            lua_close(_fnLua);
        _fnLua = 0;
        _fnThread = 0;
    }

    /// <summary>Libraries by name (case-sensitive) and their functions by name (any case).</summary>
    private sealed class FunctionSet
    {
        public Dictionary<string, FunctionLibrary> Libraries { get; } = new(StringComparer.Ordinal);

        public FunctionSet() => FunctionLookup = Functions.GetAlternateLookup<ReadOnlySpan<char>>();

        public Dictionary<string, LibraryFunction> Functions { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, LibraryFunction>.AlternateLookup<ReadOnlySpan<char>> FunctionLookup { get; }

        public void Link(FunctionLibrary lib)
        {
            Libraries[lib.Name] = lib;
            foreach (LibraryFunction f in lib.Functions)
                Functions[f.Name] = f;
        }

        public void Unlink(FunctionLibrary lib)
        {
            Libraries.Remove(lib.Name);
            foreach (LibraryFunction f in lib.Functions)
                Functions.Remove(f.Name);
        }
    }
}

/// <summary>The flags a function is registered with (in Redis's order, which FUNCTION LIST keeps).</summary>
[Flags]
public enum FunctionFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>no-writes</c>: the function only reads (FCALL_RO may run it).</summary>
    NoWrites = 1,

    /// <summary><c>allow-oom</c>: runs past maxmemory.</summary>
    AllowOom = 2,

    /// <summary><c>allow-stale</c>: runs on a stale replica.</summary>
    AllowStale = 4,

    /// <summary><c>no-cluster</c>: refused in cluster mode (never here).</summary>
    NoCluster = 8,

    /// <summary><c>allow-cross-slot-keys</c>: may touch keys of several slots.</summary>
    AllowCrossSlotKeys = 16,
}

/// <summary>A library: its name, its whole code (the shebang line included) and its functions.</summary>
internal sealed class FunctionLibrary(string name, byte[] code)
{
    /// <summary>The library's name (case-sensitive).</summary>
    public string Name { get; } = name;

    /// <summary>The code as FUNCTION LOAD got it.</summary>
    public byte[] Code { get; } = code;

    /// <summary>Its functions, in registration order.</summary>
    public List<LibraryFunction> Functions { get; } = [];
}

/// <summary>A registered function: name, description, flags and the Lua callback (a registry ref).</summary>
internal sealed record LibraryFunction(string Name, string? Description, FunctionFlags Flags, int CallbackRef, FunctionLibrary Library);
