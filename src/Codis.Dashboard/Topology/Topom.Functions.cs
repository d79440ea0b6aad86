using System.Collections.Concurrent;
using Codis.Cluster.Redis;
using Codis.Dashboard.Slots;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Topology;

public sealed partial class Topom
{
    // Servers already reported as not knowing FUNCTION: said once, not once per slot.
    private readonly ConcurrentDictionary<string, byte> _functionsUnsupported = new(StringComparer.Ordinal);
    private FunctionCopier? _functionCopier;

    private FunctionCopier FunctionCopier => LazyInitializer.EnsureInitialized(ref _functionCopier, () => new FunctionCopier(Config.ProductAuth));

    /// <summary>
    /// Before slots move to group <paramref name="toGid"/>: FCALL on the moved keys will run on its master, so
    /// it gets the libraries of <paramref name="fromGid"/>'s master first (FUNCTION DUMP there, RESTORE ...
    /// REPLACE here). Nothing happens when either group has no master, when the source has no library, or
    /// when a server does not know FUNCTION (a Redis 3.2 codis-server: logged once per server).
    /// </summary>
    /// <exception cref="IOException">A server is unreachable.</exception>
    /// <exception cref="ApiException">A server refused the dump or the restore.</exception>
    private async Task CopyFunctionsAsync(TopomContext ctx, string what, int fromGid, int toGid)
    {
        string from = ctx.GetGroupMaster(fromGid);
        string dest = ctx.GetGroupMaster(toGid);
        if (fromGid == toGid || from.Length == 0 || dest.Length == 0 || from == dest)
            return;
        FunctionCopy copy;
        try
        {
            copy = await FunctionCopier.CopyAsync(from, dest, Config.MigrationTimeout.ToTimeSpan(), Closing).ConfigureAwait(false);
        }
        catch (RespErrorException e)
        {
            throw new ApiException($"{what} copy functions from group-[{fromGid}] {from} to group-[{toGid}] {dest} failed: {e.Message}");
        }
        switch (copy.Result)
        {
            case FunctionCopyResult.Copied:
                _logger.LogWarning("{What} functions: {Libraries} libraries ({Bytes} bytes) of group-[{From}] {FromAddr} restored on group-[{To}] {DestAddr}",
                    what, copy.Libraries, copy.Bytes, fromGid, from, toGid, dest);
                break;
            case FunctionCopyResult.Unsupported:
                if (_functionsUnsupported.TryAdd(copy.Server, 0))
                {
                    _logger.LogWarning("server-[{Server}] does not know FUNCTION (Codis 3.2 codis-server?): function libraries are not copied to or from it",
                        copy.Server);
                }
                break;
        }
    }

    /// <summary>
    /// Copies libraries to every group of <paramref name="gids"/> that owns no slot yet (it is about to gain
    /// its first), from the first other group by slot order. Best effort: a failure is logged, not thrown,
    /// because assigning slots is also how an operator recovers a broken cluster.
    /// </summary>
    private async Task CopyFunctionsToNewGroupsAsync(TopomContext ctx, IEnumerable<int> gids)
    {
        foreach (int gid in gids)
        {
            if (ctx.IsGroupInUse(gid))
                continue;
            int source = ctx.FunctionSourceGroup(gid);
            if (source == 0)
                continue;
            try
            {
                await CopyFunctionsAsync(ctx, $"group-[{gid}]", source, gid).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ApiException)
            {
                _logger.LogWarning("group-[{Gid}] gains its first slots without the function libraries of group-[{Source}]: {Error}", gid, source, e.Message);
            }
        }
    }

    /// <summary>Closes the copier's pooled connections (on close).</summary>
    private async Task CloseFunctionCopierAsync()
    {
        if (_functionCopier is not null)
            await _functionCopier.DisposeAsync().ConfigureAwait(false);
    }
}
