using System.Globalization;

namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>How a <see cref="ZooKeeperClient"/> connects.</summary>
public sealed record ZooKeeperClientOptions
{
    /// <summary>The ZooKeeper port used when a server entry has none.</summary>
    public const int DefaultPort = 2181;

    /// <summary>Comma-separated <c>host:port</c> list; the client tries them in order and moves on when one fails.</summary>
    public required string Servers { get; init; }

    /// <summary>The session timeout asked for; the server may negotiate it into its own bounds.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one call may take, waiting for a connection included; null means <see cref="SessionTimeout"/>.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Credentials sent in an <c>auth</c> packet on every (re)connection, e.g. (<c>digest</c>, <c>user:password</c>).</summary>
    public IReadOnlyList<(string Scheme, string Credential)> Auth { get; init; } = [];

    /// <summary>The parsed server list.</summary>
    /// <exception cref="CoordinatorException">An empty list, or an entry with a bad port.</exception>
    internal IReadOnlyList<(string Host, int Port)> ParseServers()
    {
        var list = new List<(string, int)>();
        foreach (string raw in Servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = raw.LastIndexOf(':');
            // "host" alone gets the default port; a bracketed IPv6 literal keeps its colons.
            if (colon < 0 || raw.EndsWith(']'))
            {
                list.Add((raw.Trim('[', ']'), DefaultPort));
                continue;
            }
            string host = raw[..colon].Trim('[', ']');
            if (host.Length == 0 || !int.TryParse(raw[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                throw new CoordinatorException($"zk: invalid server address '{raw}' in '{Servers}': expected host:port");
            list.Add((host, port));
        }
        return list.Count > 0 ? list : throw new CoordinatorException($"zk: no server address in '{Servers}'");
    }
}
