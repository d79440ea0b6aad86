using System.Runtime.CompilerServices;
using Codis.Core.Text;
using Codis.Server.Config;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The generic keyspace commands (DEL, EXISTS, RENAME, MOVE, COPY, KEYS, SCAN, EXPIRE, TTL, OBJECT,
/// DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, SORT, ...) with Redis 7.0's replies, errors and side effects.
/// </summary>
public static partial class KeyCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("del", -2, Write, 1, -1, 1, Del);
        t.Add("unlink", -2, Write | Fast, 1, -1, 1, Del);
        t.Add("exists", -2, ReadOnly | Fast, 1, -1, 1, Exists);
        t.Add("touch", -2, ReadOnly | Fast, 1, -1, 1, Touch);
        t.Add("type", 2, ReadOnly | Fast, 1, 1, 1, Type);
        t.Add("rename", 3, Write, 1, 2, 1, Rename);
        t.Add("renamenx", 3, Write | Fast, 1, 2, 1, RenameNx);
        t.Add("move", 3, Write | Fast, 1, 1, 1, Move);
        t.Add("copy", -3, Write | DenyOom, 1, 2, 1, Copy);
        t.Add("keys", 2, ReadOnly, 0, 0, 0, Keys);
        t.Add("scan", -2, ReadOnly, 0, 0, 0, Scan);
        t.Add("randomkey", 1, ReadOnly | CommandFlags.Random, 0, 0, 0, RandomKey);
        t.Add("dbsize", 1, ReadOnly | Fast, 0, 0, 0, DbSize);
        t.Add("flushdb", -1, Write, 0, 0, 0, FlushDb);
        t.Add("flushall", -1, Write, 0, 0, 0, FlushAll);
        t.Add("swapdb", 3, Write | Fast, 0, 0, 0, SwapDb);
        RegisterExpire(t);
        RegisterSort(t);
        RegisterDump(t);
    }

    /// <summary>
    /// Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): existence after lazy expiry, counting a keyspace
    /// hit or miss but leaving the access clock alone.
    /// </summary>
    private static object? LookupNoTouch(CommandContext c, ReadOnlySpan<byte> key)
    {
        Database db = c.Db;
        object? value = null;
        if (db.Exists(key))
        {
            ref DbEntry e = ref db.Peek(key);
            value = Unsafe.IsNullRef(ref e) ? null : e.Value;
        }
        if (value is null)
            c.Server.Stats.KeyspaceMisses++;
        else
            c.Server.Stats.KeyspaceHits++;
        return value;
    }

    private static void Del(CommandContext c)
    {
        Database db = c.Db;
        long deleted = 0;
        for (int i = 1; i < c.Count; i++)
        {
            // An expired key is removed as expired (and notified so), not counted as deleted.
            if (db.ExpiresCount > 0)
                db.ExpireIfNeeded(c[i]);
            if (db.Delete(c[i]))
            {
                c.KeyModified(c[i]);
                c.Notify(NotifyFlags.Generic, "del", c[i]);
                deleted++;
            }
        }
        c.Reply.Integer(deleted);
    }

    private static void Exists(CommandContext c)
    {
        long n = 0;
        for (int i = 1; i < c.Count; i++)
        {
            if (LookupNoTouch(c, c[i]) is not null)
                n++;
        }
        c.Reply.Integer(n);
    }

    private static void Touch(CommandContext c)
    {
        long n = 0;
        for (int i = 1; i < c.Count; i++)
        {
            if (c.Db.Lookup(c[i]) is not null)
                n++;
        }
        c.Reply.Integer(n);
    }

    private static void Type(CommandContext c)
    {
        object? value = LookupNoTouch(c, c[1]);
        c.Reply.Simple(value is null ? "none" : RedisObject.TypeOf(value));
    }

    private static void Rename(CommandContext c) => RenameGeneric(c, nx: false);

    private static void RenameNx(CommandContext c) => RenameGeneric(c, nx: true);

    private static void RenameGeneric(CommandContext c, bool nx)
    {
        Database db = c.Db;
        ReadOnlySpan<byte> src = c[1];
        ReadOnlySpan<byte> dst = c[2];
        if (db.LookupWrite(src) is null)
            Errors.Throw(Errors.NoSuchKey);
        if (src.SequenceEqual(dst))
        {
            if (nx)
                c.Reply.Integer(0);
            else
                c.Reply.Ok();
            return;
        }
        if (db.LookupWrite(dst) is not null)
        {
            if (nx)
            {
                c.Reply.Integer(0);
                return;
            }
            db.Delete(dst);
        }
        // The value object moves as is, keeping its access clock (Redis moves the same robj).
        uint access = db.Peek(src).Access;
        object value = db.Take(src, out _, out long expireAt)!;
        db.Add(dst, value);
        db.Peek(dst).Access = access;
        if (expireAt >= 0)
            db.SetExpire(dst, expireAt);
        c.KeyModified(src, 0);
        c.KeyModified(dst);
        c.Notify(NotifyFlags.Generic, "rename_from", src);
        c.Notify(NotifyFlags.Generic, "rename_to", dst);
        if (nx)
            c.Reply.Integer(1);
        else
            c.Reply.Ok();
    }

    /// <summary>Parses a database number as Redis's getIntFromObjectOrReply + selectDb.</summary>
    private static Database TargetDb(CommandContext c, int arg)
    {
        long id = c.Long(arg);
        if (id is < int.MinValue or > int.MaxValue)
            Errors.Throw("ERR value is out of range, value must between -2147483648 and 2147483647");
        if (id < 0 || id >= c.Server.Databases.Length)
            Errors.Throw(Errors.DbIndexOutOfRange);
        return c.Server.Databases[id];
    }

    private static void Move(CommandContext c)
    {
        Database src = c.Db;
        Database dst = TargetDb(c, 2);
        if (ReferenceEquals(src, dst))
            Errors.Throw("ERR source and destination objects are the same");
        ReadOnlySpan<byte> key = c[1];
        if (src.LookupWrite(key) is null || dst.LookupWrite(key) is not null)
        {
            c.Reply.Integer(0);
            return;
        }
        uint access = src.Peek(key).Access;
        object value = src.Take(key, out byte[] storedKey, out long expireAt)!;
        dst.Add(key, value, storedKey);
        dst.Peek(key).Access = access;
        if (expireAt >= 0)
            dst.SetExpire(key, expireAt);
        c.Server.KeyModified(src.Id, key, 0);
        c.Server.KeyModified(dst.Id, key);
        c.Server.Notify(NotifyFlags.Generic, "move_from", key, src.Id);
        c.Server.Notify(NotifyFlags.Generic, "move_to", key, dst.Id);
        c.Reply.Integer(1);
    }

    private static void Copy(CommandContext c)
    {
        Database src = c.Db;
        Database dst = src;
        bool replace = false;
        for (int j = 3; j < c.Count; j++)
        {
            if (c.Is(j, "REPLACE"u8))
            {
                replace = true;
            }
            else if (c.Is(j, "DB"u8) && j + 1 < c.Count)
            {
                dst = TargetDb(c, j + 1);
                j++;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        ReadOnlySpan<byte> key = c[1];
        ReadOnlySpan<byte> newKey = c[2];
        if (ReferenceEquals(src, dst) && key.SequenceEqual(newKey))
            Errors.Throw("ERR source and destination objects are the same");
        object? value = src.LookupWrite(key);
        if (value is null)
        {
            c.Reply.Integer(0);
            return;
        }
        long expireAt = src.GetExpire(key);
        if (dst.LookupWrite(newKey) is not null)
        {
            if (!replace)
            {
                c.Reply.Integer(0);
                return;
            }
            dst.Delete(newKey);
        }
        dst.Add(newKey, RedisObject.Copy(value));
        if (expireAt >= 0)
            dst.SetExpire(newKey, expireAt);
        c.Server.KeyModified(dst.Id, newKey);
        c.Server.Notify(NotifyFlags.Generic, "copy_to", newKey, dst.Id);
        c.Reply.Integer(1);
    }

    private static void Keys(CommandContext c)
    {
        ReadOnlySpan<byte> pattern = c[1];
        bool all = pattern.Length == 1 && pattern[0] == (byte)'*';
        Database db = c.Db;
        int handle = c.Reply.BeginDeferredArray();
        long n = 0;
        foreach (byte[] key in db.AllKeys())
        {
            // KEYS hides logically expired keys without deleting them (Redis 7's keyIsExpired).
            if ((all || Glob.Match(pattern, key)) && !db.IsExpired(key))
            {
                c.Reply.Bulk(key);
                n++;
            }
        }
        c.Reply.EndDeferredArray(handle, n);
    }

    /// <summary>Redis's parseScanCursorOrReply: strtoul in base 10, no leading space, no trailing junk.</summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        if (s.Length == 0)
            return true;   // strtoul("") is 0 with nothing left over, which Redis accepts
        if (s[0] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f')
            return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }
        if (i == s.Length)
            return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9)
                return false;
            if (v > (ulong.MaxValue - d) / 10)
                return false;   // ERANGE
            v = (v * 10) + d;
        }
        cursor = negative ? unchecked(0UL - v) : v;
        return true;
    }

    private static void Scan(CommandContext c)
    {
        if (!TryParseCursor(c[1], out ulong cursor))
            Errors.Throw("ERR invalid cursor");
        long count = 10;
        int patternArg = -1;
        int typeArg = -1;
        for (int i = 2; i < c.Count;)
        {
            int left = c.Count - i;
            if (c.Is(i, "COUNT"u8) && left >= 2)
            {
                count = c.Long(i + 1);
                if (count < 1)
                    Errors.ThrowSyntax();
                i += 2;
            }
            else if (c.Is(i, "MATCH"u8) && left >= 2)
            {
                patternArg = i + 1;
                i += 2;
            }
            else if (c.Is(i, "TYPE"u8) && left >= 2)
            {
                typeArg = i + 1;
                i += 2;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        bool usePattern = patternArg >= 0 && !(c[patternArg].Length == 1 && c[patternArg][0] == (byte)'*');

        Database db = c.Db;
        var keys = new List<byte[]>();
        long maxIterations = count > long.MaxValue / 10 ? long.MaxValue : count * 10;
        do
        {
            cursor = db.Scan(cursor, keys);
        }
        while (cursor != 0 && maxIterations-- > 0 && keys.Count < count);

        var result = new List<byte[]>(keys.Count);
        foreach (byte[] key in keys)
        {
            if (usePattern && !Glob.Match(c[patternArg], key))
                continue;
            if (typeArg >= 0)
            {
                object? value = LookupNoTouch(c, key);
                string type = value is null ? "none" : RedisObject.TypeOf(value);
                if (!EqualsIgnoreCase(c[typeArg], type))
                    continue;
            }
            if (db.ExpiresCount > 0 && db.ExpireIfNeeded(key))
                continue;
            result.Add(key);
        }
        c.Reply.Array(2);
        c.Reply.Bulk(cursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        c.Reply.Array(result.Count);
        foreach (byte[] key in result)
            c.Reply.Bulk(key);
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, string b)
    {
        if (a.Length != b.Length)
            return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (char.ToLowerInvariant((char)a[i]) != char.ToLowerInvariant(b[i]))
                return false;
        }
        return true;
    }

    private static void RandomKey(CommandContext c)
    {
        Database db = c.Db;
        bool allVolatile = db.Count == db.ExpiresCount;
        int tries = 100;
        while (true)
        {
            byte[]? key = db.RandomKey(c.Server.Random);
            if (key is null)
            {
                c.Reply.Null();
                return;
            }
            if (db.GetExpire(key) >= 0)
            {
                // On a replica expired keys stay until the master deletes them: give up eventually.
                if (allVolatile && c.Server.IsReplica && --tries == 0)
                {
                    c.Reply.Bulk(key);
                    return;
                }
                if (db.ExpireIfNeeded(key))
                    continue;
            }
            c.Reply.Bulk(key);
            return;
        }
    }

    private static void DbSize(CommandContext c) => c.Reply.Integer(c.Db.Count);

    /// <summary>FLUSHDB/FLUSHALL's optional ASYNC or SYNC (Redis's getFlushCommandFlags).</summary>
    private static void ParseFlushFlags(CommandContext c)
    {
        if (c.Count > 2 || (c.Count == 2 && !c.Is(1, "SYNC"u8) && !c.Is(1, "ASYNC"u8)))
            Errors.ThrowSyntax();
    }

    private static void FlushDb(CommandContext c)
    {
        ParseFlushFlags(c);
        Database db = c.Db;
        c.Server.TouchWatchedKeys(db.Id, db, null);
        long removed = db.Count;
        db.Clear();
        c.Server.Stats.Dirty += removed;
        c.Reply.Ok();
    }

    private static void FlushAll(CommandContext c)
    {
        ParseFlushFlags(c);
        long removed = 0;
        foreach (Database db in c.Server.Databases)
        {
            c.Server.TouchWatchedKeys(db.Id, db, null);
            removed += db.Count;
        }
        c.Server.FlushAll();
        // Redis counts the removed keys plus one, so that FLUSHALL always propagates and dirties.
        c.Server.Stats.Dirty += removed + 1;
        c.Reply.Ok();
    }

    private static void SwapDb(CommandContext c)
    {
        int id1 = c.Int(1, "ERR invalid first DB index");
        int id2 = c.Int(2, "ERR invalid second DB index");
        int n = c.Server.Databases.Length;
        if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n)
            Errors.Throw(Errors.DbIndexOutOfRange);
        if (id1 != id2)
        {
            Database db1 = c.Server.Databases[id1];
            Database db2 = c.Server.Databases[id2];
            // Watchers and blocked clients stay with their database number, the data moves.
            c.Server.TouchWatchedKeys(id1, db1, db2);
            c.Server.TouchWatchedKeys(id2, db2, db1);
            db1.SwapWith(db2);
            c.Server.ScanDatabaseForReadyKeys(id1);
            c.Server.ScanDatabaseForReadyKeys(id2);
        }
        c.Server.Stats.Dirty++;
        c.Reply.Ok();
    }
}
