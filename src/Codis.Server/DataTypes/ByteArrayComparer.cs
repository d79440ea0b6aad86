namespace Codis.Server.DataTypes;

/// <summary>
/// Equality over byte content for dictionaries keyed by <c>byte[]</c> (zset members, hash fields, set
/// members). It is also an alternate comparer for <see cref="ReadOnlySpan{T}"/> so a lookup with an
/// argument slice from the receive buffer does not allocate (<c>GetAlternateLookup</c>).
/// </summary>
public sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    /// <summary>The shared, stateless instance.</summary>
    public static ByteArrayComparer Instance { get; } = new();

    private ByteArrayComparer()
    {
    }

    /// <inheritdoc/>
    public bool Equals(byte[]? x, byte[]? y)
    {
        if (ReferenceEquals(x, y))
            return true;
        if (x is null || y is null)
            return false;
        return x.AsSpan().SequenceEqual(y);
    }

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj) => Hash(obj);

    /// <inheritdoc/>
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    /// <inheritdoc/>
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        // HashCode is seeded per process, which keeps crafted member names from degrading the table.
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
