using System.Buffers.Text;

namespace Codis.Core.Resp;

/// <summary>Outcome of one <see cref="RequestParser.TryParse"/> call.</summary>
public enum ParseResult
{
    /// <summary>A whole request was parsed into the argument list.</summary>
    Complete,

    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>An empty request (blank inline line or <c>*0</c>) was consumed; nothing to run.</summary>
    Empty,

    /// <summary>The request is malformed; <see cref="RequestParser.Error"/> says why. Close after replying.</summary>
    Error,
}

/// <summary>
/// Incremental parser of client requests: RESP multibulk arrays of bulk strings and inline commands,
/// with Redis's limits and protocol error texts. It keeps its progress inside the current request, so a
/// large request that arrives in many reads is scanned once. Offsets are relative to the start of the
/// unconsumed input, so the caller may compact its buffer between calls.
/// </summary>
public sealed class RequestParser
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: the longest inline request or count line.</summary>
    public const int InlineMaxSize = 64 * 1024;

    private readonly byte[] _inlineBuffer;
    private byte[] _inlineArgs = new byte[256];
    private int _expected = -1;   // multibulk: arguments announced; -1 = request not started
    private int _parsedArgs;
    private int _pos;             // resume position relative to the request's start
    private int[] _offsets = new int[16];
    private int[] _lengths = new int[16];

    /// <summary>Creates a parser.</summary>
    public RequestParser() => _inlineBuffer = [];

    /// <summary>Largest accepted bulk length (Redis proto-max-bulk-len).</summary>
    public long MaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>True while the client is not authenticated: Redis then caps multibulk and bulk sizes.</summary>
    public bool Unauthenticated { get; set; }

    /// <summary>The protocol error text (without the "ERR " prefix) after <see cref="ParseResult.Error"/>.</summary>
    public string Error { get; private set; } = "";

    /// <summary>
    /// <see cref="Error"/> as the bytes Redis puts on the wire: the offending byte of "expected '$', got
    /// 'x'" is sent raw, not UTF-8 encoded, so a reply built from this matches Redis byte for byte.
    /// </summary>
    public byte[] ErrorBytes { get; private set; } = [];

    /// <summary>How many bytes of input the current request needs at least (a hint for buffer growth).</summary>
    public int NeededBytes { get; private set; }

    /// <summary>Bytes of the last completed request (to advance the input).</summary>
    public int Consumed { get; private set; }

    /// <summary>
    /// Parses one request from <paramref name="input"/> (the unconsumed bytes, which start at
    /// <paramref name="baseOffset"/> in <paramref name="buffer"/>).
    /// </summary>
    public ParseResult TryParse(byte[] buffer, int baseOffset, int length, ArgList args)
    {
        ReadOnlySpan<byte> input = buffer.AsSpan(baseOffset, length);
        NeededBytes = 0;
        Consumed = 0;
        if (input.Length == 0)
            return ParseResult.Incomplete;
        if (_expected < 0 && input[0] != (byte)'*')
            return ParseInline(input, args);
        return ParseMultibulk(buffer, baseOffset, input, args);
    }

    /// <summary>Forgets any partial request (after an error or a reset connection).</summary>
    public void Reset()
    {
        _expected = -1;
        _parsedArgs = 0;
        _pos = 0;
    }

    private ParseResult ParseMultibulk(byte[] buffer, int baseOffset, ReadOnlySpan<byte> input, ArgList args)
    {
        if (_expected < 0)
        {
            int nl = ShortNumberLine(input, out long count);
            if (nl < 0)
            {
                nl = input.IndexOf((byte)'\r');
                if (nl < 0 || nl + 1 >= input.Length)
                {
                    if (input.Length > InlineMaxSize)
                        return Fail("Protocol error: too big mbulk count string");
                    return ParseResult.Incomplete;
                }
                if (!TryParseLong(input[1..nl], out count) || count > int.MaxValue)
                    return Fail("Protocol error: invalid multibulk length");
            }
            if (Unauthenticated && count > 10)
                return Fail("Protocol error: unauthenticated multibulk length");
            if (count <= 0)
            {
                Consumed = nl + 2;
                return ParseResult.Empty;
            }
            _expected = (int)count;
            _parsedArgs = 0;
            _pos = nl + 2;
        }

        while (_parsedArgs < _expected)
        {
            ReadOnlySpan<byte> rest = input[_pos..];
            long len = 0;
            int nl = rest.Length > 0 && rest[0] == (byte)'$' ? ShortNumberLine(rest, out len) : -1;
            if (nl < 0)
            {
                nl = rest.IndexOf((byte)'\r');
                if (nl < 0 || nl + 1 >= rest.Length)
                {
                    if (rest.Length > InlineMaxSize)
                        return Fail("Protocol error: too big bulk count string");
                    return ParseResult.Incomplete;
                }
                if (rest[0] != (byte)'$')
                    return Fail($"Protocol error: expected '$', got '{(char)rest[0]}'");
                if (!TryParseLong(rest[1..nl], out len))
                    return Fail("Protocol error: invalid bulk length");
            }
            if (len < 0 || len > MaxBulkLength)
                return Fail("Protocol error: invalid bulk length");
            if (Unauthenticated && len > 16384)
                return Fail("Protocol error: unauthenticated bulk length");
            long end = (long)_pos + nl + 2 + len + 2;
            if (end > input.Length)
            {
                NeededBytes = (int)Math.Min(int.MaxValue, end);
                return ParseResult.Incomplete;
            }
            // Redis does not check the bytes after the bulk; it skips two of them. So do we.
            StoreArg(_pos + nl + 2, (int)len);
            _pos = (int)end;
        }

        args.Reset(buffer);
        for (int i = 0; i < _expected; i++)
            args.Add(baseOffset + _offsets[i], _lengths[i]);
        Consumed = _pos;
        _expected = -1;
        _parsedArgs = 0;
        _pos = 0;
        return ParseResult.Complete;
    }

    /// <summary>
    /// The fast path for the length lines of a request ("*3\r\n", "$5\r\n"): one to nine digits right
    /// after the type byte, no leading zero, then "\r\n" already received. Returns the index of the
    /// '\r' and the number, or -1 when the line is anything else (the general path then decides).
    /// </summary>
    private static int ShortNumberLine(ReadOnlySpan<byte> line, out long value)
    {
        value = 0;
        int limit = Math.Min(line.Length, 10);
        int i = 1;
        for (; i < limit; i++)
        {
            uint digit = (uint)(line[i] - '0');
            if (digit > 9)
                break;
            value = (value * 10) + digit;
        }
        if (i == 1 || i + 1 >= line.Length || line[i] != (byte)'\r' || (line[1] == (byte)'0' && i > 2))
            return -1;
        return i;
    }

    private void StoreArg(int offset, int length)
    {
        if (_parsedArgs == _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }
        _offsets[_parsedArgs] = offset;
        _lengths[_parsedArgs] = length;
        _parsedArgs++;
    }

    private ParseResult ParseInline(ReadOnlySpan<byte> input, ArgList args)
    {
        int nl = input.IndexOf((byte)'\n');
        if (nl < 0)
        {
            if (input.Length > InlineMaxSize)
                return Fail("Protocol error: too big inline request");
            return ParseResult.Incomplete;
        }
        ReadOnlySpan<byte> line = input[..nl];
        if (line.Length > 0 && line[^1] == (byte)'\r')
            line = line[..^1];
        Consumed = nl + 1;
        if (_inlineArgs.Length < line.Length)
            _inlineArgs = new byte[Math.Max(line.Length, _inlineArgs.Length * 2)];
        args.Reset(_inlineArgs);
        if (!InlineSplitter.Split(line, _inlineArgs, args))
        {
            Consumed = 0;
            return Fail("Protocol error: unbalanced quotes in request");
        }
        return args.Count == 0 ? ParseResult.Empty : ParseResult.Complete;
    }

    private ParseResult Fail(string message)
    {
        Error = message;
        // Every message is ASCII except the raw byte cast to a char above, which Latin-1 maps back.
        ErrorBytes = System.Text.Encoding.Latin1.GetBytes(message);
        Reset();
        return ParseResult.Error;
    }

    /// <summary>Redis's string2ll: optional '-', digits, no leading '+', no spaces, fits in 64 bits.</summary>
    public static bool TryParseLong(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20)
            return false;
        if (s.Length == 1 && s[0] == (byte)'0')
            return true;
        if (s[0] == (byte)'+' || (s[0] == (byte)'0') || (s.Length > 1 && s[0] == (byte)'-' && s[1] == (byte)'0'))
            return false;
        return Utf8Parser.TryParse(s, out value, out int used) && used == s.Length;
    }
}
