using System.Text;

namespace Codis.Proxy.Session;

/// <summary>Where one FUNCTION subcommand goes.</summary>
internal enum FunctionRoute
{
    /// <summary>One group, the first by slot order (LIST, DUMP, STATS, HELP, unknown subcommands).</summary>
    One,

    /// <summary>Every group's master; the replies must agree (LOAD, DELETE, FLUSH, RESTORE).</summary>
    All,

    /// <summary>Every group's master; succeeds when one succeeds (KILL: the function runs on one group only).</summary>
    Any,
}

/// <summary>The answer of one group's master to a fanned-out FUNCTION: its reply bytes, or a transport failure.</summary>
internal readonly record struct FunctionReply(int GroupId, string Addr, byte[]? Reply, string? Failure)
{
    /// <summary>True when the group did not do it: an error reply or no reply at all.</summary>
    public bool Failed => Failure is not null || Reply is not { Length: > 0 } || Reply[0] == (byte)'-';

    /// <summary>Why the group failed, for the merged error: the server's error text without its <c>ERR </c>.</summary>
    public string Reason
    {
        get
        {
            if (Failure is not null)
                return Failure;
            if (Reply is not { Length: > 0 })
                return "resp is required";
            var line = Reply.AsSpan(1);
            var cr = line.IndexOf((byte)'\r');
            var text = Encoding.UTF8.GetString(cr < 0 ? line : line[..cr]);
            return text.StartsWith("ERR ", StringComparison.Ordinal) ? text[4..] : text;
        }
    }
}

/// <summary>
/// FUNCTION in a cluster (Session.Function.cs): a library must exist on every group's master, so the
/// subcommands that change libraries go to all of them and their replies are merged here. Pure logic, no I/O.
/// </summary>
internal static class FunctionFanOut
{
    /// <summary>The route of subcommand <paramref name="sub"/> (any case).</summary>
    public static FunctionRoute RouteOf(ReadOnlySpan<byte> sub)
    {
        if (Ascii.EqualsIgnoreCase(sub, "LOAD"u8) || Ascii.EqualsIgnoreCase(sub, "DELETE"u8)
            || Ascii.EqualsIgnoreCase(sub, "FLUSH"u8) || Ascii.EqualsIgnoreCase(sub, "RESTORE"u8))
        {
            return FunctionRoute.All;
        }
        return Ascii.EqualsIgnoreCase(sub, "KILL"u8) ? FunctionRoute.Any : FunctionRoute.One;
    }

    /// <summary>
    /// Merges the replies of a fanned-out <paramref name="command"/> (e.g. <c>FUNCTION LOAD</c>). Returns the
    /// index of the reply to forward as it is, or -1 with <paramref name="error"/> set to the error line to
    /// send (without the leading <c>-</c>). <see cref="FunctionRoute.All"/>: every group succeeded (the first
    /// reply), or every group refused alike (the server's own error, e.g. wrong arguments); otherwise an error
    /// naming each group that failed and why, and the groups where it succeeded (they now differ from the
    /// others). <see cref="FunctionRoute.Any"/>: the first success, or the common error, or all errors.
    /// </summary>
    public static int Merge(FunctionRoute route, string command, IReadOnlyList<FunctionReply> replies, out string? error)
    {
        ArgumentNullException.ThrowIfNull(replies);
        error = null;
        if (replies.Count == 0)
            throw new ArgumentException("no replies", nameof(replies));
        var firstOk = -1;
        var failures = 0;
        for (var i = 0; i < replies.Count; i++)
        {
            if (replies[i].Failed)
                failures++;
            else if (firstOk < 0)
                firstOk = i;
        }
        if (route == FunctionRoute.Any && firstOk >= 0)
            return firstOk;
        if (failures == 0)
            return 0;
        if (failures == replies.Count && AllSameErrorReply(replies))
            return 0;
        var sb = new StringBuilder("ERR ").Append(command).Append(" failed on ");
        var first = true;
        foreach (var r in replies)
        {
            if (!r.Failed)
                continue;
            if (!first)
                sb.Append("; ");
            first = false;
            AppendGroup(sb, r).Append(": ").Append(r.Reason);
        }
        if (route == FunctionRoute.All && firstOk >= 0)
        {
            sb.Append("; it succeeded on ");
            first = true;
            foreach (var r in replies)
            {
                if (r.Failed)
                    continue;
                if (!first)
                    sb.Append(", ");
                first = false;
                AppendGroup(sb, r);
            }
        }
        // One line: a server's text never holds CR/LF, a transport error might.
        error = sb.Replace('\r', ' ').Replace('\n', ' ').ToString();
        return -1;
    }

    private static StringBuilder AppendGroup(StringBuilder sb, FunctionReply r) =>
        sb.Append("group ").Append(r.GroupId).Append(" (").Append(r.Addr).Append(')');

    private static bool AllSameErrorReply(IReadOnlyList<FunctionReply> replies)
    {
        var first = replies[0].Reply;
        foreach (var r in replies)
        {
            if (r.Failure is not null || r.Reply is null || first is null || !r.Reply.AsSpan().SequenceEqual(first))
                return false;
        }
        return true;
    }
}
