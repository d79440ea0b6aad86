using Codis.Server.Migration;

namespace Codis.Server;

/// <summary>The source side of the async slot migration (spec server.md §6), one per server.</summary>
public sealed partial class ServerContext
{
    private AsyncMigrator? _asyncMigrator;

    /// <summary>Per-database cached target connections and running batches of SLOTSMGRT*-ASYNC.</summary>
    internal AsyncMigrator AsyncMigrator => _asyncMigrator ??= new AsyncMigrator(this);

    /// <summary>
    /// True while database <paramref name="db"/> runs an async migration batch (or is connecting for
    /// one): the target-side SLOTSRESTORE-ASYNC commands then answer <c>the specified DB is being
    /// migrated</c>.
    /// </summary>
    public bool IsAsyncMigrating(int db) => _asyncMigrator?.IsMigrating(db) ?? false;
}
