using System.Buffers.Binary;
using System.Diagnostics;
using Codis.Core.Slots;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;

namespace Codis.Server.Persistence;

/// <summary>
/// A point-in-time RDB image of the whole dataset written to a stream while clients keep writing: the
/// .NET stand-in for Redis's fork. The writer walks database by database, slot by slot, taking the server
/// lock for a batch of slots at a time and writing outside it. Copy-on-write at key granularity keeps the
/// image consistent: before a key of a slot the writer has not reached yet is changed or deleted (the
/// keyspace calls <see cref="BeforeChange"/> from its few mutation points), its current value and expiry
/// are serialized and set aside, and a key created after the start is remembered as absent. A database
/// emptied or swapped wholesale (FLUSHDB, FLUSHALL, SWAPDB) is serialized at once instead.
/// </summary>
/// <remarks>
/// Usage (under the server lock): <c>var s = RdbSnapshot.Start(server, stream);</c> then await
/// <see cref="Completion"/> (outside the lock); the stream is not closed. The output is a complete RDB
/// file (header, aux fields, databases, EOF and CRC-64) loadable by Redis 5 and newer and by this server.
/// Several snapshots may run at the same time (a BGSAVE and a replica's full resync).
/// </remarks>
public sealed class RdbSnapshot
{
    /// <summary>The RDB version written: Redis 5's, which Redis 5 to 7 load.</summary>
    public const int Version = 9;

    private const int BatchBytes = 256 * 1024;

    private readonly ServerContext _server;
    private readonly Stream _output;
    private readonly int _dbCount;
    private readonly long[] _startCounts;
    private readonly long[] _startExpires;
    // Per (db, slot): true once the writer (or a wholesale copy) has taken the slot.
    private readonly bool[] _visited;
    // Per (db, slot): values set aside before a change (null value = the key did not exist at the start).
    private readonly Dictionary<byte[], byte[]?>?[] _preserved;
    // Per (db, slot): a slot serialized ahead of the writer by a wholesale change.
    private readonly byte[]?[] _chunks;
    private readonly RdbWriter _scratch = new();
    private readonly long _usedMemory;
    // The libraries' code at the snapshot's instant (written before the databases, as Redis does).
    private readonly List<byte[]> _libraries;
    private ulong _crc;
    private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _cancelled;

    private RdbSnapshot(ServerContext server, Stream output)
    {
        _server = server;
        _output = output;
        _dbCount = server.Databases.Length;
        _startCounts = new long[_dbCount];
        _startExpires = new long[_dbCount];
        for (int d = 0; d < _dbCount; d++)
        {
            _startCounts[d] = server.Databases[d].Count;
            _startExpires[d] = server.Databases[d].ExpiresCount;
        }
        _visited = new bool[_dbCount * SlotHash.SlotCount];
        // An empty database is not in the image: nothing to set aside when keys appear in it.
        for (int d = 0; d < _dbCount; d++)
        {
            if (_startCounts[d] == 0)
                Array.Fill(_visited, true, d * SlotHash.SlotCount, SlotHash.SlotCount);
        }
        _usedMemory = server.UsedMemory();
        _libraries = server.ScriptsIfStarted?.LibraryCodes() ?? [];
        _preserved = new Dictionary<byte[], byte[]?>?[_visited.Length];
        _chunks = new byte[]?[_visited.Length];
        StartedUnixMs = server.Now;
    }

    /// <summary>Unix ms of the snapshot's instant.</summary>
    public long StartedUnixMs { get; }

    /// <summary>
    /// Completes with the number of bytes written when the image is complete, or faults with the I/O
    /// error (or <see cref="OperationCanceledException"/> after <see cref="Cancel"/>).
    /// </summary>
    public Task<long> Completion => _done.Task;

    /// <summary>
    /// Starts a background snapshot of <paramref name="server"/>'s dataset as it is now, written to
    /// <paramref name="output"/>. Call under the server lock.
    /// </summary>
    public static RdbSnapshot Start(ServerContext server, Stream output)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(output);
        var snapshot = new RdbSnapshot(server, output);
        server.AddSnapshot(snapshot);
        _ = Task.Factory.StartNew(snapshot.Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return snapshot;
    }

    /// <summary>
    /// Writes the whole dataset to <paramref name="output"/> at once (SAVE, DEBUG RELOAD, SHUTDOWN):
    /// call under the server lock; clients wait meanwhile, as with Redis's SAVE.
    /// </summary>
    public static long WriteNow(ServerContext server, Stream output)
    {
        ArgumentNullException.ThrowIfNull(server);
        var snapshot = new RdbSnapshot(server, output);
        var w = new RdbWriter(BatchBytes);
        long total = 0;
        snapshot.WriteHeader(w);
        for (int d = 0; d < snapshot._dbCount; d++)
        {
            if (snapshot._startCounts[d] == 0)
                continue;
            snapshot.WriteSelect(w, d);
            for (int slot = 0; slot < SlotHash.SlotCount; slot++)
            {
                snapshot.SerializeSlot(w, d, slot);
                if (w.Length >= BatchBytes)
                    total += snapshot.Flush(w);
            }
        }
        total += snapshot.FinishFile(w);
        return total;
    }

    /// <summary>Stops the writer at its next batch; <see cref="Completion"/> then faults with cancellation.</summary>
    public void Cancel() => _cancelled = true;

    /// <summary>
    /// Called by the keyspace under the lock before <paramref name="key"/> of database <paramref name="db"/>
    /// is changed, deleted, created, or has its expiry changed.
    /// </summary>
    internal void BeforeChange(Database db, ReadOnlySpan<byte> key)
    {
        int index = (db.Id * SlotHash.SlotCount) + SlotHash.Slot(key);
        if (_visited[index])
            return;
        Dictionary<byte[], byte[]?> map = _preserved[index] ??= new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        Dictionary<byte[], byte[]?>.AlternateLookup<ReadOnlySpan<byte>> lookup = map.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.ContainsKey(key))
            return;
        ref DbEntry e = ref db.Peek(key);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref e))
        {
            lookup[key] = null;
            return;
        }
        _scratch.Clear();
        WriteEntry(_scratch, key, e.Value, db.GetExpire(key));
        lookup[key] = _scratch.ToArray();
    }

    /// <summary>
    /// Called under the lock before every key of <paramref name="db"/> changes at once (FLUSHDB,
    /// FLUSHALL, SWAPDB): the slots not written yet are serialized now.
    /// </summary>
    internal void BeforeWholesaleChange(Database db)
    {
        int baseIndex = db.Id * SlotHash.SlotCount;
        var w = new RdbWriter();
        for (int slot = 0; slot < SlotHash.SlotCount; slot++)
        {
            if (_visited[baseIndex + slot])
                continue;
            w.Clear();
            SerializeSlot(w, db.Id, slot);
            _chunks[baseIndex + slot] = w.Length == 0 ? [] : w.ToArray();
            _preserved[baseIndex + slot] = null;
            _visited[baseIndex + slot] = true;
        }
    }

    private void Run()
    {
        try
        {
            var w = new RdbWriter(BatchBytes + 4096);
            long total = 0;
            WriteHeader(w);
            for (int d = 0; d < _dbCount; d++)
            {
                if (_startCounts[d] == 0)
                    continue;
                WriteSelect(w, d);
                int slot = 0;
                while (slot < SlotHash.SlotCount)
                {
                    if (_cancelled)
                        throw new OperationCanceledException("The snapshot was cancelled.");
                    long keys = 0;
                    lock (_server.Lock)
                    {
                        // A batch ends at a size or time limit so that the lock is never held long.
                        long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 500);
                        while (slot < SlotHash.SlotCount && w.Length < BatchBytes)
                        {
                            keys += _server.Databases[d].SlotTable(slot)?.Count ?? 0;
                            TakeSlot(w, d, slot);
                            slot++;
                            if ((slot & 63) == 0 && Stopwatch.GetTimestamp() > deadline)
                                break;
                        }
                    }
                    total += Flush(w);
                    PauseForKeys(keys);
                }
            }
            total += FinishFile(w);
            _output.Flush();
            Finish(null, total);
        }
        catch (Exception e)
        {
            Finish(e, 0);
        }
    }

    /// <summary>rdb-key-save-delay: the pause for a batch of <paramref name="keys"/>, outside the lock.</summary>
    private void PauseForKeys(long keys)
    {
        int delay = _server.Config.RdbKeySaveDelay;
        if (delay == 0 || keys == 0)
            return;
        long nanos = keys * (delay > 0 ? delay * 1000L : -(long)delay);
        Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, nanos / 100)));
    }

    private void Finish(Exception? error, long total)
    {
        lock (_server.Lock)
            _server.RemoveSnapshot(this);
        if (error is OperationCanceledException)
            _done.TrySetCanceled();
        else if (error is not null)
            _done.TrySetException(error);
        else
            _done.TrySetResult(total);
    }

    private void TakeSlot(RdbWriter w, int d, int slot)
    {
        int index = (d * SlotHash.SlotCount) + slot;
        if (_visited[index])
        {
            if (_chunks[index] is { } chunk)
            {
                w.WriteRaw(chunk);
                _chunks[index] = null;
            }
            return;
        }
        SerializeSlot(w, d, slot);
        _preserved[index] = null;
        _visited[index] = true;
    }

    /// <summary>Writes the keys of one slot as they were at the snapshot's start.</summary>
    private void SerializeSlot(RdbWriter w, int d, int slot)
    {
        Database db = _server.Databases[d];
        Dictionary<byte[], byte[]?>? preserved = _preserved[(d * SlotHash.SlotCount) + slot];
        KeyTable<object>? table = db.SlotTable(slot);
        if (table is not null)
        {
            for (int i = 0; i < table.EntrySlots; i++)
            {
                if (!table.TryGetAt(i, out byte[] key, out object value))
                    continue;
                if (preserved is not null && preserved.ContainsKey(key))
                    continue;
                WriteEntry(w, key, value, db.GetExpire(key));
            }
        }
        if (preserved is null)
            return;
        foreach (byte[]? saved in preserved.Values)
        {
            if (saved is not null)
                w.WriteRaw(saved);
        }
    }

    /// <summary>One key: optional EXPIRETIME_MS, type byte, key, value.</summary>
    internal static void WriteEntry(RdbWriter w, ReadOnlySpan<byte> key, object value, long expireAtMs)
    {
        if (!StoredValue.IsSerializable(value))
            return;   // types without an RDB form (none today) are left out rather than failing the save
        if (expireAtMs >= 0)
        {
            w.WriteByte(RdbFile.OpExpireTimeMs);
            Span<byte> ms = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(ms, expireAtMs);
            w.WriteRaw(ms);
        }
        // The value codec writes the type byte first; the key goes between it and the body.
        var body = new RdbWriter(64);
        body.WriteObject(StoredValue.ToRdb(value));
        ReadOnlySpan<byte> encoded = body.WrittenSpan;
        w.WriteByte(encoded[0]);
        w.WriteString(key);
        w.WriteRaw(encoded[1..]);
    }

    private void WriteHeader(RdbWriter w)
    {
        w.WriteRaw("REDIS0009"u8);
        RdbFile.WriteAux(w, "redis-ver", ServerInfo.RedisVersion);
        RdbFile.WriteAux(w, "redis-bits", "64");
        RdbFile.WriteAux(w, "ctime", (StartedUnixMs / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        RdbFile.WriteAux(w, "used-mem", _usedMemory.ToString(System.Globalization.CultureInfo.InvariantCulture));
        RdbFile.WriteAux(w, "aof-preamble", "0");
        foreach (byte[] code in _libraries)
        {
            w.WriteByte(RdbFile.OpFunction2);
            w.WriteString(code);
        }
    }

    private void WriteSelect(RdbWriter w, int d)
    {
        w.WriteByte(RdbFile.OpSelectDb);
        w.WriteLength((ulong)d);
        w.WriteByte(RdbFile.OpResizeDb);
        w.WriteLength((ulong)_startCounts[d]);
        w.WriteLength((ulong)_startExpires[d]);
    }

    private long FinishFile(RdbWriter w)
    {
        w.WriteByte(RdbFile.OpEof);
        _crc = Crc64.Update(_crc, w.WrittenSpan);
        Span<byte> crc = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, _crc);
        _output.Write(w.WrittenSpan);
        _output.Write(crc);
        long n = w.Length + 8;
        w.Clear();
        return n;
    }

    private long Flush(RdbWriter w)
    {
        _crc = Crc64.Update(_crc, w.WrittenSpan);
        _output.Write(w.WrittenSpan);
        long n = w.Length;
        w.Clear();
        return n;
    }
}
