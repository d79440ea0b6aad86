namespace Codis.Server.Replication;

/// <summary>
/// The replication backlog: a ring of the last <see cref="Size"/> bytes of the replication stream, so a
/// replica that lost its link can continue from its offset (partial resync) instead of a full one.
/// Offsets are stream offsets: the first byte ever fed has offset 1, as in Redis.
/// </summary>
public sealed class ReplicationBacklog
{
    private byte[] _ring;
    private int _head;

    /// <summary>Creates an empty backlog whose next byte has offset <paramref name="nextOffset"/>.</summary>
    public ReplicationBacklog(int size, long nextOffset)
    {
        _ring = new byte[Math.Max(16 * 1024, size)];
        FirstByteOffset = nextOffset;
    }

    /// <summary>Capacity in bytes (repl-backlog-size).</summary>
    public int Size => _ring.Length;

    /// <summary>Bytes held.</summary>
    public long HistoryLength { get; private set; }

    /// <summary>Offset of the oldest byte held (repl_backlog_first_byte_offset).</summary>
    public long FirstByteOffset { get; private set; }

    /// <summary>Appends stream bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _ring.Length)
        {
            FirstByteOffset += HistoryLength + data.Length - _ring.Length;
            data[^_ring.Length..].CopyTo(_ring);
            _head = 0;
            HistoryLength = _ring.Length;
            return;
        }
        int first = Math.Min(data.Length, _ring.Length - _head);
        data[..first].CopyTo(_ring.AsSpan(_head));
        data[first..].CopyTo(_ring);
        _head = (_head + data.Length) % _ring.Length;
        long total = HistoryLength + data.Length;
        if (total > _ring.Length)
        {
            FirstByteOffset += total - _ring.Length;
            total = _ring.Length;
        }
        HistoryLength = total;
    }

    /// <summary>True when every byte from <paramref name="offset"/> on is held (a partial resync can serve it).</summary>
    public bool Covers(long offset) => offset >= FirstByteOffset && offset <= FirstByteOffset + HistoryLength;

    /// <summary>The bytes from stream offset <paramref name="offset"/> to the end (requires <see cref="Covers"/>).</summary>
    public byte[] CopyFrom(long offset)
    {
        int skip = (int)(offset - FirstByteOffset);
        int count = (int)HistoryLength - skip;
        var result = new byte[count];
        int start = (int)(((long)_head - HistoryLength + skip) % _ring.Length + _ring.Length) % _ring.Length;
        int first = Math.Min(count, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(result);
        _ring.AsSpan(0, count - first).CopyTo(result.AsSpan(first));
        return result;
    }

    /// <summary>Changes the capacity (CONFIG SET repl-backlog-size), keeping the newest bytes that fit.</summary>
    public void Resize(int size)
    {
        size = Math.Max(16 * 1024, size);
        if (size == _ring.Length)
            return;
        byte[] keep = CopyFrom(FirstByteOffset);
        long next = FirstByteOffset + HistoryLength;
        _ring = new byte[size];
        _head = 0;
        HistoryLength = 0;
        FirstByteOffset = next - keep.Length;
        Append(keep);
        FirstByteOffset = next - HistoryLength;
    }
}
