using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>OBJECT FREQ / IDLETIME and REFCOUNT under an LFU policy, compared with Redis 7.0.</summary>
public sealed class KeyLfuTests : IClassFixture<LfuKeyFixture>, IDisposable
{
    private readonly RespConnection _redis;
    private readonly RespConnection _codis;
    private readonly DifferentialAssert _d;

    public KeyLfuTests(LfuKeyFixture fixture)
    {
        _redis = fixture.Redis.Connect();
        _codis = fixture.Codis.Connect();
        _d = new DifferentialAssert(_redis, _codis);
        _d.Same("FLUSHALL");
        AvoidMinuteBoundary();
    }

    public void Dispose()
    {
        _redis.Dispose();
        _codis.Dispose();
    }

    [Fact]
    public void ObjectFreq_NewKeyThenOneAccess_FiveThenSix()
    {
        // A new key starts at LFU_INIT_VAL (5); the first access always increments it.
        foreach (string line in new[] { "SET a 1", "OBJECT FREQ a", "GET a", "OBJECT FREQ a", "OBJECT FREQ nokey", "OBJECT IDLETIME a", "OBJECT REFCOUNT a" })
            _d.Same(line.Split(' '));
    }

    [Fact]
    public void ObjectFreq_RenameKeepsCounterCopyStartsFresh()
    {
        // Only first accesses are compared: later increments are probabilistic (1 / (10 * (counter - 5) + 1)),
        // which is why MOVE (whose lookups may touch the key twice) is not compared here.
        foreach (string line in new[] { "SET a 1", "RENAME a b", "OBJECT FREQ b", "COPY b c", "OBJECT FREQ c" })
            _d.Same(line.Split(' '));
    }

    // The LFU counter decays once per minute of the clock: a minute boundary falling between the two
    // servers' handling of the same command would make their counters legitimately differ by one.
    private static void AvoidMinuteBoundary()
    {
        int second = DateTime.UtcNow.Second;
        if (second >= 57)
            Thread.Sleep(TimeSpan.FromSeconds(61 - second));
    }
}
