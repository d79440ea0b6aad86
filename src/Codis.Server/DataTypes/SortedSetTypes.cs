namespace Codis.Server.DataTypes;

/// <summary>A member of a <see cref="SortedSet"/> with its score.</summary>
public readonly record struct SortedSetEntry(byte[] Member, double Score);

/// <summary>ZADD's condition options (Redis <c>ZADD_IN_*</c>).</summary>
[Flags]
public enum ZAddFlags
{
    /// <summary>Add or update unconditionally.</summary>
    None = 0,

    /// <summary>INCR: the score is an increment over the current score (0 when absent).</summary>
    Incr = 1,

    /// <summary>NX: only add new members.</summary>
    Nx = 2,

    /// <summary>XX: only update existing members.</summary>
    Xx = 4,

    /// <summary>GT: only update when the new score is greater.</summary>
    Gt = 8,

    /// <summary>LT: only update when the new score is less.</summary>
    Lt = 16,
}

/// <summary>What <see cref="SortedSet.Add"/> did (Redis <c>ZADD_OUT_*</c>).</summary>
public enum ZAddOutcome
{
    /// <summary>The member was new and has been inserted.</summary>
    Added,

    /// <summary>The member existed and its score changed.</summary>
    Updated,

    /// <summary>The member existed and the score stayed the same (ZADD INCR still replies the score).</summary>
    Unchanged,

    /// <summary>A condition (NX, XX, GT, LT) prevented the operation (ZADD INCR replies nil).</summary>
    Skipped,

    /// <summary>The score, or the incremented score, is NaN; nothing changed.</summary>
    NotANumber,
}
