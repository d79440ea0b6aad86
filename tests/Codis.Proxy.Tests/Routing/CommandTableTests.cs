using System.Text;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Tests.Routing;

public sealed class CommandTableTests
{
    private static OpInfo Resolve(string name) => CommandTable.Resolve(Encoding.ASCII.GetBytes(name));

    [Fact]
    public void All_CodisTable_197EntriesPlusUnlinkGeoAndFunctions()
    {
        Assert.Equal(205, CommandTable.All.Count);
    }

    [Theory]
    [InlineData("get", OpFlags.None)]
    [InlineData("SET", OpFlags.Write)]
    [InlineData("KeYs", OpFlags.NotAllow)]
    [InlineData("FLUSHALL", OpFlags.Write | OpFlags.NotAllow)]
    [InlineData("SCAN", OpFlags.MasterOnly | OpFlags.NotAllow)]
    [InlineData("HSCAN", OpFlags.MasterOnly)]
    [InlineData("host:", OpFlags.NotAllow)]
    public void Resolve_TableEntry_CodisFlags(string name, OpFlags flags)
    {
        var op = Resolve(name);
        Assert.Equal(flags, op.Flags);
        Assert.Equal(name.ToUpperInvariant(), op.Name);
        Assert.True(op.Index >= 0);
    }

    [Theory]
    [InlineData("SLOTSMGRT-EXEC-WRAPPER")]
    [InlineData("slotsmgrt-async-cancel")]
    [InlineData("RESTORE-ASKING")]
    [InlineData("SLOTSRESTORE-ASYNC")]
    public void Resolve_NameWithDash_FoundInTableAndRefused(string name)
    {
        // quirks.md A.1: Codis stopped at the '-' and forwarded these; the table is meant to refuse them.
        Assert.True(Resolve(name).IsNotAllowed);
    }

    [Theory]
    [InlineData("NOSUCH")]
    [InlineData("GET2")]
    [InlineData("X_Y")]
    public void Resolve_UnknownName_MayWriteWithStableInstance(string name)
    {
        var op = Resolve(name);
        Assert.Equal(OpFlags.MayWrite, op.Flags);
        Assert.Equal(name.ToUpperInvariant(), op.Name);
        Assert.Equal(-1, op.Index);
        Assert.Same(op, Resolve(name.ToLowerInvariant()));
        Assert.True(op.IsMasterOnly);
        Assert.False(op.IsReadOnly);
    }

    [Theory]
    [InlineData("ZINTERSTORE", 3)]
    [InlineData("zunionstore", 3)]
    [InlineData("EVAL", 3)]
    [InlineData("EVALSHA", 3)]
    [InlineData("FCALL", 3)]
    [InlineData("fcall_ro", 3)]
    [InlineData("GET", 1)]
    [InlineData("ECHO", 1)]
    public void RoutingArg_PerCommand_CodisPosition(string name, int arg)
    {
        Assert.Equal(arg, Resolve(name).RoutingArg);
    }

    [Theory]
    [InlineData("MGET", OpKind.MGet)]
    [InlineData("mset", OpKind.MSet)]
    [InlineData("UNLINK", OpKind.Unlink)]
    [InlineData("TOUCH", OpKind.Touch)]
    [InlineData("SLOTSMAPPING", OpKind.SlotsMapping)]
    [InlineData("GET", OpKind.Forward)]
    [InlineData("function", OpKind.Function)]
    [InlineData("FCALL", OpKind.Forward)]
    public void Kind_SpecialCommands_Recognised(string name, OpKind kind)
    {
        Assert.Equal(kind, Resolve(name).Kind);
    }

    [Fact]
    public void Flags_ReadOnlyAndMasterOnly_AsCodisDefinesThem()
    {
        Assert.True(Resolve("GET").IsReadOnly);
        Assert.False(Resolve("GET").IsMasterOnly);
        Assert.True(Resolve("SSCAN").IsReadOnly);
        Assert.True(Resolve("SSCAN").IsMasterOnly);
        Assert.False(Resolve("SET").IsReadOnly);
        // FCALL_RO may be served by a replica when replica reads are on; FCALL and FUNCTION never.
        Assert.False(Resolve("FCALL_RO").IsMasterOnly);
        Assert.True(Resolve("FCALL").IsMasterOnly);
        Assert.True(Resolve("FUNCTION").IsMasterOnly);
    }

    [Fact]
    public void Find_TooLongOrEmpty_Null()
    {
        Assert.Null(CommandTable.Find([]));
        Assert.Null(CommandTable.Find(new byte[65]));
    }
}
