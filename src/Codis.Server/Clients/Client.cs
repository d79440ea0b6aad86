using Codis.Core.Resp;
using Codis.Server.Commands;
using Codis.Server.DataTypes;

namespace Codis.Server.Clients;

/// <summary>How a connection is told to send what was written for it, or to close.</summary>
public interface IClientTransport
{
    /// <summary>Asks for the client's pending output to be sent soon (called under the server lock).</summary>
    void RequestFlush();

    /// <summary>Closes the connection after pending output is sent (or at once when <paramref name="now"/>).</summary>
    void Close(bool now);
}

/// <summary>Reply mode of CLIENT REPLY.</summary>
public enum ReplyMode
{
    /// <summary>Replies are sent.</summary>
    On,

    /// <summary>No replies.</summary>
    Off,

    /// <summary>The next reply is skipped.</summary>
    Skip,
}

/// <summary>
/// The state of one client connection that commands see: database, authentication, transaction,
/// subscriptions, blocking, and its output buffer. Mutated only under the server lock.
/// </summary>
public sealed class Client
{
    private static long s_nextId;

    /// <summary>Creates a client.</summary>
    public Client(IClientTransport transport, string address, string localAddress, long nowMs)
    {
        Transport = transport;
        Id = Interlocked.Increment(ref s_nextId);
        Address = address;
        LocalAddress = localAddress;
        CreatedMs = nowMs;
        LastInteractionMs = nowMs;
        Context = new CommandContext(this);
    }

    /// <summary>The connection.</summary>
    public IClientTransport Transport { get; }

    /// <summary>Unique id (CLIENT ID).</summary>
    public long Id { get; }

    /// <summary>Peer address "ip:port".</summary>
    public string Address { get; }

    /// <summary>Local address "ip:port".</summary>
    public string LocalAddress { get; }

    /// <summary>Connection time, unix ms.</summary>
    public long CreatedMs { get; }

    /// <summary>Last command time, unix ms.</summary>
    public long LastInteractionMs { get; set; }

    /// <summary>CLIENT SETNAME name, or "".</summary>
    public string Name { get; set; } = "";

    /// <summary>Library name and version (CLIENT SETINFO / HELLO).</summary>
    public string LibName { get; set; } = "";

    /// <summary>The selected database.</summary>
    public int DbIndex { get; set; }

    /// <summary>True once AUTH succeeded or when no password is required.</summary>
    public bool Authenticated { get; set; }

    /// <summary>Output waiting to be sent.</summary>
    public ReplyWriter Output { get; set; } = new(4096);

    /// <summary>The reusable context in which this client's commands run.</summary>
    public CommandContext Context { get; }

    /// <summary>CLIENT REPLY mode.</summary>
    public ReplyMode ReplyMode { get; set; }

    /// <summary>Name of the last command (CLIENT LIST cmd=).</summary>
    public string LastCommand { get; set; } = "NULL";

    /// <summary>True while in MULTI.</summary>
    public bool InMulti { get; set; }

    /// <summary>Commands queued by MULTI.</summary>
    public List<(CommandDef Command, ArgList Args)> MultiQueue { get; } = [];

    /// <summary>A command failed to queue: EXEC aborts.</summary>
    public bool MultiError { get; set; }

    /// <summary>A watched key changed: EXEC fails.</summary>
    public bool DirtyCas { get; set; }

    /// <summary>Keys watched by WATCH: (database, key).</summary>
    public List<(int Db, byte[] Key)> WatchedKeys { get; } = [];

    /// <summary>Channels subscribed to.</summary>
    public HashSet<byte[]> Channels { get; } = new(ByteArrayComparer.Instance);

    /// <summary>Patterns subscribed to.</summary>
    public HashSet<byte[]> Patterns { get; } = new(ByteArrayComparer.Instance);

    /// <summary>Number of subscriptions.</summary>
    public int SubscriptionCount => Channels.Count + Patterns.Count;

    /// <summary>Non-null while blocked on keys (BLPOP and friends).</summary>
    public BlockedState? Blocked { get; set; }

    /// <summary>True for MONITOR clients.</summary>
    public bool IsMonitor { get; set; }

    /// <summary>True for a replica connection (set by replication).</summary>
    public bool IsReplica { get; set; }

    /// <summary>True for the connection to our master (set by replication).</summary>
    public bool IsMaster { get; set; }

    /// <summary>CLIENT NO-EVICT.</summary>
    public bool NoEvict { get; set; }

    /// <summary>CLIENT NO-TOUCH.</summary>
    public bool NoTouch { get; set; }

    /// <summary>Marked for closing once its output is written (QUIT, CLIENT KILL).</summary>
    public bool CloseRequested { get; set; }

    /// <summary>Bytes of the query buffer (CLIENT LIST qbuf=).</summary>
    public int QueryBufferLength { get; set; }

    /// <summary>Protocol version (2 or 3).</summary>
    public int Protocol
    {
        get => Output.Protocol;
        set => Output.Protocol = value;
    }

    /// <summary>Appends output produced outside this client's own command (pub/sub, unblocking) and asks for a flush.</summary>
    public void Wake() => Transport.RequestFlush();
}

/// <summary>What a client blocked on keys waits for.</summary>
public sealed class BlockedState
{
    /// <summary>The command to re-run when a key is ready.</summary>
    public required CommandDef Command { get; init; }

    /// <summary>Its arguments (owned copy).</summary>
    public required ArgList Args { get; init; }

    /// <summary>The database of the keys.</summary>
    public required int Db { get; init; }

    /// <summary>The keys waited on.</summary>
    public required List<byte[]> Keys { get; init; }

    /// <summary>Absolute deadline in unix ms (0 = forever).</summary>
    public required long DeadlineMs { get; init; }

    /// <summary>The reply on timeout is a null array (true) or a null bulk (false).</summary>
    public required bool NullArrayOnTimeout { get; init; }

    /// <summary>Completed when the client is unblocked (served, timed out or killed).</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The timeout timer, disposed on unblock.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>
    /// True when the client waits for a reply that another part of the server writes later (a sync slot
    /// migration's transfer, an async migration batch and its FENCE callers), not for keys: not counted in <c>blocked_clients</c> and
    /// not released by CLIENT UNBLOCK.
    /// </summary>
    public bool DeferredReply { get; init; }
}
