using System.Globalization;
using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;

namespace Codis.Server;

/// <summary>
/// What happens around a change of a key: WATCH invalidation, waking blocked clients, keyspace
/// notifications and the change counter.
/// </summary>
public sealed partial class ServerContext
{
    // Per database: key -> clients watching it.
    private Dictionary<byte[], List<Client>>?[] _watched = [];

    private NotifyFlags _notifyFlags;
    private string _notifyText = "";

    /// <summary>
    /// Redis's signalModifiedKey plus the dirty counter: invalidates WATCH on the key and marks it ready
    /// for clients blocked on it.
    /// </summary>
    public void KeyModified(int db, ReadOnlySpan<byte> key, int changes = 1)
    {
        Stats.Dirty += changes;
        Dictionary<byte[], List<Client>>? watched = db < _watched.Length ? _watched[db] : null;
        if (watched is not null && watched.Count > 0
            && watched.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out List<Client>? watchers))
        {
            foreach (Client c in watchers)
                c.DirtyCas = true;
        }
        if (_blockedCount > 0)
            SignalKeyReady(db, key);
        if (_keyChangeWatches.Count > 0)
            ReportKeyChange(db, key);
    }

    /// <summary>Invalidates every WATCH on <paramref name="db"/> (FLUSHDB, SWAPDB), or on all databases when -1.</summary>
    public void TouchAllWatched(int db)
    {
        for (int i = 0; i < Databases.Length && _keyChangeWatches.Count > 0; i++)
        {
            if (db < 0 || i == db)
                ReportDatabaseChange(i);
        }
        for (int i = 0; i < _watched.Length; i++)
        {
            if ((db >= 0 && i != db) || _watched[i] is not { } watched)
                continue;
            foreach (List<Client> list in watched.Values)
            {
                foreach (Client c in list)
                    c.DirtyCas = true;
            }
        }
    }

    /// <summary>Adds <paramref name="key"/> of the client's database to its watched keys.</summary>
    public void Watch(Client client, ReadOnlySpan<byte> key)
    {
        int db = client.DbIndex;
        foreach ((int d, byte[] k) in client.WatchedKeys)
        {
            if (d == db && key.SequenceEqual(k))
                return;
        }
        if (_watched.Length < Databases.Length)
            Array.Resize(ref _watched, Databases.Length);
        Dictionary<byte[], List<Client>> watched = _watched[db] ??= new(ByteArrayComparer.Instance);
        byte[] stored = key.ToArray();
        if (!watched.TryGetValue(stored, out List<Client>? list))
            watched[stored] = list = [];
        list.Add(client);
        client.WatchedKeys.Add((db, stored));
    }

    /// <summary>Forgets every key the client watches (UNWATCH, EXEC, DISCARD, disconnect).</summary>
    public void Unwatch(Client client)
    {
        foreach ((int db, byte[] key) in client.WatchedKeys)
        {
            if (_watched[db] is { } watched && watched.TryGetValue(key, out List<Client>? list))
            {
                list.Remove(client);
                if (list.Count == 0)
                    watched.Remove(key);
            }
        }
        client.WatchedKeys.Clear();
        client.DirtyCas = false;
    }

    /// <summary>The notify-keyspace-events flags in effect.</summary>
    public NotifyFlags NotifyFlags
    {
        get
        {
            if (!ReferenceEquals(_notifyText, Config.NotifyKeyspaceEvents))
            {
                _notifyText = Config.NotifyKeyspaceEvents;
                NotifyFlagsText.TryParse(_notifyText, out _notifyFlags);
            }
            return _notifyFlags;
        }
    }

    /// <summary>Publishes a keyspace/keyevent notification when its class is enabled (notifyKeyspaceEvent).</summary>
    public void Notify(NotifyFlags type, string eventName, ReadOnlySpan<byte> key, int db)
    {
        if (Config.NotifyKeyspaceEvents.Length == 0)
            return;
        NotifyFlags flags = NotifyFlags;
        if ((flags & type) == 0)
            return;
        byte[] eventBytes = Encoding.ASCII.GetBytes(eventName);
        string dbText = db.ToString(CultureInfo.InvariantCulture);
        if ((flags & NotifyFlags.Keyspace) != 0)
        {
            byte[] channel = [.. Encoding.ASCII.GetBytes($"__keyspace@{dbText}__:"), .. key];
            Publish(channel, eventBytes);
        }
        if ((flags & NotifyFlags.Keyevent) != 0)
        {
            byte[] channel = Encoding.ASCII.GetBytes($"__keyevent@{dbText}__:{eventName}");
            Publish(channel, key);
        }
    }

    /// <summary>Called by a database when a key expired (lazily or actively): notifies and counts.</summary>
    internal void OnKeyExpired(Database db, byte[] key)
    {
        Notify(NotifyFlags.Expired, "expired", key, db.Id);
        KeyModified(db.Id, key, 0);
        ExpiredKeyPropagate?.Invoke(db.Id, key);
    }

    /// <summary>Hook for replication/AOF: a key expired and a DEL must be propagated.</summary>
    public Action<int, byte[]>? ExpiredKeyPropagate { get; set; }

    /// <summary>Writes a pub/sub style push into another client's output and wakes it.</summary>
    internal static void PushTo(Client target, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default, bool three = false)
    {
        ReplyWriter w = target.Output;
        w.Push(three ? 4 : 3);
        w.Bulk(kind);
        w.Bulk(a);
        w.Bulk(b);
        if (three)
            w.Bulk(c);
        target.Wake();
    }
}
