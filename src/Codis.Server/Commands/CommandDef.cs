namespace Codis.Server.Commands;

/// <summary>Runs one command. Arguments, the reply writer and the server are reached through the context.</summary>
public delegate void CommandHandler(CommandContext c);

/// <summary>
/// One entry of the command table: name, arity (positive = exact, negative = minimum, counting the
/// name), flags, key positions (for COMMAND INFO / GETKEYS) and the handler, plus its statistics.
/// </summary>
public sealed class CommandDef(string name, int arity, CommandFlags flags, int firstKey, int lastKey, int step, CommandHandler handler)
{
    /// <summary>Lower-case command name.</summary>
    public string Name { get; } = name;

    /// <summary>The name as bytes (lower-case).</summary>
    public byte[] NameBytes { get; } = System.Text.Encoding.ASCII.GetBytes(name);

    /// <summary>EXEC, which some checks treat by the transaction it runs.</summary>
    public bool IsExec { get; } = name == "exec";

    /// <summary>XREADGROUP, the one blocking command woken by its key's deletion.</summary>
    public bool IsXReadGroup { get; } = name == "xreadgroup";

    /// <summary>Arity as Redis defines it.</summary>
    public int Arity { get; } = arity;

    /// <summary>Flags.</summary>
    public CommandFlags Flags { get; } = flags;

    /// <summary>Position of the first key argument (0 = none).</summary>
    public int FirstKey { get; } = firstKey;

    /// <summary>Position of the last key argument (negative counts from the end).</summary>
    public int LastKey { get; } = lastKey;

    /// <summary>Step between keys.</summary>
    public int Step { get; } = step;

    /// <summary>The implementation.</summary>
    public CommandHandler Handler { get; } = handler;

    /// <summary>
    /// For EVAL and FCALL and their forms: the index of the numkeys argument, the keys following it
    /// (COMMAND INFO's keynum key spec, COMMAND GETKEYS); 0 for other commands.
    /// </summary>
    public int NumKeysIndex { get; init; }

    /// <summary>Subcommands (CONFIG GET, CLIENT LIST...) for COMMAND DOCS/INFO; null when none.</summary>
    public string[]? SubCommands { get; init; }

    /// <summary>Number of calls (INFO commandstats).</summary>
    public long Calls;

    /// <summary>Total microseconds spent.</summary>
    public long Microseconds;

    /// <summary>Calls refused before running (arity, OOM, ...).</summary>
    public long RejectedCalls;

    /// <summary>Calls that ran and replied with an error.</summary>
    public long FailedCalls;

    /// <summary>True when <paramref name="f"/> is set.</summary>
    public bool Has(CommandFlags f) => (Flags & f) != 0;

    /// <summary>Resets the statistics (CONFIG RESETSTAT).</summary>
    public void ResetStats()
    {
        Calls = 0;
        Microseconds = 0;
        RejectedCalls = 0;
        FailedCalls = 0;
    }
}
