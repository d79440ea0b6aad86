using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// Base of the string and bit differential tests: a connection pair per test and a unique key prefix, so
/// tests do not see each other's keys and need no FLUSHALL.
/// </summary>
public abstract class StringDifferentialTest : IDisposable
{
    private readonly RespConnection _redis;
    private readonly RespConnection _codis;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";

    /// <summary>Connects to both servers of <paramref name="servers"/>.</summary>
    protected StringDifferentialTest(ServerPairFixture servers)
    {
        _redis = servers.Redis.Connect();
        _codis = servers.Codis.Connect();
        D = new DifferentialAssert(_redis, _codis);
    }

    /// <summary>The comparison of the two connections.</summary>
    protected DifferentialAssert D { get; }

    /// <summary>A key name private to this test.</summary>
    protected string K(string name) => _prefix + name;

    /// <summary>Sends each command to both servers and asserts equal replies.</summary>
    protected void Same(params string[][] commands) => D.SameSequence(commands);

    /// <summary>Shorthand for one command.</summary>
    protected static string[] C(params string[] args) => args;

    /// <inheritdoc/>
    public void Dispose()
    {
        _redis.Dispose();
        _codis.Dispose();
        GC.SuppressFinalize(this);
    }
}
