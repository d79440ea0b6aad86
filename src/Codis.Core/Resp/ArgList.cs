namespace Codis.Core.Resp;

/// <summary>
/// The arguments of one request as views into a byte buffer (no copies). Valid until the buffer is
/// reused: a consumer that keeps arguments beyond the current command calls <see cref="Detach"/>.
/// </summary>
public sealed class ArgList
{
    private int[] _offsets = new int[16];
    private int[] _lengths = new int[16];

    /// <summary>The buffer the offsets point into.</summary>
    public byte[] Buffer { get; private set; } = [];

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count { get; private set; }

    /// <summary>Argument <paramref name="index"/> as a span over <see cref="Buffer"/>.</summary>
    public ReadOnlySpan<byte> this[int index] => new(Buffer, _offsets[index], _lengths[index]);

    /// <summary>Argument <paramref name="index"/> as a read-only memory over <see cref="Buffer"/>.</summary>
    public ReadOnlyMemory<byte> Memory(int index) => new(Buffer, _offsets[index], _lengths[index]);

    /// <summary>Length of argument <paramref name="index"/>.</summary>
    public int Length(int index) => _lengths[index];

    /// <summary>A fresh copy of argument <paramref name="index"/>.</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    /// <summary>Starts a new argument list over <paramref name="buffer"/>.</summary>
    public void Reset(byte[] buffer)
    {
        Buffer = buffer;
        Count = 0;
    }

    /// <summary>Appends an argument that lies at <paramref name="offset"/> in the buffer.</summary>
    public void Add(int offset, int length)
    {
        if (Count == _offsets.Length)
        {
            Array.Resize(ref _offsets, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }
        _offsets[Count] = offset;
        _lengths[Count] = length;
        Count++;
    }

    /// <summary>Shifts every offset by <paramref name="delta"/> (the buffer was compacted).</summary>
    public void Shift(int delta)
    {
        for (int i = 0; i < Count; i++)
            _offsets[i] += delta;
    }

    /// <summary>Replaces the whole list with the given arguments (copied into one new buffer).</summary>
    public void Set(params ReadOnlySpan<byte[]> args)
    {
        int total = 0;
        foreach (byte[] a in args)
            total += a.Length;
        var buffer = new byte[total];
        Reset(buffer);
        int pos = 0;
        foreach (byte[] a in args)
        {
            a.CopyTo(buffer, pos);
            Add(pos, a.Length);
            pos += a.Length;
        }
    }

    /// <summary>A copy that owns its bytes, for commands kept beyond the receive buffer (MULTI, blocking).</summary>
    public ArgList Detach()
    {
        int total = 0;
        for (int i = 0; i < Count; i++)
            total += _lengths[i];
        var copy = new ArgList();
        var buffer = new byte[total];
        copy.Reset(buffer);
        int pos = 0;
        for (int i = 0; i < Count; i++)
        {
            this[i].CopyTo(buffer.AsSpan(pos));
            copy.Add(pos, _lengths[i]);
            pos += _lengths[i];
        }
        return copy;
    }

    /// <summary>
    /// Makes this list a copy of <paramref name="other"/> that owns its bytes, in this list's buffer when
    /// it is big enough (for a reused list that keeps arguments a little longer than the request).
    /// </summary>
    public void CopyBytesFrom(ArgList other)
    {
        int total = 0;
        for (int i = 0; i < other.Count; i++)
            total += other._lengths[i];
        byte[] buffer = Buffer.Length >= total && !ReferenceEquals(Buffer, other.Buffer) ? Buffer : new byte[total];
        Reset(buffer);
        int pos = 0;
        for (int i = 0; i < other.Count; i++)
        {
            other[i].CopyTo(buffer.AsSpan(pos));
            Add(pos, other._lengths[i]);
            pos += other._lengths[i];
        }
    }

    /// <summary>Copies <paramref name="other"/>'s views (same buffer) into this list.</summary>
    public void CopyFrom(ArgList other)
    {
        Reset(other.Buffer);
        for (int i = 0; i < other.Count; i++)
            Add(other._offsets[i], other._lengths[i]);
    }
}
