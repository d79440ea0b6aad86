using Codis.Core.Resp;
using Codis.Server.Keyspace;
using Codis.Server.Logging;
using Codis.Server.Persistence;

namespace Codis.Server.Migration;

internal sealed partial class SyncMigrator
{
    /// <summary>
    /// One round: snapshots <paramref name="keys"/> under the lock, sends them (outside the lock unless
    /// the caller holds it), then, under the lock, deletes every sent key that did not change meanwhile.
    /// With <paramref name="resend"/>, keys that no longer exist are deleted on the target (it may hold
    /// a copy from an earlier round). Returns the error reply, or null with the keys that changed and
    /// must go again in <paramref name="changed"/> (always empty without <paramref name="watch"/>).
    /// </summary>
    private string? TransferRound(TargetSlot target, SyncMigrateRequest request, List<byte[]> keys, bool resend, bool watch,
        bool propagate, List<byte[]> deleted, out List<byte[]> changed)
    {
        changed = [];
        Snapshot snapshot;
        string password;
        KeyChangeWatch? changes = null;
        lock (_server.Lock)
        {
            if (watch)
                _server.UpdateClock();
            snapshot = Snapshot.Take(_server.Databases[request.Db], keys, _server.Now, resend);
            password = _server.Config.RequirePass;
            if (watch)
            {
                changes = new KeyChangeWatch(request.Db, keys);
                _server.AddKeyChangeWatch(changes);
            }
        }
        try
        {
            TargetConnection connection = target.Connection!;
            string? error = snapshot.IsEmpty ? null : Send(connection, request, snapshot, password);
            lock (_server.Lock)
            {
                if (changes is not null)
                    _server.RemoveKeyChangeWatch(changes);
                if (error is not null)
                {
                    // The keys stay here; the connection's state (selected database, pending replies) is
                    // unknown, so it is closed as Codis does.
                    ServerLog.Warning($"slotsmgrt: migration to {request.TargetName} failed ({snapshot.Present.Count} key(s)): {error}");
                    target.Close();
                    return error;
                }
                connection.LastUseMs = WallClockMs();
                Database db = _server.Databases[request.Db];
                int first = deleted.Count;
                foreach ((byte[] key, _, _) in snapshot.Present)
                {
                    if (changes is not null && changes.Changed.Contains(key))
                        continue;
                    if (db.Delete(key))
                    {
                        _server.KeyModified(request.Db, key);
                        deleted.Add(key);
                    }
                }
                // Replication seam: Codis rewrites a successful migration as "DEL key1 key2 ..." for the
                // replicas and the AOF. The propagation hook receives exactly that, at the point where
                // the keys disappear here (inside EXEC the command itself is rewritten instead).
                if (propagate && deleted.Count > first)
                    _server.Propagate?.Invoke(request.Db, DelCommand(deleted, first));
                if (changes is not null && changes.Changed.Count > 0)
                    changed = [.. changes.Changed];
                return null;
            }
        }
        catch
        {
            if (changes is not null)
            {
                lock (_server.Lock)
                    _server.RemoveKeyChangeWatch(changes);
            }
            throw;
        }
    }

    /// <summary>
    /// Writes AUTH (once per connection, with our own requirepass), SELECT (when the connection's
    /// database differs), the SLOTSRESTORE of the present keys and the DEL of the vanished ones in one
    /// buffer, then checks one reply line per command. Null on success, else the reply for the client
    /// with Codis's texts.
    /// </summary>
    private static string? Send(TargetConnection connection, SyncMigrateRequest request, Snapshot snapshot, string password)
    {
        bool auth = password.Length > 0 && !connection.Authenticated;
        bool select = connection.Db != request.Db;
        long size = 64;
        foreach ((byte[] key, _, byte[] payload) in snapshot.Present)
            size += key.Length + payload.Length + 64;
        foreach (byte[] key in snapshot.Absent)
            size += key.Length + 16;
        var command = new ReplyWriter((int)Math.Min(size, Array.MaxLength));
        if (auth)
        {
            command.Array(2);
            command.Bulk("AUTH"u8);
            command.Bulk(password);
        }
        if (select)
        {
            command.Array(2);
            command.Bulk("SELECT"u8);
            command.BulkInteger(request.Db);
        }
        if (snapshot.Present.Count > 0)
        {
            command.Array(1 + (3L * snapshot.Present.Count));
            command.Bulk("SLOTSRESTORE"u8);
            foreach ((byte[] key, long ttl, byte[] payload) in snapshot.Present)
            {
                command.Bulk(key);
                command.BulkInteger(ttl);
                command.Bulk(payload);
            }
        }
        if (snapshot.Absent.Count > 0)
        {
            command.Array(1 + snapshot.Absent.Count);
            command.Bulk("DEL"u8);
            foreach (byte[] key in snapshot.Absent)
                command.Bulk(key);
        }

        int timeout = request.TimeoutMs;
        if (!connection.Write(command.WrittenSpan, timeout))
            return "IOERR error or timeout writing to target";
        if (auth)
        {
            if (connection.ReadLine(timeout) is not { } line)
                return "IOERR error or timeout reading from target";
            if (!line.StartsWith('+'))
                return "ERR error on slotsrestore, auth failed";
            connection.Authenticated = true;
        }
        if (select)
        {
            if (connection.ReadLine(timeout) is not { } line)
                return "IOERR error or timeout reading from target";
            if (!line.StartsWith('+'))
                return "ERR error on slotsrestore, select failed";
            connection.Db = request.Db;
        }
        int replies = (snapshot.Present.Count > 0 ? 1 : 0) + (snapshot.Absent.Count > 0 ? 1 : 0);
        for (int i = 0; i < replies; i++)
        {
            if (connection.ReadLine(timeout) is not { } line)
                return "IOERR error or timeout reading from target";
            if (line.StartsWith('-'))
                return "ERR error on slotsrestore, migration failed";
        }
        return null;
    }

    /// <summary>"DEL" and <paramref name="keys"/> from index <paramref name="first"/>, as a command.</summary>
    private static ArgList DelCommand(List<byte[]> keys, int first)
    {
        var args = new byte[keys.Count - first + 1][];
        args[0] = "DEL"u8.ToArray();
        keys.CopyTo(first, args, 1, keys.Count - first);
        var list = new ArgList();
        list.Set(args);
        return list;
    }

    /// <summary>What is sent in one round: DUMP payloads and TTLs of the present keys, the vanished keys.</summary>
    private sealed class Snapshot
    {
        /// <summary>Key, TTL in ms for SLOTSRESTORE (0 = persistent, else at least 1), payload.</summary>
        public List<(byte[] Key, long Ttl, byte[] Payload)> Present { get; } = [];

        /// <summary>Keys that no longer exist here (only collected when resending).</summary>
        public List<byte[]> Absent { get; } = [];

        public bool IsEmpty => Present.Count == 0 && Absent.Count == 0;

        /// <summary>Serializes <paramref name="keys"/> of <paramref name="db"/> (under the lock).</summary>
        public static Snapshot Take(Database db, List<byte[]> keys, long now, bool collectAbsent)
        {
            var snapshot = new Snapshot();
            foreach (byte[] key in keys)
            {
                object? value = db.LookupWrite(key);
                if (value is null)
                {
                    if (collectAbsent)
                        snapshot.Absent.Add(key);
                    continue;
                }
                long expireAt = db.GetExpire(key);
                long ttl = expireAt < 0 ? 0 : Math.Max(1, expireAt - now);
                snapshot.Present.Add((key, ttl, DumpPayload.Create(StoredValue.ToRdb(value))));
            }
            return snapshot;
        }
    }
}
