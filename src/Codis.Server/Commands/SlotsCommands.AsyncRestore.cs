using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;
using Codis.Server.Migration;
using Codis.Server.Persistence;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The target side of async migration (spec server.md §6.5, §6.6): SLOTSRESTORE-ASYNC and its AUTH and
/// SELECT companions. Every call is answered with a <c>SLOTSRESTORE-ASYNC-ACK code message</c> array;
/// an error ACK carries code -1 and the connection is closed once it has been sent, so a source never
/// keeps streaming into a half-applied key.
/// </summary>
public static partial class SlotsCommands
{
    // Redis 3.2's object type and encoding numbers, which the wrong-type ACK reports.
    private const int ObjList = 1, ObjSet = 2, ObjZset = 3, ObjHash = 4;
    private const int EncHashTable = 2, EncSkiplist = 7, EncQuicklist = 9;

    private static void RegisterAsyncRestore(CommandTable t)
    {
        t.Add("slotsrestore-async", -2, Write | DenyOom, 0, 0, 0, SlotsRestoreAsync);
        t.Add("slotsrestore-async-auth", 2, NoScript | Loading | Stale | Fast | NoAuth, 0, 0, 0, SlotsRestoreAsyncAuth);
        t.Add("slotsrestore-async-select", 2, Loading | Fast, 0, 0, 0, SlotsRestoreAsyncSelect);
    }

    private static void SlotsRestoreAsyncAuth(CommandContext c)
    {
        if (c.Server.Config.RequirePass.Length == 0)
        {
            AckError(c, "Client sent AUTH, but no password is set"u8);
            return;
        }
        if (ConnectionCommands.CheckPassword(c.Server, c[1]))
        {
            c.Client.Authenticated = true;
            AsyncMessages.WriteAck(c.Reply, 0, "OK"u8);
        }
        else
        {
            c.Client.Authenticated = false;
            AckError(c, "invalid password"u8);
        }
    }

    private static void SlotsRestoreAsyncSelect(CommandContext c)
    {
        if (!LegacyArgs.TryParseLong(c[1], out long db) || db < 0 || db >= c.Server.Databases.Length)
        {
            AckError(c, LegacyArgs.Message("invalid DB index ("u8, LegacyArgs.CString(c[1]), ")"u8));
            return;
        }
        c.Client.DbIndex = (int)db;
        AsyncMessages.WriteAck(c.Reply, 0, "OK"u8);
    }

    /// <summary>
    /// <c>SLOTSRESTORE-ASYNC op key ...</c>, each check in the order of Codis's slotsrestoreAsyncHandle
    /// (which decides which error a malformed message gets).
    /// </summary>
    private static void SlotsRestoreAsync(CommandContext c)
    {
        Database db = c.Db;
        if (db.AsyncMigrationRunning)
        {
            AckError(c, "the specified DB is being migrated"u8);
            return;
        }
        if (c.Count < 3)
        {
            AckWrongArgs(c);
            return;
        }
        ReadOnlySpan<byte> key = c[2];

        if (c.Is(1, "DELETE"u8))
        {
            if (c.Count != 3)
            {
                AckWrongArgs(c);
                return;
            }
            bool deleted = db.Delete(key);
            if (deleted)
                c.KeyModified(key);
            AsyncMessages.WriteAck(c.Reply, 0, deleted ? "1"u8 : "0"u8);
            return;
        }

        if (c.Count < 4)
        {
            AckWrongArgs(c);
            return;
        }
        if (!LegacyArgs.TryParseLong(c[3], out long ttl) || ttl < 0)
        {
            AckError(c, LegacyArgs.Message("invalid TTL value (TTL="u8, LegacyArgs.CString(c[3]), ")"u8));
            return;
        }

        if (c.Is(1, "EXPIRE"u8))
        {
            if (c.Count != 4)
            {
                AckWrongArgs(c);
                return;
            }
            if (db.LookupWrite(key) is null)
            {
                AckKeyError(c, "the specified key doesn't exist ("u8);
                return;
            }
            AsyncMessages.WriteAck(c.Reply, 0, "1"u8);
            Restored(c, key, ttl);
            return;
        }

        if (c.Is(1, "STRING"u8) || c.Is(1, "OBJECT"u8))
        {
            if (c.Count != 5)
            {
                AckWrongArgs(c);
                return;
            }
            if (db.LookupWrite(key) is not null)
            {
                AckKeyError(c, "the specified key already exists ("u8);
                return;
            }
            object value;
            if (c.Is(1, "STRING"u8))
            {
                value = c.ArgArray(4);
            }
            else if (DecodeObject(c, c[4]) is { } decoded)
            {
                value = decoded;
            }
            else
            {
                return;
            }
            db.Add(key, value);
            AsyncMessages.WriteAck(c.Reply, 0, "1"u8);
            Restored(c, key, ttl);
            return;
        }

        if (c.Count < 5)
        {
            AckWrongArgs(c);
            return;
        }
        if (!LegacyArgs.TryParseLong(c[4], out long hint) || hint < 0)
        {
            AckError(c, LegacyArgs.Message("invalid Hint value (Hint="u8, LegacyArgs.CString(c[4]), ")"u8));
            return;
        }

        long count;
        if (c.Is(1, "LIST"u8))
            count = RestoreListChunk(c, db, key);
        else if (c.Is(1, "HASH"u8))
            count = RestoreHashChunk(c, db, key);
        else if (c.Is(1, "DICT"u8))
            count = RestoreSetChunk(c, db, key);
        else if (c.Is(1, "ZSET"u8))
            count = RestoreZSetChunk(c, db, key);
        else
        {
            AckError(c, LegacyArgs.Message(Encoding.ASCII.GetBytes($"unknown command (argc={c.Count},cmd="),
                LegacyArgs.CString(c[1]), ")"u8));
            return;
        }
        if (count < 0)
            return;   // the error ACK was written
        AsyncMessages.WriteAck(c.Reply, 0, Encoding.ASCII.GetBytes(count.ToString(CultureInfo.InvariantCulture)));
        Restored(c, key, ttl);
    }

    // Codis's success_common: every op but delete leaves the key expiring in ttl ms (0: persistent).
    private static void Restored(CommandContext c, ReadOnlySpan<byte> key, long ttl)
    {
        Database db = c.Db;
        if (ttl != 0)
            db.SetExpire(key, ttl > long.MaxValue - c.Now ? long.MaxValue : c.Now + ttl);
        else
            db.Persist(key);
        c.KeyModified(key);
    }

    // The value of an "object" message, or null after writing the error ACK.
    private static object? DecodeObject(CommandContext c, ReadOnlySpan<byte> payload)
    {
        if (!DumpPayload.VerifyFooter(payload, out _))
        {
            AckError(c, "invalid payload checksum"u8);
            return null;
        }
        // Redis 3.2's rdbLoadObjectType accepts the types it knows: 0-4 and 9-14; streams, which 3.2 lacks,
        // come as Redis 7's stream types (a source of ours sends a stream whole, as one payload).
        RdbType type = (RdbType)payload[0];
        if (type is not (>= RdbType.String and <= RdbType.Hash or >= RdbType.HashZipmap and <= RdbType.ListQuicklist
            or RdbType.StreamListpacks or RdbType.StreamListpacks2 or RdbType.StreamListpacks3))
        {
            AckError(c, "invalid payload type"u8);
            return null;
        }
        var reader = new RdbReader(payload);
        if (!reader.TryReadObject(out RdbValue? rdb))
        {
            AckError(c, "invalid payload body"u8);
            return null;
        }
        return StoredValue.FromRdb(rdb, c.Server.Config, type);
    }

    // The existing value of a chunked key when it has the type and big encoding the chunk needs, null
    // when the key is absent; false after writing the error ACK.
    private static bool TryChunkTarget<T>(CommandContext c, Database db, ReadOnlySpan<byte> key, int type, int encoding, out T? existing)
        where T : class
    {
        existing = null;
        object? value = db.LookupWrite(key);
        if (value is null)
        {
            if (c.Count == 5)
            {
                AckKeyError(c, "the specified key doesn't exist ("u8);
                return false;
            }
            return true;
        }
        (int gotType, int gotEncoding) = Redis32TypeAndEncoding(value);
        if (value is not T t || gotType != type || gotEncoding != encoding)
        {
            AckError(c, Encoding.ASCII.GetBytes($"wrong type (expect={type}/{encoding},got={gotType}/{gotEncoding})"));
            return false;
        }
        existing = t;
        return true;
    }

    private static long RestoreListChunk(CommandContext c, Database db, ReadOnlySpan<byte> key)
    {
        if (!TryChunkTarget(c, db, key, ObjList, EncQuicklist, out RedisList? list))
            return -1;
        if (list is null)
        {
            list = new RedisList(c.Count - 5);
            db.Add(key, list);
        }
        for (int i = 5; i < c.Count; i++)
            list.PushRight(c.ArgArray(i));
        return list.Count;
    }

    private static long RestoreHashChunk(CommandContext c, Database db, ReadOnlySpan<byte> key)
    {
        if ((c.Count - 5) % 2 != 0)
        {
            AckWrongArgs(c);
            return -1;
        }
        if (!TryChunkTarget(c, db, key, ObjHash, EncHashTable, out RedisHash? hash))
            return -1;
        if (hash is null)
        {
            hash = new RedisHash();
            hash.ConvertToTable();
            db.Add(key, hash);
        }
        for (int i = 5; i < c.Count; i += 2)
            hash.Set(c[i], c.ArgArray(i + 1), int.MaxValue, int.MaxValue);
        return hash.Count;
    }

    private static long RestoreSetChunk(CommandContext c, Database db, ReadOnlySpan<byte> key)
    {
        if (!TryChunkTarget(c, db, key, ObjSet, EncHashTable, out RedisSet? set))
            return -1;
        if (set is null)
        {
            set = new RedisSet();
            set.ConvertToTable();
            db.Add(key, set);
        }
        for (int i = 5; i < c.Count; i++)
            set.Add(c.ArgArray(i), int.MaxValue);
        return set.Count;
    }

    private static long RestoreZSetChunk(CommandContext c, Database db, ReadOnlySpan<byte> key)
    {
        if ((c.Count - 5) % 2 != 0)
        {
            AckWrongArgs(c);
            return -1;
        }
        // Every score is checked before the key is looked at, as Codis does.
        var scores = new double[(c.Count - 5) / 2];
        for (int i = 6, j = 0; i < c.Count; i += 2, j++)
        {
            ReadOnlySpan<byte> raw = c[i];
            // A NaN would break the ordering (Redis 3.2 inserts it and corrupts its skiplist): refused too.
            if (raw.Length != 8 || double.IsNaN(scores[j] = BinaryPrimitives.ReadDoubleLittleEndian(raw)))
            {
                AckError(c, Encoding.ASCII.GetBytes($"invalid zset score ([{j}]), bad raw bits"));
                return -1;
            }
        }
        if (!TryChunkTarget(c, db, key, ObjZset, EncSkiplist, out RedisZSet? zset))
            return -1;
        if (zset is null)
        {
            zset = RedisZSet.CreateSkiplist();
            db.Add(key, zset);
        }
        for (int i = 5, j = 0; i < c.Count; i += 2, j++)
            zset.Add(c[i], scores[j], ZAddFlags.None, int.MaxValue, int.MaxValue, out _);
        return zset.Count;
    }

    /// <summary>
    /// A stored value's type and encoding as Redis 3.2 numbers them (OBJ_* and OBJ_ENCODING_*), with our
    /// small encodings reported as 3.2's ziplist / intset and strings by their OBJECT ENCODING.
    /// </summary>
    public static (int Type, int Encoding) Redis32TypeAndEncoding(object value)
    {
        int type = RedisObject.TypeOf(value) switch
        {
            "string" => 0,
            "list" => ObjList,
            "set" => ObjSet,
            "zset" => ObjZset,
            "hash" => ObjHash,
            _ => -1,
        };
        int encoding = RedisObject.EncodingOf(value) switch
        {
            "raw" => 0,
            "int" => 1,
            "hashtable" => EncHashTable,
            "linkedlist" => 4,
            "listpack" or "ziplist" => 5,
            "intset" => 6,
            "skiplist" => EncSkiplist,
            "embstr" => 8,
            "quicklist" => EncQuicklist,
            _ => -1,
        };
        return (type, encoding);
    }

    private static void AckError(CommandContext c, ReadOnlySpan<byte> message)
    {
        AsyncMessages.WriteAck(c.Reply, -1, message);
        c.Client.CloseRequested = true;
    }

    private static void AckKeyError(CommandContext c, ReadOnlySpan<byte> prefix) =>
        AckError(c, LegacyArgs.Message(prefix, LegacyArgs.CString(c[2]), ")"u8));

    private static void AckWrongArgs(CommandContext c)
    {
        ReadOnlySpan<byte> op = c.Count >= 2 ? LegacyArgs.CString(c[1]) : default;
        AckError(c, LegacyArgs.Message(Encoding.ASCII.GetBytes($"wrong number of arguments (argc={c.Count},cmd="), op, ")"u8));
    }
}
