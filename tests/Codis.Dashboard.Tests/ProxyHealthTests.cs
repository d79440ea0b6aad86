using Codis.Dashboard.Topology;

namespace Codis.Dashboard.Tests;

/// <summary>The offline grace bookkeeping (beyond Codis: <c>proxy_offline_grace</c>).</summary>
public sealed class ProxyHealthTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void ShouldSkip_OnlyAfterTheGraceSinceTheFirstFailure()
    {
        var time = new ManualTime();
        var h = new ProxyHealth(TimeSpan.FromSeconds(30), time);
        Assert.False(h.ShouldSkip("t"));
        h.ReportFailure("t");
        time.Now += TimeSpan.FromSeconds(20);
        h.ReportFailure("t"); // a later failure does not restart the clock
        Assert.False(h.ShouldSkip("t"));
        Assert.Equal(TimeSpan.FromSeconds(20), h.DownFor("t"));
        time.Now += TimeSpan.FromSeconds(10);
        Assert.True(h.ShouldSkip("t"));
        h.ReportSuccess("t");
        Assert.False(h.ShouldSkip("t"));
        Assert.Null(h.DownFor("t"));
    }

    [Fact]
    public void ZeroGrace_NeverSkips()
    {
        var time = new ManualTime();
        var h = new ProxyHealth(TimeSpan.Zero, time);
        h.ReportFailure("t");
        time.Now += TimeSpan.FromDays(1);
        Assert.False(h.ShouldSkip("t"));
    }

    [Fact]
    public void Missed_KeptUntilCleared_ForgetClearsEverything()
    {
        var h = new ProxyHealth(TimeSpan.FromSeconds(1), new ManualTime());
        h.MarkMissed("a");
        h.ReportSuccess("a");
        Assert.True(h.HasMissed("a"));
        h.ClearMissed("a");
        Assert.False(h.HasMissed("a"));
        h.MarkMissed("b");
        h.ReportFailure("b");
        h.Forget("b");
        Assert.False(h.HasMissed("b"));
        Assert.Null(h.DownFor("b"));
    }
}
