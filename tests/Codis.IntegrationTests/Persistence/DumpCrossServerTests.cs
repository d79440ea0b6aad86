using System.Globalization;
using Codis.IntegrationTests.Migration;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Persistence;

/// <summary>Debian's redis-server 7.0 and our codis-server, side by side.</summary>
public sealed class RedisAndCodisFixture : IDisposable
{
    /// <summary>Starts both.</summary>
    public RedisAndCodisFixture()
    {
        Redis = ServerProcess.StartRedis();
        try
        {
            Codis = ServerProcess.StartCodis();
        }
        catch
        {
            Redis.Dispose();
            throw;
        }
    }

    /// <summary>The reference server.</summary>
    public ServerProcess Redis { get; }

    /// <summary>Ours.</summary>
    public ServerProcess Codis { get; }

    /// <summary>Stops both.</summary>
    public void Dispose()
    {
        Redis.Dispose();
        Codis.Dispose();
    }
}

/// <summary>
/// DUMP payloads between the two server processes (the codec-level checks are in
/// <see cref="DumpCompatibilityTests"/>): a value of every type and encoding size class is built through
/// commands on one server, DUMPed, RESTOREd on the other and read back equal; our payloads are RDB
/// version 7 with only the object types Redis 3.2 loads (0-4, 9-14), and Redis 7's payloads also load
/// through SLOTSRESTORE.
/// </summary>
public sealed class DumpCrossServerTests : IClassFixture<RedisAndCodisFixture>, IDisposable
{
    private readonly RespConnection _redis;
    private readonly RespConnection _codis;

    /// <summary>Connects to both and empties them.</summary>
    public DumpCrossServerTests(RedisAndCodisFixture servers)
    {
        _redis = servers.Redis.Connect();
        _codis = servers.Codis.Connect();
        Assert.Equal("OK", _redis.Command("FLUSHALL").Text);
        Assert.Equal("OK", _codis.Command("FLUSHALL").Text);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _redis.Dispose();
        _codis.Dispose();
    }

    private static string I(long i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Names of the values <see cref="Build"/> creates: every type in each encoding size class.</summary>
    public static TheoryData<string> Values => new()
    {
        "string-int", "string-int64", "string-embstr", "string-raw", "string-lzf", "string-big",
        "list-small", "list-large", "list-long-element",
        "hash-small", "hash-many-fields", "hash-long-value",
        "set-intset", "set-intset-64bit", "set-small-strings", "set-large", "set-many-integers",
        "zset-small", "zset-special-scores", "zset-large", "zset-long-member",
    };

    /// <summary>Creates key <c>k</c> holding the value called <paramref name="name"/>.</summary>
    private static void Build(RespConnection c, string name)
    {
        string[][] commands = name switch
        {
            "string-int" => [["SET", "k", "12345"]],
            "string-int64" => [["SET", "k", "-9223372036854775808"]],
            "string-embstr" => [["SET", "k", "hello"]],
            "string-raw" => [["SET", "k", string.Concat(Enumerable.Range(0, 30).Select(i => I(i * 7919)))]],
            "string-lzf" => [["SET", "k", new string('z', 5000)]],
            "string-big" => [["SET", "k", string.Concat(Enumerable.Range(0, 200_000).Select(i => I(i % 97)))]],
            "list-small" => [["RPUSH", "k", "a", "1", "-2", "hello"]],
            "list-large" => [["RPUSH", "k", .. Enumerable.Range(0, 3000).Select(i => i % 2 == 0 ? I(i) : "e" + I(i))]],
            "list-long-element" => [["RPUSH", "k", "x", new string('y', 70_000), "z"]],
            "hash-small" => [["HSET", "k", "f1", "v1", "f2", "22", "f3", ""]],
            "hash-many-fields" => [["HSET", "k", .. Enumerable.Range(0, 600).SelectMany(i => new[] { "f" + I(i), I(i) })]],
            "hash-long-value" => [["HSET", "k", "f", new string('v', 65), "g", "h"]],
            "set-intset" => [["SADD", "k", "1", "2", "3", "-40000"]],
            "set-intset-64bit" => [["SADD", "k", "1", "9223372036854775807", "-9223372036854775808"]],
            "set-small-strings" => [["SADD", "k", "a", "b", "1"]],
            "set-large" => [["SADD", "k", .. Enumerable.Range(0, 700).Select(i => "m" + I(i))]],
            "set-many-integers" => [["SADD", "k", .. Enumerable.Range(0, 700).Select(i => I(i))]],
            "zset-small" => [["ZADD", "k", "1.5", "a", "2", "b", "-3.25", "c"]],
            "zset-special-scores" => [["ZADD", "k", "inf", "top", "-inf", "bottom", "0", "zero", "1e300", "huge", "0.1", "tenth"]],
            "zset-large" => [["ZADD", "k", .. Enumerable.Range(0, 200).SelectMany(i => new[] { I(i) + ".5", "m" + I(i) })]],
            "zset-long-member" => [["ZADD", "k", "1", new string('m', 65), "2", "short"]],
            _ => throw new ArgumentException(name),
        };
        foreach (string[] cmd in commands)
            Assert.False(c.Command(cmd).IsError);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void RedisDump_RestoredIntoOurs_ReadsBackEqual(string name)
    {
        Build(_redis, name);
        byte[] payload = _redis.Command("DUMP", "k").Bytes!;

        Assert.Equal("OK", _codis.CommandBytes("RESTORE"u8.ToArray(), "k"u8.ToArray(), "0"u8.ToArray(), payload).Text);
        Assert.Equal("OK", _codis.CommandBytes("SLOTSRESTORE"u8.ToArray(), "k2"u8.ToArray(), "0"u8.ToArray(), payload).Text);

        string expected = MigrationData.Describe(_redis, "k");
        Assert.Equal(expected, MigrationData.Describe(_codis, "k"));
        Assert.Equal(expected, MigrationData.Describe(_codis, "k2"));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void OurDump_RestoredIntoRedis_ReadsBackEqual(string name)
    {
        Build(_codis, name);
        byte[] payload = _codis.Command("DUMP", "k").Bytes!;

        Assert.Equal(7, payload[^10]);
        Assert.Equal(0, payload[^9]);
        Assert.True(payload[0] is <= 4 or (>= 9 and <= 14), $"type {payload[0]} is unknown to Redis 3.2");
        Assert.Equal("OK", _redis.CommandBytes("RESTORE"u8.ToArray(), "k"u8.ToArray(), "0"u8.ToArray(), payload).Text);

        Assert.Equal(MigrationData.Describe(_codis, "k"), MigrationData.Describe(_redis, "k"));
    }
}
