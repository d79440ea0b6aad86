using System.Globalization;

namespace Codis.TestSupport;

/// <summary>
/// Which process listens on a local TCP port, read from Linux's /proc: a port chosen free and then answered is
/// not proof that the server we started answered, since on a shared machine another process may take the port
/// between <see cref="FreePort.Get"/> and the server's bind.
/// </summary>
public static class PortOwner
{
    /// <summary>
    /// True when <paramref name="pid"/> or one of its descendants holds a listening socket on
    /// <paramref name="port"/>; false when none does; null when /proc cannot tell (not Linux).
    /// </summary>
    public static bool? ListensOn(int pid, int port)
    {
        if (!File.Exists("/proc/net/tcp"))
            return null;
        HashSet<string> inodes = ListeningInodes(port);
        if (inodes.Count == 0)
            return false;
        foreach (int p in SelfAndDescendants(pid))
        {
            try
            {
                foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{p}/fd"))
                {
                    string? target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                        && inodes.Contains(target["socket:[".Length..^1]))
                        return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended or closed the descriptor while we read.
            }
        }
        return false;
    }

    /// <summary>Socket inodes in state LISTEN (0A) on the local port, IPv4 and IPv6.</summary>
    private static HashSet<string> ListeningInodes(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        string hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (string table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            if (!File.Exists(table))
                continue;
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[1].EndsWith(hexPort, StringComparison.Ordinal) && f[3] == "0A")
                    inodes.Add(f[9]);
            }
        }
        return inodes;
    }

    /// <summary>The process and its descendants, from each process's parent in /proc/N/stat.</summary>
    private static List<int> SelfAndDescendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int p))
                continue;
            try
            {
                // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                int parent = int.Parse(rest[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out List<int>? list))
                    children[parent] = list = [];
                list.Add(p);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we read.
            }
        }
        var all = new List<int> { pid };
        for (int i = 0; i < all.Count; i++)
        {
            if (children.TryGetValue(all[i], out List<int>? list))
                all.AddRange(list);
        }
        return all;
    }
}
