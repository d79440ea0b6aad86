using System.Text;

namespace Codis.IntegrationTests.Differential;

/// <summary>Bit commands compared byte for byte against Redis 7.0.</summary>
public sealed class BitTests(ServerPairFixture servers) : StringDifferentialTest(servers), IClassFixture<ServerPairFixture>
{
    [Fact]
    public void SetBit_GetBit_SameReplies()
    {
        string k = K("b");
        Same(
            C("GETBIT", k, "0"), C("SETBIT", k, "7", "1"), C("SETBIT", k, "7", "1"), C("GETBIT", k, "7"),
            C("SETBIT", k, "7", "0"), C("GETBIT", k, "7"), C("GETBIT", k, "100"), C("SETBIT", k, "100", "1"),
            C("GET", k), C("STRLEN", k), C("GETBIT", k, "100"), C("GETBIT", k, "4294967295"),
            C("SET", K("s"), "a"), C("GETBIT", K("s"), "1"), C("GETBIT", K("s"), "2"), C("SETBIT", K("s"), "6", "1"),
            C("GET", K("s")), C("SET", K("n"), "12"), C("GETBIT", K("n"), "2"), C("GETBIT", K("n"), "15"));
    }

    [Fact]
    public void SetBit_Errors_SameReplies()
    {
        string k = K("b");
        Same(
            C("SETBIT", k, "-1", "1"), C("SETBIT", k, "abc", "1"), C("SETBIT", k, "1", "2"), C("SETBIT", k, "1", "-1"),
            C("SETBIT", k, "1", "abc"), C("SETBIT", k, "1", ""), C("SETBIT", k, "4294967296", "1"),
            C("SETBIT", k, "9223372036854775807", "1"), C("GETBIT", k, "4294967296"), C("GETBIT", k, "-1"),
            C("GETBIT", k, "x"), C("GET", k), C("RPUSH", K("list"), "x"), C("SETBIT", K("list"), "0", "1"),
            C("GETBIT", K("list"), "0"), C("SETBIT", K("list"), "-1", "1"));
    }

    [Fact]
    public void SetBit_KeepsTtl()
    {
        string k = K("b");
        Same(C("SET", k, "a", "EX", "100"), C("SETBIT", k, "0", "1"), C("TTL", k), C("GET", k));
    }

    [Fact]
    public void BitCount_Ranges_SameReplies()
    {
        string k = K("s");
        Same(C("SET", k, "foobar"));
        string[][] ranges =
        [
            ["0", "0"], ["1", "1"], ["1", "1", "BYTE"], ["5", "30", "BIT"], ["5", "30", "bit"], ["-5", "-1", "BIT"],
            ["-1", "-5"], ["3", "1"], ["0", "100000"], ["-100", "-50"], ["7", "7", "BIT"], ["0", "47", "BIT"],
            ["0", "-1", "byte"], ["-100", "100", "BIT"], ["9", "9", "BIT"], ["1", "0", "BIT"], ["-3", "-4", "BIT"],
        ];
        foreach (string[] r in ranges)
            Same([.. new[] { "BITCOUNT", k }, .. r]);
        Same(
            C("BITCOUNT", k), C("BITCOUNT", k, "0"), C("BITCOUNT", k, "0", "-1", "FOO"), C("BITCOUNT", k, "0", "1", "BIT", "x"),
            C("BITCOUNT", k, "a", "b"), C("BITCOUNT", k, "0", "b"), C("BITCOUNT", K("missing")),
            C("BITCOUNT", K("missing"), "0"), C("BITCOUNT", K("missing"), "0", "1", "FOO"),
            C("SET", K("e"), ""), C("BITCOUNT", K("e")), C("BITCOUNT", K("e"), "0", "-1", "BIT"),
            C("SET", K("n"), "1234567"), C("BITCOUNT", K("n")), C("BITCOUNT", K("n"), "2", "20", "BIT"),
            C("RPUSH", K("list"), "x"), C("BITCOUNT", K("list")), C("BITCOUNT", K("list"), "0"));
    }

    [Fact]
    public void BitPos_Ranges_SameReplies()
    {
        byte[] p = Bytes(K("p"));
        D.SameBytes(Bytes("SET"), p, [0xFF, 0xF0, 0x00]);
        D.SameBytes(Bytes("SET"), Bytes(K("ones")), [0xFF, 0xFF]);
        D.SameBytes(Bytes("SET"), Bytes(K("zeros")), [0x00, 0x00]);
        D.SameBytes(Bytes("SET"), Bytes(K("mixed")), [0x0F, 0x00, 0xF0, 0x3C]);
        string[][] args =
        [
            ["0"], ["1"], ["0", "2"], ["1", "2"], ["1", "2", "-1", "BYTE"], ["0", "7", "15", "BIT"], ["1", "7", "15", "BIT"],
            ["0", "0", "7", "BIT"], ["0", "3", "5", "BIT"], ["1", "17", "23", "BIT"], ["0", "1", "-1"], ["1", "-100", "-90"],
            ["1", "5", "1"], ["0", "0", "-1", "bit"], ["1", "-3", "-1", "BIT"], ["0", "-9", "-2", "BIT"], ["1", "12", "12", "BIT"],
            ["0", "20", "21", "BIT"], ["1", "0", "0"], ["0", "100"], ["1", "1", "1"],
        ];
        foreach (string key in new[] { K("p"), K("ones"), K("zeros"), K("mixed"), K("missing") })
        {
            foreach (string[] a in args)
                Same([.. new[] { "BITPOS", key }, .. a]);
        }
        Same(
            C("BITPOS", K("p"), "2"), C("BITPOS", K("p"), "a"), C("BITPOS", K("p"), "0", "a"), C("BITPOS", K("p"), "0", "0", "a"),
            C("BITPOS", K("p"), "0", "0", "1", "foo"), C("BITPOS", K("p"), "0", "0", "1", "BIT", "5"),
            C("BITPOS", K("missing"), "2"), C("BITPOS", K("missing"), "1", "0", "1", "foo"),
            C("SET", K("e"), ""), C("BITPOS", K("e"), "0"), C("BITPOS", K("e"), "1"), C("BITPOS", K("e"), "0", "0", "-1", "BIT"),
            C("RPUSH", K("list"), "x"), C("BITPOS", K("list"), "1"), C("BITPOS", K("list"), "3"));
    }

    [Fact]
    public void BitOp_Operations_SameReplies()
    {
        string a = K("a"), b = K("b"), dest = K("dest");
        Same(
            C("SET", a, "foobar"), C("SET", b, "abcdef"), C("SET", K("short"), "ab"),
            C("BITOP", "AND", dest, a, b), C("GET", dest), C("BITOP", "or", dest, a, b), C("GET", dest),
            C("BITOP", "XOR", dest, a, b), C("GET", dest), C("BITOP", "NOT", dest, a), C("GET", dest),
            C("BITOP", "AND", dest, a, K("missing")), C("GET", dest), C("BITOP", "OR", dest, a, K("short"), K("missing")),
            C("GET", dest), C("BITOP", "XOR", dest, K("short")), C("GET", dest),
            C("BITOP", "NOT", dest, a, b), C("BITOP", "NOT", dest), C("BITOP", "FOO", dest, a), C("BITOP", "AND", dest),
            C("BITOP", "OR", dest, K("m1"), K("m2")), C("GET", dest), C("BITOP", "NOT", dest, K("m1")),
            C("BITOP", "XOR", a, a, K("short")), C("GET", a),
            C("SET", K("t"), "v", "EX", "100"), C("BITOP", "OR", K("t"), b), C("TTL", K("t")),
            C("RPUSH", K("list"), "x"), C("BITOP", "AND", dest, a, K("list")), C("BITOP", "AND", K("list"), a), C("GET", K("list")));
    }

    [Fact]
    public void BitField_SignedUnsigned_SameReplies()
    {
        string k = K("bf");
        Same(
            C("BITFIELD", k, "SET", "i8", "0", "100", "GET", "i8", "0", "INCRBY", "i8", "0", "100"),
            C("BITFIELD", k, "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "INCRBY", "i8", "0", "-300"),
            C("BITFIELD", k, "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "100"),
            C("BITFIELD", k, "overflow", "wrap", "incrby", "u8", "0", "300"),
            C("BITFIELD", k, "SET", "u8", "#1", "255", "GET", "u8", "#1", "GET", "u4", "8", "GET", "i4", "8"),
            C("BITFIELD", k, "GET", "u8", "100"), C("BITFIELD", k, "GET", "i64", "0", "GET", "u63", "1"),
            C("BITFIELD", k, "SET", "i64", "0", "-1", "INCRBY", "i64", "0", "1"),
            C("BITFIELD", k, "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"),
            C("BITFIELD", k, "OVERFLOW", "SAT", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"),
            C("BITFIELD", k, "OVERFLOW", "FAIL", "SET", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "1"),
            C("BITFIELD", k, "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-9223372036854775808"),
            C("BITFIELD", k, "OVERFLOW", "SAT", "SET", "u63", "0", "-1", "GET", "u63", "0"),
            C("BITFIELD", k, "OVERFLOW", "WRAP", "SET", "u63", "0", "-1", "GET", "u63", "0"),
            C("BITFIELD", k, "OVERFLOW", "FAIL", "SET", "u63", "0", "-1", "GET", "u63", "0"),
            C("BITFIELD", k, "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "SET", "i8", "0", "200", "SET", "i8", "0", "-200"),
            C("BITFIELD", k, "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "SET", "i8", "0", "200", "SET", "i8", "0", "-200"),
            C("BITFIELD", k, "OVERFLOW", "FAIL", "SET", "u8", "0", "256", "SET", "i8", "0", "128", "SET", "i8", "0", "-129", "SET", "u8", "0", "255"),
            C("BITFIELD", k, "OVERFLOW", "SAT", "INCRBY", "u8", "0", "-1000", "INCRBY", "u4", "0", "1000"),
            C("BITFIELD", k, "OVERFLOW", "WRAP", "INCRBY", "u2", "0", "-5", "INCRBY", "i3", "3", "-100", "INCRBY", "i3", "3", "100"),
            C("BITFIELD", k, "GET", "u8", "0", "SET", "u8", "0", "7", "GET", "u8", "0"),
            C("BITFIELD", k, "SET", "i5", "#3", "-7", "GET", "i5", "#3", "GET", "u5", "15"),
            C("BITFIELD", k, "SET", "i1", "0", "1", "GET", "i1", "0", "INCRBY", "i1", "0", "-1", "INCRBY", "u1", "5", "3"),
            C("GET", k));
    }

    [Fact]
    public void BitField_Errors_SameReplies()
    {
        string k = K("bf");
        Same(
            C("SET", k, "x"),
            C("BITFIELD", k, "GET", "u64", "0"), C("BITFIELD", k, "GET", "i65", "0"), C("BITFIELD", k, "GET", "U8", "0"),
            C("BITFIELD", k, "GET", "x8", "0"), C("BITFIELD", k, "GET", "i0", "0"), C("BITFIELD", k, "GET", "u", "0"),
            C("BITFIELD", k, "GET", "i8", "-1"), C("BITFIELD", k, "GET", "i8", "abc"), C("BITFIELD", k, "GET", "i8", "#-1"),
            C("BITFIELD", k, "GET", "i8", "#abc"), C("BITFIELD", k, "GET", "i8", "4294967296"),
            C("BITFIELD", k, "GET", "i8", "#536870912"), C("BITFIELD", k, "GET", "i8", "#536870911"),
            C("BITFIELD", k, "GET", "i2", "4294967295"), C("BITFIELD", k, "SET", "i8", "0", "abc"),
            C("BITFIELD", k, "SET", "i8", "0"), C("BITFIELD", k, "FOO"), C("BITFIELD", k, "OVERFLOW", "FOO"),
            C("BITFIELD", k, "OVERFLOW"), C("BITFIELD", k, "GET", "i8"), C("BITFIELD", k),
            C("BITFIELD", k, "INCRBY", "u8", "0", "1", "GET", "u99", "0"), C("GET", k),
            C("BITFIELD", K("missing")), C("BITFIELD", K("missing"), "GET", "u8", "0"), C("GET", K("missing")),
            C("RPUSH", K("list"), "x"), C("BITFIELD", K("list"), "GET", "u8", "0"), C("BITFIELD", K("list"), "SET", "u8", "0", "1"),
            C("BITFIELD", K("list")));
    }

    [Fact]
    public void BitField_CreatesKeyEvenOnFail()
    {
        string k = K("new");
        Same(
            C("BITFIELD", k, "OVERFLOW", "FAIL", "SET", "u8", "0", "256"), C("GET", k),
            C("BITFIELD", k, "INCRBY", "u8", "#3", "5"), C("GET", k), C("STRLEN", k));
    }

    [Fact]
    public void BitFieldRo_OnlyGet()
    {
        string k = K("ro");
        Same(
            C("SET", k, "hello"), C("BITFIELD_RO", k, "GET", "u8", "0", "GET", "i4", "#6"), C("BITFIELD_RO", k, "SET", "u8", "0", "1"),
            C("BITFIELD_RO", k, "INCRBY", "u8", "0", "1"), C("BITFIELD_RO", k, "OVERFLOW", "SAT", "GET", "u8", "0"),
            C("BITFIELD_RO", k, "FOO"), C("BITFIELD_RO", K("missing"), "GET", "u8", "0"), C("BITFIELD_RO", k),
            C("BITFIELD_RO"), C("GET", k));
    }

    [Fact]
    public void Watch_UnchangedBits_DoNotAbortTransaction()
    {
        AssertWatch(C("SETBIT", K("a"), "0", "1"), C("SETBIT", K("a"), "0", "1"));
        AssertWatch(C("SETBIT", K("b"), "0", "1"), C("SETBIT", K("b"), "0", "0"));
        AssertWatch(C("SET", K("c"), "a"), C("BITFIELD", K("c"), "SET", "u8", "0", "97"));
        AssertWatch(C("SET", K("d"), "a"), C("BITFIELD", K("d"), "SET", "u8", "0", "98"));
        AssertWatch(C("SET", K("e"), "a"), C("BITFIELD", K("e"), "OVERFLOW", "FAIL", "SET", "u8", "0", "300"));
        AssertWatch(C("SET", K("f"), "a"), C("BITFIELD", K("f"), "GET", "u8", "0"));
        AssertWatch(C("SET", K("g"), "a"), C("BITOP", "OR", K("g"), K("x"), K("y")));
        AssertWatch(C("SET", K("h"), "a"), C("SETBIT", K("h"), "100", "0"));
    }

    private void AssertWatch(string[] setup, string[] write)
    {
        string key = setup[0] == "BITOP" ? setup[2] : setup[1];
        Same(setup, C("WATCH", key));
        using var otherRedis = new Codis.TestSupport.RespConnection(D.Redis.Port);
        using var otherCodis = new Codis.TestSupport.RespConnection(D.Codis.Port);
        new Codis.TestSupport.DifferentialAssert(otherRedis, otherCodis).Same(write);
        Same(C("MULTI"), C("PING"), C("EXEC"));
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
