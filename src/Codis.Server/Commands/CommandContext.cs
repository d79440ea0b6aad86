using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Config;
using Codis.Server.Keyspace;

namespace Codis.Server.Commands;

/// <summary>
/// Everything a command handler works with: the arguments, the reply writer, the client, its database
/// and the server. One per client, reused for every command (no allocation per command).
/// </summary>
public sealed class CommandContext(Client client)
{
    /// <summary>The calling client.</summary>
    public Client Client { get; } = client;

    /// <summary>The server.</summary>
    public ServerContext Server { get; internal set; } = null!;

    /// <summary>The arguments, the command name at index 0.</summary>
    public ArgList Args { get; internal set; } = null!;

    /// <summary>The command being run.</summary>
    public CommandDef Command { get; internal set; } = null!;

    /// <summary>Where the reply goes.</summary>
    public ReplyWriter Reply => Client.Output;

    /// <summary>The client's selected database.</summary>
    public Database Db => Server.Databases[Client.DbIndex];

    /// <summary>The server's clock for this command (unix ms).</summary>
    public long Now => Server.Now;

    /// <summary>Number of arguments including the name.</summary>
    public int Count => Args.Count;

    /// <summary>True when the command runs because a blocked client is being served again.</summary>
    public bool Reprocessing { get; internal set; }

    // What replicas and the AOF get instead of the command's own arguments: the first
    // _propagatedCount entries (reused from command to command); -1 for the arguments themselves.
    private readonly List<ArgList> _propagated = [];
    private int _propagatedCount = -1;

    /// <summary>
    /// Propagates <paramref name="args"/> instead of the command's own arguments, when its effect is not
    /// deterministic (SPOP propagates the SREM of what it popped, XADD * the ID it generated).
    /// </summary>
    public void PropagateAs(params ReadOnlySpan<byte[]> args)
    {
        _propagatedCount = 0;
        PropagateAlso(args);
    }

    /// <summary>
    /// Adds a command to what is propagated instead of the arguments, when one command's effect takes
    /// several (XREADGROUP propagates an XCLAIM per delivered entry).
    /// </summary>
    public void PropagateAlso(params ReadOnlySpan<byte[]> args)
    {
        PropagateNothing();
        if (_propagatedCount == _propagated.Count)
            _propagated.Add(new ArgList());
        _propagated[_propagatedCount++].Set(args);
    }

    /// <summary>Propagates nothing unless <see cref="PropagateAlso"/> adds something (Redis's preventCommandPropagation).</summary>
    public void PropagateNothing()
    {
        if (_propagatedCount < 0)
            _propagatedCount = 0;
    }

    /// <summary>
    /// Hands what the command propagates to the server's propagation (when it wrote), then forgets it:
    /// the arguments, or what <see cref="PropagateAs"/>/<see cref="PropagateAlso"/> set instead.
    /// </summary>
    internal void Propagate(ServerContext server, bool wrote)
    {
        if (wrote)
        {
            if (_propagatedCount < 0)
                server.PropagateWrite(Client.DbIndex, Args, alone: true);
            for (int i = 0; i < _propagatedCount; i++)
                server.PropagateWrite(Client.DbIndex, _propagated[i], alone: _propagatedCount == 1);
        }
        _propagatedCount = -1;
    }

    /// <summary>
    /// Ends a blocked client's wait with an error (XREADGROUP whose key or group went away); other errors
    /// of a command served again leave it blocked.
    /// </summary>
    public void FailBlocked(string error)
    {
        Error(error);
        BlockFailed = true;
    }

    /// <summary>True when <see cref="FailBlocked"/> ended the wait.</summary>
    internal bool BlockFailed { get; set; }

    /// <summary>True while a script runs the command (XREAD refuses BLOCK there).</summary>
    public bool InScript { get; internal set; }

    /// <summary>True inside EXEC (blocking commands then do not block).</summary>
    public bool InExec { get; internal set; }

    /// <summary>Argument <paramref name="i"/>.</summary>
    public ReadOnlySpan<byte> this[int i] => Args[i];

    /// <summary>Argument <paramref name="i"/> as a new array (for storing).</summary>
    public byte[] ArgArray(int i) => Args.ToArray(i);

    /// <summary>Argument <paramref name="i"/> as text (UTF-8).</summary>
    public string ArgString(int i) => Encoding.UTF8.GetString(Args[i]);

    /// <summary>True when argument <paramref name="i"/> equals <paramref name="upper"/> ignoring ASCII case.</summary>
    public bool Is(int i, ReadOnlySpan<byte> upper) => EqualsIgnoreCase(Args[i], upper);

    /// <summary>ASCII case-insensitive comparison against an upper-case literal.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upper)
    {
        if (value.Length != upper.Length)
            return false;
        for (int i = 0; i < value.Length; i++)
        {
            byte b = value[i];
            if (b is >= (byte)'a' and <= (byte)'z')
                b = (byte)(b & 0xDF);
            if (b != upper[i])
                return false;
        }
        return true;
    }

    /// <summary>Argument <paramref name="i"/> as a 64-bit integer, or the Redis error.</summary>
    public long Long(int i, string error = Errors.NotInteger)
    {
        if (!TryParseLong(Args[i], out long v))
            Errors.Throw(error);
        return v;
    }

    /// <summary>Argument <paramref name="i"/> as a 32-bit integer (Redis getRangeLongFromObject for int).</summary>
    public int Int(int i, string error = Errors.NotInteger)
    {
        long v = Long(i, error);
        if (v is < int.MinValue or > int.MaxValue)
            Errors.Throw(error);
        return (int)v;
    }

    /// <summary>Argument <paramref name="i"/> as a double, or <c>ERR value is not a valid float</c>.</summary>
    public double Double(int i, string error = Errors.NotFloat)
    {
        if (!TryParseDouble(Args[i], out double v))
            Errors.Throw(error);
        return v;
    }

    /// <summary>Redis's string2ll.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseLong(ReadOnlySpan<byte> s, out long value) => RequestParser.TryParseLong(s, out value);

    /// <summary>
    /// Redis's string2ld/strtod rules for float arguments: no spaces, "inf"/"-inf"/"+inf" allowed,
    /// NaN rejected.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5000 || s[0] == ' ' || s[^1] == ' ')
            return false;
        if (Utf8Parser.TryParse(s, out value, out int used) && used == s.Length && !double.IsNaN(value))
            return true;
        Span<char> chars = stackalloc char[Math.Min(s.Length, 64)];
        if (s.Length > 64)
            return false;
        for (int i = 0; i < s.Length; i++)
            chars[i] = (char)s[i];
        ReadOnlySpan<char> t = chars[..s.Length];
        if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("+inf", StringComparison.OrdinalIgnoreCase)
            || t.Equals("infinity", StringComparison.OrdinalIgnoreCase) || t.Equals("+infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (t.Equals("-inf", StringComparison.OrdinalIgnoreCase) || t.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }
        // Hex floats and other strtod forms are rare; accept what .NET parses as a float.
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value))
            return true;
        return false;
    }

    /// <summary>Writes an error reply (the text includes the code).</summary>
    public void Error(string message) => Reply.Error(message);

    /// <summary>
    /// Marks a key as modified (Redis's signalModifiedKey): invalidates WATCH, wakes clients blocked on
    /// it, and counts a change for persistence.
    /// </summary>
    public void KeyModified(ReadOnlySpan<byte> key, int changes = 1) => Server.KeyModified(Client.DbIndex, key, changes);

    /// <summary>Publishes a keyspace notification for <paramref name="key"/> when enabled.</summary>
    public void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key) => Server.Notify(type, eventName, key, Client.DbIndex);

    /// <summary>
    /// Looks <paramref name="key"/> up for reading and checks its type: null when absent,
    /// <c>WRONGTYPE</c> when it holds another type.
    /// </summary>
    public T? Get<T>(ReadOnlySpan<byte> key) where T : class
    {
        object? v = Db.Lookup(key);
        if (v is null)
            return null;
        return v as T ?? throw new CommandException(Errors.WrongType);
    }

    /// <summary>Like <see cref="Get{T}"/> for writing (no hit/miss statistics).</summary>
    public T? GetForWrite<T>(ReadOnlySpan<byte> key) where T : class
    {
        object? v = Db.LookupWrite(key);
        if (v is null)
            return null;
        return v as T ?? throw new CommandException(Errors.WrongType);
    }

    /// <summary>
    /// Blocks the client on <paramref name="keys"/> until one is modified or the timeout passes
    /// (<paramref name="timeoutMs"/> 0 = forever). Inside MULTI (and while reprocessing) it replies the
    /// timeout value at once instead, as Redis does.
    /// </summary>
    public void Block(List<byte[]> keys, long timeoutMs, bool nullArrayOnTimeout)
    {
        if (InExec || Reprocessing)
        {
            if (!Reprocessing)
            {
                if (nullArrayOnTimeout)
                    Reply.NullArray();
                else
                    Reply.Null();
            }
            return;
        }
        Server.BlockClient(Client, Command, Args, keys, timeoutMs, nullArrayOnTimeout);
    }

    /// <summary>
    /// Parses a blocking timeout in seconds (a float, as Redis 6+) into milliseconds (0 = forever),
    /// with Redis's error texts.
    /// </summary>
    public long BlockingTimeout(int i)
    {
        // Redis parses a long double and truncates seconds*1000 to a long long: -0.0001 and 0.0001 are
        // both 0 (forever), and infinity or anything past the long long range converts to LLONG_MIN,
        // hence "negative".
        if (!DataTypes.LongDouble.TryParse(Args[i], out DataTypes.LongDouble value))
            Errors.Throw("ERR timeout is not a float or out of range");
        if (value.IsInfinity)
            Errors.Throw("ERR timeout is negative");
        double ms = double.Parse(value.ToHumanString(), NumberStyles.Float, CultureInfo.InvariantCulture) * 1000;
        if (ms >= 9.2233720368547758e18 || ms <= -9.2233720368547758e18)
            Errors.Throw("ERR timeout is negative");
        long result = (long)ms;
        if (result < 0)
            Errors.Throw("ERR timeout is negative");
        // Beyond a century the deadline cannot be told from "forever" (and would overflow the timer).
        return result > 3_155_760_000_000L ? 0 : result;
    }
}
