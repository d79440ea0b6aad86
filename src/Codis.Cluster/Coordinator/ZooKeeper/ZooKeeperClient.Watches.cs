namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>What kind of watch a call asks for.</summary>
internal enum WatchKind
{
    None,

    /// <summary>getData: fires on data change or deletion.</summary>
    Data,

    /// <summary>exists: a data watch when the node exists, else an existence watch (fires on creation).</summary>
    Exists,

    /// <summary>getChildren: fires on child change or deletion of the node.</summary>
    Child,
}

/// <summary>
/// One-shot watches, kept by path as the server keeps them (one server-side watch per path and kind, however
/// many callers wait on it). They are re-sent with <c>setWatches</c> after a reconnection, and all fire when the
/// session expires or the client closes.
/// </summary>
public sealed partial class ZooKeeperClient
{
    private readonly object _watchGate = new();
    private readonly Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>> _dataWatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>> _existWatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>> _childWatches = new(StringComparer.Ordinal);

    /// <summary>Registers the watch a successful reply set on the server; null when none was set.</summary>
    private Task<ZooKeeperWatchEvent>? RegisterWatch(WatchKind kind, ZooKeeperError result, string path)
    {
        Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>>? table = (kind, result) switch
        {
            (WatchKind.Data, ZooKeeperError.Ok) => _dataWatches,
            (WatchKind.Exists, ZooKeeperError.Ok) => _dataWatches,
            (WatchKind.Exists, ZooKeeperError.NoNode) => _existWatches,
            (WatchKind.Child, ZooKeeperError.Ok) => _childWatches,
            _ => null,
        };
        if (table is null)
            return null;
        var tcs = new TaskCompletionSource<ZooKeeperWatchEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_watchGate)
        {
            if (_closed)
            {
                tcs.TrySetResult(new ZooKeeperWatchEvent(ZooKeeperEventType.None, ZooKeeperSessionState.Closed, path));
                return tcs.Task;
            }
            if (!table.TryGetValue(path, out List<TaskCompletionSource<ZooKeeperWatchEvent>>? list))
                table[path] = list = [];
            list.Add(tcs);
        }
        return tcs.Task;
    }

    /// <summary>Fires the watches a notification triggers (the mapping ZooKeeper's clients use).</summary>
    private void Fire(ZooKeeperWatchEvent ev)
    {
        var fired = new List<TaskCompletionSource<ZooKeeperWatchEvent>>();
        lock (_watchGate)
        {
            switch (ev.Type)
            {
                case ZooKeeperEventType.NodeCreated or ZooKeeperEventType.NodeDataChanged:
                    Take(_dataWatches, ev.Path, fired);
                    Take(_existWatches, ev.Path, fired);
                    break;
                case ZooKeeperEventType.NodeChildrenChanged:
                    Take(_childWatches, ev.Path, fired);
                    break;
                case ZooKeeperEventType.NodeDeleted:
                    Take(_dataWatches, ev.Path, fired);
                    Take(_existWatches, ev.Path, fired);
                    Take(_childWatches, ev.Path, fired);
                    break;
            }
        }
        foreach (TaskCompletionSource<ZooKeeperWatchEvent> t in fired)
            t.TrySetResult(ev);
    }

    /// <summary>Fires every watch with a session event (expired, closed, authentication failed).</summary>
    private void FireAll(ZooKeeperSessionState state)
    {
        var fired = new List<(string, TaskCompletionSource<ZooKeeperWatchEvent>)>();
        lock (_watchGate)
        {
            foreach (Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>> table in (ReadOnlySpan<Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>>>)[_dataWatches, _existWatches, _childWatches])
            {
                foreach ((string path, List<TaskCompletionSource<ZooKeeperWatchEvent>> list) in table)
                    fired.AddRange(list.Select(t => (path, t)));
                table.Clear();
            }
        }
        foreach ((string path, TaskCompletionSource<ZooKeeperWatchEvent> t) in fired)
            t.TrySetResult(new ZooKeeperWatchEvent(ZooKeeperEventType.None, state, path));
    }

    /// <summary>The watched paths, for <c>setWatches</c> after a reconnection.</summary>
    private (List<string> Data, List<string> Exist, List<string> Child) WatchedPaths()
    {
        lock (_watchGate)
            return ([.. _dataWatches.Keys], [.. _existWatches.Keys], [.. _childWatches.Keys]);
    }

    private static void Take(Dictionary<string, List<TaskCompletionSource<ZooKeeperWatchEvent>>> table, string path,
        List<TaskCompletionSource<ZooKeeperWatchEvent>> into)
    {
        if (table.Remove(path, out List<TaskCompletionSource<ZooKeeperWatchEvent>>? list))
            into.AddRange(list);
    }
}
