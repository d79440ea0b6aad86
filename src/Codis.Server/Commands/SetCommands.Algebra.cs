using Codis.Server.Config;
using Codis.Server.DataTypes;

namespace Codis.Server.Commands;

public static partial class SetCommands
{
    // Loads the sets named by arguments [first, first + n): a missing key is null, another type throws
    // WRONGTYPE (after every key was looked up, as Redis checks each in turn).
    private static RedisSet?[] LoadSets(CommandContext c, int first, int n, bool write)
    {
        var sets = new RedisSet?[n];
        for (int j = 0; j < n; j++)
        {
            object? v = write ? c.Db.LookupWrite(c[first + j]) : c.Db.Lookup(c[first + j]);
            if (v is null)
                continue;
            sets[j] = v as RedisSet ?? throw new CommandException(Errors.WrongType);
        }
        return sets;
    }

    private static void SInter(CommandContext c) => InterGeneric(c, 1, c.Count - 1, -1, cardinalityOnly: false, 0);

    private static void SInterStore(CommandContext c) => InterGeneric(c, 2, c.Count - 2, 1, cardinalityOnly: false, 0);

    private static void SInterCard(CommandContext c)
    {
        const string NumKeysError = "ERR numkeys should be greater than 0";
        long numKeys = c.Long(1, NumKeysError);
        if (numKeys < 1)
            Errors.Throw(NumKeysError);
        if (numKeys > c.Count - 2)
            Errors.Throw("ERR Number of keys can't be greater than number of args");
        long limit = 0;
        for (int j = 2 + (int)numKeys; j < c.Count; j++)
        {
            if (c.Is(j, "LIMIT"u8) && c.Count - 1 - j > 0)
            {
                j++;
                limit = c.Long(j, "ERR LIMIT can't be negative");
                if (limit < 0)
                    Errors.Throw("ERR LIMIT can't be negative");
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        InterGeneric(c, 2, (int)numKeys, -1, cardinalityOnly: true, limit);
    }

    private static void InterGeneric(CommandContext c, int first, int n, int dstIndex, bool cardinalityOnly, long limit)
    {
        bool store = dstIndex >= 0;
        RedisSet?[] sets = LoadSets(c, first, n, store);
        if (Array.IndexOf(sets, null) >= 0)
        {
            // An intersection with an empty set is empty.
            if (store)
            {
                StoreResult(c, dstIndex, new RedisSet(), "sinterstore");
            }
            else if (cardinalityOnly)
            {
                c.Reply.Integer(0);
            }
            else
            {
                c.Reply.Set(0);
            }
            return;
        }
        // Walk the smallest set, probing the others from the smallest up (stable, like Redis's qsort
        // on equal sizes gives an order that does not change the result).
        RedisSet[] ordered = sets!;
        Array.Sort(ordered.Select(s => s.Count).ToArray(), ordered);
        long cardinality = 0;
        RedisSet? dst = store ? new RedisSet() : null;
        List<byte[]>? found = store || cardinalityOnly ? null : [];
        int max = MaxIntset(c);
        foreach (byte[] m in ordered[0].Members())
        {
            bool inAll = true;
            for (int j = 1; j < ordered.Length && inAll; j++)
            {
                if (!ReferenceEquals(ordered[j], ordered[0]))
                    inAll = ordered[j].Contains(m);
            }
            if (!inAll)
                continue;
            cardinality++;
            if (dst is not null)
                dst.Add(m, max);
            else
                found?.Add(m);
            if (cardinalityOnly && limit > 0 && cardinality >= limit)
                break;
        }
        if (store)
        {
            StoreResult(c, dstIndex, dst!, "sinterstore");
        }
        else if (cardinalityOnly)
        {
            c.Reply.Integer(cardinality);
        }
        else
        {
            c.Reply.Set(found!.Count);
            foreach (byte[] m in found)
                c.Reply.Bulk(m);
        }
    }

    // Stores a STORE command's result: replaces the destination (clearing its TTL) when non-empty,
    // else deletes it ("del" event only when it existed).
    private static void StoreResult(CommandContext c, int dstIndex, RedisSet result, string eventName)
    {
        ReadOnlySpan<byte> dst = c[dstIndex];
        if (result.Count > 0)
        {
            c.Db.Set(dst, result);
            c.KeyModified(dst);
            c.Reply.Integer(result.Count);
            c.Notify(NotifyFlags.Set, eventName, dst);
            return;
        }
        c.Reply.Integer(0);
        if (c.Db.Delete(dst))
        {
            c.KeyModified(dst);
            c.Notify(NotifyFlags.Generic, "del", dst);
        }
    }

    private static void SUnion(CommandContext c) => UnionDiff(c, 1, c.Count - 1, -1, diff: false);

    private static void SUnionStore(CommandContext c) => UnionDiff(c, 2, c.Count - 2, 1, diff: false);

    private static void SDiff(CommandContext c) => UnionDiff(c, 1, c.Count - 1, -1, diff: true);

    private static void SDiffStore(CommandContext c) => UnionDiff(c, 2, c.Count - 2, 1, diff: true);

    /// <summary>The union of <paramref name="sets"/> (nulls are empty), built as Redis does from an intset.</summary>
    internal static RedisSet Union(RedisSet?[] sets, int maxIntset)
    {
        var result = new RedisSet();
        foreach (RedisSet? s in sets)
        {
            if (s is null)
                continue;
            foreach (byte[] m in s.Members())
                result.Add(m, maxIntset);
        }
        return result;
    }

    private static void UnionDiff(CommandContext c, int first, int n, int dstIndex, bool diff)
    {
        bool store = dstIndex >= 0;
        RedisSet?[] sets = LoadSets(c, first, n, store);
        int max = MaxIntset(c);
        RedisSet result;
        if (!diff)
            result = Union(sets, max);
        else
            result = Difference(sets, max);
        if (store)
        {
            StoreResult(c, dstIndex, result, diff ? "sdiffstore" : "sunionstore");
            return;
        }
        c.Reply.Set(result.Count);
        result.WriteMembers(c.Reply);
    }

    // Redis 7.0's two SDIFF algorithms, chosen by the same cost estimate: the choice shows in the
    // result's encoding (algorithm 2 adds the whole first set before removing).
    private static RedisSet Difference(RedisSet?[] sets, int max)
    {
        var result = new RedisSet();
        RedisSet? head = sets[0];
        if (head is null)
            return result;
        for (int j = 1; j < sets.Length; j++)
        {
            if (ReferenceEquals(sets[j], head))
                return result;
        }
        long algoOne = 0;
        long algoTwo = 0;
        foreach (RedisSet? s in sets)
        {
            if (s is null)
                continue;
            algoOne += head.Count;
            algoTwo += s.Count;
        }
        algoOne /= 2;
        if (algoOne <= algoTwo)
        {
            // Probe each member of the first set in the others, biggest first.
            RedisSet[] others = sets.Skip(1).Where(s => s is not null).Select(s => s!).OrderByDescending(s => s.Count).ToArray();
            foreach (byte[] m in head.Members())
            {
                bool found = false;
                foreach (RedisSet o in others)
                {
                    if (o.Contains(m))
                    {
                        found = true;
                        break;
                    }
                }
                if (!found)
                    result.Add(m, max);
            }
            return result;
        }
        foreach (byte[] m in head.Members())
            result.Add(m, max);
        for (int j = 1; j < sets.Length && result.Count > 0; j++)
        {
            if (sets[j] is not { } s)
                continue;
            foreach (byte[] m in s.Members())
                result.Remove(m);
        }
        return result;
    }
}
