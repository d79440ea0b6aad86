using System.Text;
using Codis.Server.Config;
using Codis.Server.Network;
using Codis.Server.Persistence;
using Codis.Server.Scripting;

namespace Codis.Server.Tests.Scripting;

/// <summary>
/// The parts of functions the differential tests cannot reach: the shebang parser's quoting, Redis
/// 7.0-rc's function record (opcode 246), an RDB image's libraries replacing the server's, and the
/// sockets layer's look for script commands.
/// </summary>
public sealed class FunctionLibraryTests
{
    [Theory]
    [InlineData("#!lua name=lib\nx", "lua", "lib", null)]
    [InlineData("#!lua   NAME=lib  \nx", "lua", "lib", null)]
    [InlineData("#!lua \"name=a b\"\nx", "lua", "a b", null)]
    [InlineData("#!lua 'name=q'\nx", "lua", "q", null)]
    [InlineData("#!lua \"name=\\x41\"\nx", "lua", "A", null)]
    [InlineData("#!lua \"name=x\nx", "", "", "Invalid library metadata")]
    [InlineData("#!lua \"name=x\"y\nx", "", "", "Invalid library metadata")]
    [InlineData("#!lua name=a name=b\nx", "lua", "", "Invalid metadata value, name argument was given multiple times")]
    [InlineData("#!lua\nx", "lua", "", "Library name was not given")]
    [InlineData("lua name=x\nx", "", "", "Missing library metadata")]
    public void ParseShebang_SplitsAsRedis(string code, string engine, string name, string? error)
    {
        string? got = ScriptEngine.ParseShebang(Encoding.UTF8.GetBytes(code), out string e, out string n, out int body);
        Assert.Equal(error, got);
        if (error is null)
        {
            Assert.Equal(engine, e);
            Assert.Equal(name, n);
            Assert.Equal((byte)'\n', Encoding.UTF8.GetBytes(code)[body]);
        }
    }

    [Fact]
    public void OldFunctionRecord_BecomesTheShebangForm()
    {
        var w = new RdbWriter();
        w.WriteString("oldlib"u8);
        w.WriteString("LUA"u8);
        w.WriteLength(1);
        w.WriteString("a description"u8);
        w.WriteString("redis.register_function('oldf', function() return 1 end)"u8);
        var r = new RdbReader(w.WrittenSpan);
        byte[]? code = ScriptEngine.ReadFunctionRecord(ref r, RdbFile.OpFunction, out string? error);
        Assert.Null(error);
        Assert.Equal("#!LUA name=oldlib\nredis.register_function('oldf', function() return 1 end)", Encoding.UTF8.GetString(code!));
        var notFunction = new RdbReader(w.WrittenSpan);
        Assert.Null(ScriptEngine.ReadFunctionRecord(ref notFunction, 0, out error));
        Assert.Equal("given type is not a function", error);
    }

    [Fact]
    public void RdbImage_ReplacesTheLibraries()
    {
        var server = new ServerContext(new ServerConfig());
        Assert.Null(server.Scripts.LoadLibrary("#!lua name=kept\nredis.register_function('keptf', function() return 1 end)"u8, replace: false, limited: true, out _));
        using var image = new MemoryStream();
        lock (server.Lock)
            RdbSnapshot.WriteNow(server, image);
        Assert.Null(server.Scripts.LoadLibrary("#!lua name=gone\nredis.register_function('gonef', function() return 2 end)"u8, replace: false, limited: true, out _));
        Assert.Equal(2, server.Scripts.LibraryCount);
        RdbFile.Load(server, image.ToArray(), out _, out _);
        Assert.Equal(1, server.Scripts.LibraryCount);
        Assert.NotNull(server.Scripts.FindFunction("KEPTF"u8));
        Assert.Null(server.Scripts.FindFunction("gonef"u8));
    }

    [Theory]
    [InlineData("*3\r\n$4\r\nEVAL\r\n", true)]
    [InlineData("*3\r\n$7\r\nevalsha\r\n", true)]
    [InlineData("*3\r\n$5\r\nFCALL\r\n", true)]
    [InlineData("*3\r\n$8\r\nfcall_ro\r\n", true)]
    [InlineData("*3\r\n$3\r\nSET\r\n$4\r\ncall\r\n", false)]
    [InlineData("*2\r\n$3\r\nGET\r\n$5\r\nvalue\r\n", false)]
    public void MayHoldScript_SeesEvalAndFcall(string input, bool expected) =>
        Assert.Equal(expected, ClientConnection.MayHoldScript(Encoding.ASCII.GetBytes(input)));
}
