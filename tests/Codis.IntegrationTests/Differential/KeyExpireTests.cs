using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>EXPIRE and friends, TTL and friends, PERSIST and OBJECT compared with Redis 7.0.</summary>
public sealed class KeyExpireTests(NotifyingServerPairFixture fixture) : KeyTestBase(fixture), IClassFixture<NotifyingServerPairFixture>
{
    [Fact]
    public void Expire_Options_MatchRedis()
    {
        Seq("SET c 1", "EXPIRE c 100", "TTL c", "EXPIRE c 100 NX", "EXPIRE c 100 XX", "EXPIRE c 200 GT", "EXPIRE c 50 GT",
            "EXPIRE c 10 LT", "EXPIRE c 100 LT", "TTL c", "PERSIST c", "EXPIRE c 100 XX", "EXPIRE c 100 GT", "EXPIRE c 100 LT",
            "TTL c", "PERSIST c", "EXPIRE c 100 NX", "TTL c", "EXPIRE c 100 nx", "EXPIRE c 300 gt xx", "TTL c");
    }

    [Fact]
    public void Expire_BadOptions_SameErrors()
    {
        Seq("SET c 1", "EXPIRE c 100 NX XX", "EXPIRE c 100 GT LT", "EXPIRE c 100 NX GT", "EXPIRE c 100 NX LT", "EXPIRE c 100 FOO",
            "EXPIRE c abc", "EXPIRE c abc NX XX", "EXPIRE c 1.5", "EXPIRE c", "PEXPIRE c 100 bar", "EXPIREAT c 100 NX NX XX",
            "EXPIRE nokey 100 NX XX", "TTL c");
    }

    [Fact]
    public void Expire_Overflow_InvalidExpireTimeError()
    {
        Seq("SET c 1", "EXPIRE c 9223372036854775807", "EXPIRE c -9223372036854775808", "PEXPIRE c 9223372036854775807",
            "EXPIREAT c 9223372036854775807", "EXPIRE c 9223372036854775", "EXPIREAT c 9223372036854775",
            "PEXPIREAT c 9223372036854775807", "PEXPIRETIME c", "EXPIRETIME c", "TTL c",
            "PEXPIREAT c 9223372036854775806", "EXPIRETIME c", "EXPIRE c 9223372036854775808", "TTL c");
    }

    [Fact]
    public void Expire_PastTime_DeletesKey()
    {
        Seq("SET a 1", "EXPIRE a -1", "EXISTS a", "SET b 1", "EXPIREAT b 1", "EXISTS b", "SET c 1", "PEXPIRE c 0", "EXISTS c",
            "SET d 1", "PEXPIREAT d 100", "EXISTS d", "EXPIRE nokey -1", "SET e 1", "EXPIRE e -1 GT", "EXISTS e", "EXPIRE e -1 LT", "EXISTS e");
    }

    [Fact]
    public void Ttl_AllForms_MatchRedis()
    {
        Seq("TTL nokey", "PTTL nokey", "EXPIRETIME nokey", "PEXPIRETIME nokey", "SET a 1", "TTL a", "PTTL a", "EXPIRETIME a",
            "PEXPIRETIME a", "EXPIRE a 1000", "TTL a", "PEXPIREAT a 100000000000000", "EXPIRETIME a", "PEXPIRETIME a",
            "PEXPIREAT a 100000000000499", "EXPIRETIME a", "PEXPIREAT a 100000000000500", "EXPIRETIME a", "TTL", "PTTL a b");
        long pttl = CodisConn.Command("PTTL", "a").Integer;
        Assert.InRange(pttl, 1, 100000000000000);
    }

    [Fact]
    public void Ttl_ExpiredKey_MinusTwo()
    {
        Seq("SET e 1", "PEXPIRE e 1");
        Thread.Sleep(20);
        Seq("TTL e", "PTTL e", "TYPE e", "EXISTS e");
    }

    [Fact]
    public void Persist_AllCases_MatchRedis()
    {
        Seq("PERSIST nokey", "SET a 1", "PERSIST a", "EXPIRE a 100", "PERSIST a", "TTL a", "PERSIST a", "PERSIST", "PERSIST a b");
    }

    [Fact]
    public void Set_ClearsTtl_AsRedis()
    {
        Seq("SET a 1", "EXPIRE a 100", "SET a 2", "TTL a");
    }

    [Fact]
    public void Object_Subcommands_MatchRedis()
    {
        Seq("SET num 100", "OBJECT ENCODING num", "OBJECT REFCOUNT num", "SET num2 12345", "OBJECT REFCOUNT num2", "OBJECT ENCODING num2",
            "SET s hello", "OBJECT ENCODING s", "OBJECT REFCOUNT s", "SET big " + new string('x', 45), "OBJECT ENCODING big",
            "SET b44 " + new string('x', 44), "OBJECT ENCODING b44", "SET neg -5", "OBJECT REFCOUNT neg", "OBJECT ENCODING neg",
            "OBJECT ENCODING nokey", "OBJECT REFCOUNT nokey", "OBJECT IDLETIME nokey", "OBJECT FREQ nokey",
            "OBJECT IDLETIME s", "OBJECT FREQ s", "OBJECT HELP", "OBJECT help", "OBJECT HELP x", "OBJECT ENCODING", "OBJECT ENCODING a b",
            "OBJECT FOO", "OBJECT FOO bar", "OBJECT", "OBJECT freq", "OBJECT idletime s extra");
    }

    [Fact]
    public void Notifications_GenericEvents_SameMessages()
    {
        using RespConnection redisSub = Fixture.Redis.Connect();
        using RespConnection codisSub = Fixture.Codis.Connect();
        var sub = new DifferentialAssert(redisSub, codisSub);
        sub.Same("PSUBSCRIBE", "__keyevent@*__:*");
        Seq("SET a 1", "DEL a b", "SET a 1", "RENAME a b", "RENAMENX b c", "MOVE c 1", "SELECT 1", "MOVE c 0", "SELECT 0",
            "COPY c d", "COPY c e DB 2", "EXPIRE d 100", "PERSIST d", "EXPIRE d 0", "SET x 1", "PEXPIRE x 1", "SET y 1", "PEXPIREAT y 1",
            "UNLINK c", "EXPIRE e 100");
        Thread.Sleep(50);
        Seq("GET x");
        // The string family's "set" events are not part of this comparison: skip them on both sides.
        var redisEvents = new List<string>();
        var codisEvents = new List<string>();
        Collect(redisSub, redisEvents, 18);
        Collect(codisSub, codisEvents, 18);
        Assert.Equal(redisEvents, codisEvents);
        Assert.Contains("__keyevent@0__:expired x", codisEvents);
        Assert.Contains("__keyevent@1__:move_to c", codisEvents);
    }

    private static void Collect(RespConnection sub, List<string> events, int count)
    {
        sub.ReadTimeout = TimeSpan.FromSeconds(5);
        while (events.Count < count)
        {
            RespValue m = sub.ReadValue();
            string channel = m[2].Text!;
            if (!channel.EndsWith(":set", StringComparison.Ordinal))
                events.Add(channel + " " + m[3].Text);
        }
    }
}
