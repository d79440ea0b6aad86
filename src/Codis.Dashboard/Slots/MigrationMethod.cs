namespace Codis.Dashboard.Slots;

/// <summary>
/// How keys move during a slot migration (config.md §2 <c>migration_method</c>); the numeric value is the
/// <c>forward_method</c> pushed to proxies (migration.md §2, §7), so the values are part of the wire format.
/// </summary>
public enum MigrationMethod
{
    /// <summary><c>sync</c>: SLOTSMGRTTAGSLOT / SLOTSMGRTTAGONE.</summary>
    Sync = 0,

    /// <summary><c>semi-async</c>: SLOTSMGRTTAGSLOT-ASYNC / SLOTSMGRT-EXEC-WRAPPER (the default).</summary>
    SemiAsync = 1,
}

/// <summary>Text form of <see cref="MigrationMethod"/>.</summary>
public static class MigrationMethods
{
    /// <summary>Parses <c>sync</c> or <c>semi-async</c>, case-insensitive, as Codis's config does.</summary>
    /// <returns>False for anything else (the caller reports <c>invalid migration_method</c>).</returns>
    public static bool TryParse(string? text, out MigrationMethod method)
    {
        switch (text?.ToLowerInvariant())
        {
            case "sync":
                method = MigrationMethod.Sync;
                return true;
            case "semi-async":
                method = MigrationMethod.SemiAsync;
                return true;
            default:
                method = MigrationMethod.SemiAsync;
                return false;
        }
    }

    /// <summary>The config text of <paramref name="method"/>.</summary>
    public static string Name(MigrationMethod method) => method == MigrationMethod.Sync ? "sync" : "semi-async";
}
