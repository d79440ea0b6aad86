using Codis.Admin.Models;
using Codis.Admin.Output;
using Codis.Core.Json;

namespace Codis.Admin.Tests.Output;

/// <summary>The line formats of admin-cli.md §4.1-4.3, from stats JSON as the dashboard sends it.</summary>
public sealed class StatusLinesTests
{
    private static DashboardStats Stats(string json) => CodisJson.Decode<DashboardStats>(json)!;

    [Fact]
    public void Groups_SpecExample_AlignedLines()
    {
        DashboardStats s = Stats("""
            {"group": {"models": [
                {"id": 1, "servers": [{"server": "127.0.0.1:16389"}, {"server": "127.0.0.1:16391"}]},
                {"id": 2, "servers": [{"server": "127.0.0.1:16390"}]}],
              "stats": {
                "127.0.0.1:16389": {"stats": {"role": "master"}, "unixtime": 1},
                "127.0.0.1:16391": {"stats": {"master_addr": "127.0.0.1:16389", "master_link_status": "up"}, "unixtime": 1},
                "127.0.0.1:16390": {"stats": {}, "unixtime": 1}}}}
            """);
        Assert.Equal(
            [
                "[ ] group-1 [0] 127.0.0.1:16389      ==> NO:ONE",
                "[ ] group-1 [1] 127.0.0.1:16391      ==> 127.0.0.1:16389:up",
                "[ ] group-2 [0] 127.0.0.1:16390      ==> NO:ONE",
            ],
            StatusLines.Groups(s));
    }

    [Fact]
    public void Groups_AfterPromotion_OldMasterMarkedX()
    {
        DashboardStats s = Stats("""
            {"group": {"models": [
                {"id": 1, "servers": [{"server": "127.0.0.1:16391"}, {"server": "127.0.0.1:16389"}]},
                {"id": 2, "servers": [{"server": "127.0.0.1:16390"}]}],
              "stats": {
                "127.0.0.1:16389": {"stats": {}}, "127.0.0.1:16391": {"stats": {}}, "127.0.0.1:16390": {"stats": {}}}}}
            """);
        Assert.Equal(
            [
                "[ ] group-1 [0] 127.0.0.1:16391      ==> NO:ONE",
                "[X] group-1 [1] 127.0.0.1:16389      ==> NO:ONE",
                "[ ] group-2 [0] 127.0.0.1:16390      ==> NO:ONE",
            ],
            StatusLines.Groups(s));
    }

    [Fact]
    public void Groups_MissingErrorTimeout_FlagsWithoutMasterPart_WidthsPadded()
    {
        DashboardStats s = Stats("""
            {"group": {"models": [
                {"id": 7, "servers": [{"server": "a:1"}, {"server": "bb:2"}, {"server": "c:3"}]},
                {"id": 12, "servers": [{"server": "dddd:4"}]}],
              "stats": {
                "bb:2": {"error": {"Cause": "refused", "Stack": null}, "unixtime": 1},
                "c:3": {"unixtime": 1, "timeout": true},
                "dddd:4": {"unixtime": 1}}}}
            """);
        Assert.Equal(
            [
                "[?] group-07 [0] a:1   ",
                "[E] group-07 [1] bb:2  ",
                "[T] group-07 [2] c:3   ",
                "[T] group-12 [0] dddd:4",
            ],
            StatusLines.Groups(s));
    }

    [Fact]
    public void Proxies_SpecExample_AndFlags()
    {
        DashboardStats s = Stats("""
            {"proxy": {"models": [
                {"id": 1, "token": "e5d68b7763c6c29d4c4a842eb5bc0740", "admin_addr": "192.0.2.1:21080", "proxy_addr": "192.0.2.1:29000"},
                {"id": 10, "token": "t2", "admin_addr": "10.0.0.1:1", "proxy_addr": "10.0.0.1:2"},
                {"id": 11, "token": "t3", "admin_addr": "h:1", "proxy_addr": "h:2"},
                {"id": 12, "token": "t4", "admin_addr": "h:3", "proxy_addr": "h:4"}],
              "stats": {
                "e5d68b7763c6c29d4c4a842eb5bc0740": {"stats": {"online": true}, "unixtime": 1},
                "t2": {"error": {"Cause": "x"}},
                "t3": {"unixtime": 1, "timeout": true}}}}
            """);
        Assert.Equal(
            [
                "[ ] proxy-01 [T] e5d68b7763c6c29d4c4a842eb5bc0740 [A] 192.0.2.1:21080 [P] 192.0.2.1:29000",
                "[E] proxy-10 [T] t2 [A] 10.0.0.1:1      [P] 10.0.0.1:2     ",
                "[T] proxy-11 [T] t3 [A] h:1             [P] h:2            ",
                "[?] proxy-12 [T] t4 [A] h:3             [P] h:4            ",
            ],
            StatusLines.Proxies(s));
    }

    [Fact]
    public void Proxies_None_NoLines()
    {
        Assert.Empty(StatusLines.Proxies(Stats("{}")));
    }

    [Fact]
    public void Rebalance_Empty_NothingChanges()
    {
        Assert.Equal(["nothing changes"], StatusLines.Rebalance(new Dictionary<int, int>()));
    }

    [Fact]
    public void Rebalance_RunsOfConsecutiveSlotsWithOneTarget_ThenDone()
    {
        var plan = new Dictionary<int, int>();
        for (int i = 512; i < 1024; i++)
            plan[i] = 2;
        Assert.Equal(["[0512,1023] => 2", "done"], StatusLines.Rebalance(plan));

        plan = new Dictionary<int, int> { [7] = 3, [1] = 2, [2] = 2, [3] = 3, [5] = 3, [6] = 3 };
        Assert.Equal(["[0001,0002] => 2", "[0003,0003] => 3", "[0005,0007] => 3", "done"], StatusLines.Rebalance(plan));
    }
}
