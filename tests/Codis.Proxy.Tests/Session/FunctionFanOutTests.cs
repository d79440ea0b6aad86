using System.Text;
using Codis.Proxy.Session;

namespace Codis.Proxy.Tests.Session;

public sealed class FunctionFanOutTests
{
    private static FunctionReply Reply(int gid, string reply) =>
        new(gid, "192.0.2." + gid + ":7001", Encoding.UTF8.GetBytes(reply), null);

    private static FunctionReply Lost(int gid, string failure) => new(gid, "192.0.2." + gid + ":7001", null, failure);

    [Theory]
    [InlineData("load", "All")]
    [InlineData("DELETE", "All")]
    [InlineData("Flush", "All")]
    [InlineData("RESTORE", "All")]
    [InlineData("kill", "Any")]
    [InlineData("LIST", "One")]
    [InlineData("DUMP", "One")]
    [InlineData("STATS", "One")]
    [InlineData("HELP", "One")]
    [InlineData("NOSUCH", "One")]
    [InlineData("LOADX", "One")]
    public void RouteOf_Subcommand_ChangesGoToAllReadsToOne(string sub, string route)
    {
        Assert.Equal(Enum.Parse<FunctionRoute>(route), FunctionFanOut.RouteOf(Encoding.ASCII.GetBytes(sub)));
    }

    [Fact]
    public void Merge_AllAgree_FirstReply()
    {
        var index = FunctionFanOut.Merge(FunctionRoute.All, "FUNCTION LOAD", [Reply(1, "$3\r\nlib\r\n"), Reply(2, "$3\r\nlib\r\n")], out var error);
        Assert.Equal(0, index);
        Assert.Null(error);
    }

    [Fact]
    public void Merge_AllRefuseAlike_ServersErrorPassedThrough()
    {
        const string wrong = "-ERR wrong number of arguments for 'function|load' command\r\n";
        var index = FunctionFanOut.Merge(FunctionRoute.All, "FUNCTION LOAD", [Reply(1, wrong), Reply(2, wrong)], out var error);
        Assert.Equal(0, index);
        Assert.Null(error);
    }

    [Fact]
    public void Merge_OneGroupFails_ErrorNamesItAndWhereItSucceeded()
    {
        var index = FunctionFanOut.Merge(FunctionRoute.All, "FUNCTION LOAD",
            [Reply(1, "$1\r\nx\r\n"), Reply(2, "-ERR Library 'x' already exists\r\n")], out var error);
        Assert.Equal(-1, index);
        Assert.Equal("ERR FUNCTION LOAD failed on group 2 (192.0.2.2:7001): Library 'x' already exists; "
            + "it succeeded on group 1 (192.0.2.1:7001)", error);
    }

    [Fact]
    public void Merge_DifferentFailures_EachGroupWithItsReason_OtherPrefixesKept()
    {
        var index = FunctionFanOut.Merge(FunctionRoute.All, "FUNCTION DELETE",
            [Reply(1, "-ERR Library not found\r\n"), Lost(2, "backend conn reset"), Reply(3, "-BUSY Redis is busy\r\n")], out var error);
        Assert.Equal(-1, index);
        Assert.Equal("ERR FUNCTION DELETE failed on group 1 (192.0.2.1:7001): Library not found; "
            + "group 2 (192.0.2.2:7001): backend conn reset; group 3 (192.0.2.3:7001): BUSY Redis is busy", error);
    }

    [Fact]
    public void Merge_AllLostAlike_StillAnErrorNamingThem()
    {
        // Transport failures are never "the server's answer": the merged error names the groups.
        var index = FunctionFanOut.Merge(FunctionRoute.All, "FUNCTION FLUSH", [Lost(1, "backend conn reset"), Lost(2, "backend conn reset")], out var error);
        Assert.Equal(-1, index);
        Assert.StartsWith("ERR FUNCTION FLUSH failed on group 1 (192.0.2.1:7001): backend conn reset; group 2", error);
    }

    [Fact]
    public void Merge_KillSucceedsOnOneGroup_ThatReply()
    {
        const string notBusy = "-NOTBUSY No scripts in execution right now.\r\n";
        var index = FunctionFanOut.Merge(FunctionRoute.Any, "FUNCTION KILL", [Reply(1, notBusy), Reply(2, "+OK\r\n"), Reply(3, notBusy)], out var error);
        Assert.Equal(1, index);
        Assert.Null(error);
    }

    [Fact]
    public void Merge_KillNowhere_CommonErrorOrEachGroup()
    {
        const string notBusy = "-NOTBUSY No scripts in execution right now.\r\n";
        Assert.Equal(0, FunctionFanOut.Merge(FunctionRoute.Any, "FUNCTION KILL", [Reply(1, notBusy), Reply(2, notBusy)], out _));
        Assert.Equal(-1, FunctionFanOut.Merge(FunctionRoute.Any, "FUNCTION KILL", [Reply(1, notBusy), Lost(2, "backend conn failure, x\r\ny")], out var error));
        Assert.Equal("ERR FUNCTION KILL failed on group 1 (192.0.2.1:7001): NOTBUSY No scripts in execution right now.; "
            + "group 2 (192.0.2.2:7001): backend conn failure, x  y", error);
    }

    [Fact]
    public void Merge_SuccessesThatDiffer_FirstReply()
    {
        Assert.Equal(0, FunctionFanOut.Merge(FunctionRoute.All, "FUNCTION RESTORE", [Reply(1, "+OK\r\n"), Reply(2, "+OK \r\n")], out var error));
        Assert.Null(error);
    }
}
