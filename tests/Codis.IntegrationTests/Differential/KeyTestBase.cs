using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Base of the keyspace differential tests: fresh connections and empty databases per test.</summary>
public abstract class KeyTestBase : IDisposable
{
    /// <summary>Connects to both servers and empties them.</summary>
    protected KeyTestBase(NotifyingServerPairFixture fixture)
    {
        Fixture = fixture;
        RedisConn = fixture.Redis.Connect();
        CodisConn = fixture.Codis.Connect();
        D = new DifferentialAssert(RedisConn, CodisConn);
        D.Same("FLUSHALL");
    }

    /// <summary>The servers.</summary>
    protected NotifyingServerPairFixture Fixture { get; }

    /// <summary>Connection to redis-server.</summary>
    protected RespConnection RedisConn { get; }

    /// <summary>Connection to codis-server.</summary>
    protected RespConnection CodisConn { get; }

    /// <summary>The comparison.</summary>
    protected DifferentialAssert D { get; }

    /// <summary>Runs space-separated commands in order, asserting equal replies.</summary>
    protected void Seq(params string[] lines)
    {
        foreach (string line in lines)
            D.Same(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Sends the command to both servers without comparing (setup whose reply may differ).</summary>
    protected void Both(params string[] command)
    {
        RedisConn.Send(command);
        CodisConn.Send(command);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        RedisConn.Dispose();
        CodisConn.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Both servers under an LFU maxmemory policy (no limit), for OBJECT FREQ.</summary>
public sealed class LfuKeyFixture() : ServerPairFixture(["--maxmemory-policy", "allkeys-lfu"]);
