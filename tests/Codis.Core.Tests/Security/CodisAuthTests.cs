using System.Security.Cryptography;
using System.Text;
using Codis.Core.Security;

namespace Codis.Core.Tests.Security;

/// <summary>The verified vectors of dashboard-api.md §3.</summary>
public sealed class CodisAuthTests
{
    private static readonly string[] SpecMacs = ["02:fc:00:00:00:01", "16:be:e0:b6:3d:d2", "32:64:de:e1:1a:4a"];

    // A fixed vector (MD5 computed apart, with Python's hashlib) over documentation addresses: nothing
    // binds or connects to them.
    [Fact]
    public void Token_KnownVector()
    {
        Assert.Equal("aaec5a45ce50b3dd449bc5971f28c200",
            CodisAuth.Token(SpecMacs, "codis-demo", "192.0.2.10:40001", "192.0.2.10:40002"));
    }

    [Fact]
    public void Token_IsMd5OfTheDocumentedText()
    {
        string text = "Codis-Token@[02:fc:00:00:00:01 16:be:e0:b6:3d:d2 32:64:de:e1:1a:4a]-{other-product}-{10.1.2.3:40001}-{10.1.2.3:40002}";
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text))),
            CodisAuth.Token(SpecMacs, "other-product", "10.1.2.3:40001", "10.1.2.3:40002"));
    }

    [Fact]
    public void Token_NoInterfaces_UsesEmptyBrackets()
    {
        string expected = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("Codis-Token@[]-{p}")));
        Assert.Equal(expected, CodisAuth.Token([], "p"));
    }

    [Fact]
    public void DashboardXAuth_SpecVector() => Assert.Equal("95b62887719520f17e312eaa76d28f2b", CodisAuth.DashboardXAuth("codis-demo"));

    [Fact]
    public void ProxyXAuth_SpecVector() =>
        Assert.Equal("59dcb1d644e9998bc71d80f6e9384706", CodisAuth.ProxyXAuth("codis-demo", "", "e5d68b7763c6c29d4c4a842eb5bc0740"));

    [Fact]
    public void ProxyXAuth_DependsOnProductAuth() =>
        Assert.NotEqual(CodisAuth.ProxyXAuth("codis-demo", "", "t"), CodisAuth.ProxyXAuth("codis-demo", "pw", "t"));

    [Fact]
    public void HardwareAddresses_SortedLowerCaseWithoutZeroAddress()
    {
        IReadOnlyList<string> macs = CodisAuth.HardwareAddresses();
        Assert.Equal(macs.OrderBy(m => m, StringComparer.Ordinal), macs);
        Assert.DoesNotContain("00:00:00:00:00:00", macs);
        Assert.All(macs, m => Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2})+$", m));
    }
}
