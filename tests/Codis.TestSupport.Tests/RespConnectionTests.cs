using System.Text;

namespace Codis.TestSupport.Tests;

public class RespConnectionTests : IClassFixture<RedisFixture>
{
    private readonly ServerProcess _redis;

    public RespConnectionTests(RedisFixture fixture) => _redis = fixture.Server;

    private static string S(byte[] raw) => Encoding.Latin1.GetString(raw);

    [Fact]
    public void Send_Ping_RawPong()
    {
        using RespConnection c = _redis.Connect();
        Assert.Equal("+PONG\r\n", S(c.Send("PING")));
    }

    [Fact]
    public void Send_SetThenGet_RawBulk()
    {
        using RespConnection c = _redis.Connect();
        string key = "k:" + Guid.NewGuid();
        Assert.Equal("+OK\r\n", S(c.Send("SET", key, "hello")));
        Assert.Equal("$5\r\nhello\r\n", S(c.Send("GET", key)));
        Assert.Equal("hello", c.Command("GET", key).Text);
    }

    [Fact]
    public void SendBytes_BinaryValueWithCrLf_RoundTrips()
    {
        using RespConnection c = _redis.Connect();
        byte[] key = Encoding.UTF8.GetBytes("bin:" + Guid.NewGuid());
        byte[] value = [0, 13, 10, 255, (byte)'$', (byte)'*'];
        c.SendBytes("SET"u8.ToArray(), key, value);
        Assert.Equal(value, c.CommandBytes("GET"u8.ToArray(), key).Bytes);
    }

    [Fact]
    public void Send_MissingKey_NullBulk()
    {
        using RespConnection c = _redis.Connect();
        Assert.Equal("$-1\r\n", S(c.Send("GET", "missing:" + Guid.NewGuid())));
        Assert.True(c.Command("GET", "missing:" + Guid.NewGuid()).IsNull);
    }

    [Fact]
    public void Send_ConfigGetPort_NestedArray()
    {
        using RespConnection c = _redis.Connect();
        string port = _redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"*2\r\n$4\r\nport\r\n${port.Length}\r\n{port}\r\n", S(c.Send("CONFIG", "GET", "port")));
        RespValue v = c.Command("CONFIG", "GET", "port");
        Assert.Equal(RespType.Array, v.Type);
        Assert.Equal(port, v[1].Text);
    }

    [Fact]
    public void Send_UnknownCommand_ErrorReply()
    {
        using RespConnection c = _redis.Connect();
        RespValue v = c.Command("NOSUCHCOMMAND");
        Assert.True(v.IsError);
        Assert.StartsWith("ERR unknown command", v.Text, StringComparison.Ordinal);
        Assert.StartsWith("(error) ERR unknown command", v.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Send_DeeplyNestedArray_FramesWholeReply()
    {
        using RespConnection c = _redis.Connect();
        RespValue v = c.Command("EVAL", "return {1, {2, {3, {'x', false}}}, 'y'}", "0");
        Assert.Equal(3, v.Count);
        Assert.Equal("x", v[1][1][1][0].Text);
        Assert.True(v[1][1][1][1].IsNull);
        Assert.Equal("y", v[2].Text);
        Assert.Equal("+PONG\r\n", S(c.Send("PING")));
    }

    [Fact]
    public void Send_Resp3Types_FramedAndParsed()
    {
        using RespConnection c = _redis.Connect();
        Assert.Equal(RespType.Map, c.Command("HELLO", "3").Type);
        Assert.Equal(RespType.Map, c.Command("CONFIG", "GET", "port").Type);
        Assert.Equal(RespType.Null, c.Command("GET", "missing:" + Guid.NewGuid()).Type);
        Assert.Equal(",3.141\r\n", S(c.Send("DEBUG", "PROTOCOL", "double")));
        Assert.Equal("#t\r\n", S(c.Send("DEBUG", "PROTOCOL", "true")));
        Assert.Equal("#f\r\n", S(c.Send("DEBUG", "PROTOCOL", "false")));
        Assert.Equal(RespType.BigNumber, c.Command("DEBUG", "PROTOCOL", "bignum").Type);
        Assert.Equal(RespType.VerbatimString, c.Command("DEBUG", "PROTOCOL", "verbatim").Type);
        Assert.Equal(RespType.Set, c.Command("DEBUG", "PROTOCOL", "set").Type);
        Assert.Equal(RespType.Map, c.Command("DEBUG", "PROTOCOL", "map").Type);
        Assert.Equal(RespType.Null, c.Command("DEBUG", "PROTOCOL", "null").Type);
        RespValue attributed = c.Command("DEBUG", "PROTOCOL", "attrib");
        Assert.NotNull(attributed.Attributes);
        // "push" sends a push message and then the reply proper.
        RespValue push = c.Command("DEBUG", "PROTOCOL", "push");
        Assert.Equal(RespType.Push, push.Type);
        Assert.Equal(RespType.BulkString, c.ReadValue().Type);
        Assert.Equal("+PONG\r\n", S(c.Send("PING")));
    }

    [Fact]
    public void ReadReply_Pipeline_OneReplyEach()
    {
        using RespConnection c = _redis.Connect();
        c.SendRaw([.. RespConnection.Encode("PING"), .. RespConnection.Encode("ECHO", "a"), .. "PING\r\n"u8]);
        Assert.Equal("+PONG\r\n", S(c.ReadReply()));
        Assert.Equal("$1\r\na\r\n", S(c.ReadReply()));
        Assert.Equal("+PONG\r\n", S(c.ReadReply()));
        Assert.False(c.HasBufferedData);
    }

    [Fact]
    public void ReadReply_PubSubMessage_ArrivesAsReply()
    {
        using RespConnection sub = _redis.Connect();
        using RespConnection pub = _redis.Connect();
        string channel = "ch:" + Guid.NewGuid();
        Assert.Equal("subscribe", sub.Command("SUBSCRIBE", channel)[0].Text);
        Assert.Equal(1, pub.Command("PUBLISH", channel, "hi").Integer);
        RespValue message = sub.ReadValue();
        Assert.Equal(["message", channel, "hi"], message.Children!.Select(x => x.Text));
    }

    [Fact]
    public void ReadReply_NoReply_TimeoutExceptionNamesCommand()
    {
        using RespConnection c = _redis.Connect();
        c.ReadTimeout = TimeSpan.FromMilliseconds(300);
        var e = Assert.Throws<TimeoutException>(() => c.Send("BLPOP", "empty:" + Guid.NewGuid(), "0"));
        Assert.Contains("BLPOP", e.Message, StringComparison.Ordinal);
        Assert.Contains(_redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsClosedByServer_AfterProtocolError_True()
    {
        using RespConnection c = _redis.Connect();
        c.SendRaw("*1\r\nx\r\n");
        Assert.Equal("-ERR Protocol error: expected '$', got 'x'\r\n", S(c.ReadReply()));
        Assert.True(c.IsClosedByServer());
        Assert.Throws<IOException>(() => c.ReadReply());
    }

    [Fact]
    public void IsClosedByServer_AfterQuitReplyUnread_TrueAndReplyKept()
    {
        using RespConnection c = _redis.Connect();
        c.SendRaw(RespConnection.Encode("QUIT"));
        Assert.True(c.IsClosedByServer());
        Assert.Equal("+OK\r\n", S(c.ReadReply()));
    }

    [Fact]
    public void IsClosedByServer_OpenConnection_False()
    {
        using RespConnection c = _redis.Connect();
        Assert.False(c.IsClosedByServer(TimeSpan.FromMilliseconds(100)));
        Assert.Equal("+PONG\r\n", S(c.Send("PING")));
    }

    [Fact]
    public void Encode_Args_Multibulk()
    {
        Assert.Equal("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", S(RespConnection.Encode("GET", "")));
    }
}
