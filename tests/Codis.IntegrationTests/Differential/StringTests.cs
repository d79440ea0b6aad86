using System.Text;

namespace Codis.IntegrationTests.Differential;

/// <summary>String commands compared byte for byte against Redis 7.0.</summary>
public sealed class StringTests(ServerPairFixture servers) : StringDifferentialTest(servers), IClassFixture<ServerPairFixture>
{
    [Fact]
    public void Get_MissingAndPresent_SameReplies()
    {
        string k = K("k");
        Same(C("GET", k), C("SET", k, "value"), C("GET", k), C("SET", k, ""), C("GET", k), C("get", k));
    }

    [Fact]
    public void Set_NxXx_SameReplies()
    {
        string k = K("k");
        Same(
            C("SET", k, "a", "XX"), C("GET", k),
            C("SET", k, "a", "NX"), C("SET", k, "b", "NX"), C("GET", k),
            C("SET", k, "c", "xx"), C("GET", k),
            C("SET", k, "d", "NX", "XX"), C("SET", k, "d", "XX", "NX"), C("SET", k, "d", "NX", "NX"));
    }

    [Fact]
    public void Set_Get_ReturnsOldValueAndHonoursNxXx()
    {
        string k = K("k");
        Same(
            C("SET", k, "1", "GET"), C("SET", k, "2", "GET"), C("GET", k),
            C("SET", k, "3", "NX", "GET"), C("GET", k),
            C("SET", K("absent"), "x", "XX", "GET"), C("GET", K("absent")),
            C("SET", K("new"), "x", "NX", "GET"), C("GET", K("new")),
            C("SET", k, "4", "GET", "GET"));
    }

    [Fact]
    public void Set_OptionSyntax_SameErrors()
    {
        string k = K("k");
        Same(
            C("SET", k, "v", "EX"), C("SET", k, "v", "PX"), C("SET", k, "v", "EXAT"), C("SET", k, "v", "PXAT"),
            C("SET", k, "v", "FOO"), C("SET", k, "v", "PERSIST"), C("SET", k, "v", "EX", "10", "PX", "100"),
            C("SET", k, "v", "EX", "10", "KEEPTTL"), C("SET", k, "v", "KEEPTTL", "PX", "10"),
            C("SET", k, "v", "EXAT", "10", "PXAT", "10"), C("SET", k, "v", "EX", "10", "EX", "20"),
            C("SET", k, "v", "NX", "EX"), C("SET", k));
    }

    [Fact]
    public void Set_InvalidExpire_SameErrors()
    {
        string k = K("k");
        Same(
            C("SET", k, "v", "EX", "0"), C("SET", k, "v", "EX", "-1"), C("SET", k, "v", "PX", "0"),
            C("SET", k, "v", "PXAT", "-5"), C("SET", k, "v", "EXAT", "0"), C("SET", k, "v", "EX", "abc"),
            C("SET", k, "v", "EX", "1.5"), C("SET", k, "v", "EX", "9223372036854775807"),
            C("SET", k, "v", "EX", "9223372036854775"), C("SET", k, "v", "PX", "9223372036854775807"),
            C("SET", k, "v", "EX", "99999999999999999999"), C("GET", k));
    }

    [Fact]
    public void Set_ExpiryOptions_SetTtl()
    {
        string k = K("k");
        Same(
            C("SET", k, "v", "EX", "100"), C("TTL", k),
            C("SET", k, "v", "PX", "100000"), C("TTL", k),
            C("SET", k, "v", "EXAT", "99999999999"), C("EXPIRETIME", k),
            C("SET", k, "v", "PXAT", "99999999999000"), C("PEXPIRETIME", k),
            C("SET", k, "w", "KEEPTTL"), C("TTL", k), C("GET", k),
            C("SET", k, "x"), C("TTL", k));
    }

    [Fact]
    public void Set_ExpiredKey_BehavesAsAbsent()
    {
        string[] keys = [K("a"), K("b"), K("c"), K("d"), K("e"), K("f"), K("g")];
        foreach (string key in keys)
            Same(C("SET", key, "5", "PX", "1"));
        Thread.Sleep(30);
        Same(
            C("GET", keys[0]), C("SET", keys[1], "new", "XX"), C("GET", keys[1]),
            C("SET", keys[2], "new", "NX", "GET"), C("GET", keys[2]),
            C("INCR", keys[3]), C("APPEND", keys[4], "x"), C("GET", keys[4]),
            C("STRLEN", keys[5]), C("GETDEL", keys[6]), C("MGET", keys[0], keys[2], keys[5]));
    }

    [Fact]
    public void Set_ExatInThePast_KeyIsGone()
    {
        string k = K("k");
        Same(C("SET", k, "v", "EXAT", "1"), C("GET", k), C("SET", k, "v", "PXAT", "1"), C("GET", k));
    }

    [Fact]
    public void SetNx_ReturnsIntegers()
    {
        string k = K("k");
        Same(C("SETNX", k, "1"), C("SETNX", k, "2"), C("GET", k), C("SETNX", k), C("SETNX", k, "1", "2"));
    }

    [Fact]
    public void SetEx_PSetEx_ValidateExpire()
    {
        string k = K("k");
        Same(
            C("SETEX", k, "100", "v"), C("TTL", k), C("GET", k),
            C("PSETEX", k, "100000", "w"), C("TTL", k), C("GET", k),
            C("SETEX", k, "0", "v"), C("SETEX", k, "-1", "v"), C("SETEX", k, "x", "v"),
            C("PSETEX", k, "0", "v"), C("PSETEX", k, "-10", "v"), C("SETEX", k, "9223372036854775807", "v"),
            C("SETEX", k, "100"), C("PSETEX", k));
    }

    [Fact]
    public void GetSet_ReturnsOldAndClearsTtl()
    {
        string k = K("k");
        Same(C("GETSET", k, "1"), C("GETSET", k, "2"), C("GET", k),
            C("SET", k, "v", "EX", "100"), C("GETSET", k, "w"), C("TTL", k));
    }

    [Fact]
    public void GetDel_DeletesOnce()
    {
        string k = K("k");
        Same(C("GETDEL", k), C("SET", k, "v"), C("GETDEL", k), C("GETDEL", k), C("GET", k), C("GETDEL", k, "x"));
    }

    [Fact]
    public void GetEx_Options_SameRepliesAndTtl()
    {
        string k = K("k");
        Same(
            C("GETEX", k), C("GETEX", k, "EX", "10"), C("GETEX", k, "EX", "abc"), C("GETEX", k, "FOO"),
            C("SET", k, "v"), C("GETEX", k), C("TTL", k),
            C("GETEX", k, "EX", "100"), C("TTL", k),
            C("GETEX", k, "PERSIST"), C("TTL", k),
            C("GETEX", k, "PX", "100000"), C("TTL", k),
            C("GETEX", k, "EXAT", "99999999999"), C("EXPIRETIME", k),
            C("GETEX", k, "PXAT", "99999999999123"), C("PEXPIRETIME", k),
            C("GETEX", k, "EX", "0"), C("GETEX", k, "EX", "-1"), C("GETEX", k, "PX", "x"),
            C("GETEX", k, "EX", "9223372036854775807"),
            C("GETEX", k, "PERSIST", "EX", "10"), C("GETEX", k, "EX", "10", "PERSIST"),
            C("GETEX", k, "EX", "10", "PX", "10"), C("GETEX", k, "NX"), C("GETEX", k, "KEEPTTL"),
            C("GETEX", k, "GET"), C("GETEX", k, "EX"),
            C("GETEX", k, "PXAT", "1"), C("GET", k), C("GETEX", k, "PERSIST"));
    }

    [Fact]
    public void MGet_MixedKeys_NullsForMissingAndOtherTypes()
    {
        Same(
            C("SET", K("a"), "1"), C("SET", K("b"), ""), C("RPUSH", K("list"), "x"),
            C("MGET", K("a"), K("b"), K("missing"), K("list"), K("a")), C("MGET", K("missing")));
    }

    [Fact]
    public void MSet_MSetNx_AllOrNothing()
    {
        Same(
            C("MSET", K("a"), "1", K("b"), "2"), C("MGET", K("a"), K("b")),
            C("MSET", K("a"), "1", K("b")), C("MSET", K("a")), C("MSETNX", K("a"), "1", K("c")),
            C("MSETNX", K("a"), "9", K("c"), "3"), C("MGET", K("a"), K("c")),
            C("MSETNX", K("c"), "3", K("d"), "4"), C("MGET", K("c"), K("d")),
            C("MSET", K("e"), "1", K("e"), "2"), C("GET", K("e")),
            C("SET", K("t"), "v", "EX", "100"), C("MSET", K("t"), "w"), C("TTL", K("t")));
    }

    [Fact]
    public void IncrDecr_Values_SameReplies()
    {
        string k = K("n");
        Same(
            C("INCR", k), C("INCR", k), C("DECR", k), C("DECR", k), C("DECR", k),
            C("INCRBY", k, "100"), C("INCRBY", k, "-1000"), C("DECRBY", k, "5"), C("DECRBY", k, "-5"),
            C("INCRBY", k, "0"), C("GET", k));
    }

    [Fact]
    public void IncrDecr_Errors_SameReplies()
    {
        string k = K("n");
        Same(
            C("INCRBY", k, "abc"), C("INCRBY", k, "1.5"), C("INCRBY", k, "9223372036854775808"), C("INCRBY", k, ""),
            C("DECRBY", k, "-9223372036854775808"), C("DECRBY", k, "x"),
            C("SET", k, "9223372036854775806"), C("INCR", k), C("INCR", k), C("INCRBY", k, "1"), C("GET", k),
            C("SET", k, "-9223372036854775807"), C("DECR", k), C("DECR", k), C("DECRBY", k, "9223372036854775807"),
            C("SET", k, "abc"), C("INCR", k), C("SET", k, " 1"), C("INCR", k), C("SET", k, "1 "), C("INCR", k),
            C("SET", k, "0123"), C("INCR", k), C("SET", k, "-0"), C("INCR", k), C("SET", k, "+1"), C("DECR", k),
            C("SET", k, "12345678901234567890"), C("INCR", k), C("SET", k, ""), C("INCR", k),
            C("SET", k, "1.0"), C("INCR", k), C("RPUSH", K("list"), "x"), C("INCR", K("list")),
            C("INCRBY", K("list"), "x"), C("DECRBY", K("list"), "1"));
    }

    [Fact]
    public void Incr_KeepsTtl()
    {
        string k = K("n");
        Same(C("SET", k, "1", "EX", "100"), C("INCR", k), C("TTL", k), C("INCRBYFLOAT", k, "1.5"), C("TTL", k));
    }

    [Theory]
    [InlineData("10.50", "0.1")]
    [InlineData("10.5", "-5.0e3")]
    [InlineData("5.0e3", "2.0e2")]
    [InlineData("0", "3.0000000000000004")]
    [InlineData("0.1", "0.2")]
    [InlineData("1.1", "2.2")]
    [InlineData("0", "-0.0")]
    [InlineData("0", "1e20")]
    [InlineData("0", "1.23456789012345678901234")]
    [InlineData("0", "-1e-20")]
    [InlineData("0", "1e-17")]
    [InlineData("0", "5e-18")]
    [InlineData("0", "1.5e-17")]
    [InlineData("123456789.123456789", "0.000001")]
    [InlineData("9223372036854775807", "1")]
    [InlineData("3", "1e300")]
    [InlineData("1e300", "1e300")]
    [InlineData("0", "1e400")]
    [InlineData("1", ".5")]
    [InlineData("1", "5.")]
    [InlineData("1", "+1")]
    [InlineData("1", "0x10")]
    [InlineData("1", "0x1p-3")]
    [InlineData("1", "-0X1.8P1")]
    [InlineData("2.5", "7e-17")]
    [InlineData("-5", "5")]
    public void IncrByFloat_Values_SameDigits(string start, string increment)
    {
        string k = K("f");
        Same(C("SET", k, start), C("INCRBYFLOAT", k, increment), C("GET", k), C("INCRBYFLOAT", k, increment));
    }

    [Fact]
    public void IncrByFloat_Errors_SameReplies()
    {
        string k = K("f");
        Same(
            C("INCRBYFLOAT", k, "abc"), C("INCRBYFLOAT", k, " 1"), C("INCRBYFLOAT", k, "1 "), C("INCRBYFLOAT", k, ""),
            C("INCRBYFLOAT", k, "nan"), C("INCRBYFLOAT", k, "inf"), C("INCRBYFLOAT", k, "-inf"),
            C("INCRBYFLOAT", k, "1e"), C("INCRBYFLOAT", k, "0x"), C("INCRBYFLOAT", k, "1e5000"), C("INCRBYFLOAT", k, "1e-5000"),
            C("SET", k, "abc"), C("INCRBYFLOAT", k, "1"),
            C("SET", k, "1.18973149535723176502e+4932"), C("INCRBYFLOAT", k, "1e4932"),
            C("INCRBYFLOAT", K("new"), "1.5"), C("GET", K("new")),
            C("RPUSH", K("list"), "x"), C("INCRBYFLOAT", K("list"), "1"), C("INCRBYFLOAT", K("list"), "x"));
        D.SameBytes(Bytes("SET"), Bytes(k), Bytes("1\0abc"));
        D.SameBytes(Bytes("INCRBYFLOAT"), Bytes(k), Bytes("1"));
        D.SameBytes(Bytes("INCRBYFLOAT"), Bytes(K("g")), Bytes("\0"));
    }

    [Fact]
    public void Append_StrLen_SameReplies()
    {
        string k = K("s");
        Same(
            C("STRLEN", k), C("APPEND", k, "hello"), C("APPEND", k, " world"), C("GET", k), C("STRLEN", k),
            C("APPEND", k, ""), C("APPEND", K("e"), ""), C("GET", K("e")), C("STRLEN", K("e")),
            C("SET", K("n"), "123"), C("APPEND", K("n"), "4"), C("INCR", K("n")), C("GET", K("n")),
            C("SET", K("t"), "v", "EX", "100"), C("APPEND", K("t"), "w"), C("TTL", K("t")),
            C("RPUSH", K("list"), "x"), C("APPEND", K("list"), "y"), C("STRLEN", K("list")), C("STRLEN", k, "x"));
    }

    [Fact]
    public void Append_BinaryData_SameBytes()
    {
        byte[] k = Bytes(K("bin"));
        D.SameBytes(Bytes("SET"), k, [0x61, 0x00, 0x62, 0xFF]);
        D.SameBytes(Bytes("APPEND"), k, [0x00, 0x01, 0x80]);
        D.SameBytes(Bytes("GET"), k);
        D.SameBytes(Bytes("STRLEN"), k);
        D.SameBytes(Bytes("GETRANGE"), k, Bytes("1"), Bytes("4"));
        D.SameBytes(Bytes("SETRANGE"), k, Bytes("2"), [0xFE, 0x00]);
        D.SameBytes(Bytes("GET"), k);
    }

    [Fact]
    public void GetRange_Indexes_SameReplies()
    {
        string k = K("s");
        Same(C("SET", k, "Hello World"));
        string[][] ranges =
        [
            ["0", "4"], ["-5", "-1"], ["-1", "-5"], ["5", "2"], ["0", "-100"], ["-100", "-50"], ["0", "100000"],
            ["100", "200"], ["0", "9223372036854775807"], ["-9223372036854775808", "-1"], ["-100", "3"], ["3", "3"],
            ["-1", "-1"], ["10", "10"], ["11", "20"], ["0", "0"],
        ];
        foreach (string[] r in ranges)
        {
            Same(C("GETRANGE", k, r[0], r[1]), C("SUBSTR", k, r[0], r[1]));
        }
        Same(
            C("GETRANGE", k, "a", "1"), C("GETRANGE", k, "0", "b"), C("GETRANGE", K("missing"), "0", "-1"),
            C("GETRANGE", K("missing"), "x", "1"), C("SET", K("e"), ""), C("GETRANGE", K("e"), "0", "-1"),
            C("GETRANGE", K("e"), "-1", "0"), C("SET", K("n"), "12345"), C("GETRANGE", K("n"), "1", "-2"),
            C("RPUSH", K("list"), "x"), C("GETRANGE", K("list"), "0", "1"), C("SUBSTR", k, "1"));
    }

    [Fact]
    public void SetRange_Offsets_SameReplies()
    {
        string k = K("s");
        Same(
            C("SET", k, "Hello World"), C("SETRANGE", k, "6", "Redis"), C("GET", k),
            C("SETRANGE", k, "20", "X"), C("GET", k), C("STRLEN", k),
            C("SETRANGE", k, "0", ""), C("SETRANGE", k, "100", ""), C("STRLEN", k),
            C("SETRANGE", k, "-1", "X"), C("SETRANGE", k, "a", "X"), C("SETRANGE", k, "-1", ""),
            C("SETRANGE", K("new"), "0", ""), C("GET", K("new")),
            C("SETRANGE", K("new2"), "5", "abc"), C("GET", K("new2")),
            C("SETRANGE", K("big"), "536870912", "x"), C("SETRANGE", K("big"), "536870911", ""),
            C("SETRANGE", K("big"), "9223372036854775807", "x"), C("SETRANGE", K("big"), "9223372036854775808", "x"),
            C("GET", K("big")),
            C("SET", K("t"), "v", "EX", "100"), C("SETRANGE", K("t"), "0", "w"), C("TTL", K("t")),
            C("RPUSH", K("list"), "x"), C("SETRANGE", K("list"), "0", "y"), C("SETRANGE", K("list"), "0", ""));
    }

    [Fact]
    public void Lcs_AllOptions_SameReplies()
    {
        string a = K("a"), b = K("b");
        Same(
            C("SET", a, "ohmytext"), C("SET", b, "mynewtext"),
            C("LCS", a, b), C("LCS", a, b, "LEN"), C("LCS", a, b, "IDX"), C("LCS", a, b, "idx", "MINMATCHLEN", "4"),
            C("LCS", a, b, "IDX", "WITHMATCHLEN"), C("LCS", a, b, "IDX", "WITHMATCHLEN", "MINMATCHLEN", "2"),
            C("LCS", a, b, "IDX", "MINMATCHLEN", "-5"), C("LCS", a, b, "LEN", "IDX"), C("LCS", a, b, "FOO"),
            C("LCS", a, b, "MINMATCHLEN"), C("LCS", a, b, "MINMATCHLEN", "x"), C("LCS", a, b, "LEN", "WITHMATCHLEN"),
            C("LCS", a, K("missing")), C("LCS", K("m1"), K("m2"), "IDX"), C("LCS", K("m1"), K("m2"), "LEN"),
            C("LCS", a, a, "IDX", "WITHMATCHLEN"),
            C("SET", a, "ABCBDAB"), C("SET", b, "BDCABA"), C("LCS", a, b), C("LCS", a, b, "IDX", "WITHMATCHLEN"),
            C("SET", a, "aaaaaaaaaa"), C("SET", b, "a"), C("LCS", a, b, "IDX"), C("LCS", b, a, "IDX"),
            C("RPUSH", K("list"), "x"), C("LCS", a, K("list")), C("LCS", K("list"), a, "FOO"), C("LCS", a));
    }

    [Fact]
    public void Lcs_Resp3_MapReply()
    {
        string a = K("a"), b = K("b");
        Same(C("SET", a, "ohmytext"), C("SET", b, "mynewtext"));
        D.Redis.Send("HELLO", "3");
        D.Codis.Send("HELLO", "3");
        Same(C("LCS", a, b, "IDX", "WITHMATCHLEN"), C("LCS", a, b, "LEN"), C("GET", K("missing")),
            C("MGET", a, K("missing")), C("INCRBYFLOAT", K("f"), "1.5"));
    }

    [Fact]
    public void Transaction_StringCommands_SameReplies()
    {
        string k = K("m");
        Same(C("MULTI"), C("SET", k, "1"), C("INCR", k), C("APPEND", k, "x"), C("INCR", k), C("GET", k), C("EXEC"));
    }

    [Fact]
    public void Watch_UnchangedWrites_DoNotAbortTransaction()
    {
        // SETRANGE/APPEND with an empty value on an existing key: Redis signals APPEND but not SETRANGE.
        AssertWatch(C("SET", K("k"), "a"), C("SETRANGE", K("k"), "0", ""));
        AssertWatch(C("SET", K("k2"), "a"), C("APPEND", K("k2"), ""));
        AssertWatch(C("SET", K("k3"), "1"), C("INCRBY", K("k3"), "0"));
        AssertWatch(C("SET", K("k4"), "a"), C("SET", K("k4"), "b", "NX"));
        AssertWatch(C("SET", K("k5"), "a", "EX", "100"), C("GETEX", K("k5"), "PERSIST"));
        AssertWatch(C("SET", K("k6"), "a"), C("GETEX", K("k6"), "PERSIST"));
    }

    private void AssertWatch(string[] setup, string[] write)
    {
        string key = setup[1];
        Same(setup, C("WATCH", key));
        using var otherRedis = new Codis.TestSupport.RespConnection(D.Redis.Port);
        using var otherCodis = new Codis.TestSupport.RespConnection(D.Codis.Port);
        new Codis.TestSupport.DifferentialAssert(otherRedis, otherCodis).Same(write);
        Same(C("MULTI"), C("PING"), C("EXEC"));
    }

    [Fact]
    public void ObjectEncoding_AfterStringCommands_SameAsRedis()
    {
        string k = K("e");
        string[] values =
        [
            "1", "0", "-1", "123", "0123", "-0", " 1", "1 ", "+1", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "12345678901234567890", "", "abc", new string('x', 44), new string('x', 45), "1.5",
        ];
        foreach (string v in values)
            Same(C("SET", k, v), C("OBJECT", "ENCODING", k));
        Same(
            C("SET", k, "10"), C("INCRBYFLOAT", k, "0"), C("OBJECT", "ENCODING", k),
            C("INCRBYFLOAT", k, "1e50"), C("OBJECT", "ENCODING", k),
            C("SET", k, "123"), C("APPEND", k, "4"), C("OBJECT", "ENCODING", k), C("INCR", k), C("OBJECT", "ENCODING", k),
            C("SET", k, "9223372036854775806"), C("INCR", k), C("OBJECT", "ENCODING", k),
            C("SET", k, "1"), C("SETBIT", k, "0", "0"), C("OBJECT", "ENCODING", k),
            C("SET", k, "ab"), C("SETRANGE", k, "0", "x"), C("OBJECT", "ENCODING", k),
            C("SET", k, "ab"), C("SETRANGE", k, "0", ""), C("OBJECT", "ENCODING", k),
            C("SET", k, "ab"), C("BITFIELD", k, "GET", "u8", "0"), C("OBJECT", "ENCODING", k),
            C("BITFIELD", k, "SET", "u8", "0", "97"), C("OBJECT", "ENCODING", k),
            C("SETRANGE", K("new"), "0", "12"), C("OBJECT", "ENCODING", K("new")),
            C("APPEND", K("new2"), "12"), C("OBJECT", "ENCODING", K("new2")),
            C("APPEND", K("new3"), new string('y', 45)), C("OBJECT", "ENCODING", K("new3")),
            C("SETBIT", K("new4"), "1", "1"), C("OBJECT", "ENCODING", K("new4")),
            C("BITOP", "OR", K("dest"), K("new2")), C("OBJECT", "ENCODING", K("dest")),
            C("GETSET", K("new2"), "5"), C("OBJECT", "ENCODING", K("new2")),
            C("MSET", K("m1"), "7", K("m2"), "x"), C("OBJECT", "ENCODING", K("m1")), C("OBJECT", "ENCODING", K("m2")),
            C("SETEX", K("m3"), "100", "42"), C("OBJECT", "ENCODING", K("m3")),
            C("SETNX", K("m4"), "42"), C("OBJECT", "ENCODING", K("m4")));
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
