namespace Codis.Server.Scripting;

/// <summary>
/// Rewrites a compiled Lua 5.4 chunk so that <c>return f(...)</c> is an ordinary call followed by the
/// return: a tail call would replace the script's frame, and Redis reports every error "on
/// @user_script:LINE" with the script's line (Redis's Lua 5.1 keeps the caller's line for C
/// functions, which redis.call and the libraries are there). Works on the dump format of
/// <c>lua_dump</c> (ldump.c): only the opcodes change, nothing moves.
/// </summary>
internal static class TailCalls
{
    private const int OpCall = 68;
    private const int OpTailCall = 69;

    /// <summary>Replaces every TAILCALL in <paramref name="chunk"/> (a binary chunk) by CALL with all results; false when the format is not the expected one.</summary>
    public static bool Remove(byte[] chunk)
    {
        try
        {
            // Header: signature (4), version, format, LUAC_DATA (6), sizes of Instruction, lua_Integer and
            // lua_Number (3), LUAC_INT (8), LUAC_NUM (8), then the main function's upvalue count.
            if (chunk.Length < 32 || chunk[0] != 0x1B || chunk[4] != 0x54 || chunk[12] != 4 || chunk[13] != 8 || chunk[14] != 8)
                return false;
            int pos = 4 + 1 + 1 + 6 + 3 + 8 + 8 + 1;
            Function(chunk, ref pos);
            return pos == chunk.Length;
        }
        catch (IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static void Function(byte[] b, ref int pos)
    {
        SkipString(b, ref pos); // source
        _ = Size(b, ref pos); // linedefined
        _ = Size(b, ref pos); // lastlinedefined
        pos += 3; // numparams, is_vararg, maxstacksize
        long code = Size(b, ref pos);
        for (long i = 0; i < code; i++, pos += 4)
        {
            uint ins = (uint)(b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24));
            if ((ins & 0x7F) != OpTailCall)
                continue;
            // CALL A B C with C = 0 (keep every result) and k = 0; the RETURN that follows returns them.
            ins = (ins & ~0x7Fu & ~(1u << 15) & 0x00FFFFFFu) | OpCall;
            b[pos] = (byte)ins;
            b[pos + 1] = (byte)(ins >> 8);
            b[pos + 2] = (byte)(ins >> 16);
            b[pos + 3] = (byte)(ins >> 24);
        }
        long constants = Size(b, ref pos);
        for (long i = 0; i < constants; i++)
        {
            byte type = b[pos++];
            switch (type)
            {
                case 0: // nil
                case 1: // false
                case 17: // true
                    break;
                case 3: // integer
                case 19: // float
                    pos += 8;
                    break;
                case 4: // short string
                case 20: // long string
                    SkipString(b, ref pos);
                    break;
                default:
                    throw new IndexOutOfRangeException();
            }
        }
        long upvalues = Size(b, ref pos);
        pos += (int)(upvalues * 3);
        long protos = Size(b, ref pos);
        for (long i = 0; i < protos; i++)
            Function(b, ref pos);
        long lineInfo = Size(b, ref pos);
        pos += (int)lineInfo;
        long absLineInfo = Size(b, ref pos);
        for (long i = 0; i < absLineInfo; i++)
        {
            _ = Size(b, ref pos);
            _ = Size(b, ref pos);
        }
        long locals = Size(b, ref pos);
        for (long i = 0; i < locals; i++)
        {
            SkipString(b, ref pos);
            _ = Size(b, ref pos);
            _ = Size(b, ref pos);
        }
        long upvalueNames = Size(b, ref pos);
        for (long i = 0; i < upvalueNames; i++)
            SkipString(b, ref pos);
    }

    // ldump.c's dumpSize: 7-bit groups, most significant first, the last byte marked with 0x80.
    private static long Size(byte[] b, ref int pos)
    {
        long x = 0;
        while (true)
        {
            byte c = b[pos++];
            x = (x << 7) | (c & 0x7Fu);
            if ((c & 0x80) != 0)
                return x;
        }
    }

    private static void SkipString(byte[] b, ref int pos)
    {
        long size = Size(b, ref pos);
        if (size > 0)
            pos += (int)(size - 1);
    }
}
