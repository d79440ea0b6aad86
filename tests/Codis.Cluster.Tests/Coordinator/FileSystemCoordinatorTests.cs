using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.FileSystem;

namespace Codis.Cluster.Tests.Coordinator;

public sealed class FileSystemCoordinatorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "codis-fs-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemCoordinator _fs;

    public FileSystemCoordinatorTests() => _fs = new FileSystemCoordinator(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Create_WritesFileUnderData_AndSecondCreateFails()
    {
        await _fs.CreateAsync("/codis3/demo/topom", B("{}"));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(_root, "data/codis3/demo/topom")));
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => _fs.CreateAsync("/codis3/demo/topom", B("x")));
        Assert.Contains("file already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("{}", Encoding.UTF8.GetString((await _fs.ReadAsync("/codis3/demo/topom", true))!));
    }

    [Fact]
    public async Task Update_CreatesOrOverwrites_ThroughTempFolder()
    {
        await _fs.UpdateAsync("/a/b", B("1"));
        await _fs.UpdateAsync("/a/b", B("2"));
        Assert.Equal("2", Encoding.UTF8.GetString((await _fs.ReadAsync("/a/b", true))!));
        Assert.True(Directory.Exists(Path.Combine(_root, "temp")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "temp")));
        // The lock file is truncated when the operation ends.
        Assert.Equal(0, new FileInfo(Path.Combine(_root, "data.lck")).Length);
    }

    [Fact]
    public async Task Read_Missing_NullOrErrorByMust()
    {
        Assert.Null(await _fs.ReadAsync("/nope", false));
        await Assert.ThrowsAsync<NodeMissingException>(() => _fs.ReadAsync("/nope", true));
    }

    [Fact]
    public async Task List_FullPathsSortedByName_MissingIsEmptyOrError()
    {
        foreach (string n in new[] { "group-0002", "group-0010", "group-0001" })
            await _fs.UpdateAsync("/codis3/p/group/" + n, B(n));
        Assert.Equal(
            ["/codis3/p/group/group-0001", "/codis3/p/group/group-0002", "/codis3/p/group/group-0010"],
            await _fs.ListAsync("/codis3/p/group", true));
        Assert.Equal(["/codis3/p"], await _fs.ListAsync("/codis3", true));
        Assert.Empty(await _fs.ListAsync("/codis3/q", false));
        await Assert.ThrowsAsync<NodeMissingException>(() => _fs.ListAsync("/codis3/q", true));
        await Assert.ThrowsAsync<CoordinatorException>(() => _fs.ListAsync("/codis3/p/group/group-0001", true));
    }

    [Fact]
    public async Task Delete_Recursive_MissingIsNoError()
    {
        await _fs.UpdateAsync("/x/y/z", B("1"));
        await _fs.DeleteAsync("/x");
        Assert.Null(await _fs.ReadAsync("/x/y/z", false));
        await _fs.DeleteAsync("/x");
    }

    [Fact]
    public async Task LockHeldByAnotherHolder_FailsNamingTheLockFile()
    {
        Directory.CreateDirectory(_root);
        string lck = Path.Combine(_root, "data.lck");
        await using (var held = new FileStream(lck, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = await Assert.ThrowsAsync<CoordinatorException>(() => _fs.ReadAsync("/a", false));
            Assert.Contains("data.lck is locked by another process", e.Message, StringComparison.Ordinal);
        }
        // Released: the next call works.
        Assert.Null(await _fs.ReadAsync("/a", false));
    }

    [Fact]
    public async Task Ephemeral_NotSupported()
    {
        Assert.False(_fs.SupportsEphemeral);
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => _fs.CreateEphemeralAsync("/jodis/p/x", B("{}")));
        Assert.Equal("not supported", e.Message);
    }

    [Fact]
    public async Task Closed_LaterCallsFail()
    {
        await _fs.CloseAsync();
        await _fs.CloseAsync();
        var e = await Assert.ThrowsAsync<CoordinatorException>(() => _fs.ReadAsync("/a", false));
        Assert.Equal("use of closed fs client", e.Message);
    }

    [Theory]
    [InlineData("relative/path")]
    [InlineData("/../../etc/passwd")]
    public async Task BadPath_Rejected(string path) =>
        await Assert.ThrowsAsync<CoordinatorException>(() => _fs.ReadAsync(path, false));

    [Theory]
    [InlineData("zk", "zk: cannot connect to any of 127.0.0.1:1: 127.0.0.1:1: ")]
    [InlineData("zookeeper", "zk: cannot connect to any of 127.0.0.1:1: 127.0.0.1:1: ")]
    [InlineData("consul", "invalid coordinator name = consul")]
    public void Factory_UnknownNameOrUnreachableServer_ClearErrors(string name, string expected)
    {
        // Nothing listens on port 1: the zookeeper client is refused at once and says so.
        CoordinatorException e = Assert.ThrowsAny<CoordinatorException>(() => Coordinators.Create(name, "127.0.0.1:1", "", TimeSpan.Zero));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData(":pw")]
    public void ParseAuth_Invalid(string auth) =>
        Assert.Equal("invalid auth", Assert.Throws<CoordinatorException>(() => Coordinators.ParseAuth(auth)).Message);

    [Fact]
    public void ParseAuth_UserPassword() => Assert.Equal(("u", "p:w"), Coordinators.ParseAuth("u:p:w"));
}
