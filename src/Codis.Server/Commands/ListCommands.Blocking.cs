using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// BLPOP, BRPOP, BRPOPLPUSH, BLMOVE and BLMPOP. When nothing can be served they block the client; the
/// server runs the command again when one of the keys is modified, so the same code serves both the
/// first attempt and the wake-up.
/// </summary>
public static partial class ListCommands
{
    private static void RegisterBlocking(CommandTable t)
    {
        t.Add("blpop", -3, Write | NoScript | Blocking, 1, -2, 1, BLPop);
        t.Add("brpop", -3, Write | NoScript | Blocking, 1, -2, 1, BRPop);
        t.Add("brpoplpush", 4, Write | DenyOom | NoScript | Blocking, 1, 2, 1, BRPopLPush);
        t.Add("blmove", 6, Write | DenyOom | NoScript | Blocking, 1, 2, 1, BLMove);
        t.Add("blmpop", -5, Write | Blocking, 0, 0, 0, BLMPop);
    }

    private static void BLPop(CommandContext c) => BlockingPop(c, left: true);

    private static void BRPop(CommandContext c) => BlockingPop(c, left: false);

    /// <summary>Redis's blockingPopGenericCommand for BLPOP/BRPOP: replies <c>[key, element]</c>.</summary>
    private static void BlockingPop(CommandContext c, bool left)
    {
        long timeout = c.BlockingTimeout(c.Count - 1);
        for (int i = 1; i < c.Count - 1; i++)
        {
            RedisList? list = c.GetForWrite<RedisList>(c[i]);
            if (list is null || list.Count == 0)
                continue;
            byte[] value = list.Pop(left)!;
            c.Reply.Array(2);
            c.Reply.Bulk(c[i]);
            c.Reply.Bulk(value);
            ElementsRemoved(c, c[i], left, list, 1);
            return;
        }
        var keys = new List<byte[]>(c.Count - 2);
        for (int i = 1; i < c.Count - 1; i++)
            keys.Add(c.ArgArray(i));
        c.Block(keys, timeout, nullArrayOnTimeout: true);
    }

    private static void BRPopLPush(CommandContext c)
    {
        long timeout = c.BlockingTimeout(3);
        BlockingMove(c, fromLeft: false, toLeft: true, timeout);
    }

    private static void BLMove(CommandContext c)
    {
        bool fromLeft = ParseSide(c, 3);
        bool toLeft = ParseSide(c, 4);
        long timeout = c.BlockingTimeout(5);
        BlockingMove(c, fromLeft, toLeft, timeout);
    }

    private static void BlockingMove(CommandContext c, bool fromLeft, bool toLeft, long timeout)
    {
        RedisList? source = c.GetForWrite<RedisList>(c[1]);
        if (source is null)
        {
            // Inside MULTI Redis answers a null bulk, but a timeout answers a null array (as every list block).
            if (c.InExec)
                c.Reply.Null();
            else
                c.Block([c.ArgArray(1)], timeout, nullArrayOnTimeout: true);
            return;
        }
        MoveFrom(c, source, fromLeft, toLeft);
    }

    private static void BLMPop(CommandContext c)
    {
        (List<byte[]> keys, bool left, long count) = ParseMPop(c, 2);
        long timeout = c.BlockingTimeout(1);
        foreach (byte[] key in keys)
        {
            if (TryPopRangeWithKey(c, key, left, count))
                return;
        }
        c.Block(keys, timeout, nullArrayOnTimeout: true);
    }
}
