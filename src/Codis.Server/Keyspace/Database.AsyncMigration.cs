namespace Codis.Server.Keyspace;

public sealed partial class Database
{
    /// <summary>
    /// True while this database runs an async migration batch as a source (spec server.md §6.1). The
    /// source side sets it when a batch starts and clears it when the batch ends or is aborted; the
    /// target side (SLOTSRESTORE-ASYNC) refuses every message with <c>the specified DB is being
    /// migrated</c> while it is set, as Codis does.
    /// </summary>
    public bool AsyncMigrationRunning { get; set; }
}
