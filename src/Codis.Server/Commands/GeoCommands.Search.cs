using Codis.Server.Config;
using Codis.Server.DataTypes;

namespace Codis.Server.Commands;

public static partial class GeoCommands
{
    /// <summary>Which search command is running (Redis's georadiusGeneric flags).</summary>
    [Flags]
    private enum SearchFlags
    {
        Coords = 1,
        Member = 2,
        NoStore = 4,
        GeoSearch = 8,
        Store = 16,
    }

    private enum SortOrder
    {
        None,
        Ascending,
        Descending,
    }

    private struct GeoPoint
    {
        public byte[] Member;
        public double Longitude;
        public double Latitude;
        public double Distance;
        public double Score;
    }

    // GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH, GEOSEARCHSTORE: argument parsing, errors and
    // their order, result order and replies as Redis 7.0's georadiusGeneric.
    private static void Search(CommandContext c, int sourceIndex, SearchFlags flags)
    {
        RedisZSet? zset = c.Get<RedisZSet>(c[sourceIndex]);
        var shape = new GeoShape();
        int baseArgs;
        byte[]? storeKey = null;
        bool storeDist = false;
        if ((flags & SearchFlags.Coords) != 0)
        {
            baseArgs = 6;
            (shape.Longitude, shape.Latitude) = LongLat(c, 2);
            Distance(c, 4, shape);
        }
        else if ((flags & SearchFlags.Member) != 0)
        {
            baseArgs = 5;
            // Without the key Redis parses the options only, to know which empty reply to give.
            if (zset is not null)
            {
                Center(c, zset, 2, shape);
                Distance(c, 3, shape);
            }
        }
        else
        {
            baseArgs = 2;
            if ((flags & SearchFlags.Store) != 0)
            {
                baseArgs = 3;
                storeKey = c.ArgArray(1);
            }
        }

        bool withDist = false, withHash = false, withCoords = false;
        bool fromMember = false, fromLonLat = false, byRadius = false, byBox = false, any = false;
        SortOrder sort = SortOrder.None;
        long count = 0;
        bool geoSearch = (flags & SearchFlags.GeoSearch) != 0;
        bool storeAllowed = (flags & (SearchFlags.NoStore | SearchFlags.GeoSearch)) == 0;
        int remaining = c.Count - baseArgs;
        for (int i = 0; i < remaining; i++)
        {
            int at = baseArgs + i;
            if (c.Is(at, "WITHDIST"u8))
            {
                withDist = true;
            }
            else if (c.Is(at, "WITHHASH"u8))
            {
                withHash = true;
            }
            else if (c.Is(at, "WITHCOORD"u8))
            {
                withCoords = true;
            }
            else if (c.Is(at, "ANY"u8))
            {
                any = true;
            }
            else if (c.Is(at, "ASC"u8))
            {
                sort = SortOrder.Ascending;
            }
            else if (c.Is(at, "DESC"u8))
            {
                sort = SortOrder.Descending;
            }
            else if (c.Is(at, "COUNT"u8) && i + 1 < remaining)
            {
                count = c.Long(at + 1);
                if (count <= 0)
                    Errors.Throw("ERR COUNT must be > 0");
                i++;
            }
            else if ((c.Is(at, "STORE"u8) || c.Is(at, "STOREDIST"u8)) && i + 1 < remaining && storeAllowed)
            {
                storeDist = c.Is(at, "STOREDIST"u8);
                storeKey = c.ArgArray(at + 1);
                i++;
            }
            else if (c.Is(at, "STOREDIST"u8) && geoSearch && (flags & SearchFlags.Store) != 0)
            {
                storeDist = true;
            }
            else if (c.Is(at, "FROMMEMBER"u8) && i + 1 < remaining && geoSearch && !fromLonLat)
            {
                if (zset is not null)
                    Center(c, zset, at + 1, shape);
                fromMember = true;
                i++;
            }
            else if (c.Is(at, "FROMLONLAT"u8) && i + 2 < remaining && geoSearch && !fromMember)
            {
                (shape.Longitude, shape.Latitude) = LongLat(c, at + 1);
                fromLonLat = true;
                i += 2;
            }
            else if (c.Is(at, "BYRADIUS"u8) && i + 2 < remaining && geoSearch && !byBox)
            {
                Distance(c, at + 1, shape);
                byRadius = true;
                i += 2;
            }
            else if (c.Is(at, "BYBOX"u8) && i + 3 < remaining && geoSearch && !byRadius)
            {
                double width = Number(c, at + 1, "need numeric width");
                double height = Number(c, at + 2, "need numeric height");
                if (height < 0 || width < 0)
                    Errors.Throw("ERR height or width cannot be negative");
                shape.Conversion = Unit(c, at + 3);
                shape.IsBox = true;
                shape.Width = width;
                shape.Height = height;
                byBox = true;
                i += 3;
            }
            else
            {
                Errors.ThrowSyntax();
            }
        }

        if (storeKey is not null && (withDist || withHash || withCoords))
        {
            Errors.Throw("ERR " + ((flags & SearchFlags.Store) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
        }

        if (geoSearch && !(fromMember || fromLonLat))
            Errors.Throw($"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {c.ArgString(0)}");
        if (geoSearch && !(byRadius || byBox))
            Errors.Throw($"ERR exactly one of BYRADIUS and BYBOX can be specified for {c.ArgString(0)}");
        if (any && count == 0)
            Errors.Throw("ERR the ANY argument requires COUNT argument");

        if (zset is null)
        {
            if (storeKey is null)
            {
                c.Reply.Array(0);
                return;
            }

            c.Reply.Integer(0);
            if (c.Db.Delete(storeKey))
            {
                c.KeyModified(storeKey);
                c.Notify(NotifyFlags.Generic, "del", storeKey);
            }

            return;
        }

        // COUNT means "the nearest N" unless ANY asks for any N.
        if (count != 0 && sort == SortOrder.None && !any)
            sort = SortOrder.Ascending;
        List<GeoPoint> points = Collect(zset, shape, any ? count : 0);
        if (points.Count == 0 && storeKey is null)
        {
            c.Reply.Array(0);
            return;
        }

        int returned = count == 0 || points.Count < count ? points.Count : (int)count;
        // A stable sort, as glibc's qsort (a merge sort) leaves equal distances in scan order.
        if (sort == SortOrder.Ascending)
            points = [.. points.OrderBy(static p => p.Distance)];
        else if (sort == SortOrder.Descending)
            points = [.. points.OrderByDescending(static p => p.Distance)];

        if (storeKey is null)
            ReplyPoints(c, points, returned, shape.Conversion, withDist, withHash, withCoords);
        else
            StorePoints(c, storeKey, points, returned, shape.Conversion, storeDist, geoSearch);
    }

    // The centre of a member search: the member's decoded position, or Redis's error for a missing member.
    private static void Center(CommandContext c, RedisZSet zset, int index, GeoShape shape)
    {
        if (!zset.Set.TryGetScore(c[index], out double score) || !GeoHash.DecodeScore(score, out double lon, out double lat))
            Errors.Throw("ERR could not decode requested zset member");
        else
            (shape.Longitude, shape.Latitude) = (lon, lat);
    }

    // "<radius> <unit>" (extractDistanceOrReply).
    private static void Distance(CommandContext c, int index, GeoShape shape)
    {
        double radius = Number(c, index, "need numeric radius");
        if (radius < 0)
            Errors.Throw("ERR radius cannot be negative");
        shape.Radius = radius;
        shape.Conversion = Unit(c, index + 1);
    }

    // Every member inside the shape, scanning the nine cells in Redis's order and each cell in score
    // order; with a limit (COUNT ... ANY) the scan stops as soon as enough were found.
    private static List<GeoPoint> Collect(RedisZSet zset, GeoShape shape, long limit)
    {
        var points = new List<GeoPoint>();
        GeoHashBits[] cells = shape.SearchCells();
        int lastProcessed = 0;
        for (int i = 0; i < cells.Length; i++)
        {
            if (cells[i].IsZero)
                continue;
            // Huge areas make neighbours repeat; a cell equal to the previous one searched is skipped.
            if (lastProcessed != 0 && cells[i] == cells[lastProcessed])
                continue;
            if (points.Count > 0 && limit > 0 && points.Count >= limit)
                break;
            ulong min = GeoHash.Align52(cells[i]);
            ulong max = GeoHash.Align52(cells[i] with { Bits = cells[i].Bits + 1 });
            var range = new ScoreRange(min, max, MinExclusive: false, MaxExclusive: true);
            foreach (SortedSetEntry entry in zset.Set.RangeByScore(range))
            {
                if (shape.Contains(entry.Score, out double lon, out double lat, out double distance))
                {
                    points.Add(new GeoPoint
                    {
                        Member = entry.Member,
                        Longitude = lon,
                        Latitude = lat,
                        Distance = distance,
                        Score = entry.Score,
                    });
                }

                if (points.Count > 0 && limit > 0 && points.Count >= limit)
                    break;
            }

            lastProcessed = i;
        }

        return points;
    }

    private static void ReplyPoints(CommandContext c, List<GeoPoint> points, int returned, double conversion,
        bool withDist, bool withHash, bool withCoords)
    {
        int options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
        c.Reply.Array(returned);
        for (int i = 0; i < returned; i++)
        {
            GeoPoint p = points[i];
            if (options > 0)
                c.Reply.Array(options + 1);
            c.Reply.Bulk(p.Member);
            if (withDist)
                c.Reply.Bulk(GeoHash.FormatDistance(p.Distance / conversion));
            if (withHash)
                c.Reply.Integer((long)p.Score);
            if (withCoords)
            {
                c.Reply.Array(2);
                Coordinate(c, p.Longitude);
                Coordinate(c, p.Latitude);
            }
        }
    }

    private static void StorePoints(CommandContext c, byte[] storeKey, List<GeoPoint> points, int returned, double conversion,
        bool storeDist, bool geoSearch)
    {
        if (returned == 0)
        {
            c.Reply.Integer(0);
            if (c.Db.Delete(storeKey))
            {
                c.KeyModified(storeKey);
                c.Notify(NotifyFlags.Generic, "del", storeKey);
            }

            return;
        }

        var entries = new List<SortedSetEntry>(returned);
        for (int i = 0; i < returned; i++)
        {
            GeoPoint p = points[i];
            entries.Add(new SortedSetEntry(p.Member, storeDist ? p.Distance / conversion : p.Score));
        }

        var config = c.Server.Config;
        c.Db.Set(storeKey, RedisZSet.FromEntries(entries, config.ZsetMaxListpackEntries, config.ZsetMaxListpackValue, incremental: false), false);
        c.KeyModified(storeKey);
        c.Notify(NotifyFlags.ZSet, geoSearch ? "geosearchstore" : "georadiusstore", storeKey);
        c.Reply.Integer(returned);
    }
}
