using System.Runtime.CompilerServices;
using Codis.Server.Persistence;

namespace Codis.Server.Keyspace;

public sealed partial class Database
{
    /// <summary>
    /// The copy-on-write hook of background snapshots: every method that changes a key (its value, its
    /// existence or its expiry) calls this first, and write commands reach values only through those
    /// methods (LookupWrite and friends), so a running snapshot sees each key as it was at its start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BeforeChange(ReadOnlySpan<byte> key)
    {
        if (Server.ActiveSnapshots is { } snapshots)
            PreserveForSnapshots(snapshots, key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PreserveForSnapshots(RdbSnapshot[] snapshots, ReadOnlySpan<byte> key)
    {
        foreach (RdbSnapshot s in snapshots)
            s.BeforeChange(this, key);
    }

    /// <summary>Before every key changes at once (FLUSHDB, FLUSHALL, SWAPDB).</summary>
    private void BeforeWholesaleChange()
    {
        if (Server.ActiveSnapshots is { } snapshots)
        {
            foreach (RdbSnapshot s in snapshots)
                s.BeforeWholesaleChange(this);
        }
    }
}
