using Codis.TestSupport;

namespace Codis.IntegrationTests.Server;

/// <summary>One redis-server and one codis-server (DEBUG enabled on both) shared by a test class.</summary>
public sealed class ServerCommandsFixture() : ServerPairFixture(["--enable-debug-command", "yes"])
{
    /// <summary>A differential pair of fresh connections.</summary>
    public DifferentialAssert Pair() => new(Redis.Connect(), Codis.Connect());
}
