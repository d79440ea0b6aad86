namespace Codis.Server.Migration;

/// <summary>
/// Argument handling as Redis 3.2's C code does it for the async-migration commands, where the
/// accepted inputs and the echoed argument in error texts are part of the wire behaviour.
/// </summary>
public static class LegacyArgs
{
    /// <summary>
    /// Redis 3.2's <c>getLongLongFromObject</c>: <c>strtoll</c> in base 10 over the argument as a C string
    /// (so up to its first NUL byte), refused when it starts with white space, has trailing characters or
    /// overflows. Hence "+5" and "007" parse, and an empty argument is 0, unlike Redis 7's strict parser.
    /// </summary>
    public static bool TryParseLong(ReadOnlySpan<byte> arg, out long value)
    {
        value = 0;
        ReadOnlySpan<byte> s = CString(arg);
        if (s.IsEmpty)
            return true;
        if (IsSpace(s[0]))
            return false;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'+' or (byte)'-')
        {
            negative = s[0] == '-';
            i++;
        }
        if (i == s.Length)
            return false;   // a lone sign: strtoll stops before it, leaving it as trailing text
        ulong magnitude = 0;
        ulong limit = negative ? 9223372036854775808UL : long.MaxValue;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9)
                return false;
            if (magnitude > (limit - d) / 10)
                return false;   // ERANGE
            magnitude = magnitude * 10 + d;
        }
        value = negative ? unchecked((long)(0 - magnitude)) : (long)magnitude;
        return true;
    }

    /// <summary>The argument as C's <c>%s</c> prints it: up to its first NUL byte.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> arg)
    {
        int nul = arg.IndexOf((byte)0);
        return nul < 0 ? arg : arg[..nul];
    }

    /// <summary>Concatenates text and raw argument bytes into one message (binary-safe).</summary>
    public static byte[] Message(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default, ReadOnlySpan<byte> c = default)
    {
        var m = new byte[a.Length + b.Length + c.Length];
        a.CopyTo(m);
        b.CopyTo(m.AsSpan(a.Length));
        c.CopyTo(m.AsSpan(a.Length + b.Length));
        return m;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
}
