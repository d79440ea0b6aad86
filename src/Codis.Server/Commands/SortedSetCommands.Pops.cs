using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

public static partial class SortedSetCommands
{
    private static void RegisterPops(CommandTable t)
    {
        t.Add("zpopmin", -2, Write | Fast, 1, 1, 1, static c => ZPop(c, max: false));
        t.Add("zpopmax", -2, Write | Fast, 1, 1, 1, static c => ZPop(c, max: true));
        t.Add("bzpopmin", -3, Write | NoScript | Fast | Blocking, 1, -2, 1, static c => BZPop(c, max: false));
        t.Add("bzpopmax", -3, Write | NoScript | Fast | Blocking, 1, -2, 1, static c => BZPop(c, max: true));
        t.Add("zmpop", -4, Write, 0, 0, 0, static c => ZMPop(c, 1, blocking: false));
        t.Add("bzmpop", -5, Write | Blocking, 0, 0, 0, static c => ZMPop(c, 2, blocking: true));
    }

    private static void ZPop(CommandContext c, bool max)
    {
        if (c.Count > 3)
            Errors.ThrowSyntax();
        long count = -1;
        if (c.Count == 3 && (!CommandContext.TryParseLong(c[2], out count) || count < 0))
            Errors.Throw("ERR value is out of range, must be positive");
        PopGeneric(c, 1, 1, max, emitKey: false, count, nested: c.Count == 3 && c.Reply.Protocol == 3, nilWhenEmpty: false);
    }

    // Redis's genericZpopCommand over keys c[first .. first+keyCount-1]: pops from the first key that
    // exists. The reply shapes: ZPOP* flat (nested pairs with a count in RESP3), BZPOP* the key then a
    // flat pair, Z/BZMPOP the key then nested pairs.
    private static void PopGeneric(CommandContext c, int first, int keyCount, bool max, bool emitKey, long count, bool nested, bool nilWhenEmpty)
    {
        RedisZSet? zset = null;
        int keyIndex = -1;
        for (int i = first; i < first + keyCount; i++)
        {
            zset = ReadForWrite(c, c[i]);
            if (zset is not null)
            {
                keyIndex = i;
                break;
            }
        }

        if (zset is null)
        {
            if (nilWhenEmpty)
                c.Reply.NullArray();
            else
                c.Reply.Array(0);
            return;
        }

        if (count == 0)
        {
            c.Reply.Array(0);
            return;
        }

        if (count == -1)
            count = 1;
        long take = Math.Min(count, zset.Count);
        ReadOnlySpan<byte> key = c[keyIndex];
        if (!nested && !emitKey)
        {
            c.Reply.Array(take * 2);
        }
        else if (!emitKey)
        {
            c.Reply.Array(take);
        }
        else if (!nested)
        {
            c.Reply.Array(take * 2 + 1);
            c.Reply.Bulk(key);
        }
        else
        {
            c.Reply.Array(2);
            c.Reply.Bulk(key);
            c.Reply.Array(take);
        }

        for (long i = 0; i < take; i++)
        {
            SortedSetEntry entry;
            if (max)
                zset.Set.TryPopMax(out entry);
            else
                zset.Set.TryPopMin(out entry);
            if (nested)
                c.Reply.Array(2);
            c.Reply.Bulk(entry.Member);
            c.Reply.Double(entry.Score);
        }

        AfterRemoval(c, key, zset, max ? "zpopmax" : "zpopmin");
    }

    private static void BZPop(CommandContext c, bool max)
    {
        long timeout = c.BlockingTimeout(c.Count - 1);
        if (!TryServeBlocking(c, 1, c.Count - 2, max, count: -1, nested: false))
            BlockOn(c, 1, c.Count - 2, timeout);
    }

    // Serves the first key holding a non-empty sorted set; false when none does (checking types on the way).
    private static bool TryServeBlocking(CommandContext c, int first, int keyCount, bool max, long count, bool nested)
    {
        for (int i = first; i < first + keyCount; i++)
        {
            RedisZSet? zset = ReadForWrite(c, c[i]);
            if (zset is not null && zset.Count > 0)
            {
                PopGeneric(c, i, 1, max, emitKey: true, count, nested, nilWhenEmpty: nested);
                return true;
            }
        }

        return false;
    }

    private static void BlockOn(CommandContext c, int first, int keyCount, long timeoutMs)
    {
        var keys = new List<byte[]>(keyCount);
        for (int i = first; i < first + keyCount; i++)
            keys.Add(c.ArgArray(i));
        c.Block(keys, timeoutMs, nullArrayOnTimeout: true);
    }

    // ZMPOP numkeys key... MIN|MAX [COUNT n]; BZMPOP timeout numkeys key... MIN|MAX [COUNT n].
    private static void ZMPop(CommandContext c, int numKeysIndex, bool blocking)
    {
        if (!CommandContext.TryParseLong(c[numKeysIndex], out long numKeys) || numKeys < 1)
            Errors.Throw("ERR numkeys should be greater than 0");
        long whereIndex = numKeysIndex + numKeys + 1;
        if (whereIndex >= c.Count)
            Errors.ThrowSyntax();
        int where = (int)whereIndex;
        bool max;
        if (c.Is(where, "MIN"u8))
            max = false;
        else if (c.Is(where, "MAX"u8))
            max = true;
        else
            throw new CommandException(Errors.Syntax);
        long count = -1;
        for (int j = where + 1; j < c.Count; j++)
        {
            if (count == -1 && c.Is(j, "COUNT"u8) && j + 1 < c.Count)
            {
                j++;
                if (!CommandContext.TryParseLong(c[j], out count) || count < 1)
                    Errors.Throw("ERR count should be greater than 0");
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        if (count == -1)
            count = 1;
        if (!blocking)
        {
            PopGeneric(c, numKeysIndex + 1, (int)numKeys, max, emitKey: true, count, nested: true, nilWhenEmpty: true);
            return;
        }

        long timeout = c.BlockingTimeout(1);
        if (!TryServeBlocking(c, numKeysIndex + 1, (int)numKeys, max, count, nested: true))
            BlockOn(c, numKeysIndex + 1, (int)numKeys, timeout);
    }
}
