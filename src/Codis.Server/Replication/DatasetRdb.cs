using System.Buffers.Binary;
using System.Text;
using Codis.Server.Keyspace;
using Codis.Server.Persistence;

namespace Codis.Server.Replication;

/// <summary>
/// The whole-dataset RDB used as a full-resync payload: written from every database under the server
/// lock (a point-in-time image without fork) and loaded into an emptied keyspace. Temporary: the
/// persistence layer's snapshot engine replaces it once it lands; nothing else should use this type.
/// </summary>
public static class DatasetRdb
{
    private const byte OpFunction2 = 0xF5;
    private const byte OpModuleAux = 0xF7;
    private const byte OpIdle = 0xF8;
    private const byte OpFreq = 0xF9;
    private const byte OpAux = 0xFA;
    private const byte OpResizeDb = 0xFB;
    private const byte OpExpireMs = 0xFC;
    private const byte OpExpireSec = 0xFD;
    private const byte OpSelectDb = 0xFE;
    private const byte OpEof = 0xFF;

    /// <summary>The RDB version written (Redis 5 .. 7.0 load it; the object encodings are version 7's).</summary>
    public const int WriteVersion = 9;

    /// <summary>The newest RDB version read (Redis 7.2 writes 11).</summary>
    public const int MaxReadVersion = 11;

    /// <summary>
    /// Serialises every database of <paramref name="server"/> (caller holds the lock). The aux fields
    /// carry what a replica needs: <c>repl-stream-db</c> (the database the stream continues in),
    /// <c>repl-id</c> and <c>repl-offset</c>.
    /// </summary>
    public static byte[] Write(ServerContext server, int streamDb, string replId, long replOffset)
    {
        var w = new RdbWriter(64 * 1024) { Compression = server.Config.RdbCompression };
        w.WriteRaw(Encoding.ASCII.GetBytes($"REDIS{WriteVersion:0000}"));
        Aux(w, "redis-ver", ServerInfo.RedisVersion);
        Aux(w, "redis-bits", "64");
        Aux(w, "ctime", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Aux(w, "used-mem", GC.GetTotalMemory(false).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Aux(w, "repl-stream-db", streamDb.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Aux(w, "repl-id", replId);
        Aux(w, "repl-offset", replOffset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Aux(w, "aof-base", "0");
        Span<byte> ms = stackalloc byte[8];
        foreach (Database db in server.Databases)
        {
            if (db.Count == 0)
                continue;
            w.WriteByte(OpSelectDb);
            w.WriteLength((ulong)db.Id);
            w.WriteByte(OpResizeDb);
            w.WriteLength((ulong)db.Count);
            w.WriteLength((ulong)db.ExpiresCount);
            for (int slot = 0; slot < 1024; slot++)
            {
                KeyTable<object>? t = db.SlotTable(slot);
                if (t is null)
                    continue;
                for (int i = 0; i < t.EntrySlots; i++)
                {
                    if (!t.TryGetAt(i, out byte[] key, out object value) || !StoredValue.IsSerializable(value))
                        continue;
                    long expire = db.GetExpire(key);
                    if (expire >= 0)
                    {
                        w.WriteByte(OpExpireMs);
                        BinaryPrimitives.WriteInt64LittleEndian(ms, expire);
                        w.WriteRaw(ms);
                    }
                    // WriteObject writes the type byte, then the value; the key goes between them.
                    var obj = new RdbWriter { Compression = w.Compression };
                    obj.WriteObject(StoredValue.ToRdb(value));
                    ReadOnlySpan<byte> encoded = obj.WrittenSpan;
                    w.WriteByte(encoded[0]);
                    w.WriteString(key);
                    w.WriteRaw(encoded[1..]);
                }
            }
        }
        w.WriteByte(OpEof);
        Span<byte> crc = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, Crc64.Compute(w.WrittenSpan));
        w.WriteRaw(crc);
        return w.ToArray();
    }

    private static void Aux(RdbWriter w, string key, string value)
    {
        w.WriteByte(OpAux);
        w.WriteString(Encoding.UTF8.GetBytes(key));
        w.WriteString(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>
    /// Loads <paramref name="rdb"/> into <paramref name="server"/>'s (already emptied) databases; returns
    /// an error text or null. <paramref name="streamDb"/> is the <c>repl-stream-db</c> aux field (-1 when absent).
    /// </summary>
    public static string? Load(ServerContext server, ReadOnlySpan<byte> rdb, out int streamDb)
    {
        streamDb = -1;
        if (rdb.Length < 9 || !rdb[..5].SequenceEqual("REDIS"u8))
            return "Wrong signature trying to load DB from file";
        if (!int.TryParse(rdb[5..9], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int version)
            || version < 1 || version > MaxReadVersion)
            return $"Can't handle RDB format version {Encoding.ASCII.GetString(rdb[5..9])}";
        var r = new RdbReader(rdb[9..]);
        Database db = server.Databases[0];
        long expire = -1;
        while (true)
        {
            if (!r.TryReadByte(out byte op))
                return "Short read or OOM loading DB. Unrecoverable error, aborting now.";
            switch (op)
            {
                case OpEof:
                    return null;
                case OpSelectDb:
                    if (!r.TryReadCount(out ulong id))
                        return "Short read loading DB";
                    if (id >= (ulong)server.Databases.Length)
                        return $"FATAL: Data file was created with a Redis server configured to handle more than {server.Databases.Length} databases. Exiting";
                    db = server.Databases[(int)id];
                    continue;
                case OpResizeDb:
                    if (!r.TryReadCount(out _) || !r.TryReadCount(out _))
                        return "Short read loading DB";
                    continue;
                case OpAux:
                    if (!r.TryReadString(out byte[] k) || !r.TryReadString(out byte[] v))
                        return "Short read loading DB";
                    if (k.AsSpan().SequenceEqual("repl-stream-db"u8) && int.TryParse(v, out int sdb))
                        streamDb = sdb;
                    continue;
                case OpExpireMs:
                    if (r.Remaining < 8 || !ReadRaw(ref r, 8, out long msValue))
                        return "Short read loading DB";
                    expire = msValue;
                    continue;
                case OpExpireSec:
                    if (r.Remaining < 4 || !ReadRaw(ref r, 4, out long secValue))
                        return "Short read loading DB";
                    expire = secValue * 1000;
                    continue;
                case OpIdle:
                    if (!r.TryReadCount(out _))
                        return "Short read loading DB";
                    continue;
                case OpFreq:
                    if (!r.TryReadByte(out _))
                        return "Short read loading DB";
                    continue;
                case OpFunction2:
                    return "Can't load Redis functions: this server has no function engine";
                case OpModuleAux:
                    return "Can't load module data: this server has no modules";
            }
            if (!r.TryReadString(out byte[] key) || !r.TryReadObject((RdbType)op, out RdbValue? value))
                return $"Bad data format loading DB (object type {op})";
            object stored = StoredValue.FromRdb(value, server.Config, (RdbType)op);
            db.Set(key, stored);
            if (expire >= 0)
                db.SetExpire(key, expire);
            expire = -1;
        }
    }

    private static bool ReadRaw(ref RdbReader r, int size, out long value)
    {
        value = 0;
        for (int i = 0; i < size; i++)
        {
            if (!r.TryReadByte(out byte b))
                return false;
            value |= (long)b << (8 * i);
        }
        if (size == 4)
            value = (int)value;
        return true;
    }
}
