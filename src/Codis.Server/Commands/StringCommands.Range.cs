using Codis.Server.Config;
using Codis.Server.DataTypes;

namespace Codis.Server.Commands;

public static partial class StringCommands
{
    /// <summary>Redis's checkStringLength: a result longer than proto-max-bulk-len is refused.</summary>
    internal static void CheckStringLength(CommandContext c, long size, long append)
    {
        long total = unchecked(size + append);
        if (total > c.Server.Config.ProtoMaxBulkLen || total < size || total < append || total > Array.MaxLength)
            Errors.Throw("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    }

    private static void Append(CommandContext c)
    {
        object? v = c.Db.LookupWrite(c[1]);
        long total;
        if (v is null)
        {
            c.Db.Add(c[1], c.ArgArray(2));
            total = c[2].Length;
        }
        else
        {
            if (!StringValue.TryGet(v, out ReadOnlySpan<byte> old))
                Errors.ThrowWrongType();
            CheckStringLength(c, old.Length, c[2].Length);
            MutableString s = StringValue.ForUpdate(c, c[1])!;
            s.Append(c[2]);
            total = s.Length;
        }
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.String, "append", c[1]);
        c.Reply.Integer(total);
    }

    private static void StrLen(CommandContext c)
    {
        c.Reply.Integer(StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> v) ? v.Length : 0);
    }

    private static void GetRange(CommandContext c)
    {
        long start = c.Long(2);
        long end = c.Long(3);
        if (!StringValue.TryRead(c, c[1], out ReadOnlySpan<byte> s))
        {
            c.Reply.Bulk(ReadOnlySpan<byte>.Empty);
            return;
        }
        long len = s.Length;
        if (start < 0 && end < 0 && start > end)
        {
            c.Reply.Bulk(ReadOnlySpan<byte>.Empty);
            return;
        }
        if (start < 0)
            start = len + start;
        if (end < 0)
            end = len + end;
        if (start < 0)
            start = 0;
        if (end < 0)
            end = 0;
        if (end >= len)
            end = len - 1;
        if (start > end || len == 0)
            c.Reply.Bulk(ReadOnlySpan<byte>.Empty);
        else
            c.Reply.Bulk(s.Slice((int)start, (int)(end - start + 1)));
    }

    private static void SetRange(CommandContext c)
    {
        long offset = c.Long(2);
        ReadOnlySpan<byte> value = c[3];
        if (offset < 0)
            Errors.Throw("ERR offset is out of range");
        object? v = c.Db.LookupWrite(c[1]);
        MutableString s;
        if (v is null)
        {
            if (value.Length == 0)
            {
                c.Reply.Integer(0);
                return;
            }
            CheckStringLength(c, offset, value.Length);
            s = new MutableString((int)(offset + value.Length));
            c.Db.Add(c[1], s);
        }
        else
        {
            if (!StringValue.TryGet(v, out ReadOnlySpan<byte> old))
                Errors.ThrowWrongType();
            if (value.Length == 0)
            {
                c.Reply.Integer(old.Length);
                return;
            }
            CheckStringLength(c, offset, value.Length);
            s = StringValue.ForUpdate(c, c[1])!;
            s.GrowZero((int)(offset + value.Length));
        }
        value.CopyTo(s.Span[(int)offset..]);
        c.KeyModified(c[1]);
        c.Notify(NotifyFlags.String, "setrange", c[1]);
        c.Reply.Integer(s.Length);
    }

    private static void Lcs(CommandContext c)
    {
        object? va = c.Db.Lookup(c[1]);
        object? vb = c.Db.Lookup(c[2]);
        ReadOnlySpan<byte> a = default, b = default;
        if ((va is not null && !StringValue.TryGet(va, out a)) || (vb is not null && !StringValue.TryGet(vb, out b)))
            Errors.Throw("ERR The specified keys must contain string values");
        bool getIdx = false, getLen = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < c.Count; j++)
        {
            bool moreArgs = j < c.Count - 1;
            if (c.Is(j, "IDX"u8))
            {
                getIdx = true;
            }
            else if (c.Is(j, "LEN"u8))
            {
                getLen = true;
            }
            else if (c.Is(j, "WITHMATCHLEN"u8))
            {
                withMatchLen = true;
            }
            else if (c.Is(j, "MINMATCHLEN"u8) && moreArgs)
            {
                minMatchLen = Math.Max(0, c.Long(j + 1));
                j++;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }
        if (getIdx && getLen)
            Errors.Throw("ERR If you want both the length and indexes, please just use IDX.");
        long cells = (long)(a.Length + 1) * (b.Length + 1);
        if (cells * sizeof(uint) > c.Server.Config.ProtoMaxBulkLen)
            Errors.Throw("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        if (cells > Array.MaxLength)
            Errors.Throw("ERR Insufficient memory, failed allocating transient memory for LCS");
        LcsReply(c, a, b, getIdx, getLen, withMatchLen, minMatchLen);
    }

    // Dynamic programming table of LCS lengths, then a walk back from the end that rebuilds the string
    // and emits the matching ranges from last to first (the order Redis replies them in).
    private static void LcsReply(CommandContext c, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool getIdx, bool getLen, bool withMatchLen, long minMatchLen)
    {
        int alen = a.Length, blen = b.Length, width = blen + 1;
        uint[] table = new uint[(alen + 1) * width];
        for (int i = 1; i <= alen; i++)
        {
            for (int j = 1; j <= blen; j++)
            {
                if (a[i - 1] == b[j - 1])
                    table[i * width + j] = table[(i - 1) * width + j - 1] + 1;
                else
                    table[i * width + j] = Math.Max(table[(i - 1) * width + j], table[i * width + j - 1]);
            }
        }
        uint total = table[alen * width + blen];
        bool computeLcs = getIdx || !getLen;
        byte[]? result = computeLcs ? new byte[total] : null;
        int handle = 0;
        long ranges = 0;
        if (getIdx)
        {
            c.Reply.Map(2);
            c.Reply.Bulk("matches"u8);
            handle = c.Reply.BeginDeferredArray();
        }
        int idx = (int)total;
        int ai = alen, bj = blen;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart == alen: no range open
        while (computeLcs && ai > 0 && bj > 0)
        {
            bool emit = false;
            if (a[ai - 1] == b[bj - 1])
            {
                result![idx - 1] = a[ai - 1];
                if (aStart == alen)
                {
                    aStart = aEnd = ai - 1;
                    bStart = bEnd = bj - 1;
                }
                else if (aStart == ai && bStart == bj)
                {
                    aStart--;
                    bStart--;
                }
                else
                {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0)
                    emit = true;
                idx--;
                ai--;
                bj--;
            }
            else
            {
                if (table[(ai - 1) * width + bj] > table[ai * width + bj - 1])
                    ai--;
                else
                    bj--;
                if (aStart != alen)
                    emit = true;
            }
            long matchLen = aEnd - aStart + 1;
            if (emit)
            {
                if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen))
                {
                    c.Reply.Array(withMatchLen ? 3 : 2);
                    c.Reply.Array(2);
                    c.Reply.Integer(aStart);
                    c.Reply.Integer(aEnd);
                    c.Reply.Array(2);
                    c.Reply.Integer(bStart);
                    c.Reply.Integer(bEnd);
                    if (withMatchLen)
                        c.Reply.Integer(matchLen);
                    ranges++;
                }
                aStart = alen;
            }
        }
        if (getIdx)
        {
            c.Reply.EndDeferredArray(handle, ranges);
            c.Reply.Bulk("len"u8);
            c.Reply.Integer(total);
        }
        else if (getLen)
        {
            c.Reply.Integer(total);
        }
        else
        {
            c.Reply.Bulk(result);
        }
    }
}
