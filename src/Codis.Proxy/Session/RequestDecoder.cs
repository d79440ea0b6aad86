using Codis.Proxy.Backend;

namespace Codis.Proxy.Session;

/// <summary>Outcome of <see cref="RequestDecoder.Decode"/>.</summary>
internal enum DecodeResult
{
    /// <summary>A request was decoded into the <see cref="Request"/>.</summary>
    Complete,

    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>An empty inline line was consumed; nothing to answer.</summary>
    Empty,

    /// <summary>Malformed input: the session closes without a reply.</summary>
    Error,
}

/// <summary>
/// Codis's client-side decoder (proxy.md §4): a RESP array of bulk strings, or an inline line split on
/// single spaces. The request's bytes are copied into the <see cref="Request"/> as a multibulk (the client's
/// own bytes for arrays; inline lines re-encoded) with the position of every argument; nothing else is
/// decoded. Limits: 1,048,576 elements, 512 MB per bulk, header and inline lines of bounded length.
/// </summary>
internal static class RequestDecoder
{
    /// <summary>Most elements of one request.</summary>
    public const int MaxArrayLength = 1024 * 1024;

    /// <summary>Largest bulk string.</summary>
    public const int MaxBulkLength = 512 * 1024 * 1024;

    /// <summary>Longest inline request (Codis fails lines longer than its 128 KB read buffer).</summary>
    public const int MaxInlineLength = 128 * 1024;

    private const int MaxHeaderLine = 64;

    /// <summary>
    /// Decodes one request from <paramref name="input"/>. On <see cref="DecodeResult.Incomplete"/>,
    /// <paramref name="needed"/> is the input length required before trying again (0 = unknown).
    /// </summary>
    public static DecodeResult Decode(ReadOnlySpan<byte> input, Request request, out int consumed, out long needed, out string? error)
    {
        consumed = 0;
        needed = 0;
        error = null;
        if (input.Length == 0)
        {
            return DecodeResult.Incomplete;
        }
        return input[0] == (byte)'*'
            ? DecodeArray(input, request, out consumed, out needed, out error)
            : DecodeInline(input, request, out consumed, out error);
    }

    private static DecodeResult DecodeArray(ReadOnlySpan<byte> input, Request request, out int consumed, out long needed, out string? error)
    {
        consumed = 0;
        needed = 0;
        var r = ReadHeader(input, 0, out var count, out var pos, out error);
        if (r != DecodeResult.Complete)
        {
            return r;
        }
        if (count <= 0)
        {
            return Fail("bad array len", out error);
        }
        if (count > MaxArrayLength)
        {
            return Fail("bad array len, too long", out error);
        }
        request.EnsureArgs((int)count);
        for (var i = 0; i < count; i++)
        {
            if (pos >= input.Length)
            {
                return DecodeResult.Incomplete;
            }
            if (input[pos] != (byte)'$')
            {
                return Fail(IsRespType(input[pos]) ? "bad multi-bulk content, should be bulkbytes" : $"bad resp type {(char)input[pos]}", out error);
            }
            r = ReadHeader(input, pos, out var length, out var dataStart, out error);
            if (r != DecodeResult.Complete)
            {
                return r;
            }
            if (length < 0)
            {
                // Codis accepts a null bulk (-1) and would forward it, which makes a codis-server drop the
                // shared backend connection; refusing it protects the other sessions.
                return Fail("bad bulk bytes len", out error);
            }
            if (length > MaxBulkLength)
            {
                return Fail("bad bulk bytes len, too long", out error);
            }
            long end = dataStart + length + 2;
            if (end > input.Length)
            {
                needed = end;
                return DecodeResult.Incomplete;
            }
            if (input[(int)end - 2] != (byte)'\r' || input[(int)end - 1] != (byte)'\n')
            {
                return Fail("bad CRLF end", out error);
            }
            request.ArgOffsets[i] = dataStart;
            request.ArgLengths[i] = (int)length;
            pos = (int)end;
        }
        request.ArgCount = (int)count;
        request.Length = 0;
        request.EnsureBuffer(pos);
        input[..pos].CopyTo(request.Buffer);
        request.Length = pos;
        consumed = pos;
        return DecodeResult.Complete;
    }

    private static bool IsRespType(byte b) => b is (byte)'+' or (byte)'-' or (byte)':' or (byte)'*';

    /// <summary>Reads "&lt;type&gt;&lt;integer&gt;\r\n" at <paramref name="start"/>.</summary>
    private static DecodeResult ReadHeader(ReadOnlySpan<byte> input, int start, out long value, out int next, out string? error)
    {
        value = 0;
        next = 0;
        error = null;
        var rest = input[start..];
        var lf = rest[..Math.Min(rest.Length, MaxHeaderLine)].IndexOf((byte)'\n');
        if (lf < 0)
        {
            return rest.Length >= MaxHeaderLine ? Fail("bad resp int, line too long", out error) : DecodeResult.Incomplete;
        }
        if (lf == 0 || rest[lf - 1] != (byte)'\r')
        {
            return Fail("bad CRLF end", out error);
        }
        if (!TryParseInt(rest[1..(lf - 1)], out value))
        {
            return Fail("bad resp int", out error);
        }
        next = start + lf + 1;
        return DecodeResult.Complete;
    }

    /// <summary>Codis's btoi64: optional sign, then digits only.</summary>
    internal static bool TryParseInt(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var negative = false;
        if (s.Length > 0 && (s[0] == (byte)'-' || s[0] == (byte)'+'))
        {
            negative = s[0] == (byte)'-';
            s = s[1..];
        }
        if (s.Length is 0 or > 18)
        {
            return false;
        }
        foreach (var b in s)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = value * 10 + (b - '0');
        }
        if (negative)
        {
            value = -value;
        }
        return true;
    }

    private static DecodeResult DecodeInline(ReadOnlySpan<byte> input, Request request, out int consumed, out string? error)
    {
        consumed = 0;
        error = null;
        var lf = input[..Math.Min(input.Length, MaxInlineLength)].IndexOf((byte)'\n');
        if (lf < 0)
        {
            return input.Length >= MaxInlineLength ? Fail("bad inline, line too long", out error) : DecodeResult.Incomplete;
        }
        if (lf == 0 || input[lf - 1] != (byte)'\r')
        {
            return Fail("bad CRLF end", out error);
        }
        var line = input[..(lf - 1)];
        consumed = lf + 1;
        if (line.Length == 0)
        {
            return DecodeResult.Empty;
        }
        var pieces = 0;
        foreach (var range in line.Split((byte)' '))
        {
            if (range.End.Value > range.Start.Value)
            {
                pieces++;
            }
        }
        if (pieces == 0)
        {
            consumed = 0;
            return Fail("bad multi-bulk len", out error);
        }
        request.Length = 0;
        request.ArgCount = 0;
        request.AppendHeader((byte)'*', pieces);
        foreach (var range in line.Split((byte)' '))
        {
            if (range.End.Value > range.Start.Value)
            {
                request.AppendArg(line[range]);
            }
        }
        return DecodeResult.Complete;
    }

    private static DecodeResult Fail(string message, out string? error)
    {
        error = message;
        return DecodeResult.Error;
    }

    /// <summary>Scans one reply, for tests and merges that need the length of an element.</summary>
    internal static int ReplyLength(ReadOnlySpan<byte> reply) => ReplyScanner.Scan(reply, out _);
}
