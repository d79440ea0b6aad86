using Codis.Server.Clients;
using Codis.Server.Keyspace;

namespace Codis.Server;

/// <summary>maxmemory: measuring memory and evicting keys before a command that may grow it.</summary>
public sealed partial class ServerContext
{
    /// <summary>Bytes in use as INFO used_memory reports it.</summary>
    public long UsedMemory() => GC.GetTotalMemory(false);

    /// <summary>
    /// True when a command flagged deny-oom may run: no maxmemory, or memory is (or could be brought,
    /// by evicting keys under the configured policy) below the limit.
    /// </summary>
    private bool HasMemoryFor(Client client)
    {
        if (Config.MaxMemory <= 0 || client.IsMaster)
            return true;
        return Evictor.FreeMemoryIfNeeded(this);
    }
}
