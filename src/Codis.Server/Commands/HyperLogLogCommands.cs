using System.Buffers;
using Codis.Server.Config;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// PFADD, PFCOUNT and PFMERGE with Redis 7.0's bytes, replies and events. A HyperLogLog is a string
/// value (<c>byte[]</c>) changed in place; arrays stored by these commands are owned by their key.
/// Strings held in another representation (an <see cref="IRedisObject"/> of type "string") are
/// reported as not being a HyperLogLog.
/// </summary>
public static class HyperLogLogCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("pfadd", -2, Write | DenyOom | Fast, 1, 1, 1, PfAdd);
        t.Add("pfcount", -2, ReadOnly, 1, -1, 1, PfCount);
        t.Add("pfmerge", -2, Write | DenyOom, 1, -1, 1, PfMerge);
    }

    // Redis's isHLLObjectOrReply: another type is the usual WRONGTYPE, a string that is not a
    // HyperLogLog gets the HyperLogLog-specific one.
    private static byte[] CheckHll(object value)
    {
        if (value is byte[] bytes && HyperLogLog.IsValid(bytes))
            return bytes;
        if (!RedisObject.IsString(value))
            Errors.ThrowWrongType();
        throw new CommandException(System.Text.Encoding.ASCII.GetString(HyperLogLog.WrongTypeError));
    }

    private static void ThrowCorrupted() =>
        throw new CommandException(System.Text.Encoding.ASCII.GetString(HyperLogLog.CorruptedError));

    private static void PfAdd(CommandContext c)
    {
        ReadOnlySpan<byte> key = c[1];
        object? value = c.Db.LookupWrite(key);
        byte[] hll;
        int updated = 0;
        if (value is null)
        {
            // A fresh array owned by the key; its cache is invalidated below like Redis's new key.
            hll = HyperLogLog.CreateEmpty();
            c.Db.Add(key, hll);
            updated++;
        }
        else
        {
            hll = CheckHll(value);
        }

        byte[] original = hll;
        int sparseMax = c.Server.Config.HllSparseMaxBytes;
        for (int j = 2; j < c.Count; j++)
        {
            HllAddResult result = HyperLogLog.Add(ref hll, c[j], sparseMax);
            if (result == HllAddResult.Corrupted)
            {
                // Redis returns without signalling, but a promoted array must still be the stored one.
                if (!ReferenceEquals(hll, original))
                    c.Db.Overwrite(key, hll);
                ThrowCorrupted();
            }

            if (result == HllAddResult.Changed)
                updated++;
        }

        if (!ReferenceEquals(hll, original))
            c.Db.Overwrite(key, hll);
        if (updated > 0)
        {
            HyperLogLog.InvalidateCache(hll);
            c.KeyModified(key, updated);
            c.Notify(NotifyFlags.String, "pfadd", key);
        }

        c.Reply.Integer(updated > 0 ? 1 : 0);
    }

    private static void PfCount(CommandContext c)
    {
        if (c.Count > 2)
        {
            byte[] max = ArrayPool<byte>.Shared.Rent(HyperLogLog.RegisterCount);
            try
            {
                Span<byte> registers = max.AsSpan(0, HyperLogLog.RegisterCount);
                registers.Clear();
                for (int j = 1; j < c.Count; j++)
                {
                    object? value = c.Db.Lookup(c[j]);
                    if (value is null)
                        continue;
                    if (!HyperLogLog.TryMergeInto(CheckHll(value), registers))
                        ThrowCorrupted();
                }

                c.Reply.Integer(HyperLogLog.CountRegisters(registers));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(max);
            }

            return;
        }

        object? single = c.Db.Lookup(c[1]);
        if (single is null)
        {
            c.Reply.Integer(0);
            return;
        }

        byte[] hll = CheckHll(single);
        HllCountResult counted = HyperLogLog.Count(hll, updateCache: true, out long cardinality);
        if (counted == HllCountResult.Corrupted)
            ThrowCorrupted();
        if (counted == HllCountResult.Computed)
        {
            // Refreshing the cached cardinality changed the string: Redis signals it and counts it dirty.
            c.KeyModified(c[1]);
        }

        c.Reply.Integer(cardinality);
    }

    private static void PfMerge(CommandContext c)
    {
        byte[] max = ArrayPool<byte>.Shared.Rent(HyperLogLog.RegisterCount);
        try
        {
            Span<byte> registers = max.AsSpan(0, HyperLogLog.RegisterCount);
            registers.Clear();
            bool useDense = false;
            for (int j = 1; j < c.Count; j++)
            {
                object? value = c.Db.Lookup(c[j]);
                if (value is null)
                    continue;
                byte[] hll = CheckHll(value);
                useDense |= HyperLogLog.IsDense(hll);
                if (!HyperLogLog.TryMergeInto(hll, registers))
                    ThrowCorrupted();
            }

            ReadOnlySpan<byte> key = c[1];
            byte[] target;
            if (c.Db.LookupWrite(key) is byte[] existing)
            {
                target = existing;
            }
            else
            {
                target = HyperLogLog.CreateEmpty();
                c.Db.Add(key, target);
            }

            byte[] before = target;
            bool ok = HyperLogLog.WriteRegisters(ref target, registers, useDense, c.Server.Config.HllSparseMaxBytes);
            if (!ReferenceEquals(target, before))
                c.Db.Overwrite(key, target);
            if (!ok)
                ThrowCorrupted();
            c.KeyModified(key);
            // Redis reports PFMERGE as a "pfadd" event.
            c.Notify(NotifyFlags.String, "pfadd", key);
            c.Reply.Ok();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(max);
        }
    }
}
