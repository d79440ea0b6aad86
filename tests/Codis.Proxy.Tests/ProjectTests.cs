namespace Codis.Proxy.Tests;

public sealed class ProjectTests
{
    [Fact]
    public void Assembly_Name_IsCodisProxy() =>
        Assert.Equal("codis-proxy", typeof(Program).Assembly.GetName().Name);
}
