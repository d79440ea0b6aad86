namespace Codis.Server.Keyspace;

/// <summary>
/// A value SORT can sort: lists, sets and sorted sets implement it. The elements come in the type's
/// natural order (list order, sorted-set rank order; any order for sets), which SORT ... BY nosort keeps.
/// </summary>
public interface ISortable
{
    /// <summary>The elements, in the type's natural order.</summary>
    IEnumerable<byte[]> SortElements();
}
