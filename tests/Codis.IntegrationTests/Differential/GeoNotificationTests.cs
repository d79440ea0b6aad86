using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Keyspace notifications of the GEO commands compared against Redis 7.0.</summary>
public sealed class GeoNotificationTests(NotifyingServerPairFixture servers) : IClassFixture<NotifyingServerPairFixture>
{
    private readonly string _prefix = "n" + Guid.NewGuid().ToString("N")[..8] + ":";

    [Fact]
    public void Notifications_GeoWrites_SameEventsInOrder()
    {
        string g = _prefix + "g", d = _prefix + "d", e = _prefix + "e";
        KeyspaceEvents.AssertSame(servers, _prefix + "zz-marker", KeyspaceEvents.Bytes([
            ["GEOADD", g, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
            ["GEOADD", g, "13.361389", "38.115556", "Palermo"], ["GEOADD", g, "XX", "1", "1", "nope"],
            ["GEOADD", g, "CH", "13.4", "38.1", "Palermo"], ["GEOADD", g, "1", "100", "bad"],
            ["GEORADIUS", g, "15", "37", "200", "km", "STORE", d], ["GEORADIUS", g, "15", "37", "1", "m", "STORE", d],
            ["GEORADIUS", g, "15", "37", "1", "m", "STORE", d], ["GEOSEARCHSTORE", e, g, "FROMMEMBER", "Palermo", "BYRADIUS", "300", "km"],
            ["GEORADIUSBYMEMBER", g, "Palermo", "300", "km", "STOREDIST", d], ["GEOSEARCHSTORE", e, _prefix + "none", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "m"],
            ["GEOSEARCH", g, "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"], ["GEOADD", _prefix + "x", "XX", "1", "1", "a"]]));
    }
}
