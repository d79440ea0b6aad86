using Codis.Proxy.Session;

namespace Codis.Proxy.Tests.Session;

public sealed class AsyncSignalTests
{
    [Fact]
    public async Task WaitAsync_SetBeforeWait_CompletesAtOnce()
    {
        var s = new AsyncSignal();
        s.Set();
        Assert.True(s.WaitAsync().IsCompleted);
        var pending = s.WaitAsync();
        Assert.False(pending.IsCompleted);
        s.Set();
        await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_ManySetsFromThreads_NoLostWakeUp()
    {
        var s = new AsyncSignal();
        var produced = 0;
        var producer = Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                Interlocked.Increment(ref produced);
                s.Set();
            }
        });
        var seen = 0;
        while (seen < 100_000)
        {
            var now = Volatile.Read(ref produced);
            if (now > seen)
            {
                seen = now;
                continue;
            }
            await s.WaitAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        await producer;
    }
}
