using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.Etcd;

namespace Codis.Cluster.Tests.Coordinator;

/// <summary>The etcd client's address handling (coordinator.md §7.2); the real-server tests are in the integration tests.</summary>
public sealed class EtcdEndpointsTests
{
    [Theory]
    [InlineData("192.0.2.1:12379", "http://192.0.2.1:12379")]
    [InlineData("a:1, b:2", "http://a:1,http://b:2")]
    [InlineData("http://a:1,https://b:2,c:3", "http://a:1,https://b:2,http://c:3")]
    public void Endpoints_AddsHttpWhenNoScheme(string address, string expected) =>
        Assert.Equal(expected, EtcdCoordinator.Endpoints(address));

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    public void Create_NoEndpoint_ClearError(string address)
    {
        var e = Assert.Throws<CoordinatorException>(() => Coordinators.Create("etcd", address, "", TimeSpan.Zero));
        Assert.Equal($"etcd: invalid endpoints '{address}': no host:port given", e.Message);
    }

    [Fact]
    public void Create_MalformedEndpoint_ClearError()
    {
        var e = Assert.Throws<CoordinatorException>(() => Coordinators.Create("etcd", "not a host:x", "", TimeSpan.Zero));
        Assert.StartsWith("etcd: invalid endpoints 'not a host:x': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ConnectsLazily_NameAndAddress()
    {
        // Nothing listens on port 1: creating the client must not fail or block, only calls do.
        await using ICoordinator c = Coordinators.Create("etcd", "127.0.0.1:1", "root:pw", TimeSpan.FromSeconds(1));
        Assert.Equal("etcd", c.Name);
        Assert.Equal("127.0.0.1:1", c.Address);
        Assert.True(c.SupportsEphemeral);
    }
}
