using System.Globalization;
using Codis.Server.Config;
using Codis.Server.Keyspace;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>SORT and SORT_RO over lists, sets and sorted sets, following Redis's sortCommandGeneric.</summary>
public static partial class KeyCommands
{
    /// <summary>
    /// Builds the list value SORT ... STORE stores, from the elements in order. The list type plugs its
    /// constructor in here at start-up; until then SORT ... STORE fails with a clear error.
    /// </summary>
    public static Func<List<byte[]>, object> CreateList { get; set; } = static _ =>
        throw new CommandException("ERR SORT ... STORE is unavailable: no list type is registered (KeyCommands.CreateList)");

    private static void RegisterSort(CommandTable t)
    {
        t.Add("sort", -2, Write | DenyOom, 1, 1, 1, static c => SortGeneric(c, readOnly: false));
        t.Add("sort_ro", -2, ReadOnly, 1, 1, 1, static c => SortGeneric(c, readOnly: true));
    }

    private struct SortItem
    {
        public byte[] Element;
        public double Score;
        public byte[]? CompareBy;
    }

    private static void SortGeneric(CommandContext c, bool readOnly)
    {
        bool desc = false;
        bool alpha = false;
        bool dontSort = false;
        long limitStart = 0;
        long limitCount = -1;
        int storeArg = -1;
        int byArg = -1;
        var getArgs = new List<int>();
        for (int j = 2; j < c.Count; j++)
        {
            int left = c.Count - j - 1;
            if (c.Is(j, "ASC"u8))
            {
                desc = false;
            }
            else if (c.Is(j, "DESC"u8))
            {
                desc = true;
            }
            else if (c.Is(j, "ALPHA"u8))
            {
                alpha = true;
            }
            else if (c.Is(j, "LIMIT"u8) && left >= 2)
            {
                limitStart = c.Long(j + 1);
                limitCount = c.Long(j + 2);
                j += 2;
            }
            else if (!readOnly && c.Is(j, "STORE"u8) && left >= 1)
            {
                storeArg = j + 1;
                j++;
            }
            else if (c.Is(j, "BY"u8) && left >= 1)
            {
                byArg = j + 1;
                // A BY pattern without '*' names one key for all elements: nothing to sort by.
                dontSort = c[j + 1].IndexOf((byte)'*') < 0;
                j++;
            }
            else if (c.Is(j, "GET"u8) && left >= 1)
            {
                getArgs.Add(j + 1);
                j++;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        // Options are checked before the key, as Redis 7 does.
        Database db = c.Db;
        object? sortValue = db.Lookup(c[1]);
        string type = sortValue is null ? "list" : RedisObject.TypeOf(sortValue);
        if (sortValue is not null && (type is not ("list" or "set" or "zset") || sortValue is not ISortable))
            Errors.ThrowWrongType();

        // An unsorted set would come out in hash order: STORE (replicated) sorts it to be deterministic.
        if (dontSort && type == "set" && storeArg >= 0)
        {
            dontSort = false;
            alpha = true;
            byArg = -1;
        }

        List<byte[]> elements = sortValue is ISortable sortable ? [.. sortable.SortElements()] : [];
        long vectorLen = elements.Count;
        long start = limitStart < 0 ? 0 : limitStart;
        long end = limitCount < 0 ? vectorLen - 1 : start + limitCount - 1;
        if (start >= vectorLen)
        {
            start = vectorLen - 1;
            end = vectorLen - 2;
        }
        if (end >= vectorLen)
            end = vectorLen - 1;

        SortItem[] vector;
        if (dontSort && type is "list" or "zset")
        {
            // Ordered types keep their order (reversed by DESC) and LIMIT selects a range directly.
            if (desc)
                elements.Reverse();
            int from = (int)Math.Max(start, 0);
            int len = end >= start ? (int)(end - start + 1) : 0;
            vector = new SortItem[len];
            for (int i = 0; i < len; i++)
                vector[i].Element = elements[from + i];
            end -= start;
            start = 0;
        }
        else
        {
            vector = new SortItem[elements.Count];
            for (int i = 0; i < vector.Length; i++)
                vector[i].Element = elements[i];
        }

        if (!dontSort)
        {
            bool conversionError = false;
            for (int i = 0; i < vector.Length; i++)
            {
                byte[]? by = byArg >= 0 ? LookupByPattern(db, c[byArg], vector[i].Element) : vector[i].Element;
                if (by is null)
                    continue;
                if (alpha)
                {
                    if (byArg >= 0)
                        vector[i].CompareBy = by;
                }
                else if (!TryStrtod(by, out vector[i].Score))
                {
                    conversionError = true;
                }
            }
            if (conversionError)
                Errors.Throw("ERR One or more scores can't be converted into double");
            Array.Sort(vector, new SortComparer(desc, alpha, byArg >= 0));
        }

        long outputLen = getArgs.Count > 0 ? getArgs.Count * (end - start + 1) : end - start + 1;
        if (storeArg < 0)
        {
            c.Reply.Array(Math.Max(outputLen, 0));
            for (long j = start; j <= end; j++)
            {
                byte[] element = vector[j].Element;
                if (getArgs.Count == 0)
                    c.Reply.Bulk(element);
                foreach (int g in getArgs)
                {
                    byte[]? v = LookupByPattern(db, c[g], element);
                    if (v is null)
                        c.Reply.Null();
                    else
                        c.Reply.Bulk(v);
                }
            }
            return;
        }

        var stored = new List<byte[]>((int)Math.Max(outputLen, 0));
        for (long j = start; j <= end; j++)
        {
            byte[] element = vector[j].Element;
            if (getArgs.Count == 0)
                stored.Add(element);
            foreach (int g in getArgs)
                stored.Add(LookupByPattern(db, c[g], element) ?? []);
        }
        ReadOnlySpan<byte> storeKey = c[storeArg];
        if (outputLen > 0)
        {
            object list = CreateList(stored);
            db.Set(storeKey, list);
            c.KeyModified(storeKey, (int)Math.Min(outputLen, int.MaxValue));
            c.Notify(NotifyFlags.List, "sortstore", storeKey);
        }
        else if (db.Delete(storeKey))
        {
            c.KeyModified(storeKey);
            c.Notify(NotifyFlags.Generic, "del", storeKey);
        }
        c.Reply.Integer(Math.Max(outputLen, 0));
    }

    /// <summary>
    /// Redis's lookupKeyByPattern: <c>#</c> is the element itself; otherwise the first <c>*</c> is
    /// replaced by the element, and a <c>-&gt;field</c> suffix after it reads a hash field. Null when
    /// the key (or field) is missing or has the wrong type.
    /// </summary>
    private static byte[]? LookupByPattern(Database db, ReadOnlySpan<byte> pattern, byte[] subst)
    {
        if (pattern.Length == 1 && pattern[0] == (byte)'#')
            return subst;
        int star = pattern.IndexOf((byte)'*');
        if (star < 0)
            return null;
        ReadOnlySpan<byte> field = default;
        int keyEnd = pattern.Length;
        int arrow = pattern[(star + 1)..].IndexOf("->"u8);
        if (arrow >= 0 && star + 1 + arrow + 2 < pattern.Length)
        {
            keyEnd = star + 1 + arrow;
            field = pattern[(keyEnd + 2)..];
        }
        byte[] key = new byte[star + subst.Length + (keyEnd - star - 1)];
        pattern[..star].CopyTo(key);
        subst.CopyTo(key.AsSpan(star));
        pattern[(star + 1)..keyEnd].CopyTo(key.AsSpan(star + subst.Length));
        object? value = db.Lookup(key);
        if (value is null)
            return null;
        if (keyEnd != pattern.Length)
            return value is IHashLike hash && hash.TryGetField(field, out byte[] v) ? v : null;
        return value as byte[];
    }

    /// <summary>C's strtod as SORT uses it: leading space allowed, the whole rest must parse, no NaN or overflow.</summary>
    private static bool TryStrtod(byte[] s, out double value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f')
            i++;
        if (i == s.Length)
            return s.Length == 0;   // "" converts to 0 with nothing left over; "  " leaves the spaces
        string text = System.Text.Encoding.Latin1.GetString(s, i, s.Length - i);
        string t = (text[0] is '+' or '-' ? text[1..] : text).ToLowerInvariant();
        if (t is "inf" or "infinity")
        {
            value = text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (t.Length == 0 || !(char.IsAsciiDigit(t[0]) || t[0] == '.'))
            return false;
        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
            return false;
        return !double.IsNaN(value) && !double.IsInfinity(value);
    }

    /// <summary>Redis's sortCompare.</summary>
    private sealed class SortComparer(bool desc, bool alpha, bool byPattern) : IComparer<SortItem>
    {
        public int Compare(SortItem a, SortItem b)
        {
            int cmp;
            if (!alpha)
            {
                cmp = a.Score.CompareTo(b.Score);
                if (a.Score == b.Score)
                    cmp = a.Element.AsSpan().SequenceCompareTo(b.Element);   // deterministic ties
            }
            else if (byPattern)
            {
                if (a.CompareBy is null || b.CompareBy is null)
                    cmp = a.CompareBy == b.CompareBy ? 0 : a.CompareBy is null ? -1 : 1;
                else
                    cmp = a.CompareBy.AsSpan().SequenceCompareTo(b.CompareBy);
            }
            else
            {
                cmp = a.Element.AsSpan().SequenceCompareTo(b.Element);
            }
            cmp = Math.Sign(cmp);
            return desc ? -cmp : cmp;
        }
    }
}
