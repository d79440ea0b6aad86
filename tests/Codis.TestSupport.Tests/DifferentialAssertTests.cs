namespace Codis.TestSupport.Tests;

/// <summary>Two reference servers stand in for (redis, codis) so the comparison itself can be tested.</summary>
public sealed class TwoRedisFixture : IDisposable
{
    public TwoRedisFixture()
    {
        A = ServerProcess.StartRedis();
        B = ServerProcess.StartRedis();
    }

    public ServerProcess A { get; }

    public ServerProcess B { get; }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}

public class DifferentialAssertTests : IClassFixture<TwoRedisFixture>, IDisposable
{
    private readonly RespConnection _a;
    private readonly RespConnection _b;
    private readonly DifferentialAssert _diff;
    private readonly string _key = "d:" + Guid.NewGuid().ToString("N");

    public DifferentialAssertTests(TwoRedisFixture fixture)
    {
        _a = fixture.A.Connect();
        _b = fixture.B.Connect();
        _diff = new DifferentialAssert(_a, _b);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public void Same_EqualReplies_ReturnsReply()
    {
        Assert.Equal("+OK\r\n"u8.ToArray(), _diff.Same("SET", _key, "v"));
        Assert.Equal("$1\r\nv\r\n"u8.ToArray(), _diff.Same("GET", _key));
    }

    [Fact]
    public void Same_DifferentReplies_MessageShowsCommandAndBothReplies()
    {
        _a.Send("SET", _key, "left");
        _b.Send("SET", _key, "right");
        var e = Assert.Throws<DifferentialMismatchException>(() => _diff.Same("GET", _key));
        Assert.Contains($"\"GET\" \"{_key}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("redis: \"left\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("codis: \"right\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("raw \"$5\\r\\nright\\r\\n\"", e.Message, StringComparison.Ordinal);
        // Both replies were consumed: the connections stay in step.
        _diff.Same("PING");
    }

    [Fact]
    public void SameSequence_AllEqual_Passes()
    {
        _diff.SameSequence(
            ["RPUSH", _key, "a", "b", "c"],
            ["LRANGE", _key, "0", "-1"],
            ["LPOP", _key],
            ["TYPE", _key],
            ["INCR", _key]);
    }

    [Fact]
    public void SameSequence_Difference_NamesIndex()
    {
        _a.Send("SET", _key, "1");
        var e = Assert.Throws<DifferentialMismatchException>(() => _diff.SameSequence(["PING"], ["EXISTS", _key]));
        Assert.StartsWith("Command #1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameUnordered_SetMembersInDifferentOrder_Passes()
    {
        _a.Send("SADD", _key, "x", "y", "z", "1", "2");
        _b.Send("SADD", _key, "2", "z", "1", "y", "x");
        _diff.SameUnordered("SMEMBERS", _key);
        _diff.SameUnordered("SCARD", _key);
    }

    [Fact]
    public void SameUnordered_DifferentMembers_Throws()
    {
        _a.Send("SADD", _key, "x", "y");
        _b.Send("SADD", _key, "x", "q");
        Assert.Throws<DifferentialMismatchException>(() => _diff.SameUnordered("SMEMBERS", _key));
    }

    [Fact]
    public void SameUnordered_Resp3MapPairs_ComparedAsPairs()
    {
        _diff.Same("HELLO", "3", "SETNAME", "x").ToString();
        _a.Send("HSET", _key, "f1", "1", "f2", "2");
        _b.Send("HSET", _key, "f2", "2", "f1", "1");
        _diff.SameUnordered("HGETALL", _key);
        // Same keys and values, paired differently: not equal.
        _a.Send("HSET", _key + "x", "f1", "1", "f2", "2");
        _b.Send("HSET", _key + "x", "f1", "2", "f2", "1");
        Assert.Throws<DifferentialMismatchException>(() => _diff.SameUnordered("HGETALL", _key + "x"));
    }

    [Fact]
    public void SameRaw_ProtocolError_SameReplyAndBothClosed()
    {
        _diff.SameRaw("PING\r\n*1\r\n$x\r\n"u8.ToArray(), replies: 2, thenClosed: true);
    }

    [Fact]
    public void SameRaw_InlinePipeline_StaysOpen()
    {
        _diff.SameRaw("PING\r\nECHO \"a\\x41\"\r\n"u8.ToArray(), replies: 2, thenClosed: false);
    }
}
