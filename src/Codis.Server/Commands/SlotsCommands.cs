using System.Buffers.Text;
using System.Text;
using Codis.Core.Slots;
using Codis.Server.Config;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// Codis's slot-index commands (spec server.md §4): SLOTSHASHKEY, SLOTSINFO, SLOTSSCAN, SLOTSDEL and
/// SLOTSCHECK, with the argument parsing and error texts of Codis's slots.c.
/// </summary>
public static partial class SlotsCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("slotsinfo", -1, ReadOnly | Fast, 0, 0, 0, SlotsInfo);
        t.Add("slotsscan", -3, ReadOnly | CommandFlags.Random, 0, 0, 0, SlotsScan);
        t.Add("slotsdel", -2, Write, 0, 0, 0, SlotsDel);
        t.Add("slotshashkey", -1, ReadOnly | Fast, 0, 0, 0, SlotsHashKey);
        t.Add("slotscheck", 0, ReadOnly, 0, 0, 0, SlotsCheck);
        RegisterAsyncSource(t);
        RegisterAsyncDump(t);
        RegisterAsyncRestore(t);
        RegisterMigrate(t);
    }

    /// <summary>
    /// slots.c's parse_int: not an integer → the stock error; outside the 32-bit range →
    /// <c>ERR value is out of range</c>.
    /// </summary>
    public static int ParseInt(CommandContext c, int index)
    {
        long v = c.Long(index);
        if (v is < int.MinValue or > int.MaxValue)
            Errors.Throw("ERR value is out of range");
        return (int)v;
    }

    /// <summary>slots.c's parse_slot: an integer in 0..1023, else <c>ERR invalid slot number = n</c>.</summary>
    public static int ParseSlot(CommandContext c, int index)
    {
        int slot = ParseInt(c, index);
        if (slot is < 0 or >= SlotHash.SlotCount)
            Errors.Throw($"ERR invalid slot number = {slot}");
        return slot;
    }

    private static void SlotsHashKey(CommandContext c)
    {
        c.Reply.Array(c.Count - 1);
        for (int i = 1; i < c.Count; i++)
            c.Reply.Integer(SlotHash.Slot(c[i]));
    }

    private static void SlotsInfo(CommandContext c)
    {
        int begin = 0;
        int end = SlotHash.SlotCount;
        if (c.Count >= 2)
            begin = ParseSlot(c, 1);
        if (c.Count >= 3)
        {
            int len = ParseInt(c, 2);
            if (len < 0)
                Errors.Throw($"ERR invalid slot count = {len}");
            if ((long)begin + len < end)
                end = begin + len;
        }
        if (c.Count >= 4)
            Errors.Throw(Errors.WrongArgs("slotsinfo"));
        Database db = c.Db;
        int nonEmpty = 0;
        for (int s = begin; s < end; s++)
        {
            if (db.SlotCount(s) > 0)
                nonEmpty++;
        }
        c.Reply.Array(nonEmpty);
        for (int s = begin; s < end; s++)
        {
            int n = db.SlotCount(s);
            if (n == 0)
                continue;
            c.Reply.Array(2);
            c.Reply.Integer(s);
            c.Reply.Integer(n);
        }
    }

    private static void SlotsScan(CommandContext c)
    {
        int slot = ParseSlot(c, 1);
        ulong cursor = SetCommands.ParseScanCursor(c, 2);
        if (c.Count != 3 && c.Count != 5)
            Errors.Throw(Errors.WrongArgs("slotsscan"));
        long count = 10;
        if (c.Count == 5)
        {
            if (!c.Is(3, "COUNT"u8))
                Errors.ThrowSyntax();
            count = c.Long(4);
            if (count < 1)
                Errors.ThrowSyntax();
        }
        var keys = new List<byte[]>();
        KeyTable<object>? table = c.Db.SlotTable(slot);
        if (table is not null && table.Count > 0)
        {
            long steps = count > long.MaxValue / 10 ? long.MaxValue : count * 10;
            do
            {
                cursor = table.ScanKeys(cursor, keys);
            }
            while (cursor != 0 && --steps > 0 && keys.Count < count);
        }
        else
        {
            cursor = 0;
        }
        c.Reply.Array(2);
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(cursor, text, out int len);
        c.Reply.Bulk(text[..len]);
        c.Reply.Array(keys.Count);
        foreach (byte[] k in keys)
            c.Reply.Bulk(k);
    }

    private static void SlotsDel(CommandContext c)
    {
        // Every slot is validated before anything is deleted.
        var slots = new int[c.Count - 1];
        for (int i = 1; i < c.Count; i++)
            slots[i - 1] = ParseSlot(c, i);
        Database db = c.Db;
        c.Reply.Array(slots.Length);
        foreach (int slot in slots)
        {
            KeyTable<object>? table = db.SlotTable(slot);
            if (table is not null && table.Count > 0)
            {
                var keys = new List<byte[]>(table.Count);
                for (int i = 0; i < table.EntrySlots; i++)
                {
                    if (table.TryGetAt(i, out byte[] k, out _))
                        keys.Add(k);
                }
                foreach (byte[] k in keys)
                {
                    if (db.Delete(k))
                    {
                        c.KeyModified(k);
                        c.Notify(NotifyFlags.Generic, "del", k);
                    }
                }
            }
            c.Reply.Array(2);
            c.Reply.Integer(slot);
            c.Reply.Integer(db.SlotCount(slot));
        }
    }

    private static void SlotsCheck(CommandContext c)
    {
        if (c.Db.CheckIndexes() is not { } failure)
        {
            c.Reply.Ok();
            return;
        }
        c.Error($"ERR step {failure.Step}, miss = '{Encoding.UTF8.GetString(failure.Key)}'");
    }
}
