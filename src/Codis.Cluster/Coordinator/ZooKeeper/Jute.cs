using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Codis.Cluster.Coordinator.ZooKeeper;

/// <summary>
/// Writes ZooKeeper's jute encoding: big-endian integers, a boolean as one byte, strings and buffers as an
/// int length followed by the bytes (length -1 for null), vectors as an int count followed by the items.
/// <see cref="ToFrame"/> prefixes the whole record with its length, which is how every packet travels.
/// </summary>
internal sealed class JuteWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>A writer whose first four bytes are reserved for the frame length.</summary>
    public JuteWriter() => Int(0);

    /// <summary>Bytes written so far, including the reserved length.</summary>
    public int Length => _buffer.WrittenCount;

    public JuteWriter Int(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public JuteWriter Long(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public JuteWriter Bool(bool value)
    {
        _buffer.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        _buffer.Advance(1);
        return this;
    }

    /// <summary>A buffer; null is written as length -1 (jute's "no buffer").</summary>
    public JuteWriter Buffer(byte[]? value)
    {
        if (value is null)
            return Int(-1);
        Int(value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A UTF-8 string; null is written as length -1.</summary>
    public JuteWriter String(string? value)
    {
        if (value is null)
            return Int(-1);
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> span = _buffer.GetSpan(4 + max);
        int n = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, n);
        _buffer.Advance(4 + n);
        return this;
    }

    /// <summary>A vector of strings (count, then each string).</summary>
    public JuteWriter Strings(IReadOnlyCollection<string> values)
    {
        Int(values.Count);
        foreach (string s in values)
            String(s);
        return this;
    }

    /// <summary>A vector of ACL entries: each is perms, then the id's scheme and id.</summary>
    public JuteWriter Acls(IReadOnlyList<ZooKeeperAcl> acls)
    {
        Int(acls.Count);
        foreach (ZooKeeperAcl a in acls)
            Int((int)a.Perms).String(a.Scheme).String(a.Id);
        return this;
    }

    /// <summary>The frame: the record prefixed with its length (big-endian int, not counting itself).</summary>
    public byte[] ToFrame()
    {
        byte[] frame = _buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }
}

/// <summary>
/// Reads jute records from one received frame (without its length prefix). Every read checks that the
/// bytes are there: a short or malformed reply is a <see cref="ZooKeeperProtocolException"/>, never an
/// out-of-range read or a huge allocation.
/// </summary>
internal sealed class JuteReader(byte[] data, int offset = 0)
{
    private int _position = offset;

    /// <summary>Bytes left to read.</summary>
    public int Remaining => data.Length - _position;

    public int Int()
    {
        Need(4, "int");
        int v = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(_position));
        _position += 4;
        return v;
    }

    public long Long()
    {
        Need(8, "long");
        long v = BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(_position));
        _position += 8;
        return v;
    }

    public bool Bool()
    {
        Need(1, "boolean");
        return data[_position++] != 0;
    }

    /// <summary>A buffer; length -1 reads as null.</summary>
    public byte[]? Buffer()
    {
        int n = Length("buffer");
        if (n < 0)
            return null;
        byte[] v = data.AsSpan(_position, n).ToArray();
        _position += n;
        return v;
    }

    /// <summary>A UTF-8 string; length -1 reads as null.</summary>
    public string? String()
    {
        int n = Length("string");
        if (n < 0)
            return null;
        string v = Encoding.UTF8.GetString(data, _position, n);
        _position += n;
        return v;
    }

    /// <summary>A vector of strings; a null vector (count -1) reads as empty.</summary>
    public List<string> Strings()
    {
        int count = Int();
        if (count < -1)
            throw new ZooKeeperProtocolException($"zk: malformed reply: vector count {count}");
        // Each string takes at least its 4-byte length: a count larger than that is corrupt.
        if (count > Remaining / 4)
            throw new ZooKeeperProtocolException($"zk: malformed reply: vector of {count} strings in {Remaining} bytes");
        var list = new List<string>(Math.Max(count, 0));
        for (int i = 0; i < count; i++)
            list.Add(String() ?? "");
        return list;
    }

    public ZooKeeperStat Stat() => new(
        Czxid: Long(), Mzxid: Long(), Ctime: Long(), Mtime: Long(), Version: Int(), Cversion: Int(),
        Aversion: Int(), EphemeralOwner: Long(), DataLength: Int(), NumChildren: Int(), Pzxid: Long());

    private int Length(string what)
    {
        int n = Int();
        if (n < -1)
            throw new ZooKeeperProtocolException($"zk: malformed reply: {what} length {n}");
        if (n > Remaining)
            throw new ZooKeeperProtocolException($"zk: malformed reply: {what} of {n} bytes but only {Remaining} left");
        return n;
    }

    private void Need(int n, string what)
    {
        if (Remaining < n)
            throw new ZooKeeperProtocolException($"zk: malformed reply: truncated {what} at offset {_position} of {data.Length}");
    }
}
