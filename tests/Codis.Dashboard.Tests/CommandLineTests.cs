using Codis.Dashboard.Host;

namespace Codis.Dashboard.Tests;

/// <summary>The command line (config.md §2.1).</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Parse_AllForms()
    {
        CommandLine cl = CommandLine.Parse(["-c", "a.toml", "--log=x.log", "--log-level", "debug", "--filesystem=/r", "--product_name=p", "--remove-lock"]);
        Assert.Equal("a.toml", cl.Get("--config"));
        Assert.Equal("x.log", cl.Get("--log"));
        Assert.Equal("debug", cl.Get("--log-level"));
        Assert.Equal("/r", cl.Get("--filesystem"));
        Assert.Equal("p", cl.Get("--product_name"));
        Assert.True(cl.Has("--remove-lock"));
        Assert.Equal("b.toml", CommandLine.Parse(["-cb.toml"]).Get("--config"));
        Assert.Equal(3, CommandLine.Parse(["--ncpu=3"]).GetInt("--ncpu"));
    }

    [Theory]
    [InlineData("unknown option '--nope'", "--nope")]
    [InlineData("unexpected argument 'extra'", "extra")]
    [InlineData("--pidfile requires a value", "--pidfile")]
    [InlineData("--config is given twice", "--config=a", "--config=b")]
    [InlineData("--remove-lock takes no value", "--remove-lock=1")]
    [InlineData("--default-config and --version take no other option", "--default-config", "--config=a")]
    [InlineData("--etcd and --filesystem cannot be used together", "--etcd=e", "--filesystem=f")]
    [InlineData("--zookeeper-auth needs --zookeeper", "--zookeeper-auth=u:p")]
    public void Parse_BadCommandLine_SaysWhy(string error, params string[] args)
    {
        UsageException e = Assert.Throws<UsageException>(() => CommandLine.Parse(args));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void GetInt_NotANumber_SaysWhich()
    {
        UsageException e = Assert.Throws<UsageException>(() => CommandLine.Parse(["--ncpu=many"]).GetInt("--ncpu"));
        Assert.Equal("option --ncpu = 'many' is not an integer", e.Message);
    }
}
