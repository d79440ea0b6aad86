using System.Buffers.Binary;
using System.Text;
using Codis.Server.Persistence;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Slots;

/// <summary>
/// The target side of async migration (spec server.md §6.5, §6.6): SLOTSRESTORE-ASYNC and its AUTH /
/// SELECT companions, answered with ACK arrays; after an error ACK the connection is closed.
/// </summary>
public sealed class AsyncRestoreTests : IClassFixture<CodisFixture>, IDisposable
{
    private const string Ok1 = "*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n$1\r\n1\r\n";

    private readonly CodisFixture _fixture;
    private readonly RespConnection _c;

    /// <summary>Connects and empties the server.</summary>
    public AsyncRestoreTests(CodisFixture fixture)
    {
        _fixture = fixture;
        _c = fixture.Server.Connect();
        Assert.Equal("+OK\r\n", Raw("FLUSHALL"));
    }

    /// <inheritdoc/>
    public void Dispose() => _c.Dispose();

    private string Raw(params string[] args) => Encoding.UTF8.GetString(_c.Send(args));

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Score(double d)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, d);
        return b;
    }

    private static string Ack(int code, string message) =>
        $"*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n${code.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{code}\r\n"
        + $"${Encoding.UTF8.GetByteCount(message)}\r\n{message}\r\n";

    // Sends a message on a fresh connection, checks the error ACK and that the server then closes it.
    private void AssertErrorAck(string message, params byte[][] args)
    {
        using RespConnection c = _fixture.Server.Connect();
        Assert.Equal(Ack(-1, message), Encoding.UTF8.GetString(c.SendBytes(args)));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
    }

    private void AssertErrorAck(string message, params string[] args) => AssertErrorAck(message, [.. args.Select(B)]);

    [Fact]
    public void SlotsRestoreAsync_String_ExactAckBytesKeyAndTtl()
    {
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "string", "s", "100000", "hello"));
        Assert.Equal("$5\r\nhello\r\n", Raw("GET", "s"));
        Assert.InRange(long.Parse(Raw("PTTL", "s")[1..^2]), 1, 100000);
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "string", "p", "0", "12345"));
        Assert.Equal(":-1\r\n", Raw("PTTL", "p"));
        Assert.Equal("$3\r\nint\r\n", Raw("OBJECT", "ENCODING", "p"));
    }

    [Fact]
    public void SlotsRestoreAsync_ExistingKey_SpecErrorAckBytesAndClose()
    {
        Raw("SET", "zz", "x");
        using RespConnection c = _fixture.Server.Connect();
        Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$2\r\n-1\r\n$37\r\nthe specified key already exists (zz)\r\n",
            Encoding.UTF8.GetString(c.Send("SLOTSRESTORE-ASYNC", "string", "zz", "0", "v")));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
        Assert.Equal("$1\r\nx\r\n", Raw("GET", "zz"));
    }

    [Fact]
    public void SlotsRestoreAsync_Delete_OneWhenDeletedZeroWhenAbsent()
    {
        Raw("SET", "k", "v", "EX", "100");
        Assert.Equal(Ack(0, "1"), Raw("SLOTSRESTORE-ASYNC", "DELETE", "k"));
        Assert.Equal(Ack(0, "0"), Raw("SLOTSRESTORE-ASYNC", "delete", "k"));
        Assert.Equal(":0\r\n", Raw("EXISTS", "k"));
    }

    [Fact]
    public void SlotsRestoreAsync_Expire_SetsAndRemovesTtl()
    {
        Raw("SET", "k", "v");
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "expire", "k", "50000"));
        Assert.InRange(long.Parse(Raw("PTTL", "k")[1..^2]), 1, 50000);
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "Expire", "k", "0"));
        Assert.Equal(":-1\r\n", Raw("PTTL", "k"));
    }

    [Fact]
    public void SlotsRestoreAsync_SpecZSetExample_AckCountAndScores()
    {
        byte[] ack = _c.SendBytes(B("SLOTSRESTORE-ASYNC"), B("zset"), B("zs"), B("1000"), B("2"),
            B("m1"), Score(1.5), B("m2"), Score(-2.0));
        Assert.Equal(Ack(0, "2"), Encoding.UTF8.GetString(ack));
        Assert.Equal("*4\r\n$2\r\nm2\r\n$2\r\n-2\r\n$2\r\nm1\r\n$3\r\n1.5\r\n", Raw("ZRANGE", "zs", "0", "-1", "WITHSCORES"));
        Assert.Equal("$8\r\nskiplist\r\n", Raw("OBJECT", "ENCODING", "zs"));
        Assert.InRange(long.Parse(Raw("PTTL", "zs")[1..^2]), 1, 1000);
    }

    [Fact]
    public void SlotsRestoreAsync_SpecListExample_AppendsAcrossChunks()
    {
        Assert.Equal(Ack(0, "2"), Raw("SLOTSRESTORE-ASYNC", "list", "ll", "0", "3", "a", "b"));
        Assert.Equal(Ack(0, "3"), Raw("SLOTSRESTORE-ASYNC", "list", "ll", "0", "3", "c"));
        Assert.Equal(Ack(0, "3"), Raw("SLOTSRESTORE-ASYNC", "list", "ll", "0", "3"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", Raw("LRANGE", "ll", "0", "-1"));
        Assert.Equal("$9\r\nquicklist\r\n", Raw("OBJECT", "ENCODING", "ll"));
    }

    [Fact]
    public void SlotsRestoreAsync_HashAndDict_CreatedInBigEncodings()
    {
        Assert.Equal(Ack(0, "2"), Raw("SLOTSRESTORE-ASYNC", "hash", "h", "0", "2", "f1", "v1", "f2", "v2"));
        Assert.Equal(Ack(0, "2"), Raw("SLOTSRESTORE-ASYNC", "hash", "h", "0", "2", "f2", "new"));
        Assert.Equal("$3\r\nnew\r\n", Raw("HGET", "h", "f2"));
        Assert.Equal("$9\r\nhashtable\r\n", Raw("OBJECT", "ENCODING", "h"));
        Assert.Equal(Ack(0, "2"), Raw("SLOTSRESTORE-ASYNC", "dict", "d", "0", "2", "1", "2"));
        Assert.Equal(Ack(0, "3"), Raw("SLOTSRESTORE-ASYNC", "dict", "d", "0", "2", "2", "3"));
        Assert.Equal("$9\r\nhashtable\r\n", Raw("OBJECT", "ENCODING", "d"));
        Assert.Equal(":3\r\n", Raw("SCARD", "d"));
    }

    [Fact]
    public void SlotsRestoreAsync_ChunkTtl_AppliedAfterEveryChunk()
    {
        Assert.Equal(Ack(0, "1"), Raw("SLOTSRESTORE-ASYNC", "dict", "d", "90000", "2", "x"));
        Assert.InRange(long.Parse(Raw("PTTL", "d")[1..^2]), 1, 90000);
        Assert.Equal(Ack(0, "2"), Raw("SLOTSRESTORE-ASYNC", "dict", "d", "0", "2", "y"));
        Assert.Equal(":-1\r\n", Raw("PTTL", "d"));
    }

    [Fact]
    public void SlotsRestoreAsync_Object_RestoresDumpPayload()
    {
        byte[] payload = Convert.FromHexString("0e01131300000010000000030000016103016203f8ff0700a7cc3d2b350765e8");
        Assert.Equal(Ok1, Encoding.UTF8.GetString(_c.SendBytes(B("SLOTSRESTORE-ASYNC"), B("object"), B("l1"), B("0"), payload)));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n7\r\n", Raw("LRANGE", "l1", "0", "-1"));
    }

    // Payloads produced by codis-server 3.2.11 (spec server.md §7.9), what a real source sends in "object".
    [Theory]
    [InlineData("000568656c6c6f07009c400a856dfef510", "GET", "hello")]
    [InlineData("00c13930070062a63fd49b36dda3", "GET", "12345")]
    [InlineData("00c30928016161e01b000161610700303bfa59a6ef5607", "GET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("0e01131300000010000000030000016103016203f8ff0700a7cc3d2b350765e8", "LRANGE", "a,b,7")]
    [InlineData("0b0e020000000300000001000200030007005a30891165a49801", "SMEMBERS", "1,2,3")]
    [InlineData("0202017901780700f3edbecebbfa69ea", "SMEMBERS", "x,y")]
    [InlineData("0d11110000000d0000000200000166030176ff0700ff2747b3e74e9dd3", "HGETALL", "f,v")]
    [InlineData("0c181800000015000000040000016d0303312e3505016e03f3ff07001cdc7fdd25a54f98", "ZRANGE", "m,1.5,n,2")]
    [InlineData("04010166c3094046017878e039000178780700c15e40ac269832db", "HGETALL",
        "f,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("0e01c32a3b043b0000003520031a0800000568656c6c6f0705776f726c640703666f6f050362617205e00d170172ff07008f8537af4d0c363a",
        "LRANGE", "hello,world,foo,bar,hello,world,foo,bar")]
    public void SlotsRestoreAsync_Object_Codis32Payloads_Restored(string hex, string read, string expected)
    {
        byte[] payload = Convert.FromHexString(hex);
        Assert.Equal(Ok1, Encoding.UTF8.GetString(_c.SendBytes(B("SLOTSRESTORE-ASYNC"), B("object"), B("k"), B("0"), payload)));
        RespValue v = read switch
        {
            "LRANGE" => _c.Command("LRANGE", "k", "0", "-1"),
            "ZRANGE" => _c.Command("ZRANGE", "k", "0", "-1", "WITHSCORES"),
            _ => _c.Command(read, "k"),
        };
        IEnumerable<string> items = v.Type == RespType.Array ? v.Children!.Select(x => x.Text!) : [v.Text!];
        if (read == "SMEMBERS")
            items = items.Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(",", items));
    }

    [Fact]
    public void SlotsRestoreAsync_Object_BadChecksum_ErrorAckAndClose()
    {
        byte[] payload = Convert.FromHexString("0e01131300000010000000030000016103016203f8ff0700a7cc3d2b350765e9");
        AssertErrorAck("invalid payload checksum", B("SLOTSRESTORE-ASYNC"), B("object"), B("k"), B("0"), payload);
        AssertErrorAck("invalid payload checksum", B("SLOTSRESTORE-ASYNC"), B("object"), B("k"), B("0"), [1, 2, 3]);
        Assert.Equal(":0\r\n", Raw("EXISTS", "k"));
    }

    [Fact]
    public void SlotsRestoreAsync_Object_UnknownType_ErrorAck()
    {
        AssertErrorAck("invalid payload type", B("SLOTSRESTORE-ASYNC"), B("object"), B("k"), B("0"), Sealed(7, 0));
        AssertErrorAck("invalid payload type", B("SLOTSRESTORE-ASYNC"), B("object"), B("k"), B("0"), Sealed(30, 0));
    }

    [Fact]
    public void SlotsRestoreAsync_Object_BadBody_ErrorAck()
    {
        // A set that announces 5 members and has one.
        AssertErrorAck("invalid payload body", B("SLOTSRESTORE-ASYNC"), B("object"), B("k"), B("0"), Sealed(2, 5, 1, (byte)'x'));
        Assert.Equal(":0\r\n", Raw("EXISTS", "k"));
    }

    // A payload with a valid version-7 footer around the given type and body bytes.
    private static byte[] Sealed(params byte[] typeAndBody)
    {
        var w = new RdbWriter();
        w.WriteRaw(typeAndBody);
        return DumpPayload.Seal(w);
    }

    [Fact]
    public void SlotsRestoreAsync_StrtollNumbers_AcceptedAsCodis()
    {
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "string", "a", "+60000", "v"));
        Assert.InRange(long.Parse(Raw("PTTL", "a")[1..^2]), 1, 60000);
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "string", "b", "", "v"));
        Assert.Equal(":-1\r\n", Raw("PTTL", "b"));
        Assert.Equal(Ack(0, "1"), Raw("SLOTSRESTORE-ASYNC", "list", "c", "00", "007", "x"));
        Assert.Equal(Ack(0, "OK"), Raw("SLOTSRESTORE-ASYNC-SELECT", "+0"));
    }

    [Fact]
    public void SlotsRestoreAsync_BadTtl_ErrorAck()
    {
        AssertErrorAck("invalid TTL value (TTL=-1)", "SLOTSRESTORE-ASYNC", "string", "k", "-1", "v");
        AssertErrorAck("invalid TTL value (TTL=abc)", "SLOTSRESTORE-ASYNC", "expire", "k", "abc");
        AssertErrorAck("invalid TTL value (TTL= 1)", "SLOTSRESTORE-ASYNC", "list", "k", " 1", "1", "a");
    }

    [Fact]
    public void SlotsRestoreAsync_BadHint_ErrorAck()
    {
        AssertErrorAck("invalid Hint value (Hint=-3)", "SLOTSRESTORE-ASYNC", "list", "k", "0", "-3", "a");
        AssertErrorAck("invalid Hint value (Hint=x)", "SLOTSRESTORE-ASYNC", "nosuch", "k", "0", "x");
    }

    [Fact]
    public void SlotsRestoreAsync_BadZSetScore_ErrorAckWithPairIndex()
    {
        AssertErrorAck("invalid zset score ([1]), bad raw bits",
            B("SLOTSRESTORE-ASYNC"), B("zset"), B("z"), B("0"), B("2"), B("a"), Score(1), B("b"), B("1.5"));
        AssertErrorAck("invalid zset score ([0]), bad raw bits",
            B("SLOTSRESTORE-ASYNC"), B("zset"), B("z"), B("0"), B("1"), B("a"), Score(double.NaN));
        Assert.Equal(":0\r\n", Raw("EXISTS", "z"));
    }

    [Fact]
    public void SlotsRestoreAsync_WrongType_Redis32TypeAndEncodingNumbers()
    {
        Raw("SET", "str", "abc");
        Raw("SET", "int", "12");
        Raw("HSET", "smallhash", "f", "v");
        Raw("SADD", "intset", "1");
        Raw("ZADD", "smallz", "1", "a");
        Raw("RPUSH", "list", "a");
        AssertErrorAck("wrong type (expect=1/9,got=0/8)", "SLOTSRESTORE-ASYNC", "list", "str", "0", "1", "a");
        AssertErrorAck("wrong type (expect=1/9,got=0/1)", "SLOTSRESTORE-ASYNC", "list", "int", "0", "1", "a");
        AssertErrorAck("wrong type (expect=4/2,got=4/5)", "SLOTSRESTORE-ASYNC", "hash", "smallhash", "0", "1", "f", "v");
        AssertErrorAck("wrong type (expect=2/2,got=2/6)", "SLOTSRESTORE-ASYNC", "dict", "intset", "0", "1", "x");
        AssertErrorAck("wrong type (expect=3/7,got=3/5)",
            B("SLOTSRESTORE-ASYNC"), B("zset"), B("smallz"), B("0"), B("1"), B("b"), Score(2));
        AssertErrorAck("wrong type (expect=2/2,got=1/9)", "SLOTSRESTORE-ASYNC", "dict", "list", "0", "1", "x");
        // An empty chunk on a key of the wrong type is refused too.
        AssertErrorAck("wrong type (expect=4/2,got=0/8)", "SLOTSRESTORE-ASYNC", "hash", "str", "0", "0");
    }

    [Fact]
    public void SlotsRestoreAsync_ExistingKey_ErrorAckForStringAndObject()
    {
        Raw("SET", "k", "v");
        AssertErrorAck("the specified key already exists (k)", "SLOTSRESTORE-ASYNC", "string", "k", "0", "v");
        AssertErrorAck("the specified key already exists (k)", "SLOTSRESTORE-ASYNC", "object", "k", "0", "garbage");
    }

    [Fact]
    public void SlotsRestoreAsync_MissingKey_ErrorAckForExpireAndEmptyChunk()
    {
        AssertErrorAck("the specified key doesn't exist (k)", "SLOTSRESTORE-ASYNC", "expire", "k", "0");
        AssertErrorAck("the specified key doesn't exist (k)", "SLOTSRESTORE-ASYNC", "list", "k", "0", "5");
        AssertErrorAck("the specified key doesn't exist (k)", "SLOTSRESTORE-ASYNC", "zset", "k", "0", "5");
    }

    [Fact]
    public void SlotsRestoreAsync_UnknownOp_ErrorAck()
    {
        AssertErrorAck("unknown command (argc=5,cmd=foo)", "SLOTSRESTORE-ASYNC", "foo", "k", "0", "1");
        AssertErrorAck("wrong number of arguments (argc=4,cmd=foo)", "SLOTSRESTORE-ASYNC", "foo", "k", "0");
    }

    [Fact]
    public void SlotsRestoreAsync_WrongArgumentCount_ErrorAck()
    {
        AssertErrorAck("wrong number of arguments (argc=2,cmd=delete)", "SLOTSRESTORE-ASYNC", "delete");
        AssertErrorAck("wrong number of arguments (argc=4,cmd=delete)", "SLOTSRESTORE-ASYNC", "delete", "k", "x");
        AssertErrorAck("wrong number of arguments (argc=3,cmd=expire)", "SLOTSRESTORE-ASYNC", "expire", "k");
        AssertErrorAck("wrong number of arguments (argc=5,cmd=expire)", "SLOTSRESTORE-ASYNC", "expire", "k", "0", "x");
        AssertErrorAck("wrong number of arguments (argc=4,cmd=string)", "SLOTSRESTORE-ASYNC", "string", "k", "0");
        AssertErrorAck("wrong number of arguments (argc=6,cmd=object)", "SLOTSRESTORE-ASYNC", "object", "k", "0", "p", "q");
        AssertErrorAck("wrong number of arguments (argc=4,cmd=list)", "SLOTSRESTORE-ASYNC", "list", "k", "0");
        AssertErrorAck("wrong number of arguments (argc=6,cmd=hash)", "SLOTSRESTORE-ASYNC", "hash", "k", "0", "1", "f");
        AssertErrorAck("wrong number of arguments (argc=6,cmd=zset)", "SLOTSRESTORE-ASYNC", "zset", "k", "0", "1", "m");
        Assert.Equal("-ERR wrong number of arguments for 'slotsrestore-async' command\r\n", Raw("SLOTSRESTORE-ASYNC"));
    }

    [Fact]
    public void SlotsRestoreAsync_PipelinedMessages_OneAckEachInOrder()
    {
        var batch = new List<byte>();
        batch.AddRange(RespConnection.Encode("SLOTSRESTORE-ASYNC", "delete", "p"));
        batch.AddRange(RespConnection.Encode("SLOTSRESTORE-ASYNC", "list", "p", "0", "3", "a", "b"));
        batch.AddRange(RespConnection.Encode("SLOTSRESTORE-ASYNC", "list", "p", "0", "3", "c"));
        batch.AddRange(RespConnection.Encode("SLOTSRESTORE-ASYNC", "expire", "p", "0"));
        _c.SendRaw(batch.ToArray());
        Assert.Equal(Ack(0, "0"), Encoding.UTF8.GetString(_c.ReadReply()));
        Assert.Equal(Ack(0, "2"), Encoding.UTF8.GetString(_c.ReadReply()));
        Assert.Equal(Ack(0, "3"), Encoding.UTF8.GetString(_c.ReadReply()));
        Assert.Equal(Ack(0, "1"), Encoding.UTF8.GetString(_c.ReadReply()));
    }

    [Fact]
    public void SlotsRestoreAsync_ErrorThenPipelinedMessage_LaterMessageNotExecuted()
    {
        using RespConnection c = _fixture.Server.Connect();
        var batch = new List<byte>();
        batch.AddRange(RespConnection.Encode("SLOTSRESTORE-ASYNC", "expire", "missing", "0"));
        batch.AddRange(RespConnection.Encode("SLOTSRESTORE-ASYNC", "string", "after", "0", "v"));
        c.SendRaw(batch.ToArray());
        Assert.Equal(Ack(-1, "the specified key doesn't exist (missing)"), Encoding.UTF8.GetString(c.ReadReply()));
        Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
        Assert.False(c.HasBufferedData);
        Assert.Equal(":0\r\n", Raw("EXISTS", "after"));
    }

    [Fact]
    public void SlotsRestoreAsyncSelect_ValidAndInvalid_AckAndClose()
    {
        Assert.Equal(Ack(0, "OK"), Raw("SLOTSRESTORE-ASYNC-SELECT", "1"));
        Assert.Equal(Ok1, Raw("SLOTSRESTORE-ASYNC", "string", "k", "0", "in-db-1"));
        Raw("SELECT", "0");
        Assert.Equal(":0\r\n", Raw("EXISTS", "k"));
        Raw("SELECT", "1");
        Assert.Equal(":1\r\n", Raw("EXISTS", "k"));
        Raw("FLUSHDB");
        AssertErrorAck("invalid DB index (16)", "SLOTSRESTORE-ASYNC-SELECT", "16");
        AssertErrorAck("invalid DB index (-1)", "SLOTSRESTORE-ASYNC-SELECT", "-1");
        AssertErrorAck("invalid DB index (x)", "SLOTSRESTORE-ASYNC-SELECT", "x");
    }

    [Fact]
    public void SlotsRestoreAsyncAuth_NoPasswordSet_ErrorAckAndClose() =>
        AssertErrorAck("Client sent AUTH, but no password is set", "SLOTSRESTORE-ASYNC-AUTH", "pw");
}

/// <summary>SLOTSRESTORE-ASYNC-AUTH against a server with <c>requirepass</c>.</summary>
public sealed class AsyncRestoreAuthTests
{
    [Fact]
    public void SlotsRestoreAsyncAuth_WithRequirePass_AuthenticatesOrClosesOnWrongPassword()
    {
        using ServerProcess server = ServerProcess.StartCodis("--requirepass", "secret");
        using (RespConnection c = server.Connect())
        {
            Assert.Equal("-NOAUTH Authentication required.\r\n", Encoding.UTF8.GetString(c.Send("SLOTSRESTORE-ASYNC", "delete", "k")));
            Assert.Equal("-NOAUTH Authentication required.\r\n", Encoding.UTF8.GetString(c.Send("SLOTSRESTORE-ASYNC-SELECT", "0")));
            Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n$2\r\nOK\r\n",
                Encoding.UTF8.GetString(c.Send("SLOTSRESTORE-ASYNC-AUTH", "secret")));
            Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n$1\r\n0\r\n",
                Encoding.UTF8.GetString(c.Send("SLOTSRESTORE-ASYNC", "delete", "k")));
        }
        using (RespConnection c = server.Connect())
        {
            Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$2\r\n-1\r\n$16\r\ninvalid password\r\n",
                Encoding.UTF8.GetString(c.Send("SLOTSRESTORE-ASYNC-AUTH", "wrong")));
            Assert.True(c.IsClosedByServer(TimeSpan.FromSeconds(10)));
        }
    }
}
