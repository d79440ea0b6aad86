using System.Text;
using Codis.Server.DataTypes;

namespace Codis.Server.Commands;

/// <summary>
/// Every command the server knows, looked up by the request's name bytes without allocating: the name
/// is lower-cased into a stack buffer and found through a span lookup.
/// </summary>
public sealed class CommandTable
{
    private readonly Dictionary<byte[], CommandDef> _byName = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], CommandDef>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    /// <summary>Builds the table with every command family.</summary>
    public CommandTable()
    {
        _lookup = _byName.GetAlternateLookup<ReadOnlySpan<byte>>();
        ConnectionCommands.Register(this);
        TransactionCommands.Register(this);
        StringCommands.Register(this);
        BitCommands.Register(this);
        KeyCommands.Register(this);
        HashCommands.Register(this);
        ListCommands.Register(this);
        SetCommands.Register(this);
        SortedSetCommands.Register(this);
        GeoCommands.Register(this);
        StreamCommands.Register(this);
        HyperLogLogCommands.Register(this);
        PubSubCommands.Register(this);
        ServerCommands.Register(this);
        SlotsCommands.Register(this);
        ReplicationCommands.Register(this);
        PersistenceCommands.Register(this);
        ScriptingCommands.Register(this);
        FunctionCommands.Register(this);
    }

    /// <summary>Every command.</summary>
    public IEnumerable<CommandDef> All => _byName.Values;

    /// <summary>Number of commands.</summary>
    public int Count => _byName.Count;

    /// <summary>Adds a command (<paramref name="numKeysIndex"/>: see <see cref="CommandDef.NumKeysIndex"/>).</summary>
    public void Add(string name, int arity, CommandFlags flags, int firstKey, int lastKey, int step, CommandHandler handler, string[]? subCommands = null,
        int numKeysIndex = 0)
    {
        var def = new CommandDef(name, arity, flags, firstKey, lastKey, step, handler) { SubCommands = subCommands, NumKeysIndex = numKeysIndex };
        _byName.Add(def.NameBytes, def);
    }

    /// <summary>The command named <paramref name="name"/> (any case), or null.</summary>
    public CommandDef? Find(ReadOnlySpan<byte> name)
    {
        // Pipelines repeat one command: try the last one found first (a case-insensitive compare of a
        // few bytes instead of lower-casing and hashing).
        CommandDef? last = _last;
        if (last is not null && Ascii.EqualsIgnoreCase(name, last.NameBytes))
            return last;
        CommandDef? def = FindUncached(name);
        if (def is not null)
            _last = def;
        return def;
    }

    private CommandDef? _last;

    private CommandDef? FindUncached(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
            return null;
        Span<byte> lower = stackalloc byte[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            byte b = name[i];
            lower[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }
        return _lookup.TryGetValue(lower, out CommandDef? def) ? def : null;
    }
}
