using Codis.Core.Resp;
using Codis.Server.Clients;

namespace Codis.Server.Migration;

internal sealed partial class AsyncMigrator
{
    /// <summary>
    /// SLOTSMGRT-ASYNC-STATUS (§6.9): a null array without a cached connection, else the flat
    /// name/value list of Codis, values as bulk strings.
    /// </summary>
    public void WriteStatus(int db, ReplyWriter w)
    {
        if (db >= _dbs.Length || _dbs[db] is not { Connection: { } connection } s)
        {
            w.NullArray();
            return;
        }
        long now = _server.Now;
        w.Array(18);
        w.Bulk("host"u8);
        w.Bulk(connection.Host);
        w.Bulk("port"u8);
        w.BulkInteger(connection.Port);
        w.Bulk("used"u8);
        w.BulkInteger(connection.Used ? 1 : 0);
        w.Bulk("timeout"u8);
        w.BulkInteger(connection.TimeoutMs);
        w.Bulk("lastuse"u8);
        w.BulkInteger(connection.LastUseMs);
        w.Bulk("since_lastuse"u8);
        w.BulkInteger(now - connection.LastUseMs);
        w.Bulk("sending_msgs"u8);
        w.BulkInteger(connection.SendingMsgs);
        w.Bulk("blocked_clients"u8);
        w.BulkInteger(LiveWaiters(s));
        w.Bulk("batched_iterator"u8);
        if (s.Batch is { } batch)
            batch.WriteStatus(w);
        else
            w.NullArray();
    }

    /// <summary>Waiters still connected and waiting (a client that disconnected is forgotten).</summary>
    private static int LiveWaiters(DbState s)
    {
        s.Waiters.RemoveAll(static x => ServerContext.DeferredOutput(x.Client, x.State) is null);
        return s.Waiters.Count;
    }
}
