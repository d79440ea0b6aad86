using Codis.Cluster.Redis;
using Codis.Dashboard.Slots;

namespace Codis.Dashboard.Tests.Slots;

public sealed class FunctionCopierTests
{
    [Theory]
    [InlineData("ERR unknown command 'FUNCTION'", true)]
    [InlineData("ERR unknown command 'FUNCTION', with args beginning with: 'LIST' ", true)]
    [InlineData("ERR unknown subcommand 'DUMP'. Try FUNCTION HELP.", true)]
    [InlineData("ERR Library 'x' already exists", false)]
    [InlineData("ERR DUMP payload version or checksum are wrong", false)]
    [InlineData("NOAUTH Authentication required.", false)]
    public void IsUnknownCommand_ServersWithoutFunction_OnlyThose(string message, bool unknown)
    {
        Assert.Equal(unknown, FunctionCopier.IsUnknownCommand(new RespErrorException(message)));
    }
}
