using System.Globalization;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>The GEO commands compared with Redis 7.0 byte for byte.</summary>
public sealed class GeoTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static readonly string[] Units = ["m", "km", "ft", "mi", "KM", "Mi"];

    private static string[] Cmd(string line) => line.Split(' ');

    private static void Lines(DiffSession d, params string[] lines)
    {
        foreach (string line in lines)
            d.Same(Cmd(line));
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    // Adds `count` seeded random points (with some on the limits) to `key` on both servers.
    private static List<(double Lon, double Lat, string Name)> AddRandomPoints(DiffSession d, string key, Random rnd, int count,
        double lonMin, double lonMax, double latMin, double latMax)
    {
        var points = new List<(double, double, string)>();
        var args = new List<string> { "GEOADD", key };
        for (int i = 0; i < count; i++)
        {
            double lon = lonMin + rnd.NextDouble() * (lonMax - lonMin);
            double lat = latMin + rnd.NextDouble() * (latMax - latMin);
            string name = "p" + i.ToString(CultureInfo.InvariantCulture);
            points.Add((lon, lat, name));
            args.AddRange([F(lon), F(lat), name]);
        }

        d.Same([.. args]);
        return points;
    }

    [Fact]
    public void GeoAdd_OptionsAndErrors_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", "GEOADD g 13.361389 38.115556 Palermo",
            "GEOADD g NX CH 13.361389 38.115556 Palermo 15 37.5 Catania2", "GEOADD g XX CH 13.5 38.1 Palermo 15 37.5 New",
            "GEOADD g XX 1 1 Palermo", "GEOADD g CH 1 1 Palermo 2 2 x", "GEOADD g ch nx xx 1 1 a", "GEOADD g NX XX 1 1 a",
            "GEOADD g 200 10 x", "GEOADD g -180.000001 0 x", "GEOADD g 10 85.05112879 x", "GEOADD g 10 -86 x",
            "GEOADD g abc 10 x", "GEOADD g 10 abc x", "GEOADD g 10 nan x", "GEOADD g inf 10 x", "GEOADD g 10 -inf x",
            "GEOADD g 1e400 10 x", "GEOADD g 10 10", "GEOADD g 10 10 a 20", "GEOADD g NX CH CH", "GEOADD g 1 1 ok 300 1 bad",
            "GEOADD g 0x10 0x1p3 hex", "GEOADD g 1.5e1 -2.5E1 exp", "GEOADD missing XX 1 1 a", "EXISTS missing",
            "GEOADD g 180 85.05112878 ne -180 -85.05112878 sw 0 0 zero -0 -0 negzero 180 -85.05112878 se",
            "ZRANGE g 0 -1 WITHSCORES", "OBJECT ENCODING g", "SET s v", "GEOADD s 1 1 a", "GEOADD s 1000 1 a", "GEOADD",
            "GEOADD g", "GEOADD g 1 1");
    }

    [Fact]
    public void PosHashDist_KnownAndEdgePoints_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 180 85.05112878 ne -180 -85.05112878 sw",
            "GEOADD g 0 0 zero 179.9999999 0 east -179.9999999 0 west 0.0000001 85 n 0 -85 s 100 60 a 100 -60 b",
            "GEOPOS g Palermo Catania nope ne sw zero east west n s a b", "GEOPOS g", "GEOPOS nokey a b",
            "GEOHASH g Palermo Catania nope ne sw zero east west n s a b", "GEOHASH g", "GEOHASH nokey a",
            "GEODIST g Palermo Catania", "GEODIST g Palermo Catania km", "GEODIST g Palermo Catania MI",
            "GEODIST g Palermo Catania ft", "GEODIST g Palermo Catania m", "GEODIST g Palermo Catania yd",
            "GEODIST g Palermo Palermo", "GEODIST g Palermo nope", "GEODIST g nope Palermo", "GEODIST nokey a b",
            "GEODIST nokey a b parsec", "GEODIST g Palermo Catania km x", "GEODIST g ne sw", "GEODIST g east west",
            "GEODIST g n s km", "GEODIST g a b", "GEODIST g zero n mi",
            "ZADD g 5 plain -3 neg 4503599627370496 big 1e30 huge", "GEOPOS g plain neg big huge",
            "GEOHASH g plain big", "GEODIST g plain zero",
            "SET s v", "GEOPOS s a", "GEOHASH s a", "GEODIST s a b", "GEODIST s a b parsec", "GEODIST g a", "GEOPOS");
    }

    [Fact]
    public void GeoPos_Resp3Doubles_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("HELLO", "3");
        Lines(d,
            "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", "GEOPOS g Palermo nope Catania",
            "GEOHASH g Palermo nope", "GEODIST g Palermo nope", "GEORADIUS g 15 37 200 km WITHCOORD WITHDIST WITHHASH",
            "GEOSEARCH g FROMLONLAT 15 37 BYBOX 400 400 km WITHCOORD", "GEORADIUS nokey 15 37 200 km");
    }

    [Fact]
    public void Searches_OptionsErrorsAndStore_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Lines(d,
            "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.758489 38.788135 edge2 17.241510 38.788135 edge1",
            "GEORADIUS g 15 37 200 km WITHDIST WITHCOORD WITHHASH", "GEORADIUS g 15 37 200 km withdist asc",
            "GEORADIUS g 15 37 200 km DESC COUNT 1", "GEORADIUS g 15 37 20000 km", "GEORADIUS g 15 37 20000 km COUNT 2 ANY",
            "GEORADIUS g 15 37 200 km ANY", "GEORADIUS g 15 37 200 km COUNT 0", "GEORADIUS g 15 37 200 km COUNT -1",
            "GEORADIUS g 15 37 200 km COUNT x", "GEORADIUS g 15 37 200 km COUNT", "GEORADIUS g 15 37 -1 km",
            "GEORADIUS g 15 37 x km", "GEORADIUS g 15 37 1 parsec", "GEORADIUS g 200 37 1 km", "GEORADIUS g 15 x 1 km",
            "GEORADIUS g 15 37 200 km STORE dst", "ZRANGE dst 0 -1 WITHSCORES", "OBJECT ENCODING dst",
            "GEORADIUS g 15 37 200 km STOREDIST dst2", "ZRANGE dst2 0 -1 WITHSCORES",
            "GEORADIUS g 15 37 200 km STORE dst WITHDIST", "GEORADIUS g 15 37 200 km STORE", "GEORADIUS_RO g 15 37 200 km STORE dst",
            "GEORADIUS_RO g 15 37 200 km STOREDIST dst", "GEORADIUS_RO g 15 37 200 km WITHDIST",
            "GEORADIUS g 15 37 1 m STORE dst", "EXISTS dst", "GEORADIUS g 15 37 1 m", "GEORADIUS g 15 37 200 km BOGUS",
            "GEORADIUSBYMEMBER g Palermo 200 km WITHDIST", "GEORADIUSBYMEMBER g nope 200 km", "GEORADIUSBYMEMBER g Palermo x km",
            "GEORADIUSBYMEMBER g Palermo 1 parsec", "GEORADIUSBYMEMBER_RO g Palermo 200 km WITHCOORD COUNT 2",
            "GEORADIUSBYMEMBER_RO g Palermo 200 km STORE x", "GEORADIUSBYMEMBER g Palermo 500 km STOREDIST dst3",
            "ZRANGE dst3 0 -1 WITHSCORES", "GEORADIUSBYMEMBER nokey nope 200 parsec", "GEORADIUSBYMEMBER nokey nope 200 km STORE dst3",
            "EXISTS dst3", "GEORADIUS nokey 15 37 200 km STORE dst2", "EXISTS dst2", "GEORADIUS nokey 15 37 200 km",
            "GEORADIUS nokey 15 37 200 parsec", "GEORADIUS nokey 15 37 200 km COUNT 1 ANY WITHDIST STORE x",
            "GEOSEARCH g FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST", "GEOSEARCH g FROMMEMBER Palermo BYRADIUS 100 km",
            "GEOSEARCH g FROMMEMBER Palermo FROMLONLAT 1 1 BYRADIUS 100 km", "GEOSEARCH g FROMLONLAT 1 1 FROMMEMBER Palermo BYRADIUS 1 km",
            "GEOSEARCH g BYRADIUS 100 km", "GEOSEARCH g FROMLONLAT 1 1", "GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km BYBOX 1 1 km",
            "GEOSEARCH g FROMLONLAT 1 1 BYBOX 1 1 km BYRADIUS 1 km", "GEOSEARCH g FROMLONLAT 1 1 BYBOX -1 1 km",
            "GEOSEARCH g FROMLONLAT 1 1 BYBOX x 1 km", "GEOSEARCH g FROMLONLAT 1 1 BYBOX 1 x km", "GEOSEARCH g FROMLONLAT 1 1 BYBOX 1 1 yd",
            "GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km STORE x", "GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km STOREDIST",
            "GEOSEARCH g FROMMEMBER nope BYRADIUS 1 km", "GEOSEARCH g FROMLONLAT 1 100 BYRADIUS 1 km", "GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1",
            "GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km ANY", "geosearch nokey FROMLONLAT 1 1", "geosearch nokey FROMMEMBER x BYBOX 1 1 km",
            "GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 ANY WITHHASH", "GEOSEARCH g FROMLONLAT 15 37 BYBOX 0 0 m",
            "GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST", "ZRANGE dst 0 -1 WITHSCORES",
            "GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km", "ZRANGE dst 0 -1 WITHSCORES",
            "GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST", "GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km STORE x",
            "GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 1 m", "EXISTS dst", "GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 1 m",
            "GEOSEARCHSTORE dst g FROMMEMBER Palermo BYBOX 300 300 km DESC COUNT 2", "ZRANGE dst 0 -1 WITHSCORES",
            "GEOSEARCHSTORE dst g", "SET s v", "GEORADIUS s 1 1 1 km", "GEORADIUS s 1000 1 1 km", "GEORADIUSBYMEMBER s a 1 km",
            "GEOSEARCH s FROMLONLAT 1 1 BYRADIUS 1 km", "GEOSEARCHSTORE dst s FROMLONLAT 1 1 BYRADIUS 1 km",
            "GEOSEARCHSTORE s g FROMLONLAT 15 37 BYRADIUS 200 km", "TYPE s", "GEORADIUS g 15 37 200 km STORE s", "TYPE s");
    }

    [Fact]
    public void RandomPoints_RegionalSearches_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        var rnd = new Random(20261125);
        var points = AddRandomPoints(d, "r", rnd, 400, 10, 14, 40, 44);
        for (int i = 0; i < 150; i++)
            d.Same(RandomSearch(rnd, "r", points, 10, 14, 40, 44, 200));
        d.Same("GEOPOS", "r", "p0", "p1", "p2", "p399");
        d.Same("GEOHASH", "r", "p0", "p1", "p2", "p399");
        for (int i = 0; i < 40; i++)
            d.Same("GEODIST", "r", points[rnd.Next(points.Count)].Name, points[rnd.Next(points.Count)].Name, Units[rnd.Next(Units.Length)]);
    }

    [Fact]
    public void RandomPoints_WorldAndPoles_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        var rnd = new Random(777);
        var points = AddRandomPoints(d, "w", rnd, 300, -180, 180, -85.05112878, 85.05112878);
        var polar = AddRandomPoints(d, "pole", rnd, 200, -180, 180, 75, 85.05112878);
        for (int i = 0; i < 120; i++)
            d.Same(RandomSearch(rnd, "w", points, -180, 180, -85.05112878, 85.05112878, 8000));
        for (int i = 0; i < 80; i++)
            d.Same(RandomSearch(rnd, "pole", polar, -180, 180, 70, 85.05112878, 2000));
        // Searches centred on the limits, where the neighbour cells wrap.
        foreach (string center in new[] { "180 85.05112878", "-180 -85.05112878", "180 0", "-180 0", "0 85", "0 -85" })
        {
            foreach (string radius in new[] { "1 km", "500 km", "5000 km", "30000 km" })
            {
                d.Same(Cmd($"GEORADIUS w {center} {radius} WITHDIST"));
                d.Same(Cmd($"GEORADIUS pole {center} {radius} COUNT 5"));
                d.Same(Cmd($"GEOSEARCH w FROMLONLAT {center} BYBOX {radius.Split(' ')[0]} {radius} WITHCOORD"));
            }
        }

        for (int i = 0; i < 60; i++)
        {
            string name = points[rnd.Next(points.Count)].Name;
            d.Same("GEOPOS", "w", name, "nope");
            d.Same("GEOHASH", "w", name);
            d.Same("GEODIST", "w", name, points[rnd.Next(points.Count)].Name, "km");
        }
    }

    [Fact]
    public void RandomSearches_StoreAndStoreDist_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        var rnd = new Random(4242);
        var points = AddRandomPoints(d, "{t}src", rnd, 250, -5, 5, -5, 5);
        for (int i = 0; i < 40; i++)
        {
            var (lon, lat, name) = points[rnd.Next(points.Count)];
            string radius = F(Math.Round(rnd.NextDouble() * 300, 3));
            string count = rnd.Next(3) == 0 ? " COUNT " + rnd.Next(1, 20).ToString(CultureInfo.InvariantCulture) : "";
            string store = rnd.Next(2) == 0 ? "STORE" : "STOREDIST";
            d.Same(Cmd($"GEORADIUS {{t}}src {F(lon)} {F(lat)} {radius} km{count} {store} {{t}}dst"));
            d.Same("ZRANGE", "{t}dst", "0", "-1", "WITHSCORES");
            d.Same(Cmd($"GEORADIUSBYMEMBER {{t}}src {name} {radius} km{count} {store} {{t}}dst2"));
            d.Same("ZRANGE", "{t}dst2", "0", "-1", "WITHSCORES");
            string dist = rnd.Next(2) == 0 ? " STOREDIST" : "";
            d.Same(Cmd($"GEOSEARCHSTORE {{t}}dst3 {{t}}src FROMMEMBER {name} BYBOX {radius} {radius} km{count}{dist}"));
            d.Same("ZRANGE", "{t}dst3", "0", "-1", "WITHSCORES");
            d.Same("OBJECT", "ENCODING", "{t}dst3");
        }
    }

    // One random GEORADIUS / GEORADIUSBYMEMBER / GEOSEARCH with random options; no STORE.
    private static string[] RandomSearch(Random rnd, string key, List<(double Lon, double Lat, string Name)> points,
        double lonMin, double lonMax, double latMin, double latMax, double maxKm)
    {
        string unit = Units[rnd.Next(Units.Length)];
        double perUnit = unit.ToLowerInvariant() switch { "m" => 1, "km" => 1000, "ft" => 0.3048, _ => 1609.34 };
        double size = rnd.NextDouble() * rnd.NextDouble() * maxKm * 1000 / perUnit;
        string radius = F(Math.Round(size, 4));
        string pName = points[rnd.Next(points.Count)].Name;
        double lon = lonMin + rnd.NextDouble() * (lonMax - lonMin), lat = latMin + rnd.NextDouble() * (latMax - latMin);
        var options = new List<string>();
        if (rnd.Next(2) == 0)
            options.Add("WITHDIST");
        if (rnd.Next(3) == 0)
            options.Add("WITHCOORD");
        if (rnd.Next(4) == 0)
            options.Add("WITHHASH");
        int sort = rnd.Next(3);
        if (sort == 1)
            options.Add("ASC");
        else if (sort == 2)
            options.Add("DESC");
        if (rnd.Next(2) == 0)
        {
            options.AddRange(["COUNT", rnd.Next(1, 30).ToString(CultureInfo.InvariantCulture)]);
            if (rnd.Next(3) == 0)
                options.Add("ANY");
        }

        return rnd.Next(4) switch
        {
            0 => ["GEORADIUS", key, F(lon), F(lat), radius, unit, .. options],
            1 => ["GEORADIUSBYMEMBER_RO", key, pName, radius, unit, .. options],
            2 => ["GEOSEARCH", key, "FROMMEMBER", pName, "BYBOX", radius, F(Math.Round(rnd.NextDouble() * size, 3)), unit, .. options],
            _ => ["GEOSEARCH", key, "FROMLONLAT", F(lon), F(lat), "BYRADIUS", radius, unit, .. options],
        };
    }
}
