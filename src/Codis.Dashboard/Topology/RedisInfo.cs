using System.Globalization;
using Codis.Cluster.Redis;

namespace Codis.Dashboard.Topology;

/// <summary>INFO of codis-servers and sentinels as string maps (dashboard-api.md §5.2 <c>RedisStats.stats</c>).</summary>
public static class RedisInfo
{
    /// <summary>Every <c>key:value</c> line of an INFO reply (section headers skipped, key and value trimmed), keys sorted.</summary>
    public static SortedDictionary<string, string> Parse(string info)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in info.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                continue;
            map[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return map;
    }

    /// <summary>
    /// INFO of a codis-server (AUTH with product_auth first when set), plus <c>master_addr</c> from
    /// <c>master_host</c>/<c>master_port</c> and <c>maxmemory</c> from <c>CONFIG GET maxmemory</c>.
    /// </summary>
    /// <exception cref="IOException">Connection failure, or <c>invalid response = ...</c> for CONFIG GET.</exception>
    /// <exception cref="RespErrorException">An error reply (e.g. a wrong password).</exception>
    public static async Task<SortedDictionary<string, string>> InfoFullAsync(RespClient c, string auth, CancellationToken ct)
    {
        if (auth.Length > 0)
            await c.CommandAsync(ct, "AUTH", auth).ConfigureAwait(false);
        object? info = await c.CommandAsync(ct, "INFO").ConfigureAwait(false);
        SortedDictionary<string, string> map = Parse(info as string ?? "");
        if (map.TryGetValue("master_host", out string? host) && map.TryGetValue("master_port", out string? port))
            map["master_addr"] = host + ":" + port;
        object? reply = await c.CommandAsync(ct, "CONFIG", "GET", "maxmemory").ConfigureAwait(false);
        if (reply is List<object?> { Count: 2 } l && l[1] is string v && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            map["maxmemory"] = v;
        else
            throw new IOException($"invalid response = {Describe(reply)}");
        return map;
    }

    private static string Describe(object? reply) => reply switch
    {
        null => "<nil>",
        List<object?> l => "[" + string.Join(" ", l.Select(Describe)) + "]",
        _ => reply.ToString() ?? "",
    };
}
