namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>Request types (the <c>type</c> of a request header). Wire values; append-only.</summary>
internal enum OpCode
{
    Notification = 0,
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetChildren = 8,
    Ping = 11,
    Auth = 100,
    SetWatches = 101,
    CloseSession = -11,
}

/// <summary>Reserved xids: replies carrying them are not answers to a numbered request.</summary>
internal static class Xids
{
    /// <summary>A watch notification.</summary>
    public const int Notification = -1;

    /// <summary>A ping and its reply.</summary>
    public const int Ping = -2;

    /// <summary>An <c>auth</c> packet and its reply.</summary>
    public const int Auth = -4;

    /// <summary>The <c>setWatches</c> packet sent after a reconnection, and its reply.</summary>
    public const int SetWatches = -8;
}

/// <summary>The server's result codes (the <c>err</c> of a reply header). Wire values; append-only.</summary>
public enum ZooKeeperError
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>A server-side failure.</summary>
    SystemError = -1,

    /// <summary>A server-side inconsistency.</summary>
    RuntimeInconsistency = -2,

    /// <summary>The data is inconsistent.</summary>
    DataInconsistency = -3,

    /// <summary>The connection to the server was lost before a reply arrived.</summary>
    ConnectionLoss = -4,

    /// <summary>A request or reply could not be encoded or decoded.</summary>
    MarshallingError = -5,

    /// <summary>The operation is not implemented by the server.</summary>
    Unimplemented = -6,

    /// <summary>The operation timed out.</summary>
    OperationTimeout = -7,

    /// <summary>Invalid arguments.</summary>
    BadArguments = -8,

    /// <summary>The session is unknown to the server.</summary>
    UnknownSession = -12,

    /// <summary>An API error.</summary>
    ApiError = -100,

    /// <summary>The node does not exist.</summary>
    NoNode = -101,

    /// <summary>The caller's credentials do not allow the operation.</summary>
    NoAuth = -102,

    /// <summary>The expected version did not match.</summary>
    BadVersion = -103,

    /// <summary>Ephemeral nodes cannot have children.</summary>
    NoChildrenForEphemerals = -108,

    /// <summary>The node already exists.</summary>
    NodeExists = -110,

    /// <summary>The node has children.</summary>
    NotEmpty = -111,

    /// <summary>The session expired.</summary>
    SessionExpired = -112,

    /// <summary>An invalid callback.</summary>
    InvalidCallback = -113,

    /// <summary>An invalid ACL.</summary>
    InvalidAcl = -114,

    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,

    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,

    /// <summary>A read-only server refused a write.</summary>
    NotReadOnly = -119,

    /// <summary>Ephemeral nodes need a global session.</summary>
    EphemeralOnLocalSession = -120,

    /// <summary>No such watcher.</summary>
    NoWatcher = -121,

    /// <summary>The request timed out.</summary>
    RequestTimeout = -122,

    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = -125,

    /// <summary>The server is throttling requests.</summary>
    Throttled = -127,
}

/// <summary>ACL permission bits.</summary>
[Flags]
public enum ZooKeeperPerms
{
    /// <summary>No permission.</summary>
    None = 0,

    /// <summary>Read the data and list the children.</summary>
    Read = 1,

    /// <summary>Set the data.</summary>
    Write = 2,

    /// <summary>Create children.</summary>
    Create = 4,

    /// <summary>Delete children.</summary>
    Delete = 8,

    /// <summary>Set the ACL.</summary>
    Admin = 16,

    /// <summary>Everything.</summary>
    All = Read | Write | Create | Delete | Admin,
}

/// <summary>How a node is created (the <c>flags</c> of a create request). Wire values.</summary>
public enum ZooKeeperCreateMode
{
    /// <summary>A node that stays until deleted.</summary>
    Persistent = 0,

    /// <summary>A node deleted when the creating session ends.</summary>
    Ephemeral = 1,

    /// <summary>A persistent node whose name gets a 10-digit counter appended by the server.</summary>
    PersistentSequential = 2,

    /// <summary>An ephemeral node whose name gets a 10-digit counter appended by the server.</summary>
    EphemeralSequential = 3,
}

/// <summary>What a watch notification reports. Wire values.</summary>
public enum ZooKeeperEventType
{
    /// <summary>No node event: the session state changed (expired, closed).</summary>
    None = -1,

    /// <summary>The watched node was created.</summary>
    NodeCreated = 1,

    /// <summary>The watched node was deleted.</summary>
    NodeDeleted = 2,

    /// <summary>The watched node's data changed.</summary>
    NodeDataChanged = 3,

    /// <summary>The watched node's children changed.</summary>
    NodeChildrenChanged = 4,
}

/// <summary>The session state carried by a watch notification. Wire values.</summary>
public enum ZooKeeperSessionState
{
    /// <summary>Disconnected from the server.</summary>
    Disconnected = 0,

    /// <summary>Connected.</summary>
    SyncConnected = 3,

    /// <summary>Authentication failed.</summary>
    AuthFailed = 4,

    /// <summary>The session expired: ephemeral nodes are gone and every watch fired.</summary>
    Expired = -112,

    /// <summary>The client was closed.</summary>
    Closed = 7,
}

/// <summary>One ACL entry: permissions granted to an identity (<c>world:anyone</c>, <c>digest:user:hash</c>...).</summary>
/// <param name="Perms">Granted permissions.</param>
/// <param name="Scheme">Authentication scheme: <c>world</c>, <c>digest</c>, <c>auth</c>, <c>ip</c>...</param>
/// <param name="Id">Identity within the scheme.</param>
public sealed record ZooKeeperAcl(ZooKeeperPerms Perms, string Scheme, string Id)
{
    /// <summary>Everyone: <c>world:anyone</c>.</summary>
    public static ZooKeeperAcl World(ZooKeeperPerms perms) => new(perms, "world", "anyone");

    /// <summary>
    /// The digest identity of <paramref name="user"/>: <c>user:base64(sha1("user:password"))</c>, which is what
    /// the server derives from an <c>auth digest user:password</c> packet.
    /// </summary>
    public static ZooKeeperAcl Digest(ZooKeeperPerms perms, string user, string password)
    {
        byte[] hash = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(user + ":" + password));
        return new(perms, "digest", user + ":" + Convert.ToBase64String(hash));
    }
}

/// <summary>A node's metadata as the server reports it.</summary>
/// <param name="Czxid">Transaction that created the node.</param>
/// <param name="Mzxid">Transaction that last modified the data.</param>
/// <param name="Ctime">Creation time, unix milliseconds.</param>
/// <param name="Mtime">Last modification time, unix milliseconds.</param>
/// <param name="Version">Data version.</param>
/// <param name="Cversion">Children version.</param>
/// <param name="Aversion">ACL version.</param>
/// <param name="EphemeralOwner">Owning session of an ephemeral node, 0 otherwise.</param>
/// <param name="DataLength">Data length in bytes.</param>
/// <param name="NumChildren">Number of children.</param>
/// <param name="Pzxid">Transaction that last changed the children.</param>
public sealed record ZooKeeperStat(long Czxid, long Mzxid, long Ctime, long Mtime, int Version, int Cversion,
    int Aversion, long EphemeralOwner, int DataLength, int NumChildren, long Pzxid);

/// <summary>A watch firing: a node event, or a session state change (<see cref="ZooKeeperEventType.None"/>).</summary>
/// <param name="Type">What happened to the node.</param>
/// <param name="State">The session state.</param>
/// <param name="Path">The watched node.</param>
public sealed record ZooKeeperWatchEvent(ZooKeeperEventType Type, ZooKeeperSessionState State, string Path);

/// <summary>A node's data and metadata, and the watch when one was asked for.</summary>
/// <param name="Data">The node's bytes (empty for a node created without data).</param>
/// <param name="Stat">Metadata.</param>
/// <param name="Watch">Completes once when the node changes or is deleted, or the session ends; null when no watch was set.</param>
public sealed record ZooKeeperData(byte[] Data, ZooKeeperStat Stat, Task<ZooKeeperWatchEvent>? Watch);

/// <summary>A node's child names (not full paths), and the watch when one was asked for.</summary>
/// <param name="Children">Child names in server order.</param>
/// <param name="Watch">Completes once when children are added or removed, the node is deleted, or the session ends.</param>
public sealed record ZooKeeperChildren(IReadOnlyList<string> Children, Task<ZooKeeperWatchEvent>? Watch);

/// <summary>Whether a node exists, and the watch when one was asked for.</summary>
/// <param name="Stat">Metadata, or null when the node does not exist.</param>
/// <param name="Watch">Completes once when the node is created, changed or deleted, or the session ends.</param>
public sealed record ZooKeeperExists(ZooKeeperStat? Stat, Task<ZooKeeperWatchEvent>? Watch);

/// <summary>Encodes request bodies (after the request header).</summary>
internal static class Requests
{
    /// <summary>
    /// protocolVersion 0, lastZxidSeen, timeOut (ms), sessionId (0 for a new session), passwd (16 zero bytes for a
    /// new session), then the readOnly flag newer servers read when present.
    /// </summary>
    public static byte[] Connect(long lastZxid, int timeoutMs, long sessionId, byte[] password) =>
        new JuteWriter().Int(0).Long(lastZxid).Int(timeoutMs).Long(sessionId).Buffer(password).Bool(false).ToFrame();

    public static JuteWriter Header(int xid, OpCode op) => new JuteWriter().Int(xid).Int((int)op);

    public static byte[] Auth(string scheme, byte[] credential) =>
        Header(Xids.Auth, OpCode.Auth).Int(0).String(scheme).Buffer(credential).ToFrame();

    public static byte[] Ping() => Header(Xids.Ping, OpCode.Ping).ToFrame();

    public static byte[] SetWatches(long relativeZxid, IReadOnlyCollection<string> data, IReadOnlyCollection<string> exist, IReadOnlyCollection<string> child) =>
        Header(Xids.SetWatches, OpCode.SetWatches).Long(relativeZxid).Strings(data).Strings(exist).Strings(child).ToFrame();

    public static byte[] Create(int xid, string path, byte[] data, IReadOnlyList<ZooKeeperAcl> acl, ZooKeeperCreateMode mode) =>
        Header(xid, OpCode.Create).String(path).Buffer(data).Acls(acl).Int((int)mode).ToFrame();

    public static byte[] Delete(int xid, string path, int version) =>
        Header(xid, OpCode.Delete).String(path).Int(version).ToFrame();

    public static byte[] PathWatch(int xid, OpCode op, string path, bool watch) =>
        Header(xid, op).String(path).Bool(watch).ToFrame();

    public static byte[] SetData(int xid, string path, byte[] data, int version) =>
        Header(xid, OpCode.SetData).String(path).Buffer(data).Int(version).ToFrame();

    public static byte[] CloseSession(int xid) => Header(xid, OpCode.CloseSession).ToFrame();
}

/// <summary>A decoded reply header; the body follows in <see cref="Body"/>.</summary>
/// <param name="Xid">The request's xid, or a reserved one (<see cref="Xids"/>).</param>
/// <param name="Zxid">The server's last transaction id when it replied.</param>
/// <param name="Error">Result code.</param>
/// <param name="Body">Reader positioned after the header.</param>
internal sealed record Reply(int Xid, long Zxid, ZooKeeperError Error, JuteReader Body)
{
    public static Reply Parse(byte[] frame)
    {
        var r = new JuteReader(frame);
        return new Reply(r.Int(), r.Long(), (ZooKeeperError)r.Int(), r);
    }
}

/// <summary>The server's answer to a connect request.</summary>
/// <param name="TimeoutMs">Negotiated session timeout; 0 or less means the session expired.</param>
/// <param name="SessionId">The session.</param>
/// <param name="Password">The session password, needed to resume the session on another connection.</param>
internal sealed record ConnectResponse(int TimeoutMs, long SessionId, byte[] Password)
{
    public static ConnectResponse Parse(byte[] frame)
    {
        var r = new JuteReader(frame);
        _ = r.Int(); // protocol version
        int timeout = r.Int();
        long session = r.Long();
        byte[] password = r.Buffer() ?? [];
        // A trailing readOnly flag follows on servers that support read-only mode; it is not needed here.
        return new ConnectResponse(timeout, session, password);
    }
}
