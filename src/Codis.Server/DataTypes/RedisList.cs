using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// A Redis list: a ring-buffer deque of byte strings with O(1) push and pop at both ends, O(1) access by
/// index and O(n) insertion or removal in the middle (shifting the shorter side, as a quicklist touches
/// only nearby nodes).
/// </summary>
/// <remarks>
/// Redis 7.0 always reports the <c>quicklist</c> encoding for lists (the listpack encoding of small lists
/// came in 7.2), so <see cref="Encoding"/> is a constant here; <c>list-max-listpack-size</c> only shapes
/// Redis's internal nodes, which no reply exposes.
/// </remarks>
public sealed class RedisList : IRedisObject, ISortable
{
    private byte[][] _items;
    private int _head;
    private int _count;

    /// <summary>An empty list.</summary>
    public RedisList() => _items = new byte[4][];

    /// <summary>A list with room for <paramref name="capacity"/> elements (RDB loading, COPY).</summary>
    public RedisList(int capacity) => _items = new byte[Math.Max(4, capacity)][];

    /// <summary>A list of <paramref name="elements"/> in order, stored as given (SORT ... STORE, RDB loading).</summary>
    public static RedisList FromElements(IEnumerable<byte[]> elements)
    {
        var list = elements is ICollection<byte[]> known ? new RedisList(known.Count) : new RedisList();
        foreach (byte[] e in elements)
            list.PushRight(e);
        return list;
    }

    /// <inheritdoc/>
    public string TypeName => "list";

    /// <inheritdoc/>
    public string Encoding => "quicklist";

    /// <summary>Number of elements.</summary>
    public int Count => _count;

    /// <summary>The element at <paramref name="index"/> (0 = head); the index must be in range.</summary>
    public byte[] this[int index]
    {
        get => _items[Slot(index)];
        set => _items[Slot(index)] = value;
    }

    /// <summary>Adds an element at the head (LPUSH).</summary>
    public void PushLeft(byte[] value)
    {
        if (_count == _items.Length)
            Grow();
        _head = _head == 0 ? _items.Length - 1 : _head - 1;
        _items[_head] = value;
        _count++;
    }

    /// <summary>Adds an element at the tail (RPUSH).</summary>
    public void PushRight(byte[] value)
    {
        if (_count == _items.Length)
            Grow();
        _items[Slot(_count)] = value;
        _count++;
    }

    /// <summary>Adds an element at the head or the tail.</summary>
    public void Push(byte[] value, bool left)
    {
        if (left)
            PushLeft(value);
        else
            PushRight(value);
    }

    /// <summary>Removes and returns the head element, or null when empty.</summary>
    public byte[]? PopLeft()
    {
        if (_count == 0)
            return null;
        byte[] v = _items[_head];
        _items[_head] = null!;
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        _count--;
        MaybeShrink();
        return v;
    }

    /// <summary>Removes and returns the tail element, or null when empty.</summary>
    public byte[]? PopRight()
    {
        if (_count == 0)
            return null;
        int slot = Slot(_count - 1);
        byte[] v = _items[slot];
        _items[slot] = null!;
        _count--;
        MaybeShrink();
        return v;
    }

    /// <summary>Removes and returns the head or the tail element, or null when empty.</summary>
    public byte[]? Pop(bool left) => left ? PopLeft() : PopRight();

    /// <summary>Inserts <paramref name="value"/> so that it ends up at <paramref name="index"/> (0..Count).</summary>
    public void Insert(int index, byte[] value)
    {
        if ((uint)index > (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(index));
        if (index == 0)
        {
            PushLeft(value);
            return;
        }
        if (index == _count)
        {
            PushRight(value);
            return;
        }
        if (_count == _items.Length)
            Grow();
        if (index < _count / 2)
        {
            // Shift the head side one step to the left.
            _head = _head == 0 ? _items.Length - 1 : _head - 1;
            for (int i = 0; i < index; i++)
                _items[Slot(i)] = _items[Slot(i + 1)];
        }
        else
        {
            for (int i = _count; i > index; i--)
                _items[Slot(i)] = _items[Slot(i - 1)];
        }
        _items[Slot(index)] = value;
        _count++;
    }

    /// <summary>Removes the element at <paramref name="index"/>.</summary>
    public void RemoveAt(int index)
    {
        if ((uint)index >= (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(index));
        if (index < _count / 2)
        {
            for (int i = index; i > 0; i--)
                _items[Slot(i)] = _items[Slot(i - 1)];
            _items[_head] = null!;
            _head = _head + 1 == _items.Length ? 0 : _head + 1;
        }
        else
        {
            for (int i = index; i < _count - 1; i++)
                _items[Slot(i)] = _items[Slot(i + 1)];
            _items[Slot(_count - 1)] = null!;
        }
        _count--;
        MaybeShrink();
    }

    /// <summary>Removes <paramref name="left"/> elements from the head and <paramref name="right"/> from the tail (LTRIM).</summary>
    public void TrimEnds(int left, int right)
    {
        left = Math.Min(left, _count);
        right = Math.Min(right, _count - left);
        for (int i = 0; i < left; i++)
            _items[Slot(i)] = null!;
        for (int i = _count - right; i < _count; i++)
            _items[Slot(i)] = null!;
        _head = Slot(left);
        _count -= left + right;
        if (_count == 0)
            _head = 0;
        MaybeShrink();
    }

    /// <summary>
    /// Removes elements equal to <paramref name="value"/> (LREM): at most <paramref name="limit"/> of
    /// them (0 = all), scanning from the tail when <paramref name="fromTail"/>. Returns how many.
    /// </summary>
    public int RemoveMatches(ReadOnlySpan<byte> value, long limit, bool fromTail)
    {
        int removed = 0;
        if (!fromTail)
        {
            int write = 0;
            for (int read = 0; read < _count; read++)
            {
                byte[] e = _items[Slot(read)];
                if ((limit == 0 || removed < limit) && value.SequenceEqual(e))
                {
                    removed++;
                    continue;
                }
                if (write != read)
                    _items[Slot(write)] = e;
                write++;
            }
            for (int i = write; i < _count; i++)
                _items[Slot(i)] = null!;
            _count = write;
        }
        else
        {
            int write = _count - 1;
            for (int read = _count - 1; read >= 0; read--)
            {
                byte[] e = _items[Slot(read)];
                if ((limit == 0 || removed < limit) && value.SequenceEqual(e))
                {
                    removed++;
                    continue;
                }
                if (write != read)
                    _items[Slot(write)] = e;
                write--;
            }
            // Elements now occupy logical positions write+1 .. _count-1: move the head there.
            for (int i = 0; i <= write; i++)
                _items[Slot(i)] = null!;
            _head = Slot(write + 1);
            _count -= removed;
        }
        if (_count == 0)
            _head = 0;
        MaybeShrink();
        return removed;
    }

    /// <summary>The index of the first element equal to <paramref name="value"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < _count; i++)
        {
            if (value.SequenceEqual(_items[Slot(i)]))
                return i;
        }
        return -1;
    }

    /// <summary>The elements from head to tail.</summary>
    public IEnumerable<byte[]> Elements()
    {
        for (int i = 0; i < _count; i++)
            yield return _items[Slot(i)];
    }

    /// <inheritdoc/>
    public IEnumerable<byte[]> SortElements() => Elements();

    /// <summary>Removes every element.</summary>
    public void Clear()
    {
        _items = new byte[4][];
        _head = 0;
        _count = 0;
    }

    /// <inheritdoc/>
    public IRedisObject DeepCopy()
    {
        var copy = new RedisList(_count);
        for (int i = 0; i < _count; i++)
            copy.PushRight(_items[Slot(i)].ToArray());
        return copy;
    }

    /// <inheritdoc/>
    public long MemoryUsage()
    {
        // Roughly a quicklist: per-entry header bytes plus the payload, plus node headers every ~128 entries.
        long bytes = 48 + (_count / 128 + 1) * 48;
        for (int i = 0; i < _count; i++)
            bytes += _items[Slot(i)].Length + 2;
        return bytes;
    }

    private int Slot(int index)
    {
        int s = _head + index;
        return s >= _items.Length ? s - _items.Length : s;
    }

    private void Grow() => Resize(_items.Length * 2);

    private void MaybeShrink()
    {
        // Give memory back when a large list drains, without thrashing around the boundary.
        if (_items.Length > 64 && _count < _items.Length / 4)
            Resize(_items.Length / 2);
    }

    private void Resize(int size)
    {
        var items = new byte[size][];
        for (int i = 0; i < _count; i++)
            items[i] = _items[Slot(i)];
        _items = items;
        _head = 0;
    }
}
