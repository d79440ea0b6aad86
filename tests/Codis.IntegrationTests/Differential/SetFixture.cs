using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// One Debian redis-server and one codis-server for the set tests, both publishing every keyspace
/// event (so notification sequences can be compared too).
/// </summary>
public sealed class SetFixture : IDisposable
{
    /// <summary>Starts both servers.</summary>
    public SetFixture()
    {
        Redis = ServerProcess.StartRedis("--notify-keyspace-events", "KEA");
        try
        {
            Codis = ServerProcess.StartCodis("--notify-keyspace-events", "KEA");
        }
        catch
        {
            Redis.Dispose();
            throw;
        }
    }

    /// <summary>The reference server.</summary>
    public ServerProcess Redis { get; }

    /// <summary>Our server.</summary>
    public ServerProcess Codis { get; }

    /// <summary>Stops both servers.</summary>
    public void Dispose()
    {
        Codis.Dispose();
        Redis.Dispose();
    }
}
