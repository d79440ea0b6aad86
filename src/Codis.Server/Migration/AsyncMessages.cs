using Codis.Core.Resp;

namespace Codis.Server.Migration;

/// <summary>
/// The async-migration messages besides the per-key stream: what the source sends first on a new
/// connection (§6.3) and the acknowledgement the target answers every message with (§6.6).
/// </summary>
public static class AsyncMessages
{
    /// <summary>Command name of the acknowledgement the target answers with.</summary>
    public static ReadOnlySpan<byte> AckCommand => "SLOTSRESTORE-ASYNC-ACK"u8;

    /// <summary><c>SLOTSRESTORE-ASYNC-AUTH password</c>: sent only when the source has a requirepass.</summary>
    public static void WriteAuth(ReplyWriter output, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Array(2);
        output.Bulk("SLOTSRESTORE-ASYNC-AUTH"u8);
        output.Bulk(password);
    }

    /// <summary><c>SLOTSRESTORE-ASYNC-SELECT db</c>.</summary>
    public static void WriteSelect(ReplyWriter output, int db)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Array(2);
        output.Bulk("SLOTSRESTORE-ASYNC-SELECT"u8);
        output.BulkInteger(db);
    }

    /// <summary>
    /// The target's answer (§6.6): <c>SLOTSRESTORE-ASYNC-ACK code message</c>, an array of three bulk
    /// strings (the code too is a bulk string).
    /// </summary>
    public static void WriteAck(ReplyWriter output, int code, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Array(3);
        output.Bulk(AckCommand);
        output.BulkInteger(code);
        output.Bulk(message);
    }
}
