using Codis.TestSupport;

namespace Codis.IntegrationTests.Fe;

/// <summary>codis-fe finding its dashboards in etcd (fe.md §1, the coordinator loader), with Debian's etcd.</summary>
public sealed class FeCoordinatorTests
{
    [Fact]
    public void List_Etcd_DashboardFoundAndForwarded()
    {
        using EtcdProcess etcd = EtcdProcess.Start();
        using DashboardProcess dashboard = DashboardProcess.Start("product_name = \"codis-etcd\"", args: "--etcd=" + etcd.Address);
        using FeProcess fe = FeProcess.Start("--etcd=" + etcd.Address);

        FeReply list = fe.Get("/list");
        FeReply topom = fe.Get("/topom?forward=codis-etcd");

        Assert.Equal((200, "[\n    \"codis-etcd\"\n]"), (list.Status, list.Body));
        Assert.Equal(200, topom.Status);
        Assert.Contains($"\"admin_addr\": \"{dashboard.AdminAddr}\"", topom.Body, StringComparison.Ordinal);
    }
}
