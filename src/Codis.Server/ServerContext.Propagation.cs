using Codis.Core.Resp;

namespace Codis.Server;

/// <summary>
/// Propagation of writes to replicas and the AOF. A command's writes are handed on when the top-level
/// command that caused them ends, as Redis 7 does: a command that writes once (nearly every command)
/// goes straight through; the writes of an EXEC or a script, or a command's several (XREADGROUP's
/// XCLAIMs), are gathered and sent wrapped in MULTI/EXEC when there is more than one, so a replica or an
/// AOF load never applies half of them.
/// </summary>
public sealed partial class ServerContext
{
    private static readonly ArgList s_multi = Args("multi");
    private static readonly ArgList s_exec = Args("exec");

    // Depth of nested Calls (EXEC and scripts run commands inside their own Call).
    private int _callDepth;

    // Writes gathered for the running top-level command: the first _pendingWrites entries, whose
    // argument lists own their bytes and are reused from command to command.
    private readonly List<(int Db, ArgList Args)> _pending = [];
    private int _pendingWrites;

    /// <summary>
    /// Called with each write to propagate, with the database and the arguments (the replication and
    /// AOF layers subscribe here); several writes of one command come wrapped in MULTI and EXEC.
    /// </summary>
    public Action<int, ArgList>? Propagate { get; set; }

    /// <summary>
    /// A write made by the running command; <paramref name="alone"/> when it is the command's only one,
    /// which a top-level command then propagates at once.
    /// </summary>
    internal void PropagateWrite(int db, ArgList args, bool alone)
    {
        if (Propagate is not { } propagate)
            return;
        if (alone && _callDepth <= 1 && _pendingWrites == 0)
        {
            propagate(db, args);
            return;
        }
        if (_pendingWrites == _pending.Count)
            _pending.Add((db, new ArgList()));
        ArgList copy = _pending[_pendingWrites].Args;
        copy.CopyBytesFrom(args);
        _pending[_pendingWrites++] = (db, copy);
    }

    private void FlushPendingWrites()
    {
        int count = _pendingWrites;
        _pendingWrites = 0;
        if (Propagate is not { } propagate)
            return;
        if (count > 1)
            propagate(_pending[0].Db, s_multi);
        for (int i = 0; i < count; i++)
            propagate(_pending[i].Db, _pending[i].Args);
        if (count > 1)
            propagate(_pending[count - 1].Db, s_exec);
        // A huge write (an MSET of megabytes) does not keep its copy alive until the next one.
        for (int i = 0; i < count; i++)
        {
            if (_pending[i].Args.Buffer.Length > 64 * 1024)
                _pending[i] = (0, new ArgList());
        }
    }

    private static ArgList Args(string name)
    {
        var args = new ArgList();
        args.Set(System.Text.Encoding.ASCII.GetBytes(name));
        return args;
    }
}
