using System.Net;
using Codis.Proxy.Host;

namespace Codis.Proxy.Tests.Host;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_EqualsAndSpaceForms_AndShortFlags()
    {
        CommandLine cl = CommandLine.Parse(["--config=a.toml", "-l", "log", "--pidfile", "p", "--ncpu=2", "--product_name=x"]);
        Assert.Equal("a.toml", cl.Get("--config"));
        Assert.Equal("log", cl.Get("--log"));
        Assert.Equal("p", cl.Get("--pidfile"));
        Assert.Equal(2, cl.GetInt("--ncpu"));
        Assert.Equal("x", cl.Get("--product_name"));
        Assert.Null(cl.Get("--dashboard"));
        Assert.Equal("c2", CommandLine.Parse(["-cc2"]).Get("--config"));
    }

    [Theory]
    [InlineData("unknown option '--nope'", "--nope")]
    [InlineData("unexpected argument 'x'", "x")]
    [InlineData("--config requires a value", "--config")]
    [InlineData("--log is given twice", "--log=a", "--log=b")]
    [InlineData("--dashboard and --filesystem cannot be used together", "--dashboard=a", "--filesystem=b")]
    [InlineData("--max-ncpu needs --ncpu", "--max-ncpu=4")]
    [InlineData("--zookeeper-auth needs --zookeeper", "--zookeeper-auth=u:p")]
    [InlineData("--etcd-auth needs --etcd", "--etcd-auth=u:p")]
    [InlineData("--default-config and --version take no other option", "--default-config", "--config=x")]
    [InlineData("--version takes no value", "--version=1")]
    public void Parse_Errors(string message, params string[] args) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => CommandLine.Parse(args)).Message);

    [Fact]
    public void GetInt_NotAnInteger_Error() =>
        Assert.Equal("option --ulimit = 'lots' is not an integer", Assert.Throws<UsageException>(() => CommandLine.Parse(["--ulimit=lots"]).GetInt("--ulimit")).Message);
}
