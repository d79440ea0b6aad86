using System.Text;
using Codis.Core.Slots;
using Codis.Server.DataTypes;
using Codis.Server.Keyspace;
using Codis.Server.Migration;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// SLOTSMGRTONE-ASYNC-DUMP and SLOTSMGRTTAGONE-ASYNC-DUMP (spec server.md §6.8): the async migration's
/// message stream for some keys, returned instead of sent.
/// </summary>
public static partial class SlotsCommands
{
    /// <summary>Default migration timeout (ms) when the argument is 0.</summary>
    public const long AsyncDefaultTimeoutMs = 30_000;

    /// <summary>Default maxbulks of the DUMP variants when the argument is 0.</summary>
    public const int AsyncDumpDefaultMaxBulks = 1000;

    private static void RegisterAsyncDump(CommandTable t)
    {
        t.Add("slotsmgrtone-async-dump", -4, ReadOnly | DenyOom, 0, 0, 0, c => AsyncDump(c, useTag: false));
        t.Add("slotsmgrttagone-async-dump", -4, ReadOnly | DenyOom, 0, 0, 0, c => AsyncDump(c, useTag: true));
    }

    /// <summary>
    /// Parses an async-migration count argument as Codis does: an integer in 0..2147483647. Otherwise
    /// writes <c>ERR invalid value of &lt;name&gt; (&lt;arg&gt;)</c> and returns false.
    /// </summary>
    public static bool TryParseAsyncValue(CommandContext c, int index, string name, out long value)
    {
        if (LegacyArgs.TryParseLong(c[index], out value) && value is >= 0 and <= int.MaxValue)
            return true;
        c.Reply.Error(LegacyArgs.Message(Encoding.ASCII.GetBytes($"ERR invalid value of {name} ("),
            LegacyArgs.CString(c[index]), ")"u8));
        return false;
    }

    /// <summary>
    /// The keys a batch of the key variants covers (§6.2), in Codis's order: each of
    /// <paramref name="keys"/> once and, with <paramref name="useTag"/>, right after the first key of each
    /// tag every existing key with that tag crc (ordered as Codis's tagged_keys sorted set: by key bytes).
    /// </summary>
    public static List<byte[]> AsyncBatchKeys(Database db, IEnumerable<byte[]> keys, bool useTag)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(keys);
        var batch = new List<byte[]>();
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        var tags = new HashSet<uint>();
        foreach (byte[] key in keys)
        {
            if (!seen.Add(key))
                continue;
            batch.Add(key);
            if (!useTag || !SlotHash.HasTag(key) || !tags.Add(SlotHash.TagCrc(key)))
                continue;
            var group = new List<byte[]>(db.KeysWithTag(key));
            group.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
            foreach (byte[] k in group)
            {
                if (seen.Add(k))
                    batch.Add(k);
            }
        }
        return batch;
    }

    private static void AsyncDump(CommandContext c, bool useTag)
    {
        if (!TryParseAsyncValue(c, 1, "timeout", out long timeout) || !TryParseAsyncValue(c, 2, "maxbulks", out long maxBulks))
            return;
        if (timeout == 0)
            timeout = AsyncDefaultTimeoutMs;
        if (maxBulks == 0)
            maxBulks = AsyncDumpDefaultMaxBulks;

        Database db = c.Db;
        var given = new byte[c.Count - 3][];
        for (int i = 3; i < c.Count; i++)
            given[i - 3] = c.ArgArray(i);
        List<byte[]> keys = AsyncBatchKeys(db, given, useTag);
        // Codis creates every key's iterator (and estimate) first, then drains them in order.
        var streams = new List<KeyStream>(keys.Count);
        foreach (byte[] key in keys)
        {
            if (KeyStream.Create(db, key, c.Now, timeout, (int)maxBulks) is { } s)
                streams.Add(s);
        }
        int handle = c.Reply.BeginDeferredArray();
        long messages = 0;
        foreach (KeyStream s in streams)
        {
            while (s.WriteNext(c.Reply, int.MaxValue, c.Now))
                messages++;
        }
        c.Reply.EndDeferredArray(handle, messages);
    }
}
