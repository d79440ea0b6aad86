using System.Diagnostics.CodeAnalysis;
using Codis.Server.DataTypes;

namespace Codis.Server.Persistence;

public ref partial struct RdbReader
{
    private const byte QuicklistPlain = 1;
    private const byte QuicklistPacked = 2;

    /// <summary>Reads a type byte and the object that follows (see <see cref="TryReadObject(RdbType, out RdbValue?)"/>).</summary>
    public bool TryReadObject([NotNullWhen(true)] out RdbValue? value)
    {
        value = null;
        return TryReadByte(out byte type) && TryReadObject((RdbType)type, out value);
    }

    /// <summary>
    /// Reads the body of an object of <paramref name="type"/>: every encoding Redis 7.0 loads except
    /// modules, plus Redis 7.2's set listpack and stream type 21. Fails like Redis 7 on empty collections, duplicate
    /// set members / hash fields / zset members, and NaN scores.
    /// </summary>
    public bool TryReadObject(RdbType type, [NotNullWhen(true)] out RdbValue? value)
    {
        value = null;
        List<byte[]> items;
        switch (type)
        {
            case RdbType.String:
                if (!TryReadString(out byte[] s))
                    return false;
                value = RdbValue.FromString(s);
                return true;

            case RdbType.List:
            case RdbType.Set:
                if (!TryReadStrings(1, out items))
                    return false;
                value = type == RdbType.List ? RdbValue.FromList(items) : RdbValue.FromSet(items);
                break;

            case RdbType.ZSet:
            case RdbType.ZSet2:
                if (!TryReadSkiplistZSet(type == RdbType.ZSet2, out value))
                    return false;
                break;

            case RdbType.Hash:
                if (!TryReadStrings(2, out items))
                    return false;
                value = ToHash(items);
                break;

            case RdbType.HashZipmap:
            case RdbType.ListZiplist:
            case RdbType.SetIntset:
            case RdbType.ZSetZiplist:
            case RdbType.HashZiplist:
            case RdbType.HashListpack:
            case RdbType.ZSetListpack:
            case RdbType.SetListpack:
                if (!TryReadString(out byte[] blob) || !TryParseBlob(type, blob, items = []))
                    return false;
                value = type switch
                {
                    RdbType.ListZiplist => RdbValue.FromList(items),
                    RdbType.SetIntset or RdbType.SetListpack => RdbValue.FromSet(items),
                    RdbType.ZSetZiplist or RdbType.ZSetListpack => ToZSet(items),
                    _ => ToHash(items),
                };
                if (value is null)
                    return false;
                break;

            case RdbType.ListQuicklist:
            case RdbType.ListQuicklist2:
                if (!TryReadQuicklist(type == RdbType.ListQuicklist2, out items))
                    return false;
                value = RdbValue.FromList(items);
                break;

            case RdbType.StreamListpacks:
            case RdbType.StreamListpacks2:
            case RdbType.StreamListpacks3:
                if (!TryReadStream(type, out RedisStream? stream))
                    return false;
                value = RdbValue.FromStream(stream);
                break;

            default:
                return false;
        }

        if (value is null || value.Count == 0)
        {
            value = null;
            return false;
        }
        if (value.Kind == RdbValueKind.Set && !AllDistinct(value.Elements!))
        {
            value = null;
            return false;
        }
        return true;
    }

    private static bool TryParseBlob(RdbType type, byte[] blob, List<byte[]> items)
    {
        bool ok = type switch
        {
            RdbType.HashZipmap => Zipmap.TryParse(blob, items),
            RdbType.SetIntset => Intset.TryParse(blob, items),
            RdbType.ListZiplist or RdbType.ZSetZiplist or RdbType.HashZiplist => Ziplist.TryParse(blob, items),
            _ => Listpack.TryParse(blob, items),
        };
        bool pairs = type is RdbType.HashZipmap or RdbType.ZSetZiplist or RdbType.HashZiplist or RdbType.HashListpack or RdbType.ZSetListpack;
        return ok && (!pairs || items.Count % 2 == 0);
    }

    // Reads a count and then count × perItem strings (perItem = 2 for field/value pairs).
    private bool TryReadStrings(int perItem, out List<byte[]> items)
    {
        items = [];
        if (!TryReadCount(out ulong count) || count > (ulong)Remaining / (ulong)perItem)
            return false;
        items = new List<byte[]>((int)count * perItem);
        for (ulong i = 0; i < count * (ulong)perItem; i++)
        {
            if (!TryReadString(out byte[] s))
                return false;
            items.Add(s);
        }
        return true;
    }

    private bool TryReadSkiplistZSet(bool binaryScores, out RdbValue? value)
    {
        value = null;
        if (!TryReadCount(out ulong count) || count > (ulong)Remaining / 2)
            return false;
        var entries = new List<(byte[] Member, double Score)>((int)count);
        var seen = new HashSet<byte[]>((int)count, ByteArrayComparer.Instance);
        for (ulong i = 0; i < count; i++)
        {
            if (!TryReadString(out byte[] member) || !seen.Add(member))
                return false;
            double score;
            if (!(binaryScores ? TryReadBinaryDouble(out score) : TryReadStringDouble(out score)) || double.IsNaN(score))
                return false;
            entries.Add((member, score));
        }
        value = RdbValue.FromZSet(entries);
        return true;
    }

    private bool TryReadQuicklist(bool version2, out List<byte[]> items)
    {
        items = [];
        if (!TryReadCount(out ulong nodes) || nodes > (ulong)Remaining)
            return false;
        for (ulong i = 0; i < nodes; i++)
        {
            ulong container = QuicklistPacked;
            if (version2 && !TryReadCount(out container))
                return false;
            if (!TryReadString(out byte[] node))
                return false;
            if (container == QuicklistPlain)
            {
                items.Add(node);
                continue;
            }
            // Redis skips empty nodes rather than failing; an all-empty list still fails as an empty key.
            if (container != QuicklistPacked || !(version2 ? Listpack.TryParse(node, items) : Ziplist.TryParse(node, items)))
                return false;
        }
        return true;
    }

    private static RdbValue? ToHash(List<byte[]> items)
    {
        var entries = new List<(byte[] Field, byte[] Value)>(items.Count / 2);
        var seen = new HashSet<byte[]>(items.Count / 2, ByteArrayComparer.Instance);
        for (int i = 0; i + 1 < items.Count; i += 2)
        {
            if (!seen.Add(items[i]))
                return null;
            entries.Add((items[i], items[i + 1]));
        }
        return RdbValue.FromHash(entries);
    }

    private static RdbValue? ToZSet(List<byte[]> items)
    {
        var entries = new List<(byte[] Member, double Score)>(items.Count / 2);
        var seen = new HashSet<byte[]>(items.Count / 2, ByteArrayComparer.Instance);
        for (int i = 0; i + 1 < items.Count; i += 2)
        {
            // Redis's zzlStrtod: strtod over at most 127 bytes up to a NUL, ignoring what does not parse
            // (integer entries arrive as decimal text, so this serves both entry kinds). NaN stays refused:
            // it would break the ordering of the sorted set.
            ReadOnlySpan<byte> text = items[i + 1];
            if (text.Length > 127)
                text = text[..127];
            int nul = text.IndexOf((byte)0);
            if (nul >= 0)
                text = text[..nul];
            double score = ScoreParser.Strtod(text, out _, out _);
            if (double.IsNaN(score) || !seen.Add(items[i]))
                return null;
            entries.Add((items[i], score));
        }
        return RdbValue.FromZSet(entries);
    }

    private static bool AllDistinct(List<byte[]> members)
    {
        var seen = new HashSet<byte[]>(members.Count, ByteArrayComparer.Instance);
        foreach (byte[] m in members)
        {
            if (!seen.Add(m))
                return false;
        }
        return true;
    }
}
