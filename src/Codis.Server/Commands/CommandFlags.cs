namespace Codis.Server.Commands;

/// <summary>Command properties that the dispatcher checks before running a command (Redis's command flags).</summary>
[Flags]
public enum CommandFlags
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Modifies the dataset: refused on a read-only replica.</summary>
    Write = 1 << 0,

    /// <summary>Only reads.</summary>
    ReadOnly = 1 << 1,

    /// <summary>May grow memory: refused with OOM when over maxmemory and nothing can be evicted.</summary>
    DenyOom = 1 << 2,

    /// <summary>Administrative command.</summary>
    Admin = 1 << 3,

    /// <summary>Pub/sub command (allowed in subscribed context).</summary>
    PubSub = 1 << 4,

    /// <summary>Not allowed from scripts.</summary>
    NoScript = 1 << 5,

    /// <summary>Output is random.</summary>
    Random = 1 << 6,

    /// <summary>Allowed while loading the dataset.</summary>
    Loading = 1 << 7,

    /// <summary>Allowed on a stale replica.</summary>
    Stale = 1 << 8,

    /// <summary>O(1) or O(log n).</summary>
    Fast = 1 << 9,

    /// <summary>Not shown to MONITOR.</summary>
    SkipMonitor = 1 << 10,

    /// <summary>Not recorded in the slow log.</summary>
    SkipSlowlog = 1 << 11,

    /// <summary>Allowed before AUTH.</summary>
    NoAuth = 1 << 12,

    /// <summary>May block the client.</summary>
    Blocking = 1 << 13,

    /// <summary>Not allowed inside MULTI (MULTI, WATCH...): handled by the transaction logic.</summary>
    NoMulti = 1 << 14,

    /// <summary>Runs immediately even inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).</summary>
    TransactionControl = 1 << 15,

    /// <summary>Allowed in RESP2 subscribed context (SUBSCRIBE family, PING, QUIT, RESET).</summary>
    AllowedWhileSubscribed = 1 << 16,
}
