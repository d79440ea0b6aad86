using Codis.TestSupport;

namespace Codis.IntegrationTests;

/// <summary>
/// One Debian redis-server and one codis-server, started once per test class (xunit class fixture), for
/// differential tests. Each test gets fresh connections from <see cref="NewDiff"/>, which first flushes
/// both servers so that tests of a class do not see each other's keys.
/// </summary>
public class ServerPairFixture : IDisposable
{
    /// <summary>Starts both servers with default settings.</summary>
    public ServerPairFixture()
        : this([])
    {
    }

    /// <summary>Starts both servers with the same extra options (e.g. <c>--notify-keyspace-events KEA</c>).</summary>
    protected ServerPairFixture(string[] options)
    {
        Redis = ServerProcess.StartRedis(options);
        try
        {
            Codis = ServerProcess.StartCodis(options);
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

    /// <summary>
    /// Flushes both servers and returns a comparer over two new connections (dispose it at the end of
    /// the test).
    /// </summary>
    public DiffSession NewDiff()
    {
        var redis = Redis.Connect();
        var codis = Codis.Connect();
        redis.Send("FLUSHALL");
        codis.Send("FLUSHALL");
        return new DiffSession(redis, codis);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Codis.Dispose();
        Redis.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A <see cref="ServerPairFixture"/> whose servers publish every keyspace notification (KEA).</summary>
public sealed class NotifyingServerPairFixture() : ServerPairFixture(["--notify-keyspace-events", "KEA"]);

/// <summary>A <see cref="DifferentialAssert"/> that owns its two connections.</summary>
public sealed class DiffSession(RespConnection redis, RespConnection codis) : IDisposable
{
    /// <summary>The comparer.</summary>
    public DifferentialAssert Assert { get; } = new(redis, codis);

    /// <summary>Connection to redis-server.</summary>
    public RespConnection Redis => redis;

    /// <summary>Connection to codis-server.</summary>
    public RespConnection Codis => codis;

    /// <summary>Sends the command to both and asserts equal replies.</summary>
    public byte[] Same(params string[] command) => Assert.Same(command);

    /// <summary>Sends each command to both and asserts equal replies.</summary>
    public void SameSequence(params string[][] commands) => Assert.SameSequence(commands);

    /// <summary>Sends the command to both and asserts equal replies up to the order of elements.</summary>
    public byte[] SameUnordered(params string[] command) => Assert.SameUnordered(command);

    /// <summary>Sends the command to both servers without comparing (setup).</summary>
    public void Both(params string[] command)
    {
        redis.Send(command);
        codis.Send(command);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        redis.Dispose();
        codis.Dispose();
    }
}
