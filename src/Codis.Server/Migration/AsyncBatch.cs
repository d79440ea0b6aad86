using Codis.Core.Resp;
using Codis.Core.Slots;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;

namespace Codis.Server.Migration;

/// <summary>
/// One batch of an async migration (Codis's batchedObjectIterator, spec server.md §6.2): the keys chosen
/// for it, the tags they carry, and one <see cref="KeyStream"/> per existing key, consumed in order. Keys
/// whose stream produced messages are the ones deleted on the source when the batch completes. Used only
/// under the server lock.
/// </summary>
internal sealed class AsyncBatch
{
    private readonly Database _db;
    private readonly bool _useTag;
    private readonly HashSet<byte[]> _keys = new(ByteArrayComparer.Instance);
    private readonly List<byte[]> _keyOrder = [];
    private readonly HashSet<uint> _tags = [];
    private readonly List<KeyStream> _streams = [];
    private int _head;

    /// <summary>Creates an empty batch of <paramref name="db"/>.</summary>
    public AsyncBatch(Database db, int slot, bool useTag, long timeoutMs, int maxBulks, long maxBytes)
    {
        _db = db;
        Slot = slot;
        _useTag = useTag;
        TimeoutMs = timeoutMs;
        MaxBulks = maxBulks;
        MaxBytes = maxBytes;
    }

    /// <summary>The slot of a slot variant, or -1 for the key variants (the reply's shape depends on it).</summary>
    public int Slot { get; }

    /// <summary>The migration timeout in ms (also the base of the chunk TTL).</summary>
    public long TimeoutMs { get; }

    /// <summary>Most arguments of one chunk message.</summary>
    public int MaxBulks { get; }

    /// <summary>The output the connection may hold before generation pauses.</summary>
    public long MaxBytes { get; }

    /// <summary>Sum of the per-key message estimates.</summary>
    public long EstimateMsgs { get; private set; }

    /// <summary>Keys whose messages were all generated (deleted on the source at the end).</summary>
    public List<byte[]> RemovedKeys { get; } = [];

    /// <summary>How many of <see cref="RemovedKeys"/> were sent in chunks.</summary>
    public int ChunkedVals { get; private set; }

    /// <summary>
    /// True when <paramref name="key"/> belongs to the batch, or shares the tag of a key of the batch
    /// (Codis's batchedObjectIteratorContains with usetag: what SLOTSMGRT-EXEC-WRAPPER refuses to write).
    /// </summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        if (_keys.GetAlternateLookup<ReadOnlySpan<byte>>().Contains(key))
            return true;
        return SlotHash.HasTag(key) && _tags.Contains(SlotHash.TagCrc(key));
    }

    /// <summary>
    /// Adds <paramref name="key"/> (ignored when already there) and, for the tag variants, every key with
    /// the same tag the first time that tag is seen. A key that does not exist still counts as part of the
    /// batch (and its tag too) but produces no messages.
    /// </summary>
    public void AddKey(byte[] key, long nowMs) => AddKey(key, nowMs, KeyStream.Create(_db, key, nowMs, TimeoutMs, MaxBulks));

    private void AddKey(byte[] key, long nowMs, KeyStream? stream)
    {
        if (!AddOne(key, stream) || !SlotHash.HasTag(key))
            return;
        if (!_tags.Add(SlotHash.TagCrc(key)) || !_useTag)
            return;
        foreach (byte[] sibling in _db.KeysWithTag(key))
        {
            if (!_keys.Contains(sibling))
                AddOne(sibling, KeyStream.Create(_db, sibling, nowMs, TimeoutMs, MaxBulks));
        }
    }

    private bool AddOne(byte[] key, KeyStream? stream)
    {
        if (!_keys.Add(key))
            return false;
        _keyOrder.Add(key);
        if (stream is not null)
        {
            _streams.Add(stream);
            EstimateMsgs += stream.EstimatedMessages;
        }
        return true;
    }

    /// <summary>
    /// Fills the batch from the slot's key table as Codis does (§6.2): up to three scan passes (two from
    /// a random cursor, the last from 0), each at most max(100, 10 × numkeys) buckets, until the estimate
    /// reaches <paramref name="numKeys"/> or the batch holds that many keys. A key is taken when the batch
    /// is empty or the estimate stays within 2 × numkeys.
    /// </summary>
    public void SelectFromSlot(int numKeys, long nowMs, Random random)
    {
        KeyTable<object>? table = _db.SlotTable(Slot);
        if (table is null || table.Count == 0)
            return;
        var scanned = new List<byte[]>();
        for (int pass = 2; pass >= 0 && EstimateMsgs < numKeys; pass--)
        {
            ulong cursor = pass != 0 ? (ulong)random.NextInt64() : 0;
            long loop = Math.Max(100L, numKeys * 10L);
            do
            {
                scanned.Clear();
                cursor = table.ScanKeys(cursor, scanned);
                // Keys are copied: adding a key may expire and delete others of this bucket.
                foreach (byte[] key in scanned.ToArray())
                {
                    if (EstimateMsgs >= numKeys)
                        break;
                    if (_keys.Contains(key))
                        continue;
                    KeyStream? stream = KeyStream.Create(_db, key, nowMs, TimeoutMs, MaxBulks);
                    long msgs = stream?.EstimatedMessages ?? 0;
                    if (EstimateMsgs == 0 || EstimateMsgs + msgs <= numKeys * 2L)
                        AddKey(key, nowMs, stream);
                }
            }
            while (cursor != 0 && EstimateMsgs < numKeys && _keys.Count < numKeys && --loop >= 0);
        }
    }

    /// <summary>
    /// True while a key has messages left; finished keys are moved to <see cref="RemovedKeys"/> on the way
    /// (Codis's batchedObjectIteratorHasNext).
    /// </summary>
    public bool HasNext()
    {
        while (_head < _streams.Count)
        {
            KeyStream stream = _streams[_head];
            if (stream.Stage != KeyStream.StageDone)
                return true;
            if (stream.Found)
            {
                RemovedKeys.Add(stream.Key);
                if (stream.IsChunked)
                    ChunkedVals++;
            }
            _streams[_head] = null!;
            _head++;
        }
        return false;
    }

    /// <summary>
    /// Appends the current key's next message to <paramref name="output"/>, preceded on a fresh
    /// connection by SLOTSRESTORE-ASYNC-AUTH (with <paramref name="password"/>, when set) and -SELECT (only when the key still exists, as Codis sends them
    /// with the first key's first message). Returns the number of messages written (0 when the key
    /// disappeared before its turn). <paramref name="room"/> is what the chunk may still add before the
    /// connection's output reaches maxbytes.
    /// </summary>
    public int Next(ReplyWriter output, long room, long nowMs, MigrationConnection? connection, string password)
    {
        KeyStream stream = _streams[_head];
        int leading = 0;
        int mark = output.Length;
        if (connection is not null && !connection.Used && stream.Stage == KeyStream.StagePrepare)
        {
            // The source's own requirepass as it is now (the target must share it, quirk 36).
            if (password.Length > 0)
            {
                AsyncMessages.WriteAuth(output, System.Text.Encoding.UTF8.GetBytes(password));
                leading++;
            }
            AsyncMessages.WriteSelect(output, connection.Db);
            leading++;
        }
        if (!stream.WriteNext(output, Math.Max(0, room), nowMs))
        {
            // Nothing for this key (it is gone): the leading messages wait for the next key.
            output.Truncate(mark);
            return 0;
        }
        if (leading > 0)
            connection!.Used = true;
        return 1 + leading;
    }

    /// <summary>Writes the <c>batched_iterator</c> value of SLOTSMGRT-ASYNC-STATUS.</summary>
    public void WriteStatus(ReplyWriter w)
    {
        w.Array(16);
        w.Bulk("keys"u8);
        w.Array(2);
        w.BulkInteger(_keyOrder.Count);
        w.Array(_keyOrder.Count);
        foreach (byte[] key in _keyOrder)
            w.Bulk(key);
        w.Bulk("timeout"u8);
        w.BulkInteger(TimeoutMs);
        w.Bulk("maxbulks"u8);
        w.BulkInteger(MaxBulks);
        w.Bulk("maxbytes"u8);
        w.BulkInteger(MaxBytes);
        w.Bulk("estimate_msgs"u8);
        w.BulkInteger(EstimateMsgs);
        w.Bulk("removed_keys"u8);
        w.BulkInteger(RemovedKeys.Count);
        w.Bulk("chunked_vals"u8);
        w.BulkInteger(ChunkedVals);
        w.Bulk("iterators"u8);
        w.Array(2);
        w.BulkInteger(_streams.Count - _head);
        if (_head >= _streams.Count)
        {
            w.NullArray();
            return;
        }
        KeyStream s = _streams[_head];
        w.Array(16);
        w.Bulk("key"u8);
        w.Bulk(s.Key);
        w.Bulk("val.type"u8);
        w.BulkInteger(s.ValueType);
        w.Bulk("stage"u8);
        w.BulkInteger(s.Stage);
        w.Bulk("expire"u8);
        w.BulkInteger(s.ExpireAtMs);
        w.Bulk("cursor"u8);
        w.BulkInteger(s.Cursor);
        w.Bulk("lindex"u8);
        w.BulkInteger(s.ListIndex);
        w.Bulk("zindex"u8);
        w.BulkInteger(s.ZsetIndex);
        w.Bulk("chunked_msgs"u8);
        w.BulkInteger(s.ChunkedMessages);
    }
}
