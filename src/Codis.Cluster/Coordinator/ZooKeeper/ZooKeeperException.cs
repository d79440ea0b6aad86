namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>
/// A ZooKeeper call failed. The message starts with the error as Go's ZooKeeper client words it
/// (<c>zk: node already exists</c>) and names the operation and path, e.g.
/// <c>zk: node already exists (create /codis3/demo/topom)</c>.
/// </summary>
public class ZooKeeperException : CoordinatorException
{
    /// <summary>An error for <paramref name="error"/>; <paramref name="detail"/> replaces the standard wording when given.</summary>
    public ZooKeeperException(ZooKeeperError error, string operation, string path, string? detail = null, Exception? inner = null)
        : base(Format(error, operation, path, detail), inner)
    {
        Error = error;
        Operation = operation;
        Path = path;
    }

    /// <summary>The result code.</summary>
    public ZooKeeperError Error { get; }

    /// <summary>The operation (<c>create</c>, <c>get</c>, <c>connect</c>...).</summary>
    public string Operation { get; }

    /// <summary>The node path, or the server list for connection errors.</summary>
    public string Path { get; }

    /// <summary>The standard wording of <paramref name="error"/>.</summary>
    public static string Describe(ZooKeeperError error) => error switch
    {
        ZooKeeperError.NoNode => "zk: node does not exist",
        ZooKeeperError.NodeExists => "zk: node already exists",
        ZooKeeperError.NoAuth => "zk: not authenticated",
        ZooKeeperError.BadVersion => "zk: version conflict",
        ZooKeeperError.NotEmpty => "zk: node has children",
        ZooKeeperError.NoChildrenForEphemerals => "zk: ephemeral nodes cannot have children",
        ZooKeeperError.SessionExpired => "zk: session has been expired by the server",
        ZooKeeperError.AuthFailed => "zk: client authentication failed",
        ZooKeeperError.InvalidAcl => "zk: invalid ACL specified",
        ZooKeeperError.BadArguments => "zk: bad arguments (is the path valid?)",
        ZooKeeperError.ConnectionLoss => "zk: connection lost before the reply arrived",
        ZooKeeperError.OperationTimeout or ZooKeeperError.RequestTimeout => "zk: request timed out",
        ZooKeeperError.SessionMoved => "zk: session moved to another server",
        ZooKeeperError.MarshallingError => "zk: malformed packet",
        ZooKeeperError.Unimplemented => "zk: operation not implemented by the server",
        ZooKeeperError.Throttled => "zk: the server is throttling requests",
        ZooKeeperError.QuotaExceeded => "zk: quota exceeded",
        _ => $"zk: server error {error} ({(int)error})",
    };

    private static string Format(ZooKeeperError error, string operation, string path, string? detail) =>
        $"{detail ?? Describe(error)} ({operation} {path})";
}

/// <summary>The server sent bytes that are not a valid packet; the connection is dropped and re-established.</summary>
public sealed class ZooKeeperProtocolException(string message) : CoordinatorException(message);
