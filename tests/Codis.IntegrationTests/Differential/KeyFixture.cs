using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// One redis-server and one codis-server with keyspace notifications on, shared by the tests of a class
/// of keyspace tests.
/// </summary>
public sealed class KeyFixture : IDisposable
{
    /// <summary>Starts both servers.</summary>
    public KeyFixture()
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

    /// <summary>The server under test.</summary>
    public ServerProcess Codis { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Codis.Dispose();
        Redis.Dispose();
    }
}

/// <summary>Base of the keyspace differential tests: fresh connections and empty databases per test.</summary>
public abstract class KeyTestBase : IDisposable
{
    /// <summary>Connects to both servers and empties them.</summary>
    protected KeyTestBase(KeyFixture fixture)
    {
        Fixture = fixture;
        RedisConn = fixture.Redis.Connect();
        CodisConn = fixture.Codis.Connect();
        D = new DifferentialAssert(RedisConn, CodisConn);
        D.Same("FLUSHALL");
    }

    /// <summary>The servers.</summary>
    protected KeyFixture Fixture { get; }

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
public sealed class LfuKeyFixture : IDisposable
{
    /// <summary>Starts both servers.</summary>
    public LfuKeyFixture()
    {
        Redis = ServerProcess.StartRedis("--maxmemory-policy", "allkeys-lfu");
        try
        {
            Codis = ServerProcess.StartCodis("--maxmemory-policy", "allkeys-lfu");
        }
        catch
        {
            Redis.Dispose();
            throw;
        }
    }

    /// <summary>The reference server.</summary>
    public ServerProcess Redis { get; }

    /// <summary>The server under test.</summary>
    public ServerProcess Codis { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Codis.Dispose();
        Redis.Dispose();
    }
}
