using Codis.Admin;
using Codis.Admin.CommandLine;

namespace Codis.Admin.Tests.CommandLine;

/// <summary>docopt-style matching of the usage forms (admin-cli.md §1).</summary>
public sealed class FormMatcherTests
{
    [Fact]
    public void Forms_AllUsageLinesParsed()
    {
        Assert.Equal(45, FormMatcher.Forms.Count);
    }

    [Theory]
    [InlineData(0, "--proxy=proxy.test:1")]
    [InlineData(0, "--proxy", "proxy.test:1", "stats")]
    [InlineData(0, "-v", "--proxy=a:1", "-a", "secret", "slots")]
    [InlineData(1, "--start", "--proxy=a:1")]
    [InlineData(4, "--proxy=a:1", "--fillslots=f.json", "--locked")]
    [InlineData(4, "--proxy=a:1", "--fillslots", "f.json")]
    [InlineData(7, "--dashboard=a:1", "proxy")]
    [InlineData(11, "--dashboard=a:1", "--slots-assign", "--beg=0", "--end=9", "-g", "2", "--confirm")]
    [InlineData(11, "--dashboard=a:1", "--slots-assign", "--beg=0", "--end=9", "--offline")]
    [InlineData(16, "--dashboard=a:1", "--remove-proxy", "-t", "abc", "--force")]
    [InlineData(17, "--dashboard=a:1", "--reinit-proxy", "--all")]
    [InlineData(22, "--dashboard=a:1", "--resync-group")]
    [InlineData(22, "--dashboard=a:1", "--resync-group", "--all")]
    [InlineData(23, "--dashboard=a:1", "--group-add", "--gid=1", "-x", "server.test:2", "--datacenter=dc1")]
    [InlineData(26, "--dashboard=a:1", "--replica-groups", "--gid=1", "--addr=x:1", "--disable")]
    [InlineData(28, "--dashboard=a:1", "--sync-action", "--create", "--addr=x:1")]
    [InlineData(30, "--dashboard=a:1", "--slot-action", "--create", "--sid=3", "--gid=1")]
    [InlineData(32, "--dashboard=a:1", "--slot-action", "--create-some", "--gid-from=1", "--gid-to=2", "--num-slots=10")]
    [InlineData(36, "--dashboard=a:1", "--rebalance")]
    [InlineData(41, "--config-dump", "--product=demo", "--filesystem=/tmp/x", "-1")]
    [InlineData(41, "--config-dump", "--product=demo", "--zookeeper=z:2181", "--zookeeper-auth=u:p")]
    [InlineData(42, "--config-convert=old.json")]
    [InlineData(43, "--config-restore=new.json", "--product=demo", "--etcd=e:2379", "--confirm")]
    [InlineData(44, "--dashboard-list", "--filesystem=/tmp/x")]
    public void Match_ValidCommandLine_MatchesItsForm(int form, params string[] args)
    {
        ParsedArgs? parsed = FormMatcher.Match(args);
        Assert.NotNull(parsed);
        Assert.Equal(form, parsed.Form);
    }

    [Theory]
    [InlineData]
    [InlineData("--proxy")]
    [InlineData("--proxy=a:1", "--start", "--shutdown")]
    [InlineData("--proxy=a:1", "group")]
    [InlineData("--proxy=a:1", "config", "model")]
    [InlineData("--proxy=a:1", "--dashboard=b:1")]
    [InlineData("--dashboard=a:1", "--slots-assign", "--beg=0", "--end=9")]
    [InlineData("--dashboard=a:1", "--slots-assign", "--beg=0", "--end=9", "--gid=1", "--offline")]
    [InlineData("--dashboard=a:1", "--create-group", "--gid=1", "--gid=2")]
    [InlineData("--dashboard=a:1", "--replica-groups", "--gid=1", "--addr=x:1")]
    [InlineData("--dashboard=a:1", "--resync-group", "--gid=1", "--all")]
    [InlineData("--dashboard=a:1", "--unknown")]
    [InlineData("--config-dump", "--product=demo")]
    [InlineData("--config-dump", "--product=demo", "--filesystem=/x", "--etcd=e:1")]
    [InlineData("--config-dump", "--product=demo", "--filesystem=/x", "--etcd-auth=u:p")]
    [InlineData("--remove-lock", "--product=demo", "--filesystem=/x", "-1")]
    [InlineData("--dashboard-list", "--product=demo", "--filesystem=/x")]
    [InlineData("--config-convert")]
    public void Match_NoFormFits_Null(params string[] args)
    {
        Assert.Null(FormMatcher.Match(args));
    }

    [Fact]
    public void Match_ShortOptionsAndStackedSwitches_MapToLongNames()
    {
        ParsedArgs? parsed = FormMatcher.Match(["--config-dump", "--product", "demo", "--filesystem", "/x", "-v1"]);
        Assert.NotNull(parsed);
        Assert.True(parsed.Has("-v"));
        Assert.True(parsed.Has("-1"));
        Assert.Equal("/x", parsed.Get("--filesystem"));

        parsed = FormMatcher.Match(["--proxy=a:1", "-asecret", "--start"]);
        Assert.NotNull(parsed);
        Assert.Equal("secret", parsed.Get("--auth"));
    }

    [Fact]
    public void Match_UniquePrefixOfLongOption_Accepted()
    {
        ParsedArgs? parsed = FormMatcher.Match(["--dashboard=a:1", "--rebal", "--confirm"]);
        Assert.NotNull(parsed);
        Assert.True(parsed.Has("--rebalance"));
        Assert.True(parsed.Has("--confirm"));
        // --re is a prefix of --reload, --rebalance, --remove-... : ambiguous.
        Assert.Null(FormMatcher.Match(["--dashboard=a:1", "--re"]));
    }

    [Fact]
    public void Match_SwitchGivenAValue_Null()
    {
        Assert.Null(FormMatcher.Match(["--proxy=a:1", "--start=1"]));
    }

    [Fact]
    public void IsHelp_DashH_True()
    {
        Assert.True(FormMatcher.IsHelp(["-h"]));
        Assert.True(FormMatcher.IsHelp(["--proxy=a:1", "--help"]));
        Assert.False(FormMatcher.IsHelp(["--proxy=a:1"]));
    }
}
