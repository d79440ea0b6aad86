using Codis.Server.Migration;

namespace Codis.Server;

/// <summary>The source side of the async slot migration (spec server.md §6), one per server.</summary>
public sealed partial class ServerContext
{
    private AsyncMigrator? _asyncMigrator;

    /// <summary>
    /// Per-database cached target connections and running batches of SLOTSMGRT*-ASYNC. While a batch
    /// runs, <see cref="Keyspace.Database.AsyncMigrationRunning"/> is set on its database.
    /// </summary>
    internal AsyncMigrator AsyncMigrator => _asyncMigrator ??= new AsyncMigrator(this);
}
