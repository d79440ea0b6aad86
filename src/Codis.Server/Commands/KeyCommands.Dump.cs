using System.Runtime.CompilerServices;
using Codis.Server.Config;
using Codis.Server.Keyspace;
using Codis.Server.Persistence;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>DUMP and RESTORE (Redis 7.0 semantics; payloads are RDB version 7, which Codis 3.2 also reads).</summary>
public static partial class KeyCommands
{
    private static void RegisterDump(CommandTable t)
    {
        t.Add("dump", 2, ReadOnly, 1, 1, 1, Dump);
        t.Add("restore", -4, Write | DenyOom, 1, 1, 1, Restore);
    }

    private static void Dump(CommandContext c)
    {
        object? value = c.Db.Lookup(c[1]);
        if (value is null)
        {
            c.Reply.Null();
            return;
        }
        c.Reply.Bulk(DumpPayload.Create(StoredValue.ToRdb(value)));
    }

    /// <summary>Redis 7.0's restoreCommand, check for check in its order.</summary>
    private static void Restore(CommandContext c)
    {
        bool replace = false, absTtl = false;
        long frequency = -1, idle = -1;
        for (int j = 4; j < c.Count; j++)
        {
            bool hasArg = j + 1 < c.Count;
            if (c.Is(j, "REPLACE"u8))
            {
                replace = true;
            }
            else if (c.Is(j, "ABSTTL"u8))
            {
                absTtl = true;
            }
            else if (c.Is(j, "IDLETIME"u8) && hasArg && frequency == -1)
            {
                idle = c.Long(j + 1);
                if (idle < 0)
                    Errors.Throw("ERR Invalid IDLETIME value, must be >= 0");
                j++;
            }
            else if (c.Is(j, "FREQ"u8) && hasArg && idle == -1)
            {
                frequency = c.Long(j + 1);
                if (frequency is < 0 or > 255)
                    Errors.Throw("ERR Invalid FREQ value, must be >= 0 and <= 255");
                j++;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        ReadOnlySpan<byte> key = c[1];
        if (!replace && c.Db.LookupWrite(key) is not null)
            Errors.Throw("BUSYKEY Target key name already exists.");
        long ttl = c.Long(2);
        if (ttl < 0)
            Errors.Throw("ERR Invalid TTL value, must be >= 0");
        if (!DumpPayload.TryParse(c[3], out RdbValue? rdb, out string? error))
            Errors.Throw(error);

        bool deleted = replace && c.Db.Delete(key);
        if (ttl != 0 && !absTtl)
            ttl = unchecked(ttl + c.Now);
        if (ttl != 0 && ttl <= c.Now)
        {
            // Already expired: Redis replies OK without creating the key (a replaced key is gone).
            if (deleted)
            {
                c.KeyModified(key);
                c.Notify(NotifyFlags.Generic, "del", key);
            }
            c.Reply.Ok();
            return;
        }

        // The type byte leads the payload (TryParse succeeded, so it is there).
        c.Db.Add(key, StoredValue.FromRdb(rdb, c.Server.Config, (RdbType)c[3][0]));
        if (ttl != 0)
            c.Db.SetExpire(key, ttl);
        if (c.Server.Eviction.Restored(frequency, idle) is uint access)
        {
            ref DbEntry e = ref c.Db.Peek(key);
            if (!Unsafe.IsNullRef(ref e))
                e.Access = access;
        }
        c.KeyModified(key);
        c.Notify(NotifyFlags.Generic, "restore", key);
        c.Reply.Ok();
    }
}
