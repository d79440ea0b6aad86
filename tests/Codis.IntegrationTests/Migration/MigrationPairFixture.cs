using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>Two codis-servers: the source and the target of migrations (sync, async, and replayed message streams).</summary>
public sealed class MigrationPairFixture : IDisposable
{
    /// <summary>Starts both servers.</summary>
    public MigrationPairFixture()
    {
        Source = ServerProcess.StartCodis();
        try
        {
            Target = ServerProcess.StartCodis();
        }
        catch
        {
            Source.Dispose();
            throw;
        }
    }

    /// <summary>Where the keys start.</summary>
    public ServerProcess Source { get; }

    /// <summary>Where they go.</summary>
    public ServerProcess Target { get; }

    /// <summary>Stops both servers.</summary>
    public void Dispose()
    {
        Source.Dispose();
        Target.Dispose();
    }
}
