namespace Codis.Dashboard.Slots;

/// <summary>
/// The dashboard's migration keys (config.md §2): <c>migration_method</c>, <c>migration_async_maxbulks</c>,
/// <c>migration_async_maxbytes</c>, <c>migration_async_numkeys</c>, <c>migration_timeout</c>
/// (<c>migration_parallel_slots</c> belongs to the action loop, not to one call).
/// </summary>
public sealed record MigrationSettings
{
    /// <summary>Sync or semi-async.</summary>
    public MigrationMethod Method { get; init; } = MigrationMethod.SemiAsync;

    /// <summary>Async: most bulks (messages) per call.</summary>
    public int MaxBulks { get; init; } = 200;

    /// <summary>Async: most bytes per call (the server caps it further, server.md §6.1).</summary>
    public long MaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Async: most keys per call.</summary>
    public int NumKeys { get; init; } = 500;

    /// <summary>The sync command's timeout and every executor connection's read/write/connect timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Async: the timeout argument, at most 5 s.</summary>
    public TimeSpan AsyncTimeout => Timeout < TimeSpan.FromSeconds(5) ? Timeout : TimeSpan.FromSeconds(5);
}
