using Codis.Server.DataTypes;

namespace Codis.Server.Persistence;

public sealed partial class RdbWriter
{
    // Redis 3.2's list-max-ziplist-size -2: a quicklist node's ziplist stays within 8 KB.
    private const int QuicklistNodeLimit = 8192;

    /// <summary>Hashes with more fields are written as type 4 (Redis's <c>hash-max-ziplist-entries</c>).</summary>
    public int HashMaxZiplistEntries { get; set; } = 512;

    /// <summary>Hashes with a longer field or value are written as type 4 (<c>hash-max-ziplist-value</c>).</summary>
    public int HashMaxZiplistValue { get; set; } = 64;

    /// <summary>All-integer sets up to this size are written as intsets (<c>set-max-intset-entries</c>).</summary>
    public int SetMaxIntsetEntries { get; set; } = 512;

    /// <summary>Sorted sets with more members are written as type 3 (<c>zset-max-ziplist-entries</c>).</summary>
    public int ZsetMaxZiplistEntries { get; set; } = 128;

    /// <summary>Sorted sets with a longer member are written as type 3 (<c>zset-max-ziplist-value</c>).</summary>
    public int ZsetMaxZiplistValue { get; set; } = 64;

    /// <summary>
    /// Appends the type byte and body of <paramref name="value"/> in the encoding Redis 3.2 would write for
    /// it (RDB version 7): string 0; list 14 (quicklist of ziplists of at most 8 KB); set 11 (intset) or 2;
    /// zset 12 (ziplist) or 3 (text scores); hash 13 (ziplist) or 4; streams, which
    /// Redis 3.2 lacks, as Redis 7's type 19.
    /// </summary>
    /// <exception cref="ArgumentException">A set, zset or hash has duplicate members/fields, or a zset has a NaN
    /// score: Redis 3.2 would crash loading such a payload.</exception>
    public void WriteObject(RdbValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.Kind)
        {
            case RdbValueKind.String:
                WriteType(RdbType.String);
                WriteString(value.String!);
                break;
            case RdbValueKind.List:
                WriteQuicklist(value.Elements!);
                break;
            case RdbValueKind.Set:
                WriteSet(value.Elements!);
                break;
            case RdbValueKind.ZSet:
                WriteZSet(value.ZSetEntries!);
                break;
            case RdbValueKind.Stream:
                WriteStream(value.Stream!);
                break;
            default:
                WriteHash(value.HashEntries!);
                break;
        }
    }

    private void WriteQuicklist(List<byte[]> elements)
    {
        // Nodes are cut as Redis 3.2's _quicklistNodeAllowInsert does for a fill of -2: an element joins the
        // tail node while the estimated size stays within 8 KB, otherwise it starts a new node.
        var nodes = new List<byte[]>();
        Ziplist.Builder? node = null;
        foreach (byte[] e in elements)
        {
            if (node is not null)
            {
                int overhead = (e.Length < 254 ? 1 : 5) + (e.Length < 64 ? 1 : e.Length < 16384 ? 2 : 5);
                if (node.Size + e.Length + overhead > QuicklistNodeLimit)
                {
                    nodes.Add(node.ToArray());
                    node = null;
                }
            }
            node ??= new Ziplist.Builder();
            node.Add(e);
        }
        if (node is not null)
            nodes.Add(node.ToArray());

        WriteType(RdbType.ListQuicklist);
        WriteLength((ulong)nodes.Count);
        foreach (byte[] zl in nodes)
            WriteString(zl);
    }

    private void WriteSet(List<byte[]> members)
    {
        RequireDistinct(members, "set members");
        if (members.Count <= SetMaxIntsetEntries)
        {
            long[] integers = new long[members.Count];
            bool allIntegers = true;
            for (int i = 0; i < members.Count && allIntegers; i++)
                allIntegers = RdbText.TryParseCanonicalLong(members[i], out integers[i]);
            if (allIntegers)
            {
                WriteType(RdbType.SetIntset);
                WriteString(Intset.Build(integers));
                return;
            }
        }
        WriteType(RdbType.Set);
        WriteLength((ulong)members.Count);
        foreach (byte[] m in members)
            WriteString(m);
    }

    private void WriteZSet(List<(byte[] Member, double Score)> entries)
    {
        var seen = new HashSet<byte[]>(entries.Count, ByteArrayComparer.Instance);
        bool small = entries.Count <= ZsetMaxZiplistEntries;
        foreach ((byte[] member, double score) in entries)
        {
            if (!seen.Add(member))
                throw new ArgumentException("Duplicate sorted-set member.", nameof(entries));
            if (double.IsNaN(score))
                throw new ArgumentException("NaN score.", nameof(entries));
            small &= member.Length <= ZsetMaxZiplistValue;
        }

        if (!small)
        {
            WriteType(RdbType.ZSet);
            WriteLength((ulong)entries.Count);
            foreach ((byte[] member, double score) in entries)
            {
                WriteString(member);
                WriteStringDouble(score);
            }
            return;
        }

        // A ziplist zset is ordered by (score, member) like the skiplist; the input may come in any order.
        var sorted = new List<(byte[] Member, double Score)>(entries);
        sorted.Sort(static (a, b) =>
        {
            int c = a.Score.CompareTo(b.Score);
            return c != 0 ? c : a.Member.AsSpan().SequenceCompareTo(b.Member);
        });
        var zl = new Ziplist.Builder();
        foreach ((byte[] member, double score) in sorted)
        {
            zl.Add(member);
            zl.Add(System.Text.Encoding.ASCII.GetBytes(RdbText.FormatScore(score)));
        }
        WriteType(RdbType.ZSetZiplist);
        WriteString(zl.ToArray());
    }

    private void WriteHash(List<(byte[] Field, byte[] Value)> entries)
    {
        var seen = new HashSet<byte[]>(entries.Count, ByteArrayComparer.Instance);
        bool small = entries.Count <= HashMaxZiplistEntries;
        foreach ((byte[] field, byte[] v) in entries)
        {
            if (!seen.Add(field))
                throw new ArgumentException("Duplicate hash field.", nameof(entries));
            small &= field.Length <= HashMaxZiplistValue && v.Length <= HashMaxZiplistValue;
        }

        if (!small)
        {
            WriteType(RdbType.Hash);
            WriteLength((ulong)entries.Count);
            foreach ((byte[] field, byte[] v) in entries)
            {
                WriteString(field);
                WriteString(v);
            }
            return;
        }

        var zl = new Ziplist.Builder();
        foreach ((byte[] field, byte[] v) in entries)
        {
            zl.Add(field);
            zl.Add(v);
        }
        WriteType(RdbType.HashZiplist);
        WriteString(zl.ToArray());
    }

    private static void RequireDistinct(List<byte[]> members, string what)
    {
        var seen = new HashSet<byte[]>(members.Count, ByteArrayComparer.Instance);
        foreach (byte[] m in members)
        {
            if (!seen.Add(m))
                throw new ArgumentException($"Duplicate {what}.", nameof(members));
        }
    }
}
