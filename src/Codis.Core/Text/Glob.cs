namespace Codis.Core.Text;

/// <summary>
/// Redis's glob-style matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET): <c>*</c>, <c>?</c>,
/// <c>[abc]</c>, <c>[^a-z]</c> and <c>\x</c> escapes, on bytes.
/// </summary>
public static class Glob
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        int budget = 1_000_000;
        return MatchAt(pattern, text, ignoreCase, ref budget, 0);
    }

    private static bool MatchAt(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, bool nocase, ref int budget, int depth)
    {
        // Bound the work on pathological patterns, as Redis bounds its recursion.
        if (depth > 1000 || --budget < 0)
            return false;
        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == (byte)'*')
                        p = p[1..];
                    if (p.Length == 1)
                        return true;
                    for (int i = 0; i <= s.Length; i++)
                    {
                        if (MatchAt(p[1..], s[i..], nocase, ref budget, depth + 1))
                            return true;
                        if (budget < 0)
                            return false;
                    }
                    return false;
                case (byte)'?':
                    s = s[1..];
                    break;
                case (byte)'[':
                    {
                        p = p[1..];
                        bool not = p.Length > 0 && p[0] == (byte)'^';
                        if (not)
                            p = p[1..];
                        bool match = false;
                        while (true)
                        {
                            if (p.Length == 0)
                                break;
                            if (p[0] == (byte)'\\' && p.Length >= 2)
                            {
                                p = p[1..];
                                if (p[0] == s[0])
                                    match = true;
                            }
                            else if (p[0] == (byte)']')
                            {
                                break;
                            }
                            else if (p.Length >= 3 && p[1] == (byte)'-')
                            {
                                int start = p[0], end = p[2], c = s[0];
                                if (start > end)
                                    (start, end) = (end, start);
                                if (nocase)
                                {
                                    start = Lower(start);
                                    end = Lower(end);
                                    c = Lower(c);
                                }
                                p = p[2..];
                                if (c >= start && c <= end)
                                    match = true;
                            }
                            else if (nocase ? Lower(p[0]) == Lower(s[0]) : p[0] == s[0])
                            {
                                match = true;
                            }
                            p = p[1..];
                        }
                        if (p.Length == 0)
                        {
                            // Unterminated class: Redis treats the end of the pattern as closing it.
                            p = [];
                            if (not)
                                match = !match;
                            if (!match)
                                return false;
                            s = s[1..];
                            return s.Length == 0;
                        }
                        if (not)
                            match = !match;
                        if (!match)
                            return false;
                        s = s[1..];
                        break;
                    }
                case (byte)'\\':
                    if (p.Length >= 2)
                        p = p[1..];
                    goto default;
                default:
                    if (nocase ? Lower(p[0]) != Lower(s[0]) : p[0] != s[0])
                        return false;
                    s = s[1..];
                    break;
            }
            p = p[1..];
            if (s.Length == 0)
            {
                while (p.Length > 0 && p[0] == (byte)'*')
                    p = p[1..];
                break;
            }
        }
        if (p.Length == 0 && s.Length == 0)
            return true;
        if (s.Length == 0)
        {
            while (p.Length > 0 && p[0] == (byte)'*')
                p = p[1..];
            return p.Length == 0;
        }
        return false;
    }

    private static int Lower(int c) => c is >= 'A' and <= 'Z' ? c | 0x20 : c;
}
