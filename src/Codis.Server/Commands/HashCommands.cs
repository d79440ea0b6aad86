using System.Text;
using Codis.Core.Text;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>Hash commands (HSET ... HSCAN) with Redis 7.0's replies, error texts and keyspace events.</summary>
public static class HashCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("hset", -4, Write | DenyOom | Fast, 1, 1, 1, HSet);
        t.Add("hmset", -4, Write | DenyOom | Fast, 1, 1, 1, HMSet);
        t.Add("hsetnx", 4, Write | DenyOom | Fast, 1, 1, 1, HSetNx);
        t.Add("hget", 3, ReadOnly | Fast, 1, 1, 1, HGet);
        t.Add("hmget", -3, ReadOnly | Fast, 1, 1, 1, HMGet);
        t.Add("hdel", -3, Write | Fast, 1, 1, 1, HDel);
        t.Add("hlen", 2, ReadOnly | Fast, 1, 1, 1, HLen);
        t.Add("hstrlen", 3, ReadOnly | Fast, 1, 1, 1, HStrLen);
        t.Add("hexists", 3, ReadOnly | Fast, 1, 1, 1, HExists);
        t.Add("hincrby", 4, Write | DenyOom | Fast, 1, 1, 1, HIncrBy);
        t.Add("hincrbyfloat", 4, Write | DenyOom | Fast, 1, 1, 1, HIncrByFloat);
        t.Add("hkeys", 2, ReadOnly, 1, 1, 1, HKeys);
        t.Add("hvals", 2, ReadOnly, 1, 1, 1, HVals);
        t.Add("hgetall", 2, ReadOnly, 1, 1, 1, HGetAll);
        t.Add("hrandfield", -2, ReadOnly | CommandFlags.Random, 1, 1, 1, HRandField);
        t.Add("hscan", -3, ReadOnly | CommandFlags.Random, 1, 1, 1, HScan);
    }

    /// <summary>Redis's hashTypeLookupWriteOrCreate: the hash at <paramref name="key"/>, created when absent.</summary>
    private static RedisHash LookupWriteOrCreate(CommandContext c, ReadOnlySpan<byte> key)
    {
        RedisHash? hash = c.GetForWrite<RedisHash>(key);
        if (hash is null)
        {
            hash = new RedisHash();
            c.Db.Add(key, hash);
        }
        return hash;
    }

    private static bool SetField(CommandContext c, RedisHash hash, int fieldIndex, byte[] value) =>
        hash.Set(c[fieldIndex], value, c.Server.Config.HashMaxListpackEntries, c.Server.Config.HashMaxListpackValue);

    private static void HSet(CommandContext c) => SetMany(c, replyOk: false);

    private static void HMSet(CommandContext c) => SetMany(c, replyOk: true);

    private static void SetMany(CommandContext c, bool replyOk)
    {
        if (c.Count % 2 == 1)
            Errors.Throw(Errors.WrongArgs(c.Command.Name));
        RedisHash hash = LookupWriteOrCreate(c, c[1]);
        // As Redis's hashTypeTryConversion: any long argument converts before the first insertion.
        int maxValue = c.Server.Config.HashMaxListpackValue;
        if (hash.IsListpack)
        {
            for (int i = 2; i < c.Count; i++)
            {
                if (c[i].Length > maxValue)
                {
                    hash.ConvertToTable();
                    break;
                }
            }
        }
        int created = 0;
        for (int i = 2; i < c.Count; i += 2)
        {
            if (SetField(c, hash, i, c.ArgArray(i + 1)))
                created++;
        }
        if (replyOk)
            c.Reply.Ok();
        else
            c.Reply.Integer(created);
        c.KeyModified(c[1], (c.Count - 2) / 2);
        c.Notify(NotifyFlags.Hash, "hset", c[1]);
    }

    private static void HSetNx(CommandContext c)
    {
        RedisHash hash = LookupWriteOrCreate(c, c[1]);
        if (hash.Contains(c[2]))
        {
            c.Reply.Integer(0);
            return;
        }
        SetField(c, hash, 2, c.ArgArray(3));
        c.Reply.Integer(1);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.Hash, "hset", c[1]);
    }

    private static void HGet(CommandContext c)
    {
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        if (hash is not null && hash.TryGetField(c[2], out byte[] value))
            c.Reply.Bulk(value);
        else
            c.Reply.Null();
    }

    private static void HMGet(CommandContext c)
    {
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        c.Reply.Array(c.Count - 2);
        for (int i = 2; i < c.Count; i++)
        {
            if (hash is not null && hash.TryGetField(c[i], out byte[] value))
                c.Reply.Bulk(value);
            else
                c.Reply.Null();
        }
    }

    private static void HDel(CommandContext c)
    {
        RedisHash? hash = c.GetForWrite<RedisHash>(c[1]);
        if (hash is null)
        {
            c.Reply.Integer(0);
            return;
        }
        int deleted = 0;
        bool keyRemoved = false;
        for (int i = 2; i < c.Count; i++)
        {
            if (hash.Remove(c[i]))
            {
                deleted++;
                if (hash.Count == 0)
                {
                    c.Db.Delete(c[1]);
                    keyRemoved = true;
                    break;
                }
            }
        }
        if (deleted > 0)
        {
            c.KeyModified(c[1], deleted);
            c.Notify(NotifyFlags.Hash, "hdel", c[1]);
            if (keyRemoved)
                c.Notify(NotifyFlags.Generic, "del", c[1]);
        }
        c.Reply.Integer(deleted);
    }

    private static void HLen(CommandContext c) => c.Reply.Integer(c.Get<RedisHash>(c[1])?.Count ?? 0);

    private static void HStrLen(CommandContext c)
    {
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        c.Reply.Integer(hash is not null && hash.TryGetField(c[2], out byte[] value) ? value.Length : 0);
    }

    private static void HExists(CommandContext c)
    {
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        c.Reply.Integer(hash is not null && hash.Contains(c[2]) ? 1 : 0);
    }

    private static void HIncrBy(CommandContext c)
    {
        long incr = c.Long(3);
        RedisHash hash = LookupWriteOrCreate(c, c[1]);
        long value = 0;
        if (hash.TryGetField(c[2], out byte[] current) && !CommandContext.TryParseLong(current, out value))
            Errors.Throw("ERR hash value is not an integer");
        if ((incr < 0 && value < 0 && incr < long.MinValue - value) || (incr > 0 && value > 0 && incr > long.MaxValue - value))
            Errors.Throw(Errors.Overflow);
        value += incr;
        SetField(c, hash, 2, Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        c.Reply.Integer(value);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.Hash, "hincrby", c[1]);
    }

    private static void HIncrByFloat(CommandContext c)
    {
        if (!LongDouble.TryParse(c[3], out LongDouble incr))
            Errors.Throw(Errors.NotFloat);
        if (incr.IsInfinity)
            Errors.Throw("ERR value is NaN or Infinity");
        RedisHash hash = LookupWriteOrCreate(c, c[1]);
        LongDouble value = default;
        if (hash.TryGetField(c[2], out byte[] current) && !LongDouble.TryParse(current, out value))
            Errors.Throw("ERR hash value is not a float");
        LongDouble sum = value + incr;
        if (sum.IsInfinity)
            Errors.Throw("ERR increment would produce NaN or Infinity");
        byte[] text = Encoding.ASCII.GetBytes(sum.ToHumanString());
        SetField(c, hash, 2, text);
        c.Reply.Bulk(text);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.Hash, "hincrbyfloat", c[1]);
    }

    private static void HKeys(CommandContext c) => GetAll(c, keys: true, values: false);

    private static void HVals(CommandContext c) => GetAll(c, keys: false, values: true);

    private static void HGetAll(CommandContext c) => GetAll(c, keys: true, values: true);

    private static void GetAll(CommandContext c, bool keys, bool values)
    {
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        int n = hash?.Count ?? 0;
        if (keys && values)
            c.Reply.Map(n);
        else
            c.Reply.Array(n);
        if (hash is null)
            return;
        foreach (KeyValuePair<byte[], byte[]> p in hash.Pairs())
        {
            if (keys)
                c.Reply.Bulk(p.Key);
            if (values)
                c.Reply.Bulk(p.Value);
        }
    }

    private static void HRandField(CommandContext c)
    {
        if (c.Count >= 3)
        {
            long l = c.Long(2);
            if (l == long.MinValue)
                Errors.Throw($"ERR value is out of range, value must between {-long.MaxValue} and {long.MaxValue}");
            bool withValues = false;
            if (c.Count > 4 || (c.Count == 4 && !c.Is(3, "WITHVALUES"u8)))
                Errors.ThrowSyntax();
            if (c.Count == 4)
            {
                withValues = true;
                if (l < -long.MaxValue / 2 || l > long.MaxValue / 2)
                    Errors.Throw("ERR value is out of range");
            }
            RandomWithCount(c, l, withValues);
            return;
        }
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        if (hash is null)
        {
            c.Reply.Null();
            return;
        }
        c.Reply.Bulk(hash.RandomPair(c.Server.Random).Key);
    }

    private static void RandomWithCount(CommandContext c, long l, bool withValues)
    {
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        if (hash is null || l == 0)
        {
            c.Reply.Array(0);
            return;
        }
        bool resp3 = c.Reply.Protocol == 3;
        Random random = c.Server.Random;
        int size = hash.Count;
        if (l < 0 || l == 1)
        {
            // With repetitions (or a single one): independent uniform picks.
            long count = l < 0 ? -l : 1;
            c.Reply.Array(withValues && !resp3 ? count * 2 : count);
            for (long i = 0; i < count; i++)
                WritePair(c, hash.RandomPair(random), withValues, resp3);
            return;
        }
        long replySize = Math.Min(l, size);
        c.Reply.Array(withValues && !resp3 ? replySize * 2 : replySize);
        if (l >= size)
        {
            foreach (KeyValuePair<byte[], byte[]> p in hash.Pairs())
                WritePair(c, p, withValues, resp3);
            return;
        }
        // Distinct fields: a partial Fisher-Yates shuffle of the positions. A listpack answers them in
        // listpack order (Redis's lpRandomPairsUnique), a table in random order.
        KeyValuePair<byte[], byte[]>[] pairs = hash.ToArray();
        int k = (int)l;
        int[] order = new int[size];
        for (int i = 0; i < size; i++)
            order[i] = i;
        for (int i = 0; i < k; i++)
        {
            int j = random.Next(i, size);
            (order[i], order[j]) = (order[j], order[i]);
        }
        if (hash.IsListpack)
            Array.Sort(order, 0, k);
        for (int i = 0; i < k; i++)
            WritePair(c, pairs[order[i]], withValues, resp3);
    }

    private static void WritePair(CommandContext c, KeyValuePair<byte[], byte[]> p, bool withValues, bool resp3)
    {
        if (withValues && resp3)
            c.Reply.Array(2);
        c.Reply.Bulk(p.Key);
        if (withValues)
            c.Reply.Bulk(p.Value);
    }

    private static void HScan(CommandContext c)
    {
        if (!TryParseCursor(c[2], out ulong cursor))
            Errors.Throw("ERR invalid cursor");
        RedisHash? hash = c.Get<RedisHash>(c[1]);
        if (hash is null)
        {
            c.Reply.Array(2);
            c.Reply.Bulk("0"u8);
            c.Reply.Array(0);
            return;
        }
        long count = 10;
        byte[]? pattern = null;
        for (int i = 3; i < c.Count; i += 2)
        {
            bool more = i + 1 < c.Count;
            if (c.Is(i, "COUNT"u8) && more)
            {
                count = c.Long(i + 1);
                if (count < 1)
                    Errors.ThrowSyntax();
            }
            else if (c.Is(i, "MATCH"u8) && more)
            {
                pattern = c.ArgArray(i + 1);
                if (pattern is [(byte)'*'])
                    pattern = null;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        var items = new List<byte[]>();
        ulong next = hash.Scan(cursor, count, items);
        int kept = items.Count;
        if (pattern is not null)
        {
            kept = 0;
            for (int i = 0; i < items.Count; i += 2)
            {
                if (!Glob.Match(pattern, items[i]))
                    continue;
                items[kept++] = items[i];
                items[kept++] = items[i + 1];
            }
        }
        c.Reply.Array(2);
        c.Reply.Bulk(Encoding.ASCII.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        c.Reply.Array(kept);
        for (int i = 0; i < kept; i++)
            c.Reply.Bulk(items[i]);
    }

    /// <summary>
    /// Redis's parseScanCursorOrReply (strtoul, base 10): optional sign (a minus wraps around), digits,
    /// nothing else; no leading space; the empty string is cursor 0; overflow is an error.
    /// </summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        if (s.Length == 0)
            return true;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == '-';
            i++;
        }
        if (i == s.Length)
            return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            byte b = s[i];
            if (b is < (byte)'0' or > (byte)'9')
                return false;
            ulong d = (ulong)(b - '0');
            if (v > (ulong.MaxValue - d) / 10)
                return false;
            v = v * 10 + d;
        }
        cursor = negative ? unchecked(0 - v) : v;
        return true;
    }
}
