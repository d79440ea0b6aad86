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

    // Redis itself is not reproducible here: its counter sometimes reads one lower on a fresh key (its
    // minute clock is cached), so these tests check our values against the LFU rules directly.
    [Fact]
    public void ObjectFreq_NewKeyThenOneAccess_FiveThenSix()
    {
        // A new key starts at LFU_INIT_VAL (5); the first access always increments it.
        Assert.Equal("+OK\r\n"u8.ToArray(), _codis.Send("SET", "a", "1"));
        Assert.Equal(":5\r\n"u8.ToArray(), _codis.Send("OBJECT", "FREQ", "a"));
        _codis.Send("GET", "a");
        Assert.Equal(":6\r\n"u8.ToArray(), _codis.Send("OBJECT", "FREQ", "a"));
        _d.Same("OBJECT", "FREQ", "nokey");
        _d.Same("OBJECT", "REFCOUNT", "nokey");
    }

    [Fact]
    public void ObjectFreq_RenameKeepsCounterCopyStartsFresh()
    {
        _codis.Send("SET", "a", "1");
        _codis.Send("RENAME", "a", "b");
        // RENAME looks the key up once (5 -> 6) and keeps the counter with the value.
        Assert.Equal(":6\r\n"u8.ToArray(), _codis.Send("OBJECT", "FREQ", "b"));
        _codis.Send("COPY", "b", "c");
        Assert.Equal(":5\r\n"u8.ToArray(), _codis.Send("OBJECT", "FREQ", "c"));
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
