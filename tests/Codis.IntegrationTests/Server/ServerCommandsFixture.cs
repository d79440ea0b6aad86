using Codis.TestSupport;

namespace Codis.IntegrationTests.Server;

/// <summary>One redis-server and one codis-server (DEBUG enabled on both) shared by a test class.</summary>
public sealed class ServerCommandsFixture : IDisposable
{
    /// <summary>Starts both servers.</summary>
    public ServerCommandsFixture()
    {
        Redis = ServerProcess.StartRedis("--enable-debug-command", "yes");
        Codis = ServerProcess.StartCodis("--enable-debug-command", "yes");
    }

    /// <summary>Debian's redis-server.</summary>
    public ServerProcess Redis { get; }

    /// <summary>Our server.</summary>
    public ServerProcess Codis { get; }

    /// <summary>A differential pair of fresh connections.</summary>
    public DifferentialAssert Pair() => new(Redis.Connect(), Codis.Connect());

    /// <inheritdoc/>
    public void Dispose()
    {
        Redis.Dispose();
        Codis.Dispose();
    }
}
