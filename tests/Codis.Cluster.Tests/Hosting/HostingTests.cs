using System.Net;
using Codis.Cluster.Hosting;
using Codis.Cluster.Logging;
using Codis.Cluster.Net;

namespace Codis.Cluster.Tests.Hosting;

public sealed class NetAddressTests
{
    [Theory]
    [InlineData("tcp4", "0.0.0.0:29000", "0.0.0.0:29000")]
    [InlineData("tcp4", ":29000", "0.0.0.0:29000")]
    [InlineData("tcp", ":21080", "[::]:21080")]
    [InlineData("tcp", "127.0.0.1:1", "127.0.0.1:1")]
    [InlineData("tcp6", "[::1]:5", "[::1]:5")]
    [InlineData("tcp4", "localhost:7", "127.0.0.1:7")]
    public void Resolve_ThenFormat_AsGo(string network, string address, string expected) =>
        Assert.Equal(expected, NetAddress.Format(NetAddress.Resolve(network, address)));

    [Theory]
    [InlineData("tcp4", "127.0.0.1", "missing port in address")]
    [InlineData("tcp4", "127.0.0.1:99999", "invalid port")]
    [InlineData("tcp4", "1:2:3", "too many colons")]
    [InlineData("tcp4", "[::1]:5", "no suitable address for network tcp4")]
    public void Resolve_Errors(string network, string address, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => NetAddress.Resolve(network, address)).Message, StringComparison.Ordinal);

    [Fact]
    public void Advertise_SpecifiedIp_AsIs_OverrideWins_UnixAsGiven()
    {
        Assert.Equal("192.0.2.1:29000", NetAddress.Advertise("tcp4", "192.0.2.1:29000", ""));
        Assert.Equal("127.0.0.1:5", NetAddress.Advertise("tcp4", "0.0.0.0:29000", "127.0.0.1:5"));
        Assert.Equal("/tmp/p.sock", NetAddress.Advertise("unix", "/tmp/p.sock", ""));
    }

    [Fact]
    public void Advertise_UnspecifiedIp_ReplacedByAHostOrInterfaceAddress()
    {
        string a = NetAddress.Advertise("tcp4", "0.0.0.0:29000", "");
        Assert.EndsWith(":29000", a, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Advertise_UnspecifiedOverride_Error() =>
        Assert.Equal("resolve address '0.0.0.0:1' to '0.0.0.0:1'", Assert.Throws<FormatException>(() => NetAddress.Advertise("tcp4", "127.0.0.1:2", "0.0.0.0:1")).Message);

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("169.254.1.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("fe80::1", false)]
    [InlineData("2001:db8::1", true)]
    public void IsGlobalUnicast_AsGo(string ip, bool expected) => Assert.Equal(expected, NetAddress.IsGlobalUnicast(IPAddress.Parse(ip)));
}

public sealed class GoTimeTests
{
    [Fact]
    public void Format_GoTimeString()
    {
        var t = new DateTimeOffset(2026, 11, 25, 4, 13, 52, TimeSpan.Zero).AddTicks(8305888);
        Assert.Equal("2026-11-25 04:13:52.8305888 +0000 UTC m=+0.012477700", GoTime.Format(t, TimeSpan.FromTicks(124777)));
        Assert.Equal("2026-11-25 04:13:52 +0000 UTC", GoTime.Format(new DateTimeOffset(2026, 11, 25, 4, 13, 52, TimeSpan.Zero)));
        Assert.Equal("2026-11-25 04:13:52 +0530 +0530", GoTime.Format(new DateTimeOffset(2026, 11, 25, 4, 13, 52, new TimeSpan(5, 30, 0))));
    }
}

public sealed class CodisLogTests
{
    [Theory]
    [InlineData("error", CodisLogLevel.Error)]
    [InlineData("WARN", CodisLogLevel.Warn)]
    [InlineData("warning", CodisLogLevel.Warn)]
    [InlineData("Info", CodisLogLevel.Info)]
    [InlineData("DEBUG", CodisLogLevel.Debug)]
    [InlineData("none", CodisLogLevel.None)]
    public void TryParseLevel_CaseInsensitive(string text, CodisLogLevel level)
    {
        Assert.True(CodisLog.TryParseLevel(text, out CodisLogLevel parsed));
        Assert.Equal(level, parsed);
    }

    [Fact]
    public void TryParseLevel_Unknown_False() => Assert.False(CodisLog.TryParseLevel("LOUD", out _));

    [Fact]
    public void File_DailyNameAndFormat_LevelFilter_RollsAtMidnight()
    {
        string dir = Path.Combine(Path.GetTempPath(), "codislog-" + Guid.NewGuid().ToString("N"));
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 25, 23, 59, 59, TimeSpan.Zero));
        try
        {
            using (var log = new CodisLog(Path.Combine(dir, "sub", "proxy.log"), clock) { Level = CodisLogLevel.Warn })
            {
                log.Write(CodisLogLevel.Warn, "proxy", "first");
                log.Write(CodisLogLevel.Info, "proxy", "filtered");
                clock.Now = clock.Now.AddSeconds(2);
                log.Write(CodisLogLevel.Error, "proxy", "second", new InvalidOperationException("boom"));
                log.Panic("main", "fatal");
            }
            string day1 = File.ReadAllText(Path.Combine(dir, "sub", "proxy.log.2026-11-25"));
            string day2 = File.ReadAllText(Path.Combine(dir, "sub", "proxy.log.2026-11-26"));
            // The clock's local zone is UTC, so local time is the UTC time above.
            Assert.Equal("2026/11/25 23:59:59 proxy: [WARN] first\n", day1);
            Assert.Contains("proxy: [ERROR] second\n[error]: InvalidOperationException: boom\n", day2, StringComparison.Ordinal);
            Assert.Contains("main: [PANIC] fatal\n", day2, StringComparison.Ordinal);
            Assert.DoesNotContain("filtered", day1 + day2, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
