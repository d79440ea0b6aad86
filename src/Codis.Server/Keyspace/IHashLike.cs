namespace Codis.Server.Keyspace;

/// <summary>
/// A value whose fields SORT's <c>BY</c>/<c>GET pattern-&gt;field</c> can read: the hash type implements it.
/// </summary>
public interface IHashLike
{
    /// <summary>The value of <paramref name="field"/>; false when the field is absent.</summary>
    bool TryGetField(ReadOnlySpan<byte> field, out byte[] value);
}
