using System.Runtime.CompilerServices;
using Codis.Server.Config;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>EXPIRE and friends, TTL and friends, PERSIST and OBJECT.</summary>
public static partial class KeyCommands
{
    [Flags]
    private enum ExpireFlags
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Gt = 4,
        Lt = 8,
    }

    private static void RegisterExpire(CommandTable t)
    {
        t.Add("expire", -3, Write | Fast, 1, 1, 1, static c => ExpireGeneric(c, c.Now, seconds: true));
        t.Add("pexpire", -3, Write | Fast, 1, 1, 1, static c => ExpireGeneric(c, c.Now, seconds: false));
        t.Add("expireat", -3, Write | Fast, 1, 1, 1, static c => ExpireGeneric(c, 0, seconds: true));
        t.Add("pexpireat", -3, Write | Fast, 1, 1, 1, static c => ExpireGeneric(c, 0, seconds: false));
        t.Add("ttl", 2, ReadOnly | Fast, 1, 1, 1, static c => TtlGeneric(c, ms: false, absolute: false));
        t.Add("pttl", 2, ReadOnly | Fast, 1, 1, 1, static c => TtlGeneric(c, ms: true, absolute: false));
        t.Add("expiretime", 2, ReadOnly | Fast, 1, 1, 1, static c => TtlGeneric(c, ms: false, absolute: true));
        t.Add("pexpiretime", 2, ReadOnly | Fast, 1, 1, 1, static c => TtlGeneric(c, ms: true, absolute: true));
        t.Add("persist", 2, Write | Fast, 1, 1, 1, Persist);
        t.Add("object", -2, ReadOnly, 2, 2, 1, ObjectCommand, ["encoding", "freq", "idletime", "refcount", "help"]);
    }

    /// <summary>Redis's parseExtendedExpireArgumentsOrReply.</summary>
    private static ExpireFlags ParseExpireFlags(CommandContext c)
    {
        ExpireFlags flags = ExpireFlags.None;
        for (int j = 3; j < c.Count; j++)
        {
            if (c.Is(j, "NX"u8))
                flags |= ExpireFlags.Nx;
            else if (c.Is(j, "XX"u8))
                flags |= ExpireFlags.Xx;
            else if (c.Is(j, "GT"u8))
                flags |= ExpireFlags.Gt;
            else if (c.Is(j, "LT"u8))
                flags |= ExpireFlags.Lt;
            else
                Errors.Throw($"ERR Unsupported option {c.ArgString(j)}");
        }
        if ((flags & ExpireFlags.Nx) != 0 && (flags & (ExpireFlags.Xx | ExpireFlags.Gt | ExpireFlags.Lt)) != 0)
            Errors.Throw("ERR NX and XX, GT or LT options at the same time are not compatible");
        if ((flags & ExpireFlags.Gt) != 0 && (flags & ExpireFlags.Lt) != 0)
            Errors.Throw("ERR GT and LT options at the same time are not compatible");
        return flags;
    }

    private static void ExpireGeneric(CommandContext c, long basetime, bool seconds)
    {
        ExpireFlags flags = ParseExpireFlags(c);
        long when = c.Long(2);
        string overflow = $"ERR invalid expire time in '{c.Command.Name}' command";
        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
                Errors.Throw(overflow);
            when *= 1000;
        }
        if (when > long.MaxValue - basetime)
            Errors.Throw(overflow);
        when += basetime;

        Database db = c.Db;
        ReadOnlySpan<byte> key = c[1];
        if (db.LookupWrite(key) is null)
        {
            c.Reply.Integer(0);
            return;
        }
        if (flags != ExpireFlags.None)
        {
            long current = db.GetExpire(key);
            bool refuse = ((flags & ExpireFlags.Nx) != 0 && current != -1)
                || ((flags & ExpireFlags.Xx) != 0 && current == -1)
                // No expiry counts as an infinite TTL: never beaten by GT, always beaten by LT.
                || ((flags & ExpireFlags.Gt) != 0 && (when <= current || current == -1))
                || ((flags & ExpireFlags.Lt) != 0 && current != -1 && when >= current);
            if (refuse)
            {
                c.Reply.Integer(0);
                return;
            }
        }
        if (when <= c.Now && !c.Server.IsReplica)
        {
            // A time in the past deletes the key, as a DEL would.
            db.Delete(key);
            c.KeyModified(key);
            c.Notify(NotifyFlags.Generic, "del", key);
            c.Reply.Integer(1);
            return;
        }
        db.SetExpire(key, when);
        c.KeyModified(key);
        c.Notify(NotifyFlags.Generic, "expire", key);
        c.Reply.Integer(1);
    }

    private static void TtlGeneric(CommandContext c, bool ms, bool absolute)
    {
        if (LookupNoTouch(c, c[1]) is null)
        {
            c.Reply.Integer(-2);
            return;
        }
        long expire = c.Db.GetExpire(c[1]);
        if (expire == -1)
        {
            c.Reply.Integer(-1);
            return;
        }
        long ttl = absolute ? expire : expire - c.Now;
        if (ttl < 0)
            ttl = 0;
        // (ttl + 500) / 1000 without overflowing near long.MaxValue (ttl is never negative here).
        c.Reply.Integer(ms ? ttl : (ttl / 1000) + (ttl % 1000 >= 500 ? 1 : 0));
    }

    private static void Persist(CommandContext c)
    {
        ReadOnlySpan<byte> key = c[1];
        if (c.Db.LookupWrite(key) is not null && c.Db.Persist(key))
        {
            c.KeyModified(key);
            c.Notify(NotifyFlags.Generic, "persist", key);
            c.Reply.Integer(1);
        }
        else
        {
            c.Reply.Integer(0);
        }
    }

    private static readonly string[] ObjectHelp =
    [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];

    private static void ObjectCommand(CommandContext c)
    {
        bool help = c.Is(1, "HELP"u8);
        bool keyed = c.Is(1, "ENCODING"u8) || c.Is(1, "FREQ"u8) || c.Is(1, "IDLETIME"u8) || c.Is(1, "REFCOUNT"u8);
        if (!help && !keyed)
        {
            ServerCommands.UnknownSubcommand(c);
            return;
        }
        if (c.Count != (help ? 2 : 3))
        {
            ServerCommands.WrongSubcommandArity(c);
            return;
        }
        if (help)
        {
            c.Reply.Array(ObjectHelp.Length);
            foreach (string line in ObjectHelp)
                c.Reply.Simple(line);
            return;
        }
        // OBJECT neither touches the key's access clock nor counts a hit or miss.
        Database db = c.Db;
        ReadOnlySpan<byte> key = c[2];
        if (!db.Exists(key))
        {
            c.Reply.Null();
            return;
        }
        ref DbEntry e = ref db.Peek(key);
        if (Unsafe.IsNullRef(ref e))
        {
            c.Reply.Null();
            return;
        }
        EvictionClock clock = c.Server.Eviction;
        if (c.Is(1, "ENCODING"u8))
        {
            c.Reply.Bulk(RedisObject.EncodingOf(e.Value));
        }
        else if (c.Is(1, "REFCOUNT"u8))
        {
            c.Reply.Integer(RefCount(c, e.Value));
        }
        else if (c.Is(1, "IDLETIME"u8))
        {
            if (clock.UsesLfu)
                Errors.Throw("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            c.Reply.Integer(clock.IdleSeconds(e.Access));
        }
        else
        {
            if (!clock.UsesLfu)
                Errors.Throw("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
            c.Reply.Integer(clock.Frequency(e.Access));
        }
    }

    /// <summary>
    /// OBJECT REFCOUNT: Redis shares the objects of the integers 0..9999 (refcount INT_MAX) unless an
    /// LRU/LFU maxmemory policy needs a per-key access clock; every other value has one reference.
    /// </summary>
    private static long RefCount(CommandContext c, object value)
    {
        if (value is byte[] s && s.Length <= 4 && RedisObject.StringEncoding(s) == "int"
            && CommandContext.TryParseLong(s, out long n) && n is >= 0 and < 10000)
        {
            string policy = c.Server.Config.MaxMemoryPolicy;
            bool noShared = c.Server.Config.MaxMemory > 0 && (policy.Contains("lru", StringComparison.Ordinal) || policy.Contains("lfu", StringComparison.Ordinal));
            if (!noShared)
                return int.MaxValue;
        }
        return 1;
    }
}
