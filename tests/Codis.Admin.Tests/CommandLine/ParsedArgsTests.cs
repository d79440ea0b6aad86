using Codis.Admin;
using Codis.Admin.CommandLine;

namespace Codis.Admin.Tests.CommandLine;

/// <summary>Reading option values with Codis's <c>utils.Argument*</c> errors.</summary>
public sealed class ParsedArgsTests
{
    private static ParsedArgs Parse(params string[] args) => FormMatcher.Match(args) ?? throw new InvalidOperationException("no form matched");

    [Fact]
    public void MustInt_NotAnInteger_IsntAValidInteger()
    {
        ParsedArgs a = Parse("--dashboard=a:1", "--create-group", "--gid=x1");
        AdminFailure e = Assert.Throws<AdminFailure>(() => a.MustInt("--gid"));
        Assert.Equal("option --gid isn't a valid integer", e.Message);
    }

    [Fact]
    public void Get_EmptyValue_RequiresAnArgument()
    {
        ParsedArgs a = Parse("--dashboard=a:1", "--group-add", "--gid=1", "--addr=x:1", "--datacenter=");
        AdminFailure e = Assert.Throws<AdminFailure>(() => a.Get("--datacenter"));
        Assert.Equal("option --datacenter requires an argument", e.Message);
        Assert.Equal("", a.Raw("--datacenter"));
    }

    [Fact]
    public void MustInt_Absent_IsRequired()
    {
        ParsedArgs a = Parse("--dashboard=a:1", "--resync-group");
        AdminFailure e = Assert.Throws<AdminFailure>(() => a.MustInt("--gid"));
        Assert.Equal("option --gid is required", e.Message);
    }

    [Fact]
    public void GetInt_Negative_Parsed()
    {
        Assert.Equal(-5, Parse("--dashboard=a:1", "--slot-action", "--interval=-5").GetInt("--interval"));
    }
}
