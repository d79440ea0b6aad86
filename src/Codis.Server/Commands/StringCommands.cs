using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// String commands with Redis 7.0 semantics. Values are read through <see cref="StringValue"/> (both
/// stored forms); in-place modifications turn a value into a <see cref="MutableString"/>, which is how
/// OBJECT ENCODING reports "raw" for them as Redis does.
/// </summary>
public static partial class StringCommands
{
    // Flags of SET/GETEX options (Redis's OBJ_SET_* / OBJ_EX...).
    private const int OptNx = 1, OptXx = 2, OptGet = 4, OptKeepTtl = 8, OptPersist = 16,
        OptEx = 32, OptPx = 64, OptExAt = 128, OptPxAt = 256;

    private const int AnyExpire = OptEx | OptPx | OptExAt | OptPxAt;

    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("get", 2, ReadOnly | Fast, 1, 1, 1, Get);
        t.Add("set", -3, Write | DenyOom, 1, 1, 1, Set);
        t.Add("setnx", 3, Write | DenyOom | Fast, 1, 1, 1, SetNx);
        t.Add("setex", 4, Write | DenyOom, 1, 1, 1, SetEx);
        t.Add("psetex", 4, Write | DenyOom, 1, 1, 1, PSetEx);
        t.Add("getset", 3, Write | DenyOom | Fast, 1, 1, 1, GetSet);
        t.Add("getdel", 2, Write | Fast, 1, 1, 1, GetDel);
        t.Add("getex", -2, Write | Fast, 1, 1, 1, GetEx);
        t.Add("mget", -2, ReadOnly | Fast, 1, -1, 1, MGet);
        t.Add("mset", -3, Write | DenyOom, 1, -1, 2, MSet);
        t.Add("msetnx", -3, Write | DenyOom, 1, -1, 2, MSetNx);
        t.Add("incr", 2, Write | DenyOom | Fast, 1, 1, 1, Incr);
        t.Add("decr", 2, Write | DenyOom | Fast, 1, 1, 1, Decr);
        t.Add("incrby", 3, Write | DenyOom | Fast, 1, 1, 1, IncrBy);
        t.Add("decrby", 3, Write | DenyOom | Fast, 1, 1, 1, DecrBy);
        t.Add("incrbyfloat", 3, Write | DenyOom | Fast, 1, 1, 1, IncrByFloat);
        t.Add("append", 3, Write | DenyOom | Fast, 1, 1, 1, Append);
        t.Add("strlen", 2, ReadOnly | Fast, 1, 1, 1, StrLen);
        t.Add("getrange", 4, ReadOnly, 1, 1, 1, GetRange);
        t.Add("substr", 4, ReadOnly, 1, 1, 1, GetRange);
        t.Add("setrange", 4, Write | DenyOom, 1, 1, 1, SetRange);
        t.Add("lcs", -3, ReadOnly, 1, 2, 1, Lcs);
    }

    private static void Get(CommandContext c)
    {
        if (StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> v))
            c.Reply.Bulk(v);
        else
            c.Reply.Null();
    }

    private static void Set(CommandContext c)
    {
        int flags = ParseOptions(c, forSet: true, out int expireArg);
        SetGeneric(c, flags, expireArg, okReply: true);
    }

    private static void SetNx(CommandContext c) => SetGeneric(c, OptNx, 0, okReply: false);

    private static void SetEx(CommandContext c) => SetGeneric(c, OptEx, 2, okReply: true, valueArg: 3);

    private static void PSetEx(CommandContext c) => SetGeneric(c, OptPx, 2, okReply: true, valueArg: 3);

    /// <summary>
    /// Redis's parseExtendedStringArgumentsOrReply for SET (<paramref name="forSet"/>) and GETEX: each
    /// option is accepted only when it does not conflict with one already given; repeating the same
    /// expiry option is allowed (the last one wins).
    /// </summary>
    private static int ParseOptions(CommandContext c, bool forSet, out int expireArg)
    {
        int flags = 0;
        expireArg = 0;
        int first = forSet ? 3 : 2;
        for (int j = first; j < c.Count; j++)
        {
            bool hasNext = j < c.Count - 1;
            if (forSet && c.Is(j, "NX"u8) && (flags & OptXx) == 0)
                flags |= OptNx;
            else if (forSet && c.Is(j, "XX"u8) && (flags & OptNx) == 0)
                flags |= OptXx;
            else if (forSet && c.Is(j, "GET"u8))
                flags |= OptGet;
            else if (forSet && c.Is(j, "KEEPTTL"u8) && (flags & (OptPersist | AnyExpire)) == 0)
                flags |= OptKeepTtl;
            else if (!forSet && c.Is(j, "PERSIST"u8) && (flags & (OptKeepTtl | AnyExpire)) == 0)
                flags |= OptPersist;
            else if (hasNext && c.Is(j, "EX"u8) && (flags & (OptKeepTtl | OptPersist | AnyExpire & ~OptEx)) == 0)
                flags |= Expire(ref j, OptEx, ref expireArg);
            else if (hasNext && c.Is(j, "PX"u8) && (flags & (OptKeepTtl | OptPersist | AnyExpire & ~OptPx)) == 0)
                flags |= Expire(ref j, OptPx, ref expireArg);
            else if (hasNext && c.Is(j, "EXAT"u8) && (flags & (OptKeepTtl | OptPersist | AnyExpire & ~OptExAt)) == 0)
                flags |= Expire(ref j, OptExAt, ref expireArg);
            else if (hasNext && c.Is(j, "PXAT"u8) && (flags & (OptKeepTtl | OptPersist | AnyExpire & ~OptPxAt)) == 0)
                flags |= Expire(ref j, OptPxAt, ref expireArg);
            else
                Errors.ThrowSyntax();
        }
        return flags;

        static int Expire(ref int j, int flag, ref int expireArg)
        {
            expireArg = ++j;
            return flag;
        }
    }

    /// <summary>
    /// The absolute expiry (unix ms) given by the argument at <paramref name="arg"/> under the unit and
    /// base of <paramref name="flags"/>, with Redis's checks: not positive, or overflowing once converted,
    /// is "invalid expire time".
    /// </summary>
    private static long ExpireAt(CommandContext c, int flags, int arg)
    {
        long ms = c.Long(arg);
        bool seconds = (flags & (OptEx | OptExAt)) != 0;
        if (ms <= 0 || (seconds && ms > long.MaxValue / 1000))
            Errors.Throw($"ERR invalid expire time in '{c.Command.Name}' command");
        if (seconds)
            ms *= 1000;
        if ((flags & (OptEx | OptPx)) != 0)
            ms = unchecked(ms + c.Now);
        if (ms <= 0)
            Errors.Throw($"ERR invalid expire time in '{c.Command.Name}' command");
        return ms;
    }

    private static void SetGeneric(CommandContext c, int flags, int expireArg, bool okReply, int valueArg = 2)
    {
        long when = expireArg != 0 ? ExpireAt(c, flags, expireArg) : 0;
        if ((flags & OptGet) != 0)
        {
            if (StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> old))
                c.Reply.Bulk(old);
            else
                c.Reply.Null();
        }
        bool found = c.Db.LookupWrite(c[1]) is not null;
        if (((flags & OptNx) != 0 && found) || ((flags & OptXx) != 0 && !found))
        {
            if ((flags & OptGet) == 0)
            {
                if (okReply)
                    c.Reply.Null();
                else
                    c.Reply.Integer(0);
            }
            return;
        }
        c.Db.Set(c[1], c.ArgArray(valueArg), keepTtl: (flags & OptKeepTtl) != 0);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.String, "set", c[1]);
        if (expireArg != 0)
        {
            c.Db.SetExpire(c[1], when);
            c.Notify(NotifyFlags.Generic, "expire", c[1]);
        }
        if ((flags & OptGet) == 0)
        {
            if (okReply)
                c.Reply.Ok();
            else
                c.Reply.Integer(1);
        }
    }

    private static void GetSet(CommandContext c)
    {
        if (StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> old))
            c.Reply.Bulk(old);
        else
            c.Reply.Null();
        c.Db.Set(c[1], c.ArgArray(2));
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.String, "set", c[1]);
    }

    private static void GetDel(CommandContext c)
    {
        if (!StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> v))
        {
            c.Reply.Null();
            return;
        }
        c.Reply.Bulk(v);
        c.Db.Delete(c[1]);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.Generic, "del", c[1]);
    }

    private static void GetEx(CommandContext c)
    {
        int flags = ParseOptions(c, forSet: false, out int expireArg);
        if (!StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> v))
        {
            c.Reply.Null();
            return;
        }
        long when = expireArg != 0 ? ExpireAt(c, flags, expireArg) : 0;
        c.Reply.Bulk(v);
        if ((flags & (OptExAt | OptPxAt)) != 0 && when <= c.Now && !c.Server.IsReplica)
        {
            // An absolute time already past deletes the key, as an expiry would.
            c.Db.Delete(c[1]);
            c.KeyModified(c[1]);
            c.Notify(NotifyFlags.Generic, "del", c[1]);
        }
        else if (expireArg != 0)
        {
            c.Db.SetExpire(c[1], when);
            c.KeyModified(c[1]);
            c.Notify(NotifyFlags.Generic, "expire", c[1]);
        }
        else if ((flags & OptPersist) != 0 && c.Db.Persist(c[1]))
        {
            c.KeyModified(c[1]);
            c.Notify(NotifyFlags.Generic, "persist", c[1]);
        }
    }

    private static void MGet(CommandContext c)
    {
        c.Reply.Array(c.Count - 1);
        for (int i = 1; i < c.Count; i++)
        {
            if (StringValue.TryGet(c.Db.Lookup(c[i]), out ReadOnlySpan<byte> v))
                c.Reply.Bulk(v);
            else
                c.Reply.Null();
        }
    }

    private static void MSet(CommandContext c)
    {
        if (c.Count % 2 == 0)
            Errors.Throw(Errors.WrongArgs("mset"));
        SetAll(c);
        c.Reply.Ok();
    }

    private static void MSetNx(CommandContext c)
    {
        if (c.Count % 2 == 0)
            Errors.Throw(Errors.WrongArgs("msetnx"));
        for (int i = 1; i < c.Count; i += 2)
        {
            if (c.Db.LookupWrite(c[i]) is not null)
            {
                c.Reply.Integer(0);
                return;
            }
        }
        SetAll(c);
        c.Reply.Integer(1);
    }

    private static void SetAll(CommandContext c)
    {
        for (int i = 1; i < c.Count; i += 2)
        {
            c.Db.Set(c[i], c.ArgArray(i + 1));
            c.KeyModified(c[i]);
            c.Notify(NotifyFlags.String, "set", c[i]);
        }
    }
}
