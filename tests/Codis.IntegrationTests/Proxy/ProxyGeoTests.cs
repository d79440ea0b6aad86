using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>GEO commands through an in-process proxy: routing, and the store forms' same-slot rule.</summary>
public sealed class ProxyGeoTests : IClassFixture<TwoServersFixture>, IDisposable
{
    private readonly ProxyHarness _proxy;

    /// <summary>Starts a proxy over the two servers, emptied.</summary>
    public ProxyGeoTests(TwoServersFixture servers)
    {
        servers.FlushAll();
        _proxy = new ProxyHarness();
        _proxy.FillHalves(servers.AddrA, servers.AddrB);
    }

    /// <inheritdoc/>
    public void Dispose() => _proxy.Dispose();

    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    [Fact]
    public void GeoCommands_KeysInBothHalves_Served()
    {
        using var c = _proxy.Connect();
        foreach (var key in new[] { ProxyHarness.KeyIn(0, 512, "g"), ProxyHarness.KeyIn(512, 1024, "g") })
        {
            Assert.Equal(":2\r\n", Raw(c, "GEOADD", key, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
            Assert.Equal("$11\r\n166274.1516\r\n", Raw(c, "GEODIST", key, "Palermo", "Catania"));
            Assert.Equal("*1\r\n$11\r\nsqc8b49rny0\r\n", Raw(c, "GEOHASH", key, "Palermo"));
            Assert.Equal("*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n", Raw(c, "GEORADIUS_RO", key, "15", "37", "200", "km", "ASC"));
            Assert.Equal("*1\r\n$7\r\nPalermo\r\n", Raw(c, "GEOSEARCH", key, "FROMMEMBER", "Palermo", "BYRADIUS", "10", "km"));
            Assert.Equal("*1\r\n$7\r\nPalermo\r\n", Raw(c, "GEORADIUSBYMEMBER_RO", key, "Palermo", "10", "km"));
        }
    }

    [Fact]
    public void StoreForms_SameSlotWithHashTag_Stored()
    {
        using var c = _proxy.Connect();
        Assert.Equal(":2\r\n", Raw(c, "GEOADD", "{geo}src", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
        Assert.Equal(":2\r\n", Raw(c, "GEOSEARCHSTORE", "{geo}dst", "{geo}src", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"));
        Assert.Equal(":2\r\n", Raw(c, "GEORADIUS", "{geo}src", "15", "37", "200", "km", "STORE", "{geo}dst2"));
        Assert.Equal(":1\r\n", Raw(c, "GEORADIUSBYMEMBER", "{geo}src", "Palermo", "10", "km", "STOREDIST", "{geo}dst3"));
        Assert.Equal(":2\r\n", Raw(c, "ZCARD", "{geo}dst2"));
    }

    [Fact]
    public void StoreForms_DifferentSlots_RefusedWithClearError()
    {
        using var c = _proxy.Connect();
        var src = ProxyHarness.KeyIn(0, 512, "s");
        var dst = ProxyHarness.KeyIn(512, 1024, "d");
        Assert.Equal(":1\r\n", Raw(c, "GEOADD", src, "13.361389", "38.115556", "Palermo"));
        foreach (var command in new[]
        {
            new[] { "GEOSEARCHSTORE", dst, src, "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km" },
            ["GEORADIUS", src, "15", "37", "200", "km", "STORE", dst],
            ["georadiusbymember", src, "Palermo", "10", "km", "storedist", dst],
        })
        {
            var reply = Raw(c, command);
            Assert.StartsWith("-ERR handle request, ", reply);
            Assert.Contains("are in different slots; use one hash tag", reply);
        }

        Assert.Equal(":0\r\n", Raw(c, "EXISTS", dst));
        Assert.Equal("*1\r\n$7\r\nPalermo\r\n", Raw(c, "GEORADIUS", src, "13", "38", "200", "km"));
    }
}
