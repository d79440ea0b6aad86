namespace Codis.Server.Persistence;

/// <summary>
/// LZF compression in the format Redis uses for RDB strings (liblzf 3.6 as configured by Redis:
/// 2^16-slot hash table, "very fast" mode). <see cref="Compress"/> makes the same choices as Redis's
/// <c>lzf_compress</c> with an empty hash table, so our payloads match Redis's byte for byte.
/// </summary>
public static class Lzf
{
    private const int HashLog = 16;
    private const int HashSize = 1 << HashLog;
    private const int MaxLiteral = 1 << 5;
    private const int MaxOffset = 1 << 13;
    private const int MaxReference = (1 << 8) + (1 << 3);

    /// <summary>
    /// The largest output one input byte can produce: a 3-byte back reference expands to 264 bytes.
    /// Used to refuse absurd declared lengths before allocating.
    /// </summary>
    public const int MaxExpansion = 88;

    // The hash table is 256 KB; clearing it per call would dominate small compressions, so slots carry
    // the generation that wrote them and a slot from an older call reads as empty.
    [ThreadStatic] private static int[]? t_positions;
    [ThreadStatic] private static int[]? t_generations;
    [ThreadStatic] private static int t_generation;

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/>. Returns the compressed length, or 0
    /// when the result would not fit in <paramref name="output"/> (callers then store the data raw), with
    /// the same conservative end-of-buffer tests as liblzf so the raw/compressed choice matches Redis.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int inEnd = input.Length;
        int outEnd = output.Length;
        if (inEnd == 0 || outEnd == 0)
            return 0;

        int[] positions = t_positions ??= new int[HashSize];
        int[] generations = t_generations ??= new int[HashSize];
        int generation = ++t_generation;
        if (generation == int.MaxValue)
        {
            Array.Clear(generations);
            t_generation = generation = 1;
        }

        int ip = 0;
        int op = 1; // byte 0 is reserved for the first literal run's header
        int lit = 0;
        uint hval = inEnd >= 2 ? (uint)((input[0] << 8) | input[1]) : 0;

        while (ip < inEnd - 2)
        {
            hval = (hval << 8) | input[ip + 2];
            int slot = Index(hval);
            // Position 0 can never be referenced (liblzf tests ref > in_data), which is also what an empty slot reads as.
            int reference = generations[slot] == generation ? positions[slot] : 0;
            positions[slot] = ip;
            generations[slot] = generation;

            int off = ip - reference - 1;
            if (reference > 0 && off < MaxOffset
                && input[reference + 2] == input[ip + 2]
                && input[reference] == input[ip] && input[reference + 1] == input[ip + 1])
            {
                int len = 2;
                int maxLen = Math.Min(inEnd - ip - len, MaxReference);
                int undo = lit == 0 ? 1 : 0;
                if (op + 3 + 1 >= outEnd && op - undo + 3 + 1 >= outEnd)
                    return 0;
                output[op - lit - 1] = (byte)(lit - 1); // close the literal run
                op -= undo;                              // or drop its header if it is empty

                len = MatchLength(input, reference, ip, len, maxLen);

                len -= 2;
                ip++;
                if (len < 7)
                {
                    output[op++] = (byte)((off >> 8) + (len << 5));
                }
                else
                {
                    output[op++] = (byte)((off >> 8) + (7 << 5));
                    output[op++] = (byte)(len - 7);
                }
                output[op++] = (byte)off;
                lit = 0;
                op++; // header of the next literal run
                ip += len + 1;
                if (ip >= inEnd - 2)
                    break;

                // "Very fast" mode hashes only the last two positions of the match.
                ip -= 2;
                hval = (uint)((input[ip] << 8) | input[ip + 1]);
                for (int k = 0; k < 2; k++)
                {
                    hval = (hval << 8) | input[ip + 2];
                    int s = Index(hval);
                    positions[s] = ip;
                    generations[s] = generation;
                    ip++;
                }
            }
            else
            {
                if (op >= outEnd)
                    return 0;
                lit++;
                output[op++] = input[ip++];
                if (lit == MaxLiteral)
                {
                    output[op - lit - 1] = (byte)(lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }

        if (op + 3 > outEnd)
            return 0;
        while (ip < inEnd)
        {
            lit++;
            output[op++] = input[ip++];
            if (lit == MaxLiteral)
            {
                output[op - lit - 1] = (byte)(lit - 1);
                lit = 0;
                op++;
            }
        }
        output[op - lit - 1] = (byte)(lit - 1);
        if (lit == 0)
            op--;
        return op;
    }

    /// <summary>
    /// Decompresses <paramref name="input"/> into exactly <paramref name="output"/>.Length bytes. Returns false
    /// on any inconsistency (a reference before the start, output overflow, or a different final length).
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0;
        int op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                int run = ctrl + 1;
                if (ip + run > input.Length || op + run > output.Length)
                    return false;
                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
                continue;
            }

            int len = ctrl >> 5;
            if (len == 7)
            {
                if (ip >= input.Length)
                    return false;
                len += input[ip++];
            }
            if (ip >= input.Length)
                return false;
            int reference = op - ((ctrl & 0x1F) << 8) - input[ip++] - 1;
            len += 2;
            if (reference < 0 || op + len > output.Length)
                return false;
            // Byte by byte: the source may overlap what is being written (run-length style references).
            for (int k = 0; k < len; k++)
                output[op++] = output[reference++];
        }
        return op == output.Length;
    }

    private static int Index(uint h) => (int)(((h >> (3 * 8 - HashLog)) - h * 5) & (HashSize - 1));

    // liblzf compares 16 bytes unconditionally when more than 16 may match, then one at a time up to
    // maxLen; the result may pass maxLen by up to 2 in that case and must be reproduced exactly.
    private static int MatchLength(ReadOnlySpan<byte> input, int reference, int ip, int len, int maxLen)
    {
        if (maxLen > 16)
        {
            for (int k = 0; k < 16; k++)
            {
                len++;
                if (input[reference + len] != input[ip + len])
                    return len;
            }
        }
        do
            len++;
        while (len < maxLen && input[reference + len] == input[ip + len]);
        return len;
    }
}
