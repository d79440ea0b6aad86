using System.Text;
using Codis.Core.Resp;
using Codis.Core.Slots;
using Codis.Server.Config;
using Codis.Server.Migration;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The source side of Codis's async migration (spec server.md §6.1, §6.6, §6.9, §6.10):
/// SLOTSMGRT{SLOT,TAGSLOT,ONE,TAGONE}-ASYNC, SLOTSMGRT-ASYNC-{FENCE,CANCEL,STATUS},
/// SLOTSMGRT-EXEC-WRAPPER and SLOTSRESTORE-ASYNC-ACK as other clients see it. The work is done by
/// <see cref="AsyncMigrator"/>.
/// </summary>
public static partial class SlotsCommands
{
    // Codis's bounds (slots_async.c): maxbulks and maxbytes defaults and caps.
    private const int DefaultMaxBulks = 200;
    private const int MaxMaxBulks = 512 * 1024;
    private const long DefaultMaxBytes = 512 * 1024;
    private const long MaxMaxBytes = int.MaxValue / 2;
    private const int DefaultNumKeys = 100;
    private const long DefaultTimeoutMs = 30_000;

    /// <summary>Adds the async-migration source commands to the table.</summary>
    public static void RegisterAsyncSource(CommandTable t)
    {
        t.Add("slotsmgrtslot-async", 8, Write | NoScript, 0, 0, 0, static c => MigrateAsync(c, useTag: false, useKey: false));
        t.Add("slotsmgrttagslot-async", 8, Write | NoScript, 0, 0, 0, static c => MigrateAsync(c, useTag: true, useKey: false));
        t.Add("slotsmgrtone-async", -7, Write | NoScript, 0, 0, 0, static c => MigrateAsync(c, useTag: false, useKey: true));
        t.Add("slotsmgrttagone-async", -7, Write | NoScript, 0, 0, 0, static c => MigrateAsync(c, useTag: true, useKey: true));
        t.Add("slotsmgrt-async-fence", 0, ReadOnly | NoScript, 0, 0, 0, static c => c.Server.AsyncMigrator.Fence(c));
        t.Add("slotsmgrt-async-cancel", 0, Fast, 0, 0, 0, static c => c.Reply.Integer(c.Server.AsyncMigrator.Cancel(c.Client.DbIndex)));
        t.Add("slotsmgrt-async-status", 0, Fast, 0, 0, 0, static c => c.Server.AsyncMigrator.WriteStatus(c.Client.DbIndex, c.Reply));
        t.Add("slotsmgrt-exec-wrapper", -3, Write | DenyOom, 0, 0, 0, ExecWrapper);
        t.Add("slotsrestore-async-ack", 3, Write, 0, 0, 0, AsyncAck);
    }

    /// <summary>
    /// Validates the arguments in Codis's order (port, timeout, maxbulks, maxbytes, slot, numkeys; each
    /// error quotes the raw argument) and starts the migration.
    /// </summary>
    private static void MigrateAsync(CommandContext c, bool useTag, bool useKey)
    {
        string host = c.ArgString(1);
        long port = ParseAsyncArg(c, 2, "port", 1, 65535);
        long timeout = ParseAsyncArg(c, 3, "timeout", 0, int.MaxValue);
        if (timeout == 0)
            timeout = DefaultTimeoutMs;
        long maxBulks = ParseAsyncArg(c, 4, "maxbulks", 0, int.MaxValue);
        if (maxBulks == 0)
            maxBulks = DefaultMaxBulks;
        maxBulks = Math.Min(maxBulks, MaxMaxBulks);
        long maxBytes = ParseAsyncArg(c, 5, "maxbytes", 0, int.MaxValue);
        if (maxBytes == 0)
            maxBytes = DefaultMaxBytes;
        maxBytes = LimitByOutputBuffer(c.Server.Config, Math.Min(maxBytes, MaxMaxBytes));
        int slot = -1;
        int numKeys = 0;
        byte[][] keys = [];
        if (!useKey)
        {
            slot = (int)ParseAsyncArg(c, 6, "slot", 0, SlotHash.SlotCount - 1);
            numKeys = (int)ParseAsyncArg(c, 7, "numkeys", 0, int.MaxValue);
            if (numKeys == 0)
                numKeys = DefaultNumKeys;
        }
        else
        {
            keys = new byte[c.Count - 6][];
            for (int i = 6; i < c.Count; i++)
                keys[i - 6] = c.ArgArray(i);
        }
        var request = new AsyncMigrationRequest(host, (int)port, timeout, (int)maxBulks, maxBytes, slot, numKeys, useTag, keys);
        c.Server.AsyncMigrator.Start(c, request);
    }

    /// <summary>
    /// One numeric argument of the async commands: Redis 3.2's getLongLongFromObject (strtoll: optional
    /// sign, leading zeros, an empty string is 0; see <see cref="LegacyArgs"/>) then the range check; any failure is
    /// <c>ERR invalid value of &lt;name&gt; (&lt;raw argument&gt;)</c>.
    /// </summary>
    private static long ParseAsyncArg(CommandContext c, int index, string name, long min, long max)
    {
        if (!LegacyArgs.TryParseLong(c[index], out long v) || v < min || v > max)
            Errors.Throw($"ERR invalid value of {name} ({Encoding.UTF8.GetString(LegacyArgs.CString(c[index]))})");
        return v;
    }

    /// <summary>
    /// maxbytes is lowered to the normal clients' output-buffer soft and hard limits when they are set
    /// (Codis's slotsmgrtAsyncMaxBufferLimit), read from <c>client-output-buffer-limit</c>.
    /// </summary>
    private static long LimitByOutputBuffer(ServerConfig config, long maxBytes)
    {
        if (!config.Passive.TryGetValue("client-output-buffer-limit", out string? text))
            return maxBytes;
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i + 3 < words.Length; i += 4)
        {
            if (!words[i].Equals("normal", StringComparison.OrdinalIgnoreCase))
                continue;
            if (MemorySize.TryParse(words[i + 1], out long hard) && hard > 0 && hard < maxBytes)
                maxBytes = hard;
            if (MemorySize.TryParse(words[i + 2], out long soft) && soft > 0 && soft < maxBytes)
                maxBytes = soft;
        }
        return maxBytes;
    }

    /// <summary>
    /// SLOTSMGRT-EXEC-WRAPPER hashkey command [arg ...] (§6.10): always <c>[code, payload]</c>. Code 2 runs
    /// the inner command through the normal call path and embeds its reply; the inner command, not the
    /// wrapper, is what replication sees (as Codis rewrites argv).
    /// </summary>
    private static void ExecWrapper(CommandContext c)
    {
        ServerContext server = c.Server;
        c.Reply.Array(2);
        CommandDef? cmd = server.Commands.Find(c[2]);
        if (cmd is null)
        {
            c.Reply.Integer(-1);
            c.Error($"ERR invalid command specified ({c.ArgString(2)})");
            return;
        }
        int argc = c.Count - 2;
        if ((cmd.Arity > 0 && cmd.Arity != argc) || argc < -cmd.Arity)
        {
            c.Reply.Integer(-1);
            c.Error($"ERR wrong number of arguments for command ({c.ArgString(2)})");
            return;
        }
        if (c.Db.LookupWrite(c[1]) is null)
        {
            c.Reply.Integer(0);
            c.Error("ERR the specified key doesn't exist");
            return;
        }
        if (!cmd.Has(ReadOnly) && server.AsyncMigrator.IsBeingMigrated(c.Client.DbIndex, c[1]))
        {
            c.Reply.Integer(1);
            c.Error("ERR the specified key is being migrated");
            return;
        }
        c.Reply.Integer(2);
        var inner = new ArgList();
        var copy = new byte[argc][];
        for (int i = 0; i < argc; i++)
            copy[i] = c.ArgArray(i + 2);
        inner.Set(copy);
        CommandDef wrapper = c.Command;
        bool inExec = c.InExec;
        Action<int, ArgList>? propagate = server.Propagate;
        c.Args = inner;
        c.Command = cmd;
        // Inside the wrapper a command must answer at once (its reply is embedded in the array): as in
        // EXEC, blocking commands do not block and the async migration commands refuse to wait.
        c.InExec = true;
        // The inner call is not replicated by itself: the wrapper's own call replicates its arguments,
        // which stay the inner command's (Codis: call without PROPAGATE, then the rewritten argv).
        server.Propagate = null;
        try
        {
            server.Call(c, cmd);
        }
        finally
        {
            server.Propagate = propagate;
            c.InExec = inExec;
            c.Command = wrapper;
        }
    }

    /// <summary>
    /// SLOTSRESTORE-ASYNC-ACK from an ordinary client. The ACKs of a migration target arrive on the
    /// source's own outgoing connection and are handled there (<see cref="AsyncMigrator"/>); any other
    /// client is refused, as Codis refuses every client but the cached one.
    /// </summary>
    private static void AsyncAck(CommandContext c) => c.Error("ERR invalid client, permission denied");
}
