namespace Codis.Proxy.Network;

/// <summary>
/// The input buffer of a client session or a backend connection: bytes read but not yet decoded, and how far
/// the buffer must reach for the frame being decoded, so a large frame is decoded once it is whole rather
/// than re-scanned after every read. Used by one thread at a time (the reader).
/// </summary>
internal sealed class InputBuffer
{
    private byte[] _bytes = new byte[16 * 1024];
    private int _start;
    private int _end;
    private long _needed;

    /// <summary>The read bytes not yet consumed.</summary>
    public ReadOnlySpan<byte> Unread => _bytes.AsSpan(_start, _end - _start);

    /// <summary>True while bytes are left to decode.</summary>
    public bool HasUnread => _start < _end;

    /// <summary>Forgets everything (a new connection).</summary>
    public void Reset()
    {
        _start = _end = 0;
        _needed = 0;
    }

    /// <summary>The free end of the buffer, compacted or grown first when it is full.</summary>
    public Memory<byte> Space()
    {
        if (_end == _bytes.Length)
        {
            if (_start > 0)
            {
                Compact();
            }
            else
            {
                Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max(_needed, _bytes.Length * 2L)));
            }
        }
        return _bytes.AsMemory(_end);
    }

    /// <summary>Counts <paramref name="n"/> bytes read into <see cref="Space"/>; true when there is a frame to try.</summary>
    public bool Received(int n)
    {
        _end += n;
        if (_end < _needed)
        {
            return false;
        }
        _needed = 0;
        return true;
    }

    /// <summary>The first <paramref name="length"/> unread bytes were decoded.</summary>
    public void Consume(int length) => _start += length;

    /// <summary>
    /// The unread bytes hold part of a frame that <paramref name="need"/> bytes (0 = unknown) would complete;
    /// makes room for it now, so the reads that complete it land in one place.
    /// </summary>
    public void NeedMore(long need)
    {
        _needed = need == 0 ? 0 : _start + need;
        if (_needed > _bytes.Length)
        {
            Compact();
            if (_needed > _bytes.Length)
            {
                Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, _needed));
            }
        }
    }

    /// <summary>Rewinds to the buffer's start once everything read was decoded.</summary>
    public void ConsumedAll()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    private void Compact()
    {
        Buffer.BlockCopy(_bytes, _start, _bytes, 0, _end - _start);
        _end -= _start;
        _needed = Math.Max(0, _needed - _start);
        _start = 0;
    }
}
