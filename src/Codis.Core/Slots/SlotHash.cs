namespace Codis.Core.Slots;

/// <summary>
/// The Codis key-to-slot function: <c>crc32_ieee(hashtag(key)) % 1024</c>, shared by the server's slot
/// index and the proxy's router. The hash tag is the text between the first '{' and the first '}'
/// after it (possibly empty); without such a pair the whole key is hashed.
/// </summary>
public static class SlotHash
{
    /// <summary>Number of slots in a Codis cluster.</summary>
    public const int SlotCount = 1024;

    private const int SlotMask = SlotCount - 1;

    /// <summary>The slot of <paramref name="key"/>.</summary>
    public static int Slot(ReadOnlySpan<byte> key) => (int)(Crc32.Compute(HashTag(key)) & SlotMask);

    /// <summary>The slot that a crc computed by <see cref="TagCrc"/> maps to.</summary>
    public static int SlotOfCrc(uint crc) => (int)(crc & SlotMask);

    /// <summary>The crc32 of the key's hash tag (or of the whole key when it has none).</summary>
    public static uint TagCrc(ReadOnlySpan<byte> key) => Crc32.Compute(HashTag(key));

    /// <summary>The part of the key that is hashed: the tag when the key has one, else the key.</summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0)
            return key;
        int close = key[(open + 1)..].IndexOf((byte)'}');
        return close < 0 ? key : key.Slice(open + 1, close);
    }

    /// <summary>True when the key contains a '{...}' pair, even an empty one.</summary>
    public static bool HasTag(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        return open >= 0 && key[(open + 1)..].IndexOf((byte)'}') >= 0;
    }
}
