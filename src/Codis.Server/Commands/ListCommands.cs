using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// List commands (LPUSH ... LMPOP) with Redis 7.0's replies, error texts, argument checking order and
/// keyspace events; the blocking variants live in <c>ListCommands.Blocking.cs</c>.
/// </summary>
public static partial class ListCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("lpush", -3, Write | DenyOom | Fast, 1, 1, 1, LPush);
        t.Add("rpush", -3, Write | DenyOom | Fast, 1, 1, 1, RPush);
        t.Add("lpushx", -3, Write | DenyOom | Fast, 1, 1, 1, LPushX);
        t.Add("rpushx", -3, Write | DenyOom | Fast, 1, 1, 1, RPushX);
        t.Add("linsert", 5, Write | DenyOom, 1, 1, 1, LInsert);
        t.Add("llen", 2, ReadOnly | Fast, 1, 1, 1, LLen);
        t.Add("lindex", 3, ReadOnly, 1, 1, 1, LIndex);
        t.Add("lset", 4, Write | DenyOom, 1, 1, 1, LSet);
        t.Add("lrange", 4, ReadOnly, 1, 1, 1, LRange);
        t.Add("ltrim", 4, Write, 1, 1, 1, LTrim);
        t.Add("lrem", 4, Write, 1, 1, 1, LRem);
        t.Add("lpop", -2, Write | Fast, 1, 1, 1, LPop);
        t.Add("rpop", -2, Write | Fast, 1, 1, 1, RPop);
        t.Add("rpoplpush", 3, Write | DenyOom, 1, 2, 1, RPopLPush);
        t.Add("lmove", 5, Write | DenyOom, 1, 2, 1, LMove);
        t.Add("lpos", -3, ReadOnly, 1, 1, 1, LPos);
        t.Add("lmpop", -4, Write, 0, 0, 0, LMPop);
        RegisterBlocking(t);
        KeyCommands.CreateList = static elements => RedisList.FromElements(elements);
    }

    private static void LPush(CommandContext c) => Push(c, left: true, onlyIfExists: false);

    private static void RPush(CommandContext c) => Push(c, left: false, onlyIfExists: false);

    private static void LPushX(CommandContext c) => Push(c, left: true, onlyIfExists: true);

    private static void RPushX(CommandContext c) => Push(c, left: false, onlyIfExists: true);

    private static void Push(CommandContext c, bool left, bool onlyIfExists)
    {
        RedisList? list = c.GetForWrite<RedisList>(c[1]);
        if (list is null)
        {
            if (onlyIfExists)
            {
                c.Reply.Integer(0);
                return;
            }
            list = new RedisList();
            c.Db.Add(c[1], list);
        }
        for (int i = 2; i < c.Count; i++)
            list.Push(c.ArgArray(i), left);
        c.Reply.Integer(list.Count);
        c.KeyModified(c[1], c.Count - 2);
        c.Notify(NotifyFlags.List, left ? "lpush" : "rpush", c[1]);
    }

    private static void LInsert(CommandContext c)
    {
        bool after;
        if (c.Is(2, "AFTER"u8))
            after = true;
        else if (c.Is(2, "BEFORE"u8))
            after = false;
        else
            throw new CommandException(Errors.Syntax);
        RedisList? list = c.GetForWrite<RedisList>(c[1]);
        if (list is null)
        {
            c.Reply.Integer(0);
            return;
        }
        int pivot = list.IndexOf(c[3]);
        if (pivot < 0)
        {
            c.Reply.Integer(-1);
            return;
        }
        list.Insert(after ? pivot + 1 : pivot, c.ArgArray(4));
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.List, "linsert", c[1]);
        c.Reply.Integer(list.Count);
    }

    private static void LLen(CommandContext c)
    {
        RedisList? list = c.Get<RedisList>(c[1]);
        c.Reply.Integer(list?.Count ?? 0);
    }

    private static void LIndex(CommandContext c)
    {
        RedisList? list = c.Get<RedisList>(c[1]);
        if (list is null)
        {
            c.Reply.Null();
            return;
        }
        long index = c.Long(2);
        if (index < 0)
            index += list.Count;
        if (index < 0 || index >= list.Count)
            c.Reply.Null();
        else
            c.Reply.Bulk(list[(int)index]);
    }

    private static void LSet(CommandContext c)
    {
        RedisList? list = c.GetForWrite<RedisList>(c[1]) ?? throw new CommandException(Errors.NoSuchKey);
        long index = c.Long(2);
        if (index < 0)
            index += list.Count;
        if (index < 0 || index >= list.Count)
            Errors.Throw(Errors.OutOfRange);
        list[(int)index] = c.ArgArray(3);
        c.Reply.Ok();
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.List, "lset", c[1]);
    }

    private static void LRange(CommandContext c)
    {
        long start = c.Long(2);
        long end = c.Long(3);
        RedisList? list = c.Get<RedisList>(c[1]);
        if (list is null)
        {
            c.Reply.Array(0);
            return;
        }
        ReplyRange(c, list, start, end, reverse: false);
    }

    /// <summary>Redis's addListRangeReply: start/end with negative indexes, clipped to the list.</summary>
    private static void ReplyRange(CommandContext c, RedisList list, long start, long end, bool reverse)
    {
        long llen = list.Count;
        if (start < 0)
            start += llen;
        if (end < 0)
            end += llen;
        if (start < 0)
            start = 0;
        if (start > end || start >= llen)
        {
            c.Reply.Array(0);
            return;
        }
        if (end >= llen)
            end = llen - 1;
        long n = end - start + 1;
        c.Reply.Array(n);
        if (!reverse)
        {
            for (long i = start; i <= end; i++)
                c.Reply.Bulk(list[(int)i]);
        }
        else
        {
            for (long i = end; i >= start; i--)
                c.Reply.Bulk(list[(int)i]);
        }
    }

    private static void LTrim(CommandContext c)
    {
        long start = c.Long(2);
        long end = c.Long(3);
        RedisList? list = c.GetForWrite<RedisList>(c[1]);
        if (list is null)
        {
            c.Reply.Ok();
            return;
        }
        long llen = list.Count;
        if (start < 0)
            start += llen;
        if (end < 0)
            end += llen;
        if (start < 0)
            start = 0;
        long ltrim, rtrim;
        if (start > end || start >= llen)
        {
            ltrim = llen;
            rtrim = 0;
        }
        else
        {
            if (end >= llen)
                end = llen - 1;
            ltrim = start;
            rtrim = llen - end - 1;
        }
        list.TrimEnds((int)ltrim, (int)rtrim);
        c.Notify(NotifyFlags.List, "ltrim", c[1]);
        DeleteIfEmpty(c, c[1], list);
        c.KeyModified(c[1], (int)(ltrim + rtrim));
        c.Reply.Ok();
    }

    private static void LRem(CommandContext c)
    {
        long toRemove = c.Long(2);
        RedisList? list = c.GetForWrite<RedisList>(c[1]);
        if (list is null)
        {
            c.Reply.Integer(0);
            return;
        }
        long limit = toRemove == long.MinValue ? long.MaxValue : Math.Abs(toRemove);
        int removed = list.RemoveMatches(c[3], limit, fromTail: toRemove < 0);
        if (removed > 0)
        {
            c.KeyModified(c[1], removed);
            c.Notify(NotifyFlags.List, "lrem", c[1]);
        }
        DeleteIfEmpty(c, c[1], list);
        c.Reply.Integer(removed);
    }

    private static void LPop(CommandContext c) => Pop(c, left: true);

    private static void RPop(CommandContext c) => Pop(c, left: false);

    private static void Pop(CommandContext c, bool left)
    {
        if (c.Count > 3)
            Errors.Throw(Errors.WrongArgs(c.Command.Name));
        bool hasCount = c.Count == 3;
        long count = 0;
        if (hasCount)
        {
            const string positive = "ERR value is out of range, must be positive";
            count = c.Long(2, positive);
            if (count < 0)
                Errors.Throw(positive);
        }
        RedisList? list = c.GetForWrite<RedisList>(c[1]);
        if (list is null)
        {
            if (hasCount)
                c.Reply.NullArray();
            else
                c.Reply.Null();
            return;
        }
        if (hasCount && count == 0)
        {
            c.Reply.Array(0);
            return;
        }
        if (!hasCount)
        {
            c.Reply.Bulk(list.Pop(left)!);
            ElementsRemoved(c, c[1], left, list, 1);
            return;
        }
        int n = (int)Math.Min(count, list.Count);
        c.Reply.Array(n);
        for (int i = 0; i < n; i++)
            c.Reply.Bulk(list.Pop(left)!);
        ElementsRemoved(c, c[1], left, list, n);
    }

    /// <summary>Redis's listElementsRemoved: the pop event, deletion of an emptied list, the modification.</summary>
    private static void ElementsRemoved(CommandContext c, ReadOnlySpan<byte> key, bool left, RedisList list, int count)
    {
        c.Notify(NotifyFlags.List, left ? "lpop" : "rpop", key);
        DeleteIfEmpty(c, key, list);
        c.KeyModified(key, count);
    }

    private static void DeleteIfEmpty(CommandContext c, ReadOnlySpan<byte> key, RedisList list)
    {
        if (list.Count != 0)
            return;
        c.Db.Delete(key);
        c.Notify(NotifyFlags.Generic, "del", key);
    }

    private static void RPopLPush(CommandContext c) => Move(c, fromLeft: false, toLeft: true);

    private static void LMove(CommandContext c)
    {
        bool fromLeft = ParseSide(c, 3);
        bool toLeft = ParseSide(c, 4);
        Move(c, fromLeft, toLeft);
    }

    /// <summary>LEFT or RIGHT (true for LEFT), else the syntax error.</summary>
    private static bool ParseSide(CommandContext c, int i)
    {
        if (c.Is(i, "LEFT"u8))
            return true;
        if (c.Is(i, "RIGHT"u8))
            return false;
        throw new CommandException(Errors.Syntax);
    }

    /// <summary>Redis's lmoveGenericCommand: source c[1], destination c[2].</summary>
    private static void Move(CommandContext c, bool fromLeft, bool toLeft)
    {
        RedisList? source = c.GetForWrite<RedisList>(c[1]);
        if (source is null)
        {
            c.Reply.Null();
            return;
        }
        MoveFrom(c, source, fromLeft, toLeft);
    }

    private static void MoveFrom(CommandContext c, RedisList source, bool fromLeft, bool toLeft)
    {
        RedisList? destination = c.GetForWrite<RedisList>(c[2]);
        byte[] value = source.Pop(fromLeft)!;
        if (destination is null)
        {
            destination = new RedisList();
            c.Db.Add(c[2], destination);
        }
        c.KeyModified(c[2], 0);
        destination.Push(value, toLeft);
        c.Notify(NotifyFlags.List, toLeft ? "lpush" : "rpush", c[2]);
        c.Reply.Bulk(value);
        c.Notify(NotifyFlags.List, fromLeft ? "lpop" : "rpop", c[1]);
        DeleteIfEmpty(c, c[1], source);
        c.KeyModified(c[1]);
    }

    private static void LPos(CommandContext c)
    {
        long rank = 1, count = -1, maxLen = 0;
        for (int j = 3; j < c.Count; j++)
        {
            bool more = j + 1 < c.Count;
            if (c.Is(j, "RANK"u8) && more)
            {
                rank = c.Long(++j);
                if (rank == 0)
                    Errors.Throw("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
            }
            else if (c.Is(j, "COUNT"u8) && more)
            {
                count = c.Long(++j, "ERR COUNT can't be negative");
                if (count < 0)
                    Errors.Throw("ERR COUNT can't be negative");
            }
            else if (c.Is(j, "MAXLEN"u8) && more)
            {
                maxLen = c.Long(++j, "ERR MAXLEN can't be negative");
                if (maxLen < 0)
                    Errors.Throw("ERR MAXLEN can't be negative");
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        bool fromTail = rank < 0;
        // Wrapping as in C: RANK -9223372036854775808 stays negative and so matches from the first hit.
        if (rank < 0)
            rank = unchecked(-rank);
        RedisList? list = c.Get<RedisList>(c[1]);
        if (list is null)
        {
            if (count != -1)
                c.Reply.Array(0);
            else
                c.Reply.Null();
            return;
        }
        ReadOnlySpan<byte> element = c[2];
        int llen = list.Count;
        int handle = count != -1 ? c.Reply.BeginDeferredArray() : -1;
        long matches = 0, found = 0, matchIndex = -1;
        for (long index = 0; index < llen && (maxLen == 0 || index < maxLen); index++)
        {
            int pos = fromTail ? (int)(llen - index - 1) : (int)index;
            if (!element.SequenceEqual(list[pos]))
                continue;
            matches++;
            if (matches < rank)
                continue;
            if (handle < 0)
            {
                matchIndex = pos;
                break;
            }
            found++;
            c.Reply.Integer(pos);
            if (count != 0 && unchecked(matches - rank + 1) >= count)
                break;
        }
        if (handle >= 0)
            c.Reply.EndDeferredArray(handle, found);
        else if (matchIndex >= 0)
            c.Reply.Integer(matchIndex);
        else
            c.Reply.Null();
    }

    private static void LMPop(CommandContext c)
    {
        (List<byte[]> keys, bool left, long count) = ParseMPop(c, 1);
        foreach (byte[] key in keys)
        {
            if (TryPopRangeWithKey(c, key, left, count))
                return;
        }
        c.Reply.NullArray();
    }

    /// <summary>
    /// Parses <c>numkeys key... LEFT|RIGHT [COUNT n]</c> starting at <paramref name="numKeysIndex"/>
    /// (Redis's lmpopGenericCommand checks, in its order).
    /// </summary>
    private static (List<byte[]> Keys, bool Left, long Count) ParseMPop(CommandContext c, int numKeysIndex)
    {
        const string badNumKeys = "ERR numkeys should be greater than 0";
        long numKeys = c.Long(numKeysIndex, badNumKeys);
        if (numKeys < 1)
            Errors.Throw(badNumKeys);
        if (numKeys >= c.Count - numKeysIndex - 1)
            Errors.ThrowSyntax();
        int whereIndex = numKeysIndex + (int)numKeys + 1;
        bool left = ParseSide(c, whereIndex);
        long count = -1;
        for (int j = whereIndex + 1; j < c.Count; j++)
        {
            if (count == -1 && c.Is(j, "COUNT"u8) && j + 1 < c.Count)
            {
                const string badCount = "ERR count should be greater than 0";
                count = c.Long(++j, badCount);
                if (count < 1)
                    Errors.Throw(badCount);
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        var keys = new List<byte[]>((int)numKeys);
        for (int i = 0; i < numKeys; i++)
            keys.Add(c.ArgArray(numKeysIndex + 1 + i));
        return (keys, left, count == -1 ? 1 : count);
    }

    /// <summary>
    /// Pops up to <paramref name="count"/> elements of <paramref name="key"/> replying
    /// <c>[key, [elements]]</c> (Redis's listPopRangeAndReplyWithKey); false when the key is absent.
    /// </summary>
    private static bool TryPopRangeWithKey(CommandContext c, byte[] key, bool left, long count)
    {
        RedisList? list = c.GetForWrite<RedisList>(key);
        if (list is null || list.Count == 0)
            return false;
        int n = (int)Math.Min(count, list.Count);
        c.Reply.Array(2);
        c.Reply.Bulk(key);
        c.Reply.Array(n);
        for (int i = 0; i < n; i++)
            c.Reply.Bulk(list.Pop(left)!);
        ElementsRemoved(c, key, left, list, n);
        return true;
    }
}
