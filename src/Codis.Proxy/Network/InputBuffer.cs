namespace Codis.Proxy.Network;

/// <summary>
/// The input buffer step shared by client sessions and backend connections: bytes [start, end) are read
/// but not yet decoded, and <c>needed</c> is how far the buffer must reach for the frame being decoded.
/// </summary>
internal static class InputBuffer
{
    /// <summary>The free end of <paramref name="buffer"/>, compacted or grown first when it is full.</summary>
    public static Memory<byte> Space(ref byte[] buffer, ref int start, ref int end, ref long needed)
    {
        if (end == buffer.Length)
        {
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                needed = Math.Max(0, needed - start);
                start = 0;
            }
            else
            {
                Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, buffer.Length * 2L)));
            }
        }
        return buffer.AsMemory(end);
    }
}
