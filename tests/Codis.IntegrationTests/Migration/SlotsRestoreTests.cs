using System.Text;
using Codis.Server.Persistence;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>SLOTSRESTORE (spec server.md §4.6): the target side of the sync migration, with Codis's errors.</summary>
public sealed class SlotsRestoreTests : IClassFixture<Slots.CodisFixture>, IDisposable
{
    private readonly RespConnection _c;

    /// <summary>Connects and empties the server.</summary>
    public SlotsRestoreTests(Slots.CodisFixture fixture)
    {
        _c = fixture.Server.Connect();
        Assert.Equal("OK", _c.Command("FLUSHALL").Text);
    }

    /// <inheritdoc/>
    public void Dispose() => _c.Dispose();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] StringPayload(string value) => DumpPayload.Create(RdbValue.FromString(B(value)));

    private RespValue Restore(params object[] args) =>
        _c.CommandBytes([B("SLOTSRESTORE"), .. args.Select(a => a as byte[] ?? B((string)a))]);

    [Fact]
    public void SlotsRestore_SeveralKeys_AddsThemWithTtls()
    {
        byte[] list = DumpPayload.Create(RdbValue.FromList([B("a"), B("b")]));

        Assert.Equal("OK", Restore("s", "0", StringPayload("v"), "l", "60000", list).Text);

        Assert.Equal("v", _c.Command("GET", "s").Text);
        Assert.Equal(-1, _c.Command("PTTL", "s").Integer);
        Assert.Equal(2, _c.Command("LLEN", "l").Integer);
        Assert.InRange(_c.Command("PTTL", "l").Integer, 50_000, 60_000);
        Assert.Equal("OK", _c.Command("SLOTSCHECK").Text);
    }

    [Fact]
    public void SlotsRestore_ExistingKey_IsReplacedSilently()
    {
        Assert.Equal(1, _c.Command("SADD", "k", "m").Integer);
        Assert.Equal(1, _c.Command("EXPIRE", "k", "100").Integer);

        Assert.Equal("OK", Restore("k", "0", StringPayload("new")).Text);

        Assert.Equal("new", _c.Command("GET", "k").Text);
        Assert.Equal(-1, _c.Command("PTTL", "k").Integer);
    }

    [Fact]
    public void SlotsRestore_SameKeyTwice_LastWins()
    {
        Assert.Equal("OK", Restore("k", "0", StringPayload("first"), "k", "0", StringPayload("second")).Text);
        Assert.Equal("second", _c.Command("GET", "k").Text);
        Assert.Equal(1, _c.Command("DBSIZE").Integer);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void SlotsRestore_ArgumentsNotInTriples_WrongNumber(int count)
    {
        object[] args = [.. Enumerable.Range(0, count).Select(i => i % 3 == 2 ? (object)StringPayload("v") : "0")];
        Assert.Equal("ERR wrong number of arguments for 'slotsrestore' command", Restore(args).Text);
    }

    [Fact]
    public void SlotsRestore_TooFewArguments_WrongNumber()
    {
        Assert.Equal("ERR wrong number of arguments for 'slotsrestore' command", Restore("k", "0").Text);
    }

    [Fact]
    public void SlotsRestore_BadTriple_ErrorAndNothingChanged()
    {
        Assert.Equal("OK", _c.Command("SET", "a", "old").Text);
        byte[] good = StringPayload("new");
        byte[] badCrc = (byte[])good.Clone();
        badCrc[^1] ^= 1;
        byte[] version8 = DumpPayload.Seal(WriterWith(0x00, 0x01, (byte)'x'), version: 11);
        byte[] badType = DumpPayload.Seal(WriterWith(99, 0x01, (byte)'x'));
        byte[] truncatedBody = DumpPayload.Seal(WriterWith((byte)RdbType.ListQuicklist, 0x05));

        Assert.Equal("ERR value is not an integer or out of range", Restore("a", "0", good, "b", "x", good).Text);
        Assert.Equal("ERR invalid ttl value, must be >= 0", Restore("a", "0", good, "b", "-1", good).Text);
        Assert.Equal("ERR dump payload version or checksum are wrong", Restore("a", "0", good, "b", "0", badCrc).Text);
        Assert.Equal("ERR dump payload version or checksum are wrong", Restore("a", "0", good, "b", "0", version8).Text);
        Assert.Equal("ERR dump payload version or checksum are wrong", Restore("a", "0", good, "b", "0", "short").Text);
        Assert.Equal("ERR bad data format", Restore("a", "0", good, "b", "0", badType).Text);
        Assert.Equal("ERR bad data format", Restore("a", "0", good, "b", "0", truncatedBody).Text);

        Assert.Equal("old", _c.Command("GET", "a").Text);
        Assert.Equal(0, _c.Command("EXISTS", "b").Integer);
    }

    [Fact]
    public void SlotsRestore_Redis7EncodingsFromTheCodec_Accepted()
    {
        // A listpack hash (type 16) is what Redis 7 dumps; Codis 3.2 would refuse it, we take it.
        var w = new RdbWriter();
        w.WriteType(RdbType.HashListpack);
        w.WriteRawString(Listpack.Build([B("f"), B("v")]));
        byte[] payload = DumpPayload.Seal(w, version: 10);

        Assert.Equal("OK", Restore("h", "0", payload).Text);
        Assert.Equal("v", _c.Command("HGET", "h", "f").Text);
    }

    private static RdbWriter WriterWith(params byte[] bytes)
    {
        var w = new RdbWriter();
        w.WriteRaw(bytes);
        return w;
    }
}
