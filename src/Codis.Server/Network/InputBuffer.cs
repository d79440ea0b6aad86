namespace Codis.Server.Network;

/// <summary>The input buffer handling both connection kinds share.</summary>
internal static class InputBuffer
{
    /// <summary>
    /// Compacts or grows <paramref name="buffer"/> so that a read has room: the unread bytes
    /// [<paramref name="start"/>, <paramref name="end"/>) move to the front, into a bigger buffer when
    /// the parser needs more than fits (<paramref name="parserNeeds"/>, a request's full size).
    /// </summary>
    public static void MakeRoom(ref byte[] buffer, ref int start, ref int end, int parserNeeds)
    {
        int pending = end - start;
        int needed = Math.Max(parserNeeds, pending + 4096);
        if (start > 0 && needed <= buffer.Length)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, pending);
        }
        else
        {
            var bigger = new byte[Math.Max(needed, buffer.Length * 2)];
            Buffer.BlockCopy(buffer, start, bigger, 0, pending);
            buffer = bigger;
        }
        start = 0;
        end = pending;
    }
}
