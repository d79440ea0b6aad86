using System.Diagnostics;
using System.Globalization;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// The cached async-migration connection is released after 60 s without a batch (server.md §6.4 step 6).
/// A class of its own so that its minute of waiting runs alongside the other test classes.
/// </summary>
public sealed class AsyncIdleReleaseTests
{
    [Fact]
    public void CachedConnection_IdleForSixtySeconds_Released()
    {
        using ServerProcess source = ServerProcess.StartCodis();
        using ServerProcess target = ServerProcess.StartCodis();
        using RespConnection src = source.Connect();
        Assert.Equal("OK", src.Command("SET", "k", "v").Text);
        string port = target.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(1, src.Command("SLOTSMGRTONE-ASYNC", "127.0.0.1", port, "5000", "0", "0", "k").Integer);
        Assert.False(src.Command("SLOTSMGRT-ASYNC-STATUS").IsNull);
        var idle = Stopwatch.StartNew();

        // Still cached well before the minute is over...
        Thread.Sleep(TimeSpan.FromSeconds(45));
        Assert.False(src.Command("SLOTSMGRT-ASYNC-STATUS").IsNull);

        // ...and released shortly after it (the check runs once a second).
        while (!src.Command("SLOTSMGRT-ASYNC-STATUS").IsNull && idle.Elapsed < TimeSpan.FromSeconds(90))
            Thread.Sleep(250);
        Assert.True(src.Command("SLOTSMGRT-ASYNC-STATUS").IsNull, "the idle connection was not released within 90 s");
        Assert.InRange(idle.Elapsed.TotalSeconds, 55, 90);
        Assert.Equal(0, src.Command("SLOTSMGRT-ASYNC-CANCEL").Integer);
    }
}
