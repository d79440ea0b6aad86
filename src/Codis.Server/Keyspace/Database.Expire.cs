namespace Codis.Server.Keyspace;

public sealed partial class Database
{
    /// <summary>
    /// One run of the active expire cycle on this database: samples keys with an expiry and deletes the
    /// expired ones, within a time budget that grows with <paramref name="effort"/> (1..10).
    /// </summary>
    public void ActiveExpireCycle(int effort)
    {
    }
}
