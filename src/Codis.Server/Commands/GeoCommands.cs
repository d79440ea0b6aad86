using Codis.Server.Config;
using Codis.Server.DataTypes;
using static Codis.Server.Commands.CommandFlags;

namespace Codis.Server.Commands;

/// <summary>
/// The GEO command family of Redis 7.0 (geo.c). A GEO value is a sorted set whose scores are 52-bit
/// geohashes (<see cref="GeoHash"/>), so GEOADD is a ZADD and every ZSET command works on it.
/// </summary>
public static partial class GeoCommands
{
    /// <summary>Adds the family to the table.</summary>
    public static void Register(CommandTable t)
    {
        t.Add("geoadd", -5, Write | DenyOom, 1, 1, 1, GeoAdd);
        t.Add("geodist", -4, ReadOnly, 1, 1, 1, GeoDist);
        t.Add("geohash", -2, ReadOnly, 1, 1, 1, GeoHashCommand);
        t.Add("geopos", -2, ReadOnly, 1, 1, 1, GeoPos);
        t.Add("georadius", -6, Write | DenyOom, 1, 1, 1, static c => Search(c, 1, SearchFlags.Coords));
        t.Add("georadius_ro", -6, ReadOnly, 1, 1, 1, static c => Search(c, 1, SearchFlags.Coords | SearchFlags.NoStore));
        t.Add("georadiusbymember", -5, Write | DenyOom, 1, 1, 1, static c => Search(c, 1, SearchFlags.Member));
        t.Add("georadiusbymember_ro", -5, ReadOnly, 1, 1, 1, static c => Search(c, 1, SearchFlags.Member | SearchFlags.NoStore));
        t.Add("geosearch", -7, ReadOnly, 1, 1, 1, static c => Search(c, 1, SearchFlags.GeoSearch));
        t.Add("geosearchstore", -8, Write | DenyOom, 1, 2, 1, static c => Search(c, 2, SearchFlags.GeoSearch | SearchFlags.Store));
    }

    /// <summary>
    /// Parses a longitude and a latitude at <paramref name="index"/> with Redis's float rules and its
    /// range check (extractLongLatOrReply).
    /// </summary>
    private static (double Longitude, double Latitude) LongLat(CommandContext c, int index)
    {
        if (!ScoreParser.TryParseScore(c[index], out double lon) || !ScoreParser.TryParseScore(c[index + 1], out double lat))
        {
            Errors.Throw(Errors.NotFloat);
            return default;
        }

        if (!GeoHash.IsValid(lon, lat))
            Errors.Throw($"ERR invalid longitude,latitude pair {GeoHash.FormatFixed(lon, 6)},{GeoHash.FormatFixed(lat, 6)}");
        return (lon, lat);
    }

    /// <summary>Meters per unit for M, KM, FT, MI (any case), or Redis's unit error.</summary>
    private static double Unit(CommandContext c, int index)
    {
        if (c.Is(index, "M"u8))
            return 1;
        if (c.Is(index, "KM"u8))
            return 1000;
        if (c.Is(index, "FT"u8))
            return 0.3048;
        if (c.Is(index, "MI"u8))
            return 1609.34;
        Errors.Throw("ERR unsupported unit provided. please use M, KM, FT, MI");
        return 0;
    }

    // A float argument that replies `ERR <error>` when it does not parse (getDoubleFromObjectOrReply with a message).
    private static double Number(CommandContext c, int index, string error)
    {
        if (!ScoreParser.TryParseScore(c[index], out double value))
            Errors.Throw("ERR " + error);
        return value;
    }

    // GEOADD key [NX|XX] [CH] longitude latitude member ...: a ZADD of the encoded positions.
    private static void GeoAdd(CommandContext c)
    {
        bool nx = false, xx = false, ch = false;
        int first = 2;
        for (; first < c.Count; first++)
        {
            if (c.Is(first, "NX"u8))
                nx = true;
            else if (c.Is(first, "XX"u8))
                xx = true;
            else if (c.Is(first, "CH"u8))
                ch = true;
            else
                break;
        }

        if ((c.Count - first) % 3 != 0 || (nx && xx))
            Errors.ThrowSyntax();
        int elements = (c.Count - first) / 3;
        // Every position is checked before anything changes.
        var scores = new double[elements];
        for (int i = 0; i < elements; i++)
        {
            (double lon, double lat) = LongLat(c, first + i * 3);
            scores[i] = GeoHash.Score(lon, lat);
        }

        // ZADD with only options and no pair is a syntax error there too.
        if (elements == 0)
            Errors.ThrowSyntax();
        ReadOnlySpan<byte> key = c[1];
        RedisZSet? zset = c.GetForWrite<RedisZSet>(key);
        if (zset is null)
        {
            if (xx)
            {
                c.Reply.Integer(0);
                return;
            }

            zset = new RedisZSet();
            c.Db.Add(key, zset);
        }

        ZAddFlags flags = nx ? ZAddFlags.Nx : xx ? ZAddFlags.Xx : ZAddFlags.None;
        var config = c.Server.Config;
        long added = 0, updated = 0;
        for (int i = 0; i < elements; i++)
        {
            ZAddOutcome outcome = zset.Add(c[first + i * 3 + 2], scores[i], flags,
                config.ZsetMaxListpackEntries, config.ZsetMaxListpackValue, out _);
            if (outcome == ZAddOutcome.Added)
                added++;
            else if (outcome == ZAddOutcome.Updated)
                updated++;
        }

        c.Reply.Integer(ch ? added + updated : added);
        if (zset.Count == 0)
            c.Db.Delete(key);
        if (added + updated > 0)
        {
            c.KeyModified(key);
            c.Notify(NotifyFlags.ZSet, "zadd", key);
        }
    }

    // GEODIST key member1 member2 [unit]
    private static void GeoDist(CommandContext c)
    {
        double toMeters = 1;
        if (c.Count == 5)
            toMeters = Unit(c, 4);
        else if (c.Count > 5)
            Errors.ThrowSyntax();
        RedisZSet? zset = c.Get<RedisZSet>(c[1]);
        if (zset is null
            || !zset.Set.TryGetScore(c[2], out double score1) || !zset.Set.TryGetScore(c[3], out double score2)
            || !GeoHash.DecodeScore(score1, out double lon1, out double lat1)
            || !GeoHash.DecodeScore(score2, out double lon2, out double lat2))
        {
            c.Reply.Null();
            return;
        }

        c.Reply.Bulk(GeoHash.FormatDistance(GeoHash.Distance(lon1, lat1, lon2, lat2) / toMeters));
    }

    // GEOHASH key member ...: standard 11-character geohashes, null for missing members.
    private static void GeoHashCommand(CommandContext c)
    {
        RedisZSet? zset = c.Get<RedisZSet>(c[1]);
        c.Reply.Array(c.Count - 2);
        for (int i = 2; i < c.Count; i++)
        {
            string? hash = zset is not null && zset.Set.TryGetScore(c[i], out double score) ? GeoHash.ToGeohashString(score) : null;
            if (hash is null)
                c.Reply.Null();
            else
                c.Reply.Bulk(hash);
        }
    }

    // GEOPOS key member ...: the decoded cell centres, a null array for missing members.
    private static void GeoPos(CommandContext c)
    {
        RedisZSet? zset = c.Get<RedisZSet>(c[1]);
        c.Reply.Array(c.Count - 2);
        for (int i = 2; i < c.Count; i++)
        {
            if (zset is null || !zset.Set.TryGetScore(c[i], out double score)
                || !GeoHash.DecodeScore(score, out double lon, out double lat))
            {
                c.Reply.NullArray();
                continue;
            }

            c.Reply.Array(2);
            Coordinate(c, lon);
            Coordinate(c, lat);
        }
    }

    // addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3.
    private static void Coordinate(CommandContext c, double value)
    {
        string text = GeoHash.FormatCoordinate(value);
        if (c.Reply.Protocol == 3)
            c.Reply.WriteRaw(System.Text.Encoding.ASCII.GetBytes("," + text + "\r\n"));
        else
            c.Reply.Bulk(text);
    }
}
