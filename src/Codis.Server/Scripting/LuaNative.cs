using System.Runtime.InteropServices;

namespace Codis.Server.Scripting;

/// <summary>
/// The Lua 5.4 C API calls the script engine makes, straight to the native library that the KeraLua
/// package ships (liblua54). Blittable signatures and function pointers only: no marshalling, no
/// delegates to keep alive.
/// Rule for every caller: the library reports errors with longjmp, which must never cross a managed
/// frame. Code called back from Lua therefore uses only calls that cannot raise (raw gets and sets,
/// pushes after <see cref="lua_checkstack"/>) and reports failures through return values that Lua code
/// turns into errors.
/// </summary>
internal static unsafe partial class LuaNative
{
    private const string Lib = "lua54";

    public const int LUA_OK = 0;
    public const int LUA_YIELD = 1;
    public const int LUA_ERRRUN = 2;
    public const int LUA_ERRSYNTAX = 3;
    public const int LUA_ERRMEM = 4;

    public const int LUA_TNIL = 0;
    public const int LUA_TBOOLEAN = 1;
    public const int LUA_TLIGHTUSERDATA = 2;
    public const int LUA_TNUMBER = 3;
    public const int LUA_TSTRING = 4;
    public const int LUA_TTABLE = 5;
    public const int LUA_TFUNCTION = 6;

    public const int LUA_MULTRET = -1;
    public const int LUA_REGISTRYINDEX = -1000000 - 1000;
    public const int LUA_RIDX_GLOBALS = 2;
    public const int LUA_MASKCOUNT = 1 << 3;
    public const int LUA_GCCOLLECT = 2;
    public const int LUA_GCCOUNT = 3;
    public const int LUA_GCCOUNTB = 4;

    [LibraryImport(Lib)] public static partial nint luaL_newstate();
    [LibraryImport(Lib)] public static partial void lua_close(nint L);
    [LibraryImport(Lib)] public static partial nint lua_newthread(nint L);
    [LibraryImport(Lib)] public static partial int lua_closethread(nint L, nint from);
    [LibraryImport(Lib)] public static partial int lua_resume(nint L, nint from, int nargs, out int nresults);
    [LibraryImport(Lib)] public static partial int lua_status(nint L);
    [LibraryImport(Lib)] public static partial int lua_isyieldable(nint L);
    [LibraryImport(Lib)] public static partial int lua_yieldk(nint L, int nresults, nint ctx, nint k);
    [LibraryImport(Lib)] public static partial void lua_sethook(nint L, delegate* unmanaged<nint, nint, void> f, int mask, int count);
    [LibraryImport(Lib)] public static partial int lua_gc(nint L, int what, int arg);

    [LibraryImport(Lib)] public static partial int lua_gettop(nint L);
    [LibraryImport(Lib)] public static partial void lua_settop(nint L, int idx);
    [LibraryImport(Lib)] public static partial void lua_pushvalue(nint L, int idx);
    [LibraryImport(Lib)] public static partial void lua_rotate(nint L, int idx, int n);
    [LibraryImport(Lib)] public static partial int lua_checkstack(nint L, int n);
    [LibraryImport(Lib)] public static partial void lua_xmove(nint from, nint to, int n);

    [LibraryImport(Lib)] public static partial int lua_type(nint L, int idx);
    [LibraryImport(Lib)] public static partial int lua_isinteger(nint L, int idx);
    [LibraryImport(Lib)] public static partial double lua_tonumberx(nint L, int idx, out int isnum);
    [LibraryImport(Lib)] public static partial long lua_tointegerx(nint L, int idx, out int isnum);
    [LibraryImport(Lib)] public static partial int lua_toboolean(nint L, int idx);
    [LibraryImport(Lib)] public static partial byte* lua_tolstring(nint L, int idx, out nuint len);
    [LibraryImport(Lib)] public static partial nuint lua_rawlen(nint L, int idx);
    [LibraryImport(Lib)] public static partial nint lua_touserdata(nint L, int idx);

    [LibraryImport(Lib)] public static partial void lua_pushnil(nint L);
    [LibraryImport(Lib)] public static partial void lua_pushnumber(nint L, double n);
    [LibraryImport(Lib)] public static partial void lua_pushinteger(nint L, long n);
    [LibraryImport(Lib)] public static partial byte* lua_pushlstring(nint L, byte* s, nuint len);
    [LibraryImport(Lib)] public static partial void lua_pushboolean(nint L, int b);
    [LibraryImport(Lib)] public static partial void lua_pushlightuserdata(nint L, nint p);
    [LibraryImport(Lib)] public static partial void lua_pushcclosure(nint L, delegate* unmanaged<nint, int> fn, int n);

    [LibraryImport(Lib)] public static partial int lua_rawget(nint L, int idx);
    [LibraryImport(Lib)] public static partial int lua_rawgeti(nint L, int idx, long n);
    [LibraryImport(Lib)] public static partial void lua_rawset(nint L, int idx);
    [LibraryImport(Lib)] public static partial void lua_rawseti(nint L, int idx, long n);
    [LibraryImport(Lib)] public static partial int lua_next(nint L, int idx);
    [LibraryImport(Lib)] public static partial void lua_createtable(nint L, int narr, int nrec);

    [LibraryImport(Lib)] public static partial int luaL_loadbufferx(nint L, byte* buff, nuint sz, byte* name, byte* mode);
    [LibraryImport(Lib)] public static partial int lua_dump(nint L, delegate* unmanaged<nint, byte*, nuint, nint, int> writer, nint data, int strip);
    [LibraryImport(Lib)] public static partial int lua_pcallk(nint L, int nargs, int nresults, int msgh, nint ctx, nint k);
    [LibraryImport(Lib)] public static partial byte* lua_setupvalue(nint L, int funcindex, int n);
    [LibraryImport(Lib)] public static partial int luaL_ref(nint L, int t);
    [LibraryImport(Lib)] public static partial void luaL_unref(nint L, int t, int r);
    [LibraryImport(Lib)] public static partial void luaL_requiref(nint L, byte* modname, delegate* unmanaged<nint, int> openf, int glb);


    private static nint s_library;

    /// <summary>The address of a library opener (<c>luaopen_base</c>...) for <see cref="luaL_requiref"/>.</summary>
    public static delegate* unmanaged<nint, int> Opener(string name)
    {
        if (s_library == 0)
            s_library = NativeLibrary.Load(Lib, typeof(LuaNative).Assembly, null);
        return (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(s_library, "luaopen_" + name);
    }

    /// <summary>Pops the top value.</summary>
    public static void Pop(nint L, int n = 1) => lua_settop(L, -n - 1);

    /// <summary>Pushes a byte string.</summary>
    public static void PushBytes(nint L, ReadOnlySpan<byte> s)
    {
        fixed (byte* p = s)
            lua_pushlstring(L, p, (nuint)s.Length);
    }

    /// <summary>Pushes an ASCII/UTF-8 string.</summary>
    public static void PushString(nint L, string s)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(s);
        Span<byte> bytes = n <= 256 ? stackalloc byte[n] : new byte[n];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        PushBytes(L, bytes);
    }

    /// <summary>The string (or number converted in place) at <paramref name="idx"/>; empty when neither.</summary>
    public static ReadOnlySpan<byte> ToBytes(nint L, int idx)
    {
        byte* p = lua_tolstring(L, idx, out nuint len);
        return p is null ? default : new ReadOnlySpan<byte>(p, checked((int)len));
    }

    /// <summary>The string at <paramref name="idx"/> as text.</summary>
    public static string ToText(nint L, int idx) => System.Text.Encoding.UTF8.GetString(ToBytes(L, idx));

    /// <summary>Sets t[key] = value on the table at <paramref name="table"/> (raw: no metamethods) for the value on top, popped.</summary>
    public static void RawSetField(nint L, int table, string key)
    {
        int t = table < 0 && table > LUA_REGISTRYINDEX ? lua_gettop(L) + table + 1 : table;
        PushString(L, key);
        lua_rotate(L, -2, 1);
        lua_rawset(L, t);
    }

    /// <summary>Pushes t[key] of the table at <paramref name="table"/> (raw); returns its type.</summary>
    public static int RawGetField(nint L, int table, string key)
    {
        int t = table < 0 && table > LUA_REGISTRYINDEX ? lua_gettop(L) + table + 1 : table;
        PushString(L, key);
        return lua_rawget(L, t);
    }

    /// <summary>Pushes the globals table.</summary>
    public static void PushGlobals(nint L) => lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
}
