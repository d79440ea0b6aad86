using Codis.Core.Text;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The set commands with Redis 7.0's semantics: replies, error texts, keyspace events and the
/// intset/hashtable encoding of results (STORE results start as intsets, as in t_set.c).
/// </summary>
public static partial class SetCommands
{
    // What SPOP propagates instead of itself (the command names are shared: ArgList.Set copies them).
    private static readonly byte[] s_srem = "SREM"u8.ToArray();
    private static readonly byte[] s_del = "DEL"u8.ToArray();

    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("sadd", -3, Write | DenyOom | Fast, 1, 1, 1, SAdd);
        t.Add("srem", -3, Write | Fast, 1, 1, 1, SRem);
        t.Add("scard", 2, ReadOnly | Fast, 1, 1, 1, SCard);
        t.Add("sismember", 3, ReadOnly | Fast, 1, 1, 1, SIsMember);
        t.Add("smismember", -3, ReadOnly | Fast, 1, 1, 1, SMIsMember);
        t.Add("smembers", 2, ReadOnly, 1, 1, 1, SMembers);
        t.Add("srandmember", -2, ReadOnly, 1, 1, 1, SRandMember);
        t.Add("spop", -2, Write | Fast, 1, 1, 1, SPop);
        t.Add("smove", 4, Write | Fast, 1, 2, 1, SMove);
        t.Add("sinter", -2, ReadOnly, 1, -1, 1, SInter);
        t.Add("sintercard", -3, ReadOnly, 0, 0, 0, SInterCard);
        t.Add("sinterstore", -3, Write | DenyOom, 1, -1, 1, SInterStore);
        t.Add("sunion", -2, ReadOnly, 1, -1, 1, SUnion);
        t.Add("sunionstore", -3, Write | DenyOom, 1, -1, 1, SUnionStore);
        t.Add("sdiff", -2, ReadOnly, 1, -1, 1, SDiff);
        t.Add("sdiffstore", -3, Write | DenyOom, 1, -1, 1, SDiffStore);
        t.Add("sscan", -3, ReadOnly, 1, 1, 1, SScan);
    }

    private static int MaxIntset(CommandContext c) => c.Server.Config.SetMaxIntsetEntries;

    private static void SAdd(CommandContext c)
    {
        RedisSet? set = c.GetForWrite<RedisSet>(c[1]);
        if (set is null)
        {
            set = new RedisSet();
            c.Db.Add(c[1], set);
        }
        int max = MaxIntset(c);
        long added = 0;
        for (int i = 2; i < c.Count; i++)
        {
            if (set.Add(c[i], max))
                added++;
        }
        if (added > 0)
        {
            c.KeyModified(c[1], (int)added);
            c.Notify(NotifyFlags.Set, "sadd", c[1]);
        }
        c.Reply.Integer(added);
    }

    private static void SRem(CommandContext c)
    {
        RedisSet? set = c.GetForWrite<RedisSet>(c[1]);
        if (set is null)
        {
            c.Reply.Integer(0);
            return;
        }
        long removed = 0;
        for (int i = 2; i < c.Count; i++)
        {
            if (set.Remove(c[i]))
            {
                removed++;
                if (set.Count == 0)
                    break;
            }
        }
        if (removed > 0)
        {
            c.KeyModified(c[1], (int)removed);
            c.Notify(NotifyFlags.Set, "srem", c[1]);
            DeleteIfEmpty(c, set, c[1]);
        }
        c.Reply.Integer(removed);
    }

    // Redis deletes a collection that became empty and reports it as a "del" event.
    private static void DeleteIfEmpty(CommandContext c, RedisSet set, ReadOnlySpan<byte> key)
    {
        if (set.Count != 0)
            return;
        c.Db.Delete(key);
        c.Notify(NotifyFlags.Generic, "del", key);
    }

    private static void SCard(CommandContext c)
    {
        RedisSet? set = c.Get<RedisSet>(c[1]);
        c.Reply.Integer(set?.Count ?? 0);
    }

    private static void SIsMember(CommandContext c)
    {
        RedisSet? set = c.Get<RedisSet>(c[1]);
        c.Reply.Integer(set is not null && set.Contains(c[2]) ? 1 : 0);
    }

    private static void SMIsMember(CommandContext c)
    {
        RedisSet? set = c.Get<RedisSet>(c[1]);
        c.Reply.Array(c.Count - 2);
        for (int i = 2; i < c.Count; i++)
            c.Reply.Integer(set is not null && set.Contains(c[i]) ? 1 : 0);
    }

    private static void SMembers(CommandContext c)
    {
        RedisSet? set = c.Get<RedisSet>(c[1]);
        if (set is null)
        {
            c.Reply.Set(0);
            return;
        }
        c.Reply.Set(set.Count);
        set.WriteMembers(c.Reply);
    }

    private static void SMove(CommandContext c)
    {
        object? src = c.Db.LookupWrite(c[1]);
        object? dst = c.Db.LookupWrite(c[2]);
        if (src is null)
        {
            c.Reply.Integer(0);
            return;
        }
        if (src is not RedisSet srcSet || (dst is not null && dst is not RedisSet))
        {
            Errors.ThrowWrongType();
            return;
        }
        var dstSet = (RedisSet?)dst;
        if (ReferenceEquals(srcSet, dstSet))
        {
            c.Reply.Integer(srcSet.Contains(c[3]) ? 1 : 0);
            return;
        }
        if (!srcSet.Remove(c[3]))
        {
            c.Reply.Integer(0);
            return;
        }
        c.Notify(NotifyFlags.Set, "srem", c[1]);
        DeleteIfEmpty(c, srcSet, c[1]);
        if (dstSet is null)
        {
            dstSet = new RedisSet();
            c.Db.Add(c[2], dstSet);
        }
        c.KeyModified(c[1]);
        if (dstSet.Add(c[3], MaxIntset(c)))
        {
            c.KeyModified(c[2]);
            c.Notify(NotifyFlags.Set, "sadd", c[2]);
        }
        c.Reply.Integer(1);
    }

    private static void SRandMember(CommandContext c)
    {
        if (c.Count > 3)
            Errors.ThrowSyntax();
        if (c.Count == 3)
        {
            SRandMemberWithCount(c);
            return;
        }
        RedisSet? set = c.Get<RedisSet>(c[1]);
        if (set is null)
            c.Reply.Null();
        else
            c.Reply.Bulk(set.RandomMember(c.Server.Random));
    }

    // Redis's getRangeLongFromObjectOrReply with its default message.
    private static long RangeLong(CommandContext c, int i, long min, long max)
    {
        long v = c.Long(i);
        if (v < min || v > max)
            Errors.Throw($"ERR value is out of range, value must between {min} and {max}");
        return v;
    }

    private static void SRandMemberWithCount(CommandContext c)
    {
        long l = RangeLong(c, 2, -long.MaxValue, long.MaxValue);
        bool unique = l >= 0;
        long count = Math.Abs(l);
        RedisSet? set = c.Get<RedisSet>(c[1]);
        if (set is null || count == 0)
        {
            c.Reply.Array(0);
            return;
        }
        Random random = c.Server.Random;
        // Negative count (or 1): independent draws, repetitions allowed.
        if (!unique || count == 1)
        {
            c.Reply.Array(count);
            for (long i = 0; i < count; i++)
                c.Reply.Bulk(set.RandomMember(random));
            return;
        }
        // The whole set, in its own order.
        if (count >= set.Count)
        {
            c.Reply.Array(set.Count);
            set.WriteMembers(c.Reply);
            return;
        }
        // Distinct members: drop random ones from a copy when most are wanted, else draw until enough.
        var picked = new HashSet<byte[]>(ByteArrayComparer.Instance);
        if (count * 3 > set.Count)
        {
            List<byte[]> all = set.ToList();
            int n = all.Count;
            while (n > count)
            {
                int i = random.Next(n);
                all[i] = all[--n];
            }
            picked.UnionWith(all.GetRange(0, n));
        }
        else
        {
            while (picked.Count < count)
                picked.Add(set.RandomMember(random));
        }
        c.Reply.Array(picked.Count);
        foreach (byte[] m in picked)
            c.Reply.Bulk(m);
    }

    private static void SPop(CommandContext c)
    {
        if (c.Count > 3)
            Errors.ThrowSyntax();
        if (c.Count == 3)
        {
            SPopWithCount(c);
            return;
        }
        RedisSet? set = c.GetForWrite<RedisSet>(c[1]);
        if (set is null)
        {
            c.Reply.Null();
            return;
        }
        byte[] m = set.PopRandom(c.Server.Random);
        c.PropagateAs(s_srem, c.ArgArray(1), m);
        c.Notify(NotifyFlags.Set, "spop", c[1]);
        c.Reply.Bulk(m);
        DeleteIfEmpty(c, set, c[1]);
        c.KeyModified(c[1]);
    }

    private static void SPopWithCount(CommandContext c)
    {
        // getPositiveLongFromObjectOrReply: one message for "not an integer" and "negative".
        const string NotPositive = "ERR value is out of range, must be positive";
        long count = c.Long(2, NotPositive);
        if (count < 0)
            Errors.Throw(NotPositive);
        RedisSet? set = c.GetForWrite<RedisSet>(c[1]);
        if (set is null || count == 0)
        {
            c.Reply.Set(0);
            return;
        }
        int size = set.Count;
        c.Notify(NotifyFlags.Set, "spop", c[1]);
        if (count >= size)
        {
            // Redis answers with SUNION of the key: a fresh set, so an all-integer hash table comes
            // back in ascending order like an intset.
            RedisSet copy = Union([set], MaxIntset(c));
            c.Reply.Set(copy.Count);
            copy.WriteMembers(c.Reply);
            c.Db.Delete(c[1]);
            c.PropagateAs(s_del, c.ArgArray(1));
            c.Notify(NotifyFlags.Generic, "del", c[1]);
            c.KeyModified(c[1]);
            return;
        }
        Random random = c.Server.Random;
        c.Reply.Set(count);
        // Replicas and the AOF get the SREM of the members popped here.
        var popped = new List<byte[]>((int)count + 2) { s_srem, c.ArgArray(1) };
        if (count * 5 <= size)
        {
            for (long i = 0; i < count; i++)
            {
                byte[] m = set.PopRandom(random);
                popped.Add(m);
                c.Reply.Bulk(m);
            }
        }
        else
        {
            // Most members go: choose the survivors, reply the others in the set's own order.
            List<byte[]> all = set.ToList();
            int n = all.Count;
            long remaining = size - count;
            var keep = new HashSet<byte[]>(ByteArrayComparer.Instance);
            while (keep.Count < remaining)
            {
                int i = random.Next(n);
                keep.Add(all[i]);
                all[i] = all[--n];
            }
            foreach (byte[] m in set.ToList())
            {
                if (keep.Contains(m))
                    continue;
                set.Remove(m);
                popped.Add(m);
                c.Reply.Bulk(m);
            }
        }
        c.PropagateAs([.. popped]);
        c.KeyModified(c[1]);
    }

    private static void SScan(CommandContext c)
    {
        ulong cursor = ParseScanCursor(c, 2);
        RedisSet? set = c.Get<RedisSet>(c[1]);
        if (set is null)
        {
            c.Reply.Array(2);
            c.Reply.Bulk("0"u8);
            c.Reply.Array(0);
            return;
        }
        long count = 10;
        int patternIndex = -1;
        for (int i = 3; i < c.Count; i += 2)
        {
            bool more = c.Count - i >= 2;
            if (more && c.Is(i, "COUNT"u8))
            {
                count = c.Long(i + 1);
                if (count < 1)
                    Errors.ThrowSyntax();
            }
            else if (more && c.Is(i, "MATCH"u8))
            {
                patternIndex = i + 1;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        var found = new List<byte[]>();
        if (set.IsIntset)
        {
            found.AddRange(set.Members());
            cursor = 0;
        }
        else
        {
            long steps = count > long.MaxValue / 10 ? long.MaxValue : count * 10;
            do
            {
                cursor = set.ScanStep(cursor, found);
            }
            while (cursor != 0 && steps-- > 0 && found.Count < count);
        }
        bool usePattern = patternIndex > 0 && !c[patternIndex].SequenceEqual("*"u8);
        int kept = found.Count;
        if (usePattern)
        {
            kept = 0;
            ReadOnlySpan<byte> pattern = c[patternIndex];
            for (int i = 0; i < found.Count; i++)
            {
                if (Glob.Match(pattern, found[i]))
                    found[kept++] = found[i];
            }
        }
        c.Reply.Array(2);
        Span<byte> text = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(cursor, text, out int len);
        c.Reply.Bulk(text[..len]);
        c.Reply.Array(kept);
        for (int i = 0; i < kept; i++)
            c.Reply.Bulk(found[i]);
    }

    /// <summary>
    /// Redis's parseScanCursorOrReply: C strtoul rules (optional sign, a negative value wraps around,
    /// an empty string is 0), no leading space, no trailing garbage, no overflow; else
    /// <c>ERR invalid cursor</c>.
    /// </summary>
    public static ulong ParseScanCursor(CommandContext c, int index)
    {
        if (!TryParseScanCursor(c[index], out ulong cursor))
            Errors.Throw("ERR invalid cursor");
        return cursor;
    }

    /// <summary>The parsing part of <see cref="ParseScanCursor"/>.</summary>
    public static bool TryParseScanCursor(ReadOnlySpan<byte> s, out ulong cursor)
    {
        cursor = 0;
        if (s.Length == 0)
            return true;
        if (s[0] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
            return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }
        if (i == s.Length || s[i] is < (byte)'0' or > (byte)'9')
            return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9)
                return false;
            if (v > (ulong.MaxValue - d) / 10)
                return false;
            v = v * 10 + d;
        }
        cursor = negative ? 0 - v : v;
        return true;
    }
}
