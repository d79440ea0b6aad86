using System.Buffers.Binary;
using Codis.Core.Resp;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;
using Codis.Server.Persistence;

namespace Codis.Server.Migration;

/// <summary>
/// One key's <c>SLOTSRESTORE-ASYNC</c> message stream (spec server.md §6.3), produced one message per
/// <see cref="WriteNext"/> call under the server lock: <c>delete</c>, then either one <c>string</c> /
/// <c>object</c> message, or chunks (<c>list</c>, <c>hash</c>, <c>dict</c>, <c>zset</c>) followed by
/// <c>expire</c>.
/// </summary>
/// <remarks>
/// The value is looked up again when the stream starts (a key that disappeared meanwhile produces no
/// message) and then held, as Codis holds a reference to the object: chunking walks that object live
/// across calls, so commands that change it in between are tolerated. Lists are walked by index (an
/// index past the end finishes the walk), hashes and sets with the table's reverse-binary scan cursor
/// (which terminates whatever happens to the table), sorted sets by rank from the highest score.
/// Every walk advances at least one position per call, so a stream always ends.
/// </remarks>
public sealed class KeyStream
{
    /// <summary>Stage numbers as SLOTSMGRT-ASYNC-STATUS reports them.</summary>
    public const int StagePrepare = 0, StagePayload = 1, StageChunked = 2, StageFillTtl = 3, StageDone = 4;

    /// <summary>Command name of every message the source sends.</summary>
    public static ReadOnlySpan<byte> RestoreCommand => "SLOTSRESTORE-ASYNC"u8;

    private readonly Database _db;
    private readonly long _timeoutMs;
    private readonly int _maxBulks;
    private object _value;
    private List<byte[]>? _args;

    private KeyStream(Database db, byte[] key, object value, long expireAtMs, long timeoutMs, int maxBulks)
    {
        _db = db;
        Key = key;
        _value = value;
        ExpireAtMs = expireAtMs;
        _timeoutMs = timeoutMs;
        _maxBulks = maxBulks;
        EstimatedMessages = EstimateMessages(value, maxBulks);
        IsChunked = EstimatedMessages >= 2;
        ValueType = TypeNumber(value);
    }

    /// <summary>
    /// The stream of <paramref name="key"/> in <paramref name="db"/>, or null when the key does not exist
    /// (an expired key counts as absent). <paramref name="timeoutMs"/> is the migration timeout (chunks
    /// carry a TTL of three times it); <paramref name="maxBulks"/> (at least 1) bounds the arguments of a
    /// chunk and decides which values are chunked.
    /// </summary>
    public static KeyStream? Create(Database db, byte[] key, long nowMs, long timeoutMs, int maxBulks)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBulks, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(timeoutMs);
        if (!TryLookup(db, key, nowMs, out object? value, out long expireAt))
            return null;
        return new KeyStream(db, key, value, expireAt, timeoutMs, maxBulks);
    }

    /// <summary>The key.</summary>
    public byte[] Key { get; }

    /// <summary>
    /// Messages the payload takes, as Codis estimates it for batch selection (§6.2): 1, or
    /// ceil(bulks / maxbulks) for a chunked value. Computed when the stream was created.
    /// </summary>
    public int EstimatedMessages { get; }

    /// <summary>True when the value is sent in chunks (estimated at creation, decided by the first message).</summary>
    public bool IsChunked { get; private set; }

    /// <summary>The value's type for STATUS: 0 string, 1 list, 2 set, 3 zset, 4 hash, -1 unknown.</summary>
    public int ValueType { get; private set; }

    /// <summary>0 prepare, 1 payload, 2 chunked, 3 fill-ttl, 4 done (Codis's stage numbers).</summary>
    public int Stage { get; private set; }

    /// <summary>The key's absolute expiry (unix ms), -1 when persistent.</summary>
    public long ExpireAtMs { get; private set; }

    /// <summary>The hash / set scan cursor of the chunked walk.</summary>
    public long Cursor { get; private set; }

    /// <summary>How many list elements were sent.</summary>
    public long ListIndex { get; private set; }

    /// <summary>How many sorted-set members were sent.</summary>
    public long ZsetIndex { get; private set; }

    /// <summary>Estimated chunk messages of a chunked value (0 when not chunked), fixed when the stream starts.</summary>
    public int ChunkedMessages { get; private set; }

    /// <summary>
    /// True once the first message was written, i.e. the key existed when its turn came: Codis counts such
    /// keys as migrated (and deletes them on the source when the batch succeeds); a stream that ends
    /// without ever writing is a key that vanished meanwhile.
    /// </summary>
    public bool Found { get; private set; }

    /// <summary>True when <see cref="Stage"/> is done: <see cref="WriteNext"/> will write nothing more.</summary>
    public bool IsDone => Stage == StageDone;

    /// <summary>
    /// Appends the next message (a RESP array of bulk strings) to <paramref name="output"/>.
    /// <paramref name="maxBytes"/> is how many argument bytes a chunk may still take (the migration's
    /// maxbytes minus what is already buffered; a chunk always takes at least one element).
    /// Returns false, writing nothing, when the stream is finished (or the key vanished before its
    /// first message).
    /// </summary>
    public bool WriteNext(ReplyWriter output, long maxBytes, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (Stage)
        {
            case StagePrepare:
                return WritePrepare(output, nowMs);
            case StagePayload:
                WritePayload(output, nowMs);
                Stage = StageDone;
                return true;
            case StageChunked:
                if (!WriteChunk(output, maxBytes))
                    Stage = StageFillTtl;
                return true;
            case StageFillTtl:
                output.Array(4);
                output.Bulk(RestoreCommand);
                output.Bulk("expire"u8);
                output.Bulk(Key);
                output.BulkInteger(Ttl(nowMs));
                Stage = StageDone;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Codis's bulk count of a value: list elements, 2 × fields of a hash-table hash, members of a
    /// hash-table set, 2 × members of a skiplist sorted set; 0 for strings and small encodings.
    /// </summary>
    public static long BulkCount(object value) => value switch
    {
        RedisList l => l.Count,
        RedisHash h when !h.IsListpack => 2L * h.Count,
        RedisSet s when !s.IsIntset => s.Count,
        RedisZSet z when !z.IsListpack => 2L * z.Count,
        _ => 0,
    };

    /// <summary>Messages a value takes: 1, or ceil(bulks / maxBulks) when its bulk count exceeds maxBulks.</summary>
    public static int EstimateMessages(object value, int maxBulks)
    {
        long bulks = BulkCount(value);
        if (bulks <= maxBulks)
            return 1;
        return (int)Math.Min(int.MaxValue, (bulks + maxBulks - 1) / maxBulks);
    }

    // Looks the key up as Codis's lookupKeyWrite: lazily expired keys are absent.
    private static bool TryLookup(Database db, byte[] key, long nowMs, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value, out long expireAt)
    {
        value = db.LookupWrite(key);
        expireAt = -1;
        if (value is null)
            return false;
        expireAt = db.GetExpire(key);
        if (expireAt >= 0 && expireAt <= nowMs)
        {
            value = null;
            return false;
        }
        return true;
    }

    private static int TypeNumber(object value) => value switch
    {
        RedisList => 1,
        RedisSet => 2,
        RedisZSet => 3,
        RedisHash => 4,
        RedisStream => 6,   // Redis's OBJ_STREAM: always sent whole, as one "object" payload
        _ when StringValue.TryGet(value, out _) => 0,
        _ => -1,
    };

    private bool WritePrepare(ReplyWriter output, long nowMs)
    {
        if (!TryLookup(_db, Key, nowMs, out object? value, out long expireAt))
        {
            Stage = StageDone;
            return false;
        }
        // A string is copied now: an in-place mutable string could otherwise change before its message,
        // while Codis sends the value as it was here.
        _value = StringValue.TryGet(value, out ReadOnlySpan<byte> s) ? s.ToArray() : value;
        ExpireAtMs = expireAt;
        ValueType = TypeNumber(value);
        Found = true;
        output.Array(3);
        output.Bulk(RestoreCommand);
        output.Bulk("delete"u8);
        output.Bulk(Key);
        int n = EstimateMessages(value, _maxBulks);
        IsChunked = n >= 2;
        Stage = IsChunked ? StageChunked : StagePayload;
        ChunkedMessages = IsChunked ? n : 0;
        return true;
    }

    // The key's remaining TTL for string / object / expire messages: 0 persistent, else at least 1 ms.
    private long Ttl(long nowMs) => ExpireAtMs < 0 ? 0 : Math.Max(1, ExpireAtMs - nowMs);

    private void WritePayload(ReplyWriter output, long nowMs)
    {
        output.Array(5);
        output.Bulk(RestoreCommand);
        if (_value is byte[] s)
        {
            output.Bulk("string"u8);
            output.Bulk(Key);
            output.BulkInteger(Ttl(nowMs));
            output.Bulk(s);
            return;
        }
        output.Bulk("object"u8);
        output.Bulk(Key);
        output.BulkInteger(Ttl(nowMs));
        output.Bulk(DumpPayload.Create(StoredValue.ToRdb(_value)));
    }

    // Writes one chunk; false when the walk found the end (the next message is "expire").
    private bool WriteChunk(ReplyWriter output, long maxBytes)
    {
        List<byte[]> args = _args ??= [];
        args.Clear();
        long bytes = 0;
        bool more = true;
        long hint;
        ReadOnlySpan<byte> cmd;
        switch (_value)
        {
            case RedisList list:
                cmd = "list"u8;
                do
                {
                    if (ListIndex < list.Count)
                    {
                        byte[] e = list[(int)ListIndex];
                        args.Add(e);
                        bytes += ArgBytes(e);
                        ListIndex++;
                    }
                    else
                    {
                        more = false;
                    }
                }
                while (more && args.Count < _maxBulks && bytes < maxBytes);
                hint = list.Count;
                break;

            case RedisHash:
            case RedisSet:
                {
                    cmd = _value is RedisHash ? "hash"u8 : "dict"u8;
                    long loop = Math.Max(100, _maxBulks * 10L);
                    ulong cursor = (ulong)Cursor;
                    do
                    {
                        int before = args.Count;
                        cursor = _value is RedisHash h ? h.ScanStep(cursor, args) : ((RedisSet)_value).ScanStep(cursor, args);
                        for (int i = before; i < args.Count; i++)
                            bytes += ArgBytes(args[i]);
                        if (cursor == 0)
                            more = false;
                    }
                    while (more && args.Count < _maxBulks && bytes < maxBytes && --loop >= 0);
                    Cursor = (long)cursor;
                    hint = _value is RedisHash hh ? hh.Count : ((RedisSet)_value).Count;
                    break;
                }

            case RedisZSet zset:
                {
                    cmd = "zset"u8;
                    // From the highest score down, resuming after the ZsetIndex members already sent.
                    SortedSetRange.Enumerator walk = zset.Set.RangeByRank(ZsetIndex, -1, reverse: true).GetEnumerator();
                    do
                    {
                        if (ZsetIndex < zset.Count && walk.MoveNext())
                        {
                            SortedSetEntry e = walk.Current;
                            args.Add(e.Member);
                            var score = new byte[8];
                            BinaryPrimitives.WriteDoubleLittleEndian(score, e.Score);
                            args.Add(score);
                            bytes += ArgBytes(e.Member) + 8;
                            ZsetIndex++;
                        }
                        else
                        {
                            more = false;
                        }
                    }
                    while (more && args.Count < _maxBulks && bytes < maxBytes);
                    hint = zset.Count;
                    break;
                }

            default:
                // Only collections are chunked; a value of another kind ends the walk at once.
                cmd = "list"u8;
                more = false;
                hint = 0;
                break;
        }

        output.Array(5 + args.Count);
        output.Bulk(RestoreCommand);
        output.Bulk(cmd);
        output.Bulk(Key);
        output.BulkInteger(_timeoutMs * 3);
        output.BulkInteger(hint);
        foreach (byte[] a in args)
            output.Bulk(a);
        args.Clear();
        return more;
    }

    // Codis counts an argument's bytes, but 8 for a value it holds as an integer object.
    private static long ArgBytes(byte[] arg) =>
        arg.Length <= 20 && RequestParser.TryParseLong(arg, out _) ? 8 : arg.Length;
}
