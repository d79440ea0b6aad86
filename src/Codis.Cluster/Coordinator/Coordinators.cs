using Codis.Cluster.Coordinator.Etcd;
using Codis.Cluster.Coordinator.FileSystem;
using Codis.Cluster.Coordinator.ZooKeeper;

namespace Codis.Cluster.Coordinator;

/// <summary>Creates a coordinator client by name (coordinator.md §1).</summary>
public static class Coordinators
{
    /// <summary>The timeout the dashboard, fe, admin and proxy bootstrap use.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <paramref name="name"/>: <c>zk</c>/<c>zookeeper</c>, <c>etcd</c>, <c>fs</c>/<c>filesystem</c>;
    /// <paramref name="address"/>: a comma-separated <c>host:port</c> list, or the root folder;
    /// <paramref name="auth"/>: <c>user:password</c> or empty (ignored by the filesystem);
    /// <paramref name="timeout"/>: session timeout / per-call timeout and lease; zero or less means 5 s.
    /// </summary>
    /// <exception cref="CoordinatorException"><c>invalid coordinator name = X</c>, <c>invalid auth</c>, or a connection failure.</exception>
    public static ICoordinator Create(string name, string address, string auth, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            timeout = TimeSpan.FromSeconds(5);
        switch (name)
        {
            case "zk" or "zookeeper":
                return new ZooKeeperCoordinator(address, ParseAuth(auth), timeout);
            case "etcd":
                return new EtcdCoordinator(address, ParseAuth(auth), timeout);
            case "fs" or "filesystem":
                return new FileSystemCoordinator(address);
            default:
                throw new CoordinatorException($"invalid coordinator name = {name}");
        }
    }

    /// <summary><c>user:password</c> → (user, password); empty → null.</summary>
    /// <exception cref="CoordinatorException"><c>invalid auth</c>: no <c>:</c>, or an empty user.</exception>
    public static (string User, string Password)? ParseAuth(string auth)
    {
        if (string.IsNullOrEmpty(auth))
            return null;
        int colon = auth.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            throw new CoordinatorException("invalid auth");
        return (auth[..colon], auth[(colon + 1)..]);
    }
}
