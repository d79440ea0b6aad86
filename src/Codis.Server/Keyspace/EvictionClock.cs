namespace Codis.Server.Keyspace;

/// <summary>
/// The per-key access clock of Redis: under an LRU (or no) policy a 24-bit seconds clock; under an LFU
/// policy 16 bits of minutes and an 8-bit logarithmic access counter.
/// </summary>
public sealed class EvictionClock(ServerContext server)
{
    private const uint LruMax = (1u << 24) - 1;
    private const uint LfuInitVal = 5;

    // UsesLfu is read on every key access: the policy text is parsed again only when CONFIG SET
    // replaced the string (a reference comparison), not on each call.
    private string? _policyText;
    private bool _usesLfu;

    /// <summary>True when the maxmemory policy is an LFU one.</summary>
    public bool UsesLfu
    {
        get
        {
            string policy = server.Config.MaxMemoryPolicy;
            if (!ReferenceEquals(policy, _policyText))
            {
                _usesLfu = policy.Contains("lfu", StringComparison.Ordinal);
                _policyText = policy;
            }
            return _usesLfu;
        }
    }

    /// <summary>The current LRU clock (seconds, 24 bits).</summary>
    public uint LruClock => (uint)(server.Now / 1000) & LruMax;

    /// <summary>The access value of a newly created key.</summary>
    public uint NewAccess() => UsesLfu ? (LfuMinutes() << 8) | LfuInitVal : LruClock;

    /// <summary>The access value after one more access.</summary>
    public uint Touch(uint access)
    {
        if (!UsesLfu)
            return LruClock;
        uint counter = Decay(access);
        counter = LogIncrement(counter);
        return (LfuMinutes() << 8) | counter;
    }

    /// <summary>Seconds since the last access (OBJECT IDLETIME).</summary>
    public long IdleSeconds(uint access)
    {
        uint now = LruClock;
        long idle = now >= access ? now - access : now + (LruMax - access);
        return idle;
    }

    /// <summary>
    /// The access value RESTORE ... FREQ / IDLETIME gives a key (Redis's <c>objectSetLRUOrLFU</c>): under
    /// an LFU policy <paramref name="frequency"/> (0..255) stamped now, otherwise the LRU clock
    /// <paramref name="idleSeconds"/> ago. Null when the option that applies to the policy was not given
    /// (negative), so the key keeps its fresh access value.
    /// </summary>
    public uint? Restored(long frequency, long idleSeconds)
    {
        if (UsesLfu)
            return frequency >= 0 ? (LfuMinutes() << 8) | (uint)frequency : null;
        if (idleSeconds < 0)
            return null;
        long clock = LruClock;
        // Redis multiplies by 1000 and divides by its 1000 ms clock resolution, in 64-bit arithmetic.
        long idle = unchecked(idleSeconds * 1000) / 1000;
        long abs = clock - idle;
        // A wrapped clock: the best Redis can do is half-way in the past.
        if (abs < 0)
            abs = (clock + (LruMax / 2)) % LruMax;
        return (uint)abs;
    }

    /// <summary>The decayed LFU counter (OBJECT FREQ).</summary>
    public uint Frequency(uint access) => Decay(access);

    private uint LfuMinutes() => (uint)(server.Now / 1000 / 60) & 0xFFFF;

    private uint Decay(uint access)
    {
        uint last = access >> 8;
        uint counter = access & 0xFF;
        uint now = LfuMinutes();
        uint elapsed = now >= last ? now - last : 0xFFFF - last + now;
        long decayTime = server.Config.LfuDecayTime;
        if (decayTime <= 0)
            return counter;
        uint periods = (uint)(elapsed / decayTime);
        return periods > counter ? 0 : counter - periods;
    }

    private uint LogIncrement(uint counter)
    {
        if (counter == 255)
            return 255;
        double r = server.Random.NextDouble();
        double baseVal = counter > LfuInitVal ? counter - LfuInitVal : 0;
        double p = 1.0 / ((baseVal * server.Config.LfuLogFactor) + 1);
        return r < p ? counter + 1 : counter;
    }
}
