using Codis.Proxy.Routing;
using Codis.Proxy.Stats;

namespace Codis.Proxy.Tests.Stats;

public sealed class ProxyStatsTests
{
    [Fact]
    public void Record_CommandsAndErrors_CountedAndSorted()
    {
        using var stats = new ProxyStats();
        stats.IncrementTotal();
        stats.IncrementTotal();
        stats.Record(CommandTable.Resolve("SET"u8), 0, isError: false);
        stats.Record(CommandTable.Resolve("FOO"u8), 0, isError: true);
        var cmds = stats.GetCommandStats();
        Assert.Equal(["FOO", "SET"], cmds.Select(c => c.OpStr));
        Assert.Equal(1, cmds[0].RedisErrType);
        Assert.Equal(1, stats.OpsRedisErrors);
        Assert.Equal(2, stats.OpsTotal);
    }

    [Fact]
    public void Reset_SessionsTotalBecomesAlive()
    {
        using var stats = new ProxyStats();
        stats.SessionOpened();
        stats.SessionOpened();
        stats.SessionClosed();
        stats.AddFails(3);
        stats.Reset();
        Assert.Equal(1, stats.SessionsTotal);
        Assert.Equal(1, stats.SessionsAlive);
        Assert.Equal(0, stats.OpsFails);
    }
}
