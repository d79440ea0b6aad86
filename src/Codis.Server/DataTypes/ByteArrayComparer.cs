using Codis.Server.Keyspace;

namespace Codis.Server.DataTypes;

/// <summary>
/// Equality of byte strings by content, usable by <see cref="Dictionary{TKey, TValue}"/> and
/// <see cref="HashSet{T}"/> with span lookups (<c>GetAlternateLookup&lt;ReadOnlySpan&lt;byte&gt;&gt;</c>),
/// so a lookup by an argument slice does not copy it.
/// </summary>
public sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    /// <summary>The shared instance.</summary>
    public static ByteArrayComparer Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj) => KeyTable<int>.HashOf(obj);

    /// <inheritdoc/>
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlySpan<byte> alternate) => KeyTable<int>.HashOf(alternate);

    /// <inheritdoc/>
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
