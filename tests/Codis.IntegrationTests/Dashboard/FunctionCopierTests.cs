using System.Text;
using Codis.Cluster.Redis;
using Codis.Dashboard.Slots;
using Codis.IntegrationTests.Proxy;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's copy of function libraries between two groups' masters (FUNCTION DUMP on the source,
/// FUNCTION RESTORE ... REPLACE on the target) against two Debian redis-server 7.0, and against a server
/// without FUNCTION as Codis 3.2's codis-server answers.
/// </summary>
public sealed class FunctionCopierTests : IClassFixture<TwoRedisServersFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const string Lib = "#!lua name=lib\nredis.register_function('answer', function(keys, args) return 42 end)";
    private const string LibOnTarget = "#!lua name=lib\nredis.register_function('answer', function(keys, args) return 7 end)";
    private const string Other = "#!lua name=other\nredis.register_function('other', function(keys, args) return 1 end)";

    private readonly TwoRedisServersFixture _servers;
    private readonly FunctionCopier _copier = new("");

    /// <summary>Empties both servers' libraries.</summary>
    public FunctionCopierTests(TwoRedisServersFixture servers)
    {
        _servers = servers;
        Run(servers.A, "FUNCTION", "FLUSH");
        Run(servers.B, "FUNCTION", "FLUSH");
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _copier.DisposeAsync();

    private static string Run(ServerProcess s, params string[] args)
    {
        using RespConnection c = s.Connect();
        return Encoding.UTF8.GetString(c.Send(args));
    }

    [Fact]
    public async Task CopyAsync_SourceLibraries_RestoredOnTargetReplacingSameNameKeepingOthers()
    {
        Assert.Equal("$3\r\nlib\r\n", Run(_servers.A, "FUNCTION", "LOAD", Lib));
        Assert.Equal("$3\r\nlib\r\n", Run(_servers.B, "FUNCTION", "LOAD", LibOnTarget));
        Assert.Equal("$5\r\nother\r\n", Run(_servers.B, "FUNCTION", "LOAD", Other));

        FunctionCopy copy = await _copier.CopyAsync(_servers.AddrA, _servers.AddrB, Timeout, CancellationToken.None);

        Assert.Equal(FunctionCopyResult.Copied, copy.Result);
        Assert.Equal(1, copy.Libraries);
        Assert.True(copy.Bytes > Lib.Length, $"payload of {copy.Bytes} bytes");
        Assert.Equal(":42\r\n", Run(_servers.B, "FCALL", "answer", "0"));
        Assert.Equal(":1\r\n", Run(_servers.B, "FCALL", "other", "0"));
        // Binary-safe: the target's dump of that library equals the source's.
        Run(_servers.B, "FUNCTION", "DELETE", "other");
        using RespConnection a = _servers.A.Connect();
        using RespConnection b = _servers.B.Connect();
        Assert.Equal(a.Send("FUNCTION", "DUMP"), b.Send("FUNCTION", "DUMP"));
        // Again: idempotent.
        Assert.Equal(FunctionCopyResult.Copied, (await _copier.CopyAsync(_servers.AddrA, _servers.AddrB, Timeout, CancellationToken.None)).Result);
    }

    [Fact]
    public async Task CopyAsync_SourceWithoutLibraries_NothingDoneTargetKept()
    {
        Assert.Equal("$5\r\nother\r\n", Run(_servers.B, "FUNCTION", "LOAD", Other));
        FunctionCopy copy = await _copier.CopyAsync(_servers.AddrA, _servers.AddrB, Timeout, CancellationToken.None);
        Assert.Equal(FunctionCopyResult.NoLibraries, copy.Result);
        Assert.Equal(":1\r\n", Run(_servers.B, "FCALL", "other", "0"));
    }

    [Fact]
    public async Task CopyAsync_ServerWithoutFunction_UnsupportedNamingIt()
    {
        // Codis 3.2's codis-server (Redis 3.2) does not run here: a loopback server answers as it does.
        using var old = new ScriptedBackend(args => $"-ERR unknown command '{args[0]}'\r\n");
        Assert.Equal("$3\r\nlib\r\n", Run(_servers.A, "FUNCTION", "LOAD", Lib));

        FunctionCopy asSource = await _copier.CopyAsync(old.Addr, _servers.AddrB, Timeout, CancellationToken.None);
        Assert.Equal(new FunctionCopy(FunctionCopyResult.Unsupported, old.Addr, 0, 0), asSource);
        FunctionCopy asTarget = await _copier.CopyAsync(_servers.AddrA, old.Addr, Timeout, CancellationToken.None);
        Assert.Equal(new FunctionCopy(FunctionCopyResult.Unsupported, old.Addr, 0, 0), asTarget);
        Assert.Equal("*0\r\n", Run(_servers.B, "FUNCTION", "LIST"));
    }

    [Fact]
    public async Task CopyAsync_TargetRefusesPayload_ServersError()
    {
        using var broken = new ScriptedBackend(args => "-ERR DUMP payload version or checksum are wrong\r\n");
        Assert.Equal("$3\r\nlib\r\n", Run(_servers.A, "FUNCTION", "LOAD", Lib));
        var e = await Assert.ThrowsAsync<RespErrorException>(() => _copier.CopyAsync(_servers.AddrA, broken.Addr, Timeout, CancellationToken.None));
        Assert.Equal("ERR DUMP payload version or checksum are wrong", e.Message);
        Assert.Equal(["FUNCTION", "RESTORE"], broken.Requests.Single().Take(2));
    }
}
