using System.Runtime.CompilerServices;
using Codis.Core.Slots;

namespace Codis.Server.Keyspace;

public sealed partial class Database
{
    /// <summary>True when the key is stored, expired or not (no lazy expiry, no statistics).</summary>
    public bool ContainsRaw(ReadOnlySpan<byte> key) => !Unsafe.IsNullRef(ref Peek(key));

    /// <summary>
    /// A key picked at random for eviction sampling, cheaper than <see cref="RandomKey"/>: a few random
    /// slots are probed first (uniform enough for sampling), then the size-weighted pick.
    /// </summary>
    internal byte[]? SampleKey(Random random)
    {
        if (_count == 0)
            return null;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            KeyTable<object>? t = _slots[random.Next(SlotHash.SlotCount)];
            if (t is not null && t.Count > 0)
                return t.RandomKey(random);
        }
        return RandomKey(random);
    }

    /// <summary>A key with an expiry picked at random (volatile eviction policies), or null.</summary>
    internal byte[]? SampleVolatileKey(Random random) => _expires.Count == 0 ? null : _expires.RandomKey(random);
}
