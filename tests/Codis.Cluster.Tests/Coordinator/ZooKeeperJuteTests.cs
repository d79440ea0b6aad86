using System.Text;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Coordinator.ZooKeeper;

namespace Codis.Cluster.Tests.Coordinator;

/// <summary>The jute encoding and the packets built on it, byte for byte.</summary>
public sealed class ZooKeeperJuteTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void Writer_Primitives_BigEndianAfterTheLengthPrefix()
    {
        byte[] frame = new JuteWriter().Int(0x01020304).Long(-2).Bool(true).Bool(false).ToFrame();
        Assert.Equal(Hex("0000000e 01020304 fffffffffffffffe 01 00"), frame);
    }

    [Fact]
    public void Writer_StringsAndBuffers_LengthPrefixedAndMinusOneForNull()
    {
        byte[] frame = new JuteWriter().String("/é").String(null).Buffer([7]).Buffer(null).Buffer([]).ToFrame();
        Assert.Equal(Hex("00000018 00000003 2fc3a9 ffffffff 00000001 07 ffffffff 00000000"), frame);
    }

    [Fact]
    public void Reader_RoundTripsWhatTheWriterWrote()
    {
        byte[] frame = new JuteWriter().Int(-7).Long(long.MaxValue).Bool(true).String("héllo").String(null)
            .Buffer([1, 2, 3]).Buffer(null).Strings(["a", "bc"]).ToFrame();
        var r = new JuteReader(frame, 4);
        Assert.Equal(-7, r.Int());
        Assert.Equal(long.MaxValue, r.Long());
        Assert.True(r.Bool());
        Assert.Equal("héllo", r.String());
        Assert.Null(r.String());
        Assert.Equal([1, 2, 3], r.Buffer());
        Assert.Null(r.Buffer());
        Assert.Equal(["a", "bc"], r.Strings());
        Assert.Equal(0, r.Remaining);
    }

    [Theory]
    [InlineData("000000", "int")]
    [InlineData("00000001", "long")]
    public void Reader_Truncated_ProtocolError(string hex, string what)
    {
        var r = new JuteReader(Hex(hex));
        var e = Assert.Throws<ZooKeeperProtocolException>(() => _ = what == "int" ? r.Int() : r.Long());
        Assert.Contains("truncated " + what, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00000005 6162", "string of 5 bytes but only 2 left")]
    [InlineData("fffffffe", "string length -2")]
    public void Reader_BadStringLength_ProtocolErrorNotAHugeAllocation(string hex, string expected)
    {
        var e = Assert.Throws<ZooKeeperProtocolException>(() => new JuteReader(Hex(hex)).String());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_VectorCountLargerThanTheFrame_ProtocolError()
    {
        var e = Assert.Throws<ZooKeeperProtocolException>(() => new JuteReader(Hex("7fffffff 00000000")).Strings());
        Assert.Contains("vector of 2147483647 strings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stat_ReadsElevenFieldsInJuteOrder()
    {
        byte[] frame = new JuteWriter().Long(1).Long(2).Long(3).Long(4).Int(5).Int(6).Int(7).Long(8).Int(9).Int(10).Long(11).ToFrame();
        var r = new JuteReader(frame, 4);
        Assert.Equal(new ZooKeeperStat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), r.Stat());
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void ConnectRequest_Layout()
    {
        byte[] password = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        byte[] frame = Requests.Connect(lastZxid: 0x10, timeoutMs: 30000, sessionId: 0x0102030405060708, password);
        Assert.Equal(Hex("0000002d 00000000 0000000000000010 00007530 0102030405060708 00000010 0102030405060708090a0b0c0d0e0f10 00"), frame);
    }

    [Fact]
    public void CreateRequest_Layout_WithAcl()
    {
        var acl = new ZooKeeperAcl(ZooKeeperPerms.Read | ZooKeeperPerms.Write | ZooKeeperPerms.Admin, "world", "anyone");
        byte[] frame = Requests.Create(5, "/a", [0x78], [acl], ZooKeeperCreateMode.EphemeralSequential);
        Assert.Equal(Hex(
            "00000032 00000005 00000001" +            // length, xid 5, op create
            "00000002 2f61 00000001 78" +             // path "/a", data "x"
            "00000001 00000013 00000005 776f726c64 00000006 616e796f6e65" + // one ACL: perms 19, world:anyone
            "00000003"), frame);                      // ephemeral + sequential
    }

    [Fact]
    public void ControlPackets_UseTheReservedXids()
    {
        Assert.Equal(Hex("00000008 fffffffe 0000000b"), Requests.Ping());
        Assert.Equal(Hex("0000001d fffffffc 00000064 00000000 00000006 646967657374 00000003 753a70"),
            Requests.Auth("digest", "u:p"u8.ToArray()));
        Assert.Equal(Hex("00000022 fffffff8 00000065 0000000000000009 00000001 00000002 2f61 00000000 00000000"),
            Requests.SetWatches(9, ["/a"], [], []));
        Assert.Equal(Hex("00000008 00000003 fffffff5"), Requests.CloseSession(3));
    }

    [Fact]
    public void PathRequests_Layout()
    {
        Assert.Equal(Hex("0000000f 00000001 00000004 00000002 2f61 01"), Requests.PathWatch(1, OpCode.GetData, "/a", true));
        Assert.Equal(Hex("00000012 00000002 00000002 00000002 2f61 ffffffff"), Requests.Delete(2, "/a", -1));
        Assert.Equal(Hex("00000017 00000003 00000005 00000002 2f61 00000001 78 ffffffff"), Requests.SetData(3, "/a", [0x78], -1));
    }

    [Fact]
    public void Reply_ParsesHeaderAndLeavesTheBody()
    {
        Reply r = Reply.Parse(Hex("00000007 0000000000000063 ffffff92 00000002 2f61"));
        Assert.Equal(7, r.Xid);
        Assert.Equal(0x63, r.Zxid);
        Assert.Equal(ZooKeeperError.NodeExists, r.Error);
        Assert.Equal("/a", r.Body.String());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")] // servers with read-only support append a flag
    public void ConnectResponse_ParsesWithOrWithoutTheReadOnlyFlag(string tail)
    {
        ConnectResponse c = ConnectResponse.Parse(Hex("00000000 00009c40 00000000000000ab 00000002 0102" + tail));
        Assert.Equal(40000, c.TimeoutMs);
        Assert.Equal(0xab, c.SessionId);
        Assert.Equal([1, 2], c.Password);
    }

    [Fact]
    public void DigestAcl_MatchesTheServersDigestOfUserPassword()
    {
        // Value printed by ZooKeeper's own DigestAuthenticationProvider for "codis:s3cret".
        ZooKeeperAcl acl = ZooKeeperAcl.Digest(ZooKeeperPerms.All, "codis", "s3cret");
        Assert.Equal(new ZooKeeperAcl(ZooKeeperPerms.All, "digest", "codis:ZBCd7U8nfZbg2f4wfVrxHTxR6cc="), acl);
        Assert.Equal(31, (int)ZooKeeperPerms.All);
    }

    [Theory]
    [InlineData("/", null)]
    [InlineData("/codis3/demo", null)]
    [InlineData("codis3", "it must start with '/'")]
    [InlineData("/codis3/", "it must not end with '/'")]
    [InlineData("/a//b", "empty node name")]
    [InlineData("/a/../b", "relative names are not allowed")]
    public void InvalidPath_ExplainsWhy(string path, string? why) => Assert.Equal(why, ZooKeeperClient.InvalidPath(path));

    [Fact]
    public void Options_ParseServers_DefaultPortAndErrors()
    {
        Assert.Equal([("a", 1), ("b", 2181), ("::1", 3)], new ZooKeeperClientOptions { Servers = " a:1, b ,[::1]:3" }.ParseServers());
        var e = Assert.Throws<CoordinatorException>(() => new ZooKeeperClientOptions { Servers = "a:x" }.ParseServers());
        Assert.Equal("zk: invalid server address 'a:x' in 'a:x': expected host:port", e.Message);
        Assert.Contains("no server address", Assert.Throws<CoordinatorException>(() => new ZooKeeperClientOptions { Servers = " , " }.ParseServers()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ZooKeeperError.NodeExists, "zk: node already exists (create /a/b)")]
    [InlineData(ZooKeeperError.NoNode, "zk: node does not exist (create /a/b)")]
    [InlineData(ZooKeeperError.NoAuth, "zk: not authenticated (create /a/b)")]
    [InlineData(ZooKeeperError.NotEmpty, "zk: node has children (create /a/b)")]
    [InlineData((ZooKeeperError)(-999), "zk: server error -999 (-999) (create /a/b)")]
    public void Exception_MessageNamesErrorOperationAndPath(ZooKeeperError error, string message) =>
        Assert.Equal(message, new ZooKeeperException(error, "create", "/a/b").Message);

    [Fact]
    public void Writer_LongString_EncodesUtf8Length()
    {
        string s = new('é', 1000);
        var r = new JuteReader(new JuteWriter().String(s).ToFrame(), 4);
        Assert.Equal(s, r.String());
        Assert.Equal(2004, Encoding.UTF8.GetByteCount(s) + 4);
    }
}
