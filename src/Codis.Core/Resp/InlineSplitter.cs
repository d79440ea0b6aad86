namespace Codis.Core.Resp;

/// <summary>
/// Splits an inline command line into arguments the way Redis's sdssplitargs does: spaces separate,
/// double quotes allow \n \r \t \b \a \\ \" and \xHH escapes, single quotes allow only \'.
/// A closing quote must be followed by a space or the end of the line.
/// </summary>
public static class InlineSplitter
{
    /// <summary>
    /// Splits <paramref name="line"/>, writing unescaped bytes into <paramref name="output"/> (at least
    /// as long as the line) and their places into <paramref name="args"/>. False on unbalanced quotes.
    /// </summary>
    public static bool Split(ReadOnlySpan<byte> line, byte[] output, ArgList args)
    {
        int p = 0;
        int o = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
                p++;
            if (p >= line.Length)
                return true;
            int start = o;
            bool inDouble = false;
            bool inSingle = false;
            bool done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= line.Length)
                        return false;
                    byte c = line[p];
                    if (c == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        output[o++] = (byte)((HexValue(line[p + 2]) << 4) | HexValue(line[p + 3]));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        output[o++] = line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            _ => line[p],
                        };
                    }
                    else if (c == '"')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                            return false;
                        done = true;
                    }
                    else
                    {
                        output[o++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (p >= line.Length)
                        return false;
                    byte c = line[p];
                    if (c == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        output[o++] = (byte)'\'';
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                            return false;
                        done = true;
                    }
                    else
                    {
                        output[o++] = c;
                    }
                }
                else
                {
                    if (p >= line.Length)
                    {
                        done = true;
                        break;
                    }
                    byte c = line[p];
                    switch (c)
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDouble = true;
                            break;
                        case (byte)'\'':
                            inSingle = true;
                            break;
                        default:
                            output[o++] = c;
                            break;
                    }
                }
                if (p < line.Length)
                    p++;
            }
            args.Add(start, o - start);
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
