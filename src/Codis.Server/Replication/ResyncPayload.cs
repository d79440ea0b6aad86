using System.Buffers.Binary;
using System.Globalization;
using Codis.Server.Persistence;

namespace Codis.Server.Replication;

/// <summary>
/// The full-resync payload: the persistence layer's RDB image (a background <see cref="RdbSnapshot"/>, loaded with
/// <see cref="RdbFile"/>) plus the aux fields Redis adds for a replica: <c>repl-stream-db</c> (the
/// database the stream continues in, needed by a chained replica whose master's stream does not repeat
/// its SELECT), <c>repl-id</c> and <c>repl-offset</c>.
/// </summary>
public static class ResyncPayload
{
    private const int HeaderLength = 9;

    /// <summary>A complete RDB image <paramref name="rdb"/> with the replication aux fields added.</summary>
    public static byte[] WithAux(byte[] rdb, int streamDb, string replId, long replOffset)
    {
        var aux = new RdbWriter();
        RdbFile.WriteAux(aux, "repl-stream-db", streamDb.ToString(CultureInfo.InvariantCulture));
        RdbFile.WriteAux(aux, "repl-id", replId);
        RdbFile.WriteAux(aux, "repl-offset", replOffset.ToString(CultureInfo.InvariantCulture));
        // The aux fields go right after the header; the CRC-64 trailer is recomputed over the result.
        var result = new byte[rdb.Length + aux.Length];
        rdb.AsSpan(0, HeaderLength).CopyTo(result);
        aux.WrittenSpan.CopyTo(result.AsSpan(HeaderLength));
        rdb.AsSpan(HeaderLength, rdb.Length - HeaderLength - 8).CopyTo(result.AsSpan(HeaderLength + aux.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(result.Length - 8), Crc64.Compute(result.AsSpan(0, result.Length - 8)));
        return result;
    }

    /// <summary>
    /// Loads a master's payload into the (emptied) keyspace; returns an error text or null.
    /// <paramref name="streamDb"/> is its <c>repl-stream-db</c> field, -1 when absent.
    /// </summary>
    public static string? Load(ServerContext server, byte[] rdb, out int streamDb)
    {
        streamDb = LeadingAux(rdb, "repl-stream-db"u8) is { } v
            && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int db) ? db : -1;
        try
        {
            RdbFile.Load(server, rdb, out _, out _);
            return null;
        }
        catch (RdbLoadException e)
        {
            return e.Message;
        }
    }

    /// <summary>The value of the aux field <paramref name="name"/> among those after the header, or null.</summary>
    private static string? LeadingAux(byte[] rdb, ReadOnlySpan<byte> name)
    {
        if (!RdbFile.HasHeader(rdb))
            return null;
        var r = new RdbReader(rdb.AsSpan(HeaderLength));
        while (r.TryReadByte(out byte op) && op == RdbFile.OpAux)
        {
            if (!r.TryReadString(out byte[] key) || !r.TryReadString(out byte[] value))
                return null;
            if (key.AsSpan().SequenceEqual(name))
                return System.Text.Encoding.UTF8.GetString(value);
        }
        return null;
    }
}
