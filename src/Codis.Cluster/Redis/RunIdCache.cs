namespace Codis.Cluster.Redis;

/// <summary>
/// The <c>run_id</c> of servers, looked up once per address for one master switch (ha.md §4.1, §4.2): two
/// addresses are the same instance when they report the same non-empty run_id, e.g. a sentinel that names a
/// master by another of its addresses. Each lookup authenticates with <c>product_auth</c> and has its own
/// short deadline; a server that does not answer in time has the empty run_id, which never matches.
/// </summary>
public sealed class RunIdCache(string auth, TimeSpan timeout)
{
    /// <summary>The deadline of one lookup that Codis uses (100 ms).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

    /// <summary>The server's run_id, or "" when it cannot be had in time (unreachable, refused AUTH, no such field).</summary>
    public async Task<string> GetAsync(string addr)
    {
        if (_ids.TryGetValue(addr, out string? id))
            return id;
        id = "";
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await using RespClient c = await RespClient.ConnectAsync(addr, cts.Token).ConfigureAwait(false);
            if (auth.Length > 0)
                await c.CommandAsync(cts.Token, "AUTH", auth).ConfigureAwait(false);
            id = Field(await c.CommandAsync(cts.Token, "INFO", "server").ConfigureAwait(false) as string ?? "", "run_id");
        }
        catch (Exception e) when (e is IOException or RespErrorException or OperationCanceledException or FormatException)
        {
            id = "";
        }
        _ids[addr] = id;
        return id;
    }

    /// <summary>True when both addresses are the same instance: the same address, or the same non-empty run_id.</summary>
    public async Task<bool> SameInstanceAsync(string a, string b)
    {
        if (a == b)
            return true;
        string id = await GetAsync(a).ConfigureAwait(false);
        return id.Length > 0 && id == await GetAsync(b).ConfigureAwait(false);
    }

    /// <summary>The value of one <c>name:value</c> line of an INFO reply, or "".</summary>
    public static string Field(string info, string name)
    {
        foreach (string raw in info.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.Ordinal))
                return line[(name.Length + 1)..].Trim();
        }
        return "";
    }
}
