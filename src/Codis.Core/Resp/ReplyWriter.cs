using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Codis.Core.Resp;

/// <summary>
/// Writes RESP2 (or RESP3, once a client switched with HELLO 3) replies into a growable byte buffer.
/// The owner sends <see cref="WrittenSpan"/> and calls <see cref="Clear"/>.
/// </summary>
public sealed class ReplyWriter
{
    private const int ShrinkAbove = 1 << 20;
    private const int InitialSize = 16 * 1024;

    private byte[] _buffer;
    private int _pos;

    /// <summary>Creates a writer with a small initial buffer.</summary>
    public ReplyWriter(int initialSize = InitialSize) => _buffer = new byte[initialSize];

    /// <summary>2 or 3: the protocol version the client negotiated.</summary>
    public int Protocol { get; set; } = 2;

    /// <summary>Bytes written and not yet cleared.</summary>
    public int Length => _pos;

    /// <summary>The underlying buffer (valid up to <see cref="Length"/>).</summary>
    public byte[] Buffer => _buffer;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _pos);

    /// <summary>The bytes written so far, as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _pos);

    /// <summary>Forgets what was written; releases an oversized buffer.</summary>
    public void Clear()
    {
        _pos = 0;
        if (_buffer.Length > ShrinkAbove)
            _buffer = new byte[InitialSize];
    }

    /// <summary>Drops everything written after <paramref name="length"/> (for discarded partial replies).</summary>
    public void Truncate(int length) => _pos = length;

    /// <summary>Appends raw protocol bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary><c>+OK</c>.</summary>
    public void Ok() => WriteRaw("+OK\r\n"u8);

    /// <summary>A simple string <c>+text</c>.</summary>
    public void Simple(ReadOnlySpan<byte> text)
    {
        Ensure(text.Length + 3);
        _buffer[_pos++] = (byte)'+';
        text.CopyTo(_buffer.AsSpan(_pos));
        _pos += text.Length;
        CrLf();
    }

    /// <summary>A simple string from text.</summary>
    public void Simple(string text) => Simple(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// An error reply. The text must include its code (<c>ERR ...</c>, <c>WRONGTYPE ...</c>); newlines are
    /// replaced by spaces so the reply stays one line, as Redis does.
    /// </summary>
    public void Error(string message)
    {
        int max = Encoding.UTF8.GetMaxByteCount(message.Length);
        Ensure(max + 3);
        _buffer[_pos++] = (byte)'-';
        int n = Encoding.UTF8.GetBytes(message, _buffer.AsSpan(_pos));
        for (int i = _pos; i < _pos + n; i++)
        {
            if (_buffer[i] is (byte)'\r' or (byte)'\n')
                _buffer[i] = (byte)' ';
        }
        _pos += n;
        CrLf();
    }

    /// <summary>An error reply from bytes (code included).</summary>
    public void Error(ReadOnlySpan<byte> message)
    {
        Ensure(message.Length + 3);
        _buffer[_pos++] = (byte)'-';
        message.CopyTo(_buffer.AsSpan(_pos));
        for (int i = _pos; i < _pos + message.Length; i++)
        {
            if (_buffer[i] is (byte)'\r' or (byte)'\n')
                _buffer[i] = (byte)' ';
        }
        _pos += message.Length;
        CrLf();
    }

    /// <summary>An integer reply <c>:n</c>.</summary>
    public void Integer(long value)
    {
        Ensure(24);
        _buffer[_pos++] = (byte)':';
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_pos), out int n);
        _pos += n;
        CrLf();
    }

    /// <summary>A bulk string.</summary>
    public void Bulk(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length + 16);
        _buffer[_pos++] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, _buffer.AsSpan(_pos), out int n);
        _pos += n;
        CrLf();
        value.CopyTo(_buffer.AsSpan(_pos));
        _pos += value.Length;
        CrLf();
    }

    /// <summary>A bulk string from text (UTF-8).</summary>
    public void Bulk(string value) => Bulk(Encoding.UTF8.GetBytes(value));

    /// <summary>A bulk string holding the decimal form of <paramref name="value"/>.</summary>
    public void BulkInteger(long value)
    {
        Span<byte> tmp = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        Bulk(tmp[..n]);
    }

    /// <summary>The null bulk string (<c>$-1</c>, or <c>_</c> in RESP3).</summary>
    public void Null() => WriteRaw(Protocol == 3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>The null array (<c>*-1</c>, or <c>_</c> in RESP3).</summary>
    public void NullArray() => WriteRaw(Protocol == 3 ? "_\r\n"u8 : "*-1\r\n"u8);

    /// <summary>An array header.</summary>
    public void Array(long count) => Header((byte)'*', count);

    /// <summary>A map header (RESP3) or an array of twice the count (RESP2).</summary>
    public void Map(long count)
    {
        if (Protocol == 3)
            Header((byte)'%', count);
        else
            Header((byte)'*', count * 2);
    }

    /// <summary>A set header (RESP3) or an array (RESP2).</summary>
    public void Set(long count) => Header(Protocol == 3 ? (byte)'~' : (byte)'*', count);

    /// <summary>A push header (RESP3) or an array (RESP2), for pub/sub messages.</summary>
    public void Push(long count) => Header(Protocol == 3 ? (byte)'>' : (byte)'*', count);

    /// <summary>A double: a bulk string in RESP2 (Redis's formatting), <c>,</c> in RESP3.</summary>
    public void Double(double value)
    {
        Span<byte> tmp = stackalloc byte[64];
        int n = FormatDouble(value, tmp);
        if (Protocol == 3)
        {
            Ensure(n + 3);
            _buffer[_pos++] = (byte)',';
            tmp[..n].CopyTo(_buffer.AsSpan(_pos));
            _pos += n;
            CrLf();
        }
        else
        {
            Bulk(tmp[..n]);
        }
    }

    /// <summary>A boolean: <c>#t</c>/<c>#f</c> in RESP3, integer 1/0 in RESP2.</summary>
    public void Boolean(bool value)
    {
        if (Protocol == 3)
            WriteRaw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        else
            WriteRaw(value ? ":1\r\n"u8 : ":0\r\n"u8);
    }

    /// <summary>
    /// Reserves room for an array header whose count is known only later; returns a handle for
    /// <see cref="EndDeferredArray"/>.
    /// </summary>
    public int BeginDeferredArray()
    {
        Ensure(16);
        int handle = _pos;
        _pos += 16;
        return handle;
    }

    /// <summary>Writes the count into a header reserved by <see cref="BeginDeferredArray"/>.</summary>
    public void EndDeferredArray(int handle, long count, byte kind = (byte)'*')
    {
        Span<byte> header = stackalloc byte[16];
        header[0] = kind;
        Utf8Formatter.TryFormat(count, header[1..], out int n);
        header[n + 1] = (byte)'\r';
        header[n + 2] = (byte)'\n';
        int len = n + 3;
        // Move the body left over the unused part of the 16 reserved bytes.
        int bodyStart = handle + 16;
        int bodyLen = _pos - bodyStart;
        System.Array.Copy(_buffer, bodyStart, _buffer, handle + len, bodyLen);
        header[..len].CopyTo(_buffer.AsSpan(handle));
        _pos = handle + len + bodyLen;
    }

    /// <summary>Deferred map: in RESP2 the count is doubled.</summary>
    public void EndDeferredMap(int handle, long count)
    {
        if (Protocol == 3)
            EndDeferredArray(handle, count, (byte)'%');
        else
            EndDeferredArray(handle, count * 2);
    }

    private void Header(byte kind, long count)
    {
        Ensure(24);
        _buffer[_pos++] = kind;
        Utf8Formatter.TryFormat(count, _buffer.AsSpan(_pos), out int n);
        _pos += n;
        CrLf();
    }

    private void CrLf()
    {
        _buffer[_pos++] = (byte)'\r';
        _buffer[_pos++] = (byte)'\n';
    }

    private void Ensure(int extra)
    {
        if (_pos + extra <= _buffer.Length)
            return;
        long size = Math.Max((long)_buffer.Length * 2, (long)_pos + extra);
        System.Array.Resize(ref _buffer, (int)Math.Min(size, System.Array.MaxLength));
    }

    /// <summary>
    /// Formats a double as Redis 7 does in replies (<c>%.17g</c>, with <c>inf</c>/<c>-inf</c>/<c>nan</c>).
    /// </summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        string s = FormatDouble(value);
        return Encoding.ASCII.GetBytes(s, destination);
    }

    /// <summary>The text of <see cref="FormatDouble(double, Span{byte})"/>.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
            return "inf";
        if (double.IsNegativeInfinity(value))
            return "-inf";
        if (double.IsNaN(value))
            return "nan";
        return PrintfG17(value);
    }

    /// <summary>C's <c>printf("%.17g")</c>.</summary>
    public static string PrintfG17(double value) => PrintfG(value, 17);

    /// <summary>C's <c>printf("%.Ng")</c> for finite values.</summary>
    public static string PrintfG(double value, int precision)
    {
        if (value == 0)
            return double.IsNegative(value) ? "-0" : "0";
        string e = value.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int ePos = e.IndexOf('E');
        int exponent = int.Parse(e.AsSpan(ePos + 1), CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= precision)
        {
            string mantissa = TrimZeros(e[..ePos]);
            string sign = exponent < 0 ? "-" : "+";
            int abs = Math.Abs(exponent);
            return mantissa + "e" + sign + (abs < 10 ? "0" : "") + abs.ToString(CultureInfo.InvariantCulture);
        }
        string fixedText = value.ToString("F" + Math.Max(0, precision - 1 - exponent).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return TrimZeros(fixedText);
    }

    private static string TrimZeros(string s)
    {
        if (!s.Contains('.'))
            return s;
        s = s.TrimEnd('0');
        return s.EndsWith('.') ? s[..^1] : s;
    }
}
