using Codis.Server.Keyspace;
using Codis.Server.Migration;
using Codis.Server.Persistence;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The synchronous migration commands (spec server.md §5: SLOTSMGRTSLOT, SLOTSMGRTTAGSLOT, SLOTSMGRTONE,
/// SLOTSMGRTTAGONE) and their target side, SLOTSRESTORE (§4.6). The transfer itself is
/// <see cref="SyncMigrator"/>'s.
/// </summary>
public static partial class SlotsCommands
{
    private static void RegisterMigrate(CommandTable t)
    {
        t.Add("slotsmgrtslot", 5, Write, 0, 0, 0, c => Migrate(c, SyncMigrateKind.Slot));
        t.Add("slotsmgrttagslot", 5, Write, 0, 0, 0, c => Migrate(c, SyncMigrateKind.TagSlot));
        t.Add("slotsmgrtone", 5, Write, 0, 0, 0, c => Migrate(c, SyncMigrateKind.One));
        t.Add("slotsmgrttagone", 5, Write, 0, 0, 0, c => Migrate(c, SyncMigrateKind.TagOne));
        t.Add("slotsrestore", -4, Write | DenyOom, 0, 0, 0, SlotsRestore);
    }

    /// <summary>
    /// slots.c's parse_timeout: an integer (<see cref="ParseInt"/>), negative →
    /// <c>ERR invalid timeout = n</c>, 0 meaning 100 ms.
    /// </summary>
    public static int ParseTimeout(CommandContext c, int index)
    {
        int timeout = ParseInt(c, index);
        if (timeout < 0)
            Errors.Throw($"ERR invalid timeout = {timeout}");
        return timeout == 0 ? 100 : timeout;
    }

    /// <summary>
    /// <c>SLOTSMGRT[TAG]SLOT host port timeout slot</c> and <c>SLOTSMGRT[TAG]ONE host port timeout key</c>:
    /// the timeout is parsed first, then the slot; host and port are not checked before connecting.
    /// </summary>
    private static void Migrate(CommandContext c, SyncMigrateKind kind)
    {
        int timeout = ParseTimeout(c, 3);
        bool slotCommand = kind is SyncMigrateKind.Slot or SyncMigrateKind.TagSlot;
        int slot = slotCommand ? ParseSlot(c, 4) : -1;
        var request = new SyncMigrateRequest(kind, c.ArgString(1), c.ArgString(2), timeout, c.Client.DbIndex, slot,
            slotCommand ? null : c.ArgArray(4));
        c.Server.SyncMigrator.Start(c, request);
    }

    /// <summary>
    /// <c>SLOTSRESTORE key ttl payload [key ttl payload ...]</c> as Codis 3.2: every triple is checked
    /// before anything changes (ttl an integer ≥ 0, payload footer, payload body), then each key is
    /// replaced (silently, quirk 39: migration retries rely on it) and given <c>now + ttl</c> when ttl
    /// is positive. No keyspace notification, as in Codis. Payloads of every encoding up to Redis 7.0 are
    /// accepted (Codis 3.2 itself stops at RDB version 7).
    /// </summary>
    private static void SlotsRestore(CommandContext c)
    {
        if ((c.Count - 1) % 3 != 0)
            Errors.Throw(Errors.WrongArgs("slotsrestore"));
        int n = (c.Count - 1) / 3;
        var ttls = new long[n];
        var values = new object[n];
        for (int i = 0; i < n; i++)
        {
            int at = 1 + (3 * i);
            ttls[i] = c.Long(at + 1);
            if (ttls[i] < 0)
                Errors.Throw("ERR invalid ttl value, must be >= 0");
            ReadOnlySpan<byte> payload = c[at + 2];
            if (!DumpPayload.TryParse(payload, out RdbValue? rdb, out string? error))
            {
                Errors.Throw(error == DumpPayload.VersionOrChecksumError
                    ? "ERR dump payload version or checksum are wrong"
                    : "ERR bad data format");
            }
            values[i] = StoredValue.FromRdb(rdb, c.Server.Config, (RdbType)payload[0]);
        }
        Database db = c.Db;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> key = c[1 + (3 * i)];
            db.Delete(key);
            db.Add(key, values[i]);
            if (ttls[i] > 0)
                db.SetExpire(key, ttls[i] > long.MaxValue - c.Now ? long.MaxValue : c.Now + ttls[i]);
            c.KeyModified(key);
        }
        c.Reply.Ok();
    }
}
