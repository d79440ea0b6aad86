using System.Diagnostics;
using System.Reflection;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Commands;
using Codis.Server.Logging;
using static Codis.Server.Scripting.LuaNative;

namespace Codis.Server.Scripting;

/// <summary>
/// Lua scripting as Redis does it: one Lua state for the scripts (functions have their own, see
/// ScriptEngine.Functions), scripts cached by the SHA-1 of their
/// body, <c>redis.call</c> running commands through a client of its own, the whole script atomic under
/// the server lock. Writes are replicated as their effects (the commands the script ran, wrapped in
/// MULTI/EXEC when there are several: see ServerContext.Propagation), so replicas and the AOF never run Lua. A script running past <c>lua-time-limit</c>
/// makes the server answer BUSY to everyone else and accept SCRIPT KILL and SHUTDOWN NOSAVE.
/// </summary>
public sealed unsafe partial class ScriptEngine : IDisposable
{
    /// <summary>Instructions between two looks at the clock (and at SCRIPT KILL).</summary>
    private const int HookInstructions = 100_000;

    private const string BusyError = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    private const string FunctionBusyError = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

    /// <summary>The engine whose script runs on this thread (the native callbacks find it here).</summary>
    [ThreadStatic]
    private static ScriptEngine? t_running;

    private static readonly byte[] s_chunkName = "@user_script\0"u8.ToArray();
    private static readonly byte[] s_textMode = "t\0"u8.ToArray();

    private readonly ServerContext _server;
    private readonly Dictionary<string, int> _functions = new(StringComparer.Ordinal);
    private readonly Client _luaClient;
    private nint _lua;
    private nint _thread;
    private int _runnerRef;
    private int _argumentsRef;

    // The running script (or function: _name is then the function's, _source "@user_function").
    private CommandContext? _caller;
    private string _name = "";
    private string _source = "@user_script";
    private volatile bool _isFunction;
    private volatile bool _callerIsMaster;
    private bool _readOnly;
    private long _startedTicks;
    private volatile bool _busy;
    private volatile bool _killRequested;
    private volatile bool _wrote;

    /// <summary>Creates the engine and its Lua state.</summary>
    public ScriptEngine(ServerContext server)
    {
        _server = server;
        _luaClient = new Client(new NoTransport(), "lua", "lua", server.Now) { Authenticated = true, Name = "" };
        CreateState();
    }

    /// <summary>True while a script runs past <c>lua-time-limit</c> (other clients get BUSY).</summary>
    public bool Busy => _busy;

    /// <summary>True while any script runs.</summary>
    public bool Running => _caller is not null;

    /// <summary>Number of cached scripts (INFO number_of_cached_scripts).</summary>
    public int CachedScripts => _functions.Count;

    /// <summary>Bytes the Lua state uses (INFO used_memory_lua).</summary>
    public long MemoryBytes => _lua == 0 ? 0 : (lua_gc(_lua, LUA_GCCOUNT, 0) * 1024L) + lua_gc(_lua, LUA_GCCOUNTB, 0);

    /// <summary>The calls of Redis's CLIENT LIST for the script's own client.</summary>
    internal Client LuaClient => _luaClient;

    /// <summary>
    /// The reply for a command that arrives while a script is busy: SCRIPT KILL and SHUTDOWN NOSAVE are
    /// handled (null: run it), anything else is refused with BUSY.
    /// </summary>
    internal string? RefuseWhileBusy(CommandDef cmd, ArgList args)
    {
        if (cmd.Name == "script" && args.Count == 2 && CommandContext.EqualsIgnoreCase(args[1], "KILL"u8))
            return null;
        if (cmd.Name == "function" && args.Count == 2
            && (CommandContext.EqualsIgnoreCase(args[1], "KILL"u8) || CommandContext.EqualsIgnoreCase(args[1], "STATS"u8)))
            return null;
        if (cmd.Name == "shutdown")
            return null;
        return _isFunction ? FunctionBusyError : BusyError;
    }

    /// <summary>
    /// The reply line (RESP, without CRLF) for a request read while a script is busy, without the server
    /// lock: SCRIPT KILL and SHUTDOWN NOSAVE act (they only set flags; SHUTDOWN has no reply), anything
    /// else is BUSY.
    /// </summary>
    internal string? AnswerWhileBusy(ServerContext server, ArgList args)
    {
        if (args.Count == 2 && CommandContext.EqualsIgnoreCase(args[0], "SCRIPT"u8) && CommandContext.EqualsIgnoreCase(args[1], "KILL"u8))
            return Kill(eval: true);
        if (args.Count == 2 && CommandContext.EqualsIgnoreCase(args[0], "FUNCTION"u8) && CommandContext.EqualsIgnoreCase(args[1], "KILL"u8))
            return Kill(eval: false);
        if (args.Count == 2 && CommandContext.EqualsIgnoreCase(args[0], "FUNCTION"u8) && CommandContext.EqualsIgnoreCase(args[1], "STATS"u8))
            return RunningStatsResp2();
        if (CommandContext.EqualsIgnoreCase(args[0], "SHUTDOWN"u8))
        {
            if (args.Count == 2 && CommandContext.EqualsIgnoreCase(args[1], "NOSAVE"u8))
            {
                server.ShutdownSave = false;
                server.RequestShutdown("SHUTDOWN NOSAVE");
                return null;
            }
            return "-UNKILLABLE The busy script was sent a SHUTDOWN command. Try SHUTDOWN NOSAVE.";
        }
        return "-" + (_isFunction ? FunctionBusyError : BusyError);
    }

    /// <summary>
    /// SCRIPT KILL (<paramref name="eval"/>) or FUNCTION KILL: stops the running script unless it
    /// already wrote, came from our master, or is of the other kind (an EVAL for FUNCTION KILL, a
    /// function for SCRIPT KILL), as Redis 7.0 checks them.
    /// </summary>
    internal string Kill(bool eval)
    {
        if (!Running)
            return "-NOTBUSY No scripts in execution right now.";
        if (_callerIsMaster)
            return "-UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.";
        if (_wrote)
            return "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
        if (eval && _isFunction)
            return "-" + FunctionBusyError;
        if (!eval && !_isFunction)
            return "-" + BusyError;
        _killRequested = true;
        return "+OK";
    }

    /// <summary>True when the running script wrote (SHUTDOWN without NOSAVE is then refused).</summary>
    internal bool RunningScriptWrote => Running && _wrote;

    /// <summary>The SHA-1 of a script body, as EVALSHA names it.</summary>
    public static string Sha(ReadOnlySpan<byte> body) => Sha1.Hex(body);

    /// <summary>True when a script with this SHA-1 (lower or upper case) is cached.</summary>
    public bool Exists(ReadOnlySpan<byte> sha) => sha.Length == 40 && _functions.ContainsKey(LowerHex(sha));

    /// <summary>Compiles and caches <paramref name="body"/>; returns its SHA-1, or the compile error.</summary>
    public string Load(ReadOnlySpan<byte> body, out string? error)
    {
        string sha = Sha1.Hex(body);
        error = null;
        if (_functions.ContainsKey(sha))
            return sha;
        if (Compile(_lua, body, s_chunkName) is { } compileError)
        {
            error = "ERR Error compiling script (new function): " + compileError;
            return sha;
        }
        _functions[sha] = luaL_ref(_lua, LUA_REGISTRYINDEX);
        return sha;
    }

    // Compiles text code as the chunk named chunkName (NUL-terminated) and leaves the function on top
    // of L's stack, its tail calls made plain calls; or returns Lua's error (nothing pushed).
    private static string? Compile(nint L, ReadOnlySpan<byte> code, byte[] chunkName)
    {
        int status;
        fixed (byte* p = code)
        fixed (byte* name = chunkName)
        fixed (byte* mode = s_textMode)
            status = luaL_loadbufferx(L, p, (nuint)code.Length, name, mode);
        if (status != LUA_OK)
        {
            // Lua 5.4 writes "near <eof>" where Redis's 5.1 writes "near '<eof>'".
            string error = ToText(L, -1).Replace(" near <eof>", " near '<eof>'", StringComparison.Ordinal);
            Pop(L);
            return error;
        }
        WithoutTailCalls(L, chunkName);
        return null;
    }

    [ThreadStatic]
    private static MemoryStream? t_dump;

    // Replaces the compiled function on top by the same code with its tail calls made plain calls
    // (see TailCalls); leaves it as it is if anything is unexpected.
    private static void WithoutTailCalls(nint L, byte[] chunkName)
    {
        MemoryStream dump = t_dump ??= new MemoryStream();
        dump.SetLength(0);
        if (lua_dump(L, &DumpWriter, 0, 0) != 0)
            return;
        byte[] chunk = dump.ToArray();
        if (!TailCalls.Remove(chunk))
            return;
        int status;
        fixed (byte* p = chunk)
        fixed (byte* name = chunkName)
        fixed (byte* mode = s_binaryMode)
            status = luaL_loadbufferx(L, p, (nuint)chunk.Length, name, mode);
        if (status == LUA_OK)
            lua_rotate(L, -2, 1);
        Pop(L);
    }

    private static readonly byte[] s_binaryMode = "b\0"u8.ToArray();

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int DumpWriter(nint L, byte* p, nuint size, nint ud)
    {
        t_dump!.Write(new ReadOnlySpan<byte>(p, checked((int)size)));
        return 0;
    }

    /// <summary>SCRIPT FLUSH: forgets every script and starts a new Lua state (functions keep theirs).</summary>
    public void Flush()
    {
        CloseState();
        CreateState();
    }

    /// <summary>
    /// EVAL, EVALSHA and their _RO forms: runs the script named by <paramref name="sha"/> (already cached)
    /// with the keys and arguments of <paramref name="c"/> from index 3 on, and writes its reply.
    /// </summary>
    internal void Run(CommandContext c, string sha, int numKeys, bool readOnly)
    {
        if (Running)
        {
            c.Error("ERR This Redis command is not allowed from script");
            return;
        }
        SetArgumentTables(c, numKeys);
        Execute(c, _lua, _thread, _runnerRef, _functions[sha], sha, isFunction: false, numKeys, readOnly);
        ClearArgumentTables();
    }

    // Runs the Lua function fnRef of state through its runner on thread, as the script or function
    // name, and writes the outcome as c's reply. A function gets its keys and arguments (from c's
    // index 3 on) as its two arguments; a script reads them from KEYS and ARGV.
    private void Execute(CommandContext c, nint state, nint thread, int runnerRef, int fnRef, string name, bool isFunction, int numKeys, bool readOnly)
    {
        nint L = thread;
        if (lua_status(L) != LUA_OK || lua_gettop(L) != 0)
            _ = lua_closethread(L, state);
        lua_sethook(L, &Hook, LUA_MASKCOUNT, HookInstructions);
        lua_rawgeti(L, LUA_REGISTRYINDEX, runnerRef);
        lua_rawgeti(L, LUA_REGISTRYINDEX, fnRef);
        int nargs = 1;
        if (isFunction)
        {
            PushArgumentTable(L, c, 3, numKeys);
            PushArgumentTable(L, c, 3 + numKeys, c.Count - 3 - numKeys);
            nargs = 3;
        }

        _caller = c;
        _name = name;
        _source = isFunction ? "@user_function" : "@user_script";
        _isFunction = isFunction;
        _callerIsMaster = c.Client.IsMaster;
        _readOnly = readOnly;
        _wrote = false;
        _killRequested = false;
        _startedTicks = Stopwatch.GetTimestamp();
        _luaClient.DbIndex = c.Client.DbIndex;
        _luaClient.Output.Protocol = 2;
        _respVersion = 2;
        ScriptEngine? previous = t_running;
        t_running = this;
        int status;
        int results;
        try
        {
            status = lua_resume(L, state, nargs, out results);
        }
        finally
        {
            t_running = previous;
            if (_busy)
                ServerLog.Warning($"Slow script finished after {ElapsedMs()} milliseconds.");
            _busy = false;
            _caller = null;
        }
        WriteOutcome(c, L, status, results);
        lua_settop(L, 0);
        if (status != LUA_OK)
            _ = lua_closethread(L, state);
    }

    // Pushes a table of c's arguments [first, first + count).
    private static void PushArgumentTable(nint L, CommandContext c, int first, int count)
    {
        _ = lua_checkstack(L, 4);
        lua_createtable(L, count, 0);
        for (int i = 0; i < count; i++)
        {
            PushBytes(L, c[first + i]);
            lua_rawseti(L, -2, i + 1);
        }
    }

    private void WriteOutcome(CommandContext c, nint L, int status, int results)
    {
        if (status == LUA_YIELD)
        {
            c.Error(_killRequested
                ? $"ERR Script killed by user with SCRIPT KILL... script: {_name}, on {_source}:0."
                : $"ERR attempt to yield from outside a coroutine script: {_name}, on {_source}:0.");
            return;
        }
        if (status != LUA_OK)
        {
            c.Error($"ERR Error running script: {ToText(L, -1)}");
            return;
        }
        if (lua_toboolean(L, 1) != 0)
        {
            if (results < 2)
                c.Reply.Null();
            else
                LuaToReply(L, 2, c.Reply, 0);
            return;
        }
        // The error handler's {text, line}.
        lua_rawgeti(L, 2, 1);
        string text = ToText(L, -1);
        Pop(L);
        lua_rawgeti(L, 2, 2);
        long line = lua_tointegerx(L, -1, out _);
        Pop(L);
        c.Error($"{text} script: {_name}, on {_source}:{line}.");
    }

    // KEYS and ARGV as fresh tables in the (read-only) globals, set raw.
    private void SetArgumentTables(CommandContext c, int numKeys)
    {
        nint L = _lua;
        lua_rawgeti(L, LUA_REGISTRYINDEX, _argumentsRef);
        lua_createtable(L, numKeys, 0);
        for (int i = 0; i < numKeys; i++)
        {
            PushBytes(L, c[3 + i]);
            lua_rawseti(L, -2, i + 1);
        }
        RawSetField(L, -2, "KEYS");
        int argc = c.Count - 3 - numKeys;
        lua_createtable(L, argc, 0);
        for (int i = 0; i < argc; i++)
        {
            PushBytes(L, c[3 + numKeys + i]);
            lua_rawseti(L, -2, i + 1);
        }
        RawSetField(L, -2, "ARGV");
        Pop(L);
    }

    private void ClearArgumentTables()
    {
        // Large argument tables are not kept alive until the next script.
        nint L = _lua;
        lua_rawgeti(L, LUA_REGISTRYINDEX, _argumentsRef);
        lua_createtable(L, 0, 0);
        RawSetField(L, -2, "KEYS");
        lua_createtable(L, 0, 0);
        RawSetField(L, -2, "ARGV");
        Pop(L);
    }

    private long ElapsedMs() => (long)Stopwatch.GetElapsedTime(_startedTicks).TotalMilliseconds;

    private static string LowerHex(ReadOnlySpan<byte> sha)
    {
        Span<char> chars = stackalloc char[sha.Length];
        for (int i = 0; i < sha.Length; i++)
            chars[i] = (char)(sha[i] is >= (byte)'A' and <= (byte)'Z' ? sha[i] | 0x20 : sha[i]);
        return new string(chars);
    }

    /// <summary>The cached SHA-1 for EVALSHA's argument, or null.</summary>
    internal string? FindSha(ReadOnlySpan<byte> sha)
    {
        if (sha.Length != 40)
            return null;
        string lower = LowerHex(sha);
        return _functions.ContainsKey(lower) ? lower : null;
    }

    private void CreateState() =>
        (_lua, _thread, _runnerRef, _argumentsRef, _, _) = NewState(functions: false);

    // A Lua state with the libraries, the prelude and a thread to run in: for EVAL, or for functions
    // (then also the library loader and the environment libraries are compiled with, as registry refs).
    private static (nint L, nint Thread, int RunnerRef, int ArgumentsRef, int LoaderRef, int EnvRef) NewState(bool functions)
    {
        nint L = luaL_newstate();
        if (L == 0)
            throw new InvalidOperationException("Lua: cannot create a state (out of memory)");
        OpenLibrary(L, "_G", Opener("base"));
        OpenLibrary(L, "table", Opener("table"));
        OpenLibrary(L, "string", Opener("string"));
        OpenLibrary(L, "math", Opener("math"));
        OpenLibrary(L, "debug", Opener("debug"));
        OpenLibrary(L, "coroutine", Opener("coroutine"));
        PushNativeTable(L);
        int natives = lua_gettop(L);
        // KEYS and ARGV live in a table of their own that the read-only globals fall back to.
        lua_createtable(L, 0, 2);
        lua_pushvalue(L, -1);
        int argumentsRef = luaL_ref(L, LUA_REGISTRYINDEX);
        RawSetField(L, natives, "script_globals");
        RunChunk(L, "bit.lua", natives, "bit");
        RunChunk(L, "struct.lua", natives, "struct");
        RawGetField(L, natives, "null");
        RunChunkWith(L, "cjson.lua", "cjson");
        RunChunk(L, "cmsgpack.lua", natives, "cmsgpack");
        if (functions)
        {
            LoadResource(L, "functions.lua");
            RawSetField(L, natives, "functions_api");
        }
        // The prelude returns the runner (and the loader and environment) and makes the globals read-only.
        LoadResource(L, "prelude.lua");
        lua_pushvalue(L, natives);
        PushString(L, functions ? "functions" : "eval");
        if (lua_pcallk(L, 2, 3, 0, 0, 0) != LUA_OK)
            throw new InvalidOperationException("Lua: prelude.lua failed: " + ToText(L, -1));
        int envRef = functions ? luaL_ref(L, LUA_REGISTRYINDEX) : 0;
        int loaderRef = functions ? luaL_ref(L, LUA_REGISTRYINDEX) : 0;
        if (!functions)
            Pop(L, 2);
        int runnerRef = luaL_ref(L, LUA_REGISTRYINDEX);
        Pop(L);
        nint thread = lua_newthread(L);
        // The thread stays referenced from the registry for the life of the state.
        _ = luaL_ref(L, LUA_REGISTRYINDEX);
        return (L, thread, runnerRef, argumentsRef, loaderRef, envRef);
    }

    private void CloseState()
    {
        if (_lua != 0)
            lua_close(_lua);
        _lua = 0;
        _thread = 0;
        _functions.Clear();
    }

    private static void OpenLibrary(nint L, string name, delegate* unmanaged<nint, int> open)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes)
            luaL_requiref(L, p, open, 1);
        Pop(L);
    }

    // Runs a library chunk with the native table as its argument and stores its result as a global.
    private static void RunChunk(nint L, string resource, int natives, string global)
    {
        lua_pushvalue(L, natives);
        RunChunkWith(L, resource, global);
    }

    // Runs a library chunk with the value on top as its argument (popped) and stores its result as a global.
    private static void RunChunkWith(nint L, string resource, string global)
    {
        LoadResource(L, resource);
        lua_rotate(L, -2, 1);
        if (lua_pcallk(L, 1, 1, 0, 0, 0) != LUA_OK)
            throw new InvalidOperationException($"Lua: {resource} failed: {ToText(L, -1)}");
        PushGlobals(L);
        lua_rotate(L, -2, 1);
        RawSetField(L, -2, global);
        Pop(L);
    }

    private static void LoadResource(nint L, string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Codis.Server.Scripting.Lua." + name)
            ?? throw new InvalidOperationException($"Lua: embedded {name} is missing");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] code = memory.ToArray();
        byte[] chunk = System.Text.Encoding.ASCII.GetBytes("=" + name + "\0");
        int status;
        fixed (byte* p = code)
        fixed (byte* n = chunk)
        fixed (byte* mode = s_textMode)
            status = luaL_loadbufferx(L, p, (nuint)code.Length, n, mode);
        if (status != LUA_OK)
            throw new InvalidOperationException($"Lua: {name} does not compile: {ToText(L, -1)}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        CloseState();
        CloseFunctionState();
    }

    private sealed class NoTransport : IClientTransport
    {
        public void RequestFlush()
        {
        }

        public void Close(bool now)
        {
        }
    }
}
