using System.Threading.Tasks.Sources;

namespace Codis.Proxy.Session;

/// <summary>
/// An auto-reset signal with one waiter that allocates nothing: <see cref="Set"/> from any thread,
/// <see cref="WaitAsync"/> from the single consumer loop. A Set while nobody waits is remembered, so no
/// wake-up is lost; a spurious wake-up is possible and the consumer re-checks its condition.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private const int Idle = 0, Signaled = 1, Waiting = 2;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>Wakes the consumer (now or at its next wait).</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, Signaled) == Waiting)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>Completes at the next <see cref="Set"/> (at once if one happened since the last wait).</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return default;
        }
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Signaled)
        {
            Volatile.Write(ref _state, Idle);
            return default;
        }
        return new ValueTask(this, _core.Version);
    }

    void IValueTaskSource.GetResult(short token)
    {
        _core.GetResult(token);
        // The Set that completed us left Signaled behind; consume it (a later Set re-signals).
        Interlocked.CompareExchange(ref _state, Idle, Signaled);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
