namespace Codis.Server.DataTypes;

/// <summary>
/// A GEO search area: a circle (radius) or an axis-aligned box (width, height) around a centre, with the
/// unit's size in meters (<see cref="Conversion"/>). Computes the nine geohash cells Redis scans
/// (geohashCalculateAreasByShapeWGS84) and the membership test of a point (geoWithinShape).
/// </summary>
public sealed class GeoShape
{
    /// <summary>Centre longitude.</summary>
    public double Longitude { get; set; }

    /// <summary>Centre latitude.</summary>
    public double Latitude { get; set; }

    /// <summary>True for BYBOX, false for a radius search.</summary>
    public bool IsBox { get; set; }

    /// <summary>Radius in units.</summary>
    public double Radius { get; set; }

    /// <summary>Box width in units.</summary>
    public double Width { get; set; }

    /// <summary>Box height in units.</summary>
    public double Height { get; set; }

    /// <summary>Meters per unit.</summary>
    public double Conversion { get; set; } = 1;

    /// <summary>
    /// The cells to scan, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW); zero entries are skipped.
    /// </summary>
    public GeoHashBits[] SearchCells()
    {
        double heightM = Conversion * (IsBox ? Height / 2 : Radius);
        double widthM = Conversion * (IsBox ? Width / 2 : Radius);
        double latDelta = RadToDeg(heightM / GeoHash.EarthRadiusMeters);
        double longDeltaTop = RadToDeg(widthM / GeoHash.EarthRadiusMeters / Math.Cos(DegToRad(Latitude + latDelta)));
        double longDeltaBottom = RadToDeg(widthM / GeoHash.EarthRadiusMeters / Math.Cos(DegToRad(Latitude - latDelta)));
        // The box is wider on the side nearer the equator.
        bool southern = Latitude < 0;
        double minLon = southern ? Longitude - longDeltaBottom : Longitude - longDeltaTop;
        double maxLon = southern ? Longitude + longDeltaBottom : Longitude + longDeltaTop;
        double minLat = Latitude - latDelta, maxLat = Latitude + latDelta;

        double radiusMeters = IsBox ? Math.Sqrt((Width / 2) * (Width / 2) + (Height / 2) * (Height / 2)) : Radius;
        radiusMeters *= Conversion;
        int steps = GeoHash.EstimateSteps(radiusMeters, Latitude);
        GeoHash.Encode(Longitude, Latitude, steps, out GeoHashBits hash);
        GeoHashNeighbors n = GeoHash.Neighbors(hash);
        GeoHash.Decode(hash, out GeoHashArea area);

        // When the centre sits near an edge of its cell, a neighbour may not reach the far side of the
        // search area: Redis then uses cells one step larger.
        GeoHash.Decode(n.North, out GeoHashArea north);
        GeoHash.Decode(n.South, out GeoHashArea south);
        GeoHash.Decode(n.East, out GeoHashArea east);
        GeoHash.Decode(n.West, out GeoHashArea west);
        bool decrease = north.LatitudeMax < maxLat || south.LatitudeMin > minLat
            || east.LongitudeMax < maxLon || west.LongitudeMin > minLon;
        if (steps > 1 && decrease)
        {
            steps--;
            GeoHash.Encode(Longitude, Latitude, steps, out hash);
            n = GeoHash.Neighbors(hash);
            GeoHash.Decode(hash, out area);
        }

        // Drop the neighbours the search area cannot reach.
        if (steps >= 2)
        {
            if (area.LatitudeMin < minLat)
                n.South = n.SouthWest = n.SouthEast = default;
            if (area.LatitudeMax > maxLat)
                n.North = n.NorthEast = n.NorthWest = default;
            if (area.LongitudeMin < minLon)
                n.West = n.SouthWest = n.NorthWest = default;
            if (area.LongitudeMax > maxLon)
                n.East = n.SouthEast = n.NorthEast = default;
        }

        return [hash, n.North, n.South, n.East, n.West, n.NorthEast, n.NorthWest, n.SouthEast, n.SouthWest];
    }

    /// <summary>
    /// Whether the point stored with <paramref name="score"/> is inside the shape; gives its decoded
    /// position and its distance in meters from the centre.
    /// </summary>
    public bool Contains(double score, out double longitude, out double latitude, out double distance)
    {
        distance = 0;
        if (!GeoHash.DecodeScore(score, out longitude, out latitude))
            return false;
        if (!IsBox)
        {
            distance = GeoHash.Distance(Longitude, Latitude, longitude, latitude);
            return !(distance > Radius * Conversion);
        }

        double widthM = Width * Conversion, heightM = Height * Conversion;
        // Latitude first: it is the cheaper test.
        if (GeoHash.LatitudeDistance(latitude, Latitude) > heightM / 2)
            return false;
        if (GeoHash.Distance(longitude, latitude, Longitude, latitude) > widthM / 2)
            return false;
        distance = GeoHash.Distance(Longitude, Latitude, longitude, latitude);
        return true;
    }

    private static double DegToRad(double deg) => deg * (Math.PI / 180.0);

    private static double RadToDeg(double rad) => rad / (Math.PI / 180.0);
}
