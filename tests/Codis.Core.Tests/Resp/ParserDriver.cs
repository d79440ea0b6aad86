using System.Text;
using Codis.Core.Resp;

namespace Codis.Core.Tests.Resp;

/// <summary>One outcome of the parser as a comparable value: the result, the arguments or the error.</summary>
public sealed record Parsed(ParseResult Result, string Text)
{
    public static Parsed Request(params string[] args) => new(ParseResult.Complete, string.Join("|", args.Select(Quote)));

    public static Parsed Empty { get; } = new(ParseResult.Empty, "");

    public static Parsed Failure(string error) => new(ParseResult.Error, error);

    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
            sb.Append(c is >= ' ' and < (char)127 and not '"' and not '\\' ? c.ToString() : $"\\x{(int)c:x2}");
        return sb.Append('"').ToString();
    }

    public override string ToString() => $"{Result}: {Text}";
}

/// <summary>
/// Plays the role of a client session: appends each received chunk to its buffer, parses until the parser
/// needs more, and (optionally) compacts the consumed bytes away before the next chunk, as a session does.
/// </summary>
internal static class ParserDriver
{
    /// <summary>Feeds <paramref name="payload"/> in the given chunk sizes; stops at the first error.</summary>
    public static List<Parsed> Run(byte[] payload, IEnumerable<int> chunkSizes, bool compact, Action<RequestParser>? configure = null)
    {
        var parser = new RequestParser();
        configure?.Invoke(parser);
        var args = new ArgList();
        var results = new List<Parsed>();
        // Leave junk in front so that a parser ignoring baseOffset would see the wrong bytes.
        const int Lead = 5;
        var buffer = new byte[payload.Length + Lead];
        buffer.AsSpan(0, Lead).Fill((byte)'#');
        int start = Lead;
        int end = Lead;
        int fed = 0;
        foreach (int size in chunkSizes)
        {
            int n = Math.Min(size, payload.Length - fed);
            payload.AsSpan(fed, n).CopyTo(buffer.AsSpan(end));
            fed += n;
            end += n;
            while (true)
            {
                ParseResult r = parser.TryParse(buffer, start, end - start, args);
                if (r == ParseResult.Incomplete)
                {
                    if (parser.Consumed != 0)
                        throw new InvalidOperationException("Incomplete must not consume");
                    break;
                }
                if (r == ParseResult.Error)
                {
                    results.Add(Parsed.Failure(parser.Error));
                    return results;
                }
                if (parser.Consumed <= 0 || parser.Consumed > end - start)
                    throw new InvalidOperationException($"bad Consumed {parser.Consumed} of {end - start}");
                results.Add(r == ParseResult.Empty ? Parsed.Empty : ToParsed(args));
                start += parser.Consumed;
            }
            if (compact && start > Lead)
            {
                // The session moves the unconsumed tail to the front (after the junk) of its buffer.
                Buffer.BlockCopy(buffer, start, buffer, Lead, end - start);
                end -= start - Lead;
                start = Lead;
            }
            if (fed == payload.Length)
                break;
        }
        return results;
    }

    public static List<Parsed> Whole(byte[] payload, Action<RequestParser>? configure = null)
        => Run(payload, [payload.Length], compact: true, configure);

    public static List<Parsed> SplitAt(byte[] payload, int cut, bool compact, Action<RequestParser>? configure = null)
        => Run(payload, [cut, payload.Length - cut], compact, configure);

    public static List<Parsed> ByteByByte(byte[] payload, bool compact, Action<RequestParser>? configure = null)
        => Run(payload, Enumerable.Repeat(1, Math.Max(1, payload.Length)), compact, configure);

    public static Parsed ToParsed(ArgList args)
    {
        var parts = new string[args.Count];
        for (int i = 0; i < args.Count; i++)
            parts[i] = Encoding.Latin1.GetString(args[i]);
        return Parsed.Request(parts);
    }

    public static byte[] Bytes(string s) => Encoding.Latin1.GetBytes(s);
}
