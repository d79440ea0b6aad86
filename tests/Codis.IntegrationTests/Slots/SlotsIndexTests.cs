using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Slots;

/// <summary>One codis-server for the slot-index tests.</summary>
public sealed class CodisFixture : IDisposable
{
    /// <summary>Starts the server.</summary>
    public CodisFixture() => Server = ServerProcess.StartCodis();

    /// <summary>Our server.</summary>
    public ServerProcess Server { get; }

    /// <summary>Stops the server.</summary>
    public void Dispose() => Server.Dispose();
}

/// <summary>
/// The Codis slot-index commands (spec server.md §4) against our server, with the verified examples of
/// the spec (taken from codis-server 3.2.11) and their error texts.
/// </summary>
public sealed class SlotsIndexTests : IClassFixture<CodisFixture>, IDisposable
{
    private readonly CodisFixture _fixture;
    private readonly RespConnection _c;

    /// <summary>Connects and empties the server.</summary>
    public SlotsIndexTests(CodisFixture fixture)
    {
        _fixture = fixture;
        _c = fixture.Server.Connect();
        Assert.Equal("+OK\r\n", Raw("FLUSHALL"));
    }

    /// <inheritdoc/>
    public void Dispose() => _c.Dispose();

    private string Raw(params string[] args) => Encoding.UTF8.GetString(_c.Send(args));

    private static string Ints(params long[] values) => $"*{values.Length}\r\n" + string.Concat(values.Select(v => $":{v}\r\n"));

    private static string Pairs(params (int Slot, int Keys)[] pairs)
        => $"*{pairs.Length}\r\n" + string.Concat(pairs.Select(p => $"*2\r\n:{p.Slot}\r\n:{p.Keys}\r\n"));

    private void Set(params string[] keys)
    {
        foreach (string k in keys)
            Assert.Equal("+OK\r\n", Raw("SET", k, "v"));
    }

    [Fact]
    public void SlotsHashKey_SpecExample_Slots()
    {
        Assert.Equal(Ints(579, 680, 680, 0, 1017, 780, 408), Raw("SLOTSHASHKEY", "a", "{t}x", "t", "{}a", "b", "{a", "a}"));
    }

    [Fact]
    public void SlotsHashKey_NoKeys_EmptyArray() => Assert.Equal("*0\r\n", Raw("SLOTSHASHKEY"));

    [Fact]
    public void SlotsHashKey_BinaryAndEmptyKeys_CrcOfTag()
    {
        // crc32("") = 0; "{}x" hashes the empty tag; "x{" has no tag.
        Assert.Equal(Ints(0, 0), Raw("SLOTSHASHKEY", "", "{}x"));
        RespValue v = _c.CommandBytes(Encoding.ASCII.GetBytes("SLOTSHASHKEY"), [0xff, (byte)'{', 0, (byte)'}']);
        Assert.Equal(Codis.Core.Slots.SlotHash.Slot([0]), v[0].Integer);
    }

    [Fact]
    public void SlotsInfo_SpecExamples_NonEmptySlotsOnly()
    {
        Set("{t}a", "{t}b", "a", "b");
        Assert.Equal(Pairs((579, 1), (680, 2), (1017, 1)), Raw("SLOTSINFO"));
        Assert.Equal(Pairs((680, 2)), Raw("SLOTSINFO", "600", "100"));
        Assert.Equal(Pairs((680, 2), (1017, 1)), Raw("SLOTSINFO", "600"));
        Assert.Equal(Pairs(), Raw("SLOTSINFO", "600", "80"));
        Assert.Equal(Pairs((680, 2)), Raw("SLOTSINFO", "680", "1"));
        Assert.Equal(Pairs(), Raw("SLOTSINFO", "680", "0"));
        Assert.Equal(Pairs((1017, 1)), Raw("SLOTSINFO", "1000", "2147483647"));
    }

    [Theory]
    [InlineData("-ERR invalid slot number = 1024\r\n", "1024")]
    [InlineData("-ERR invalid slot number = -1\r\n", "-1")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "x")]
    [InlineData("-ERR value is out of range\r\n", "4294967296")]
    [InlineData("-ERR invalid slot count = -1\r\n", "0", "-1")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "0", "x")]
    [InlineData("-ERR value is out of range\r\n", "0", "2147483648")]
    [InlineData("-ERR wrong number of arguments for 'slotsinfo' command\r\n", "0", "1", "2")]
    [InlineData("-ERR invalid slot count = -5\r\n", "0", "-5", "2")]
    public void SlotsInfo_BadArguments_Errors(string expected, params string[] args)
        => Assert.Equal(expected, Raw(["SLOTSINFO", .. args]));

    [Fact]
    public void SlotsScan_SpecExample_AllKeysOfTheSlot()
    {
        Set("{t}a", "{t}b", "a");
        RespValue v = _c.Command("SLOTSSCAN", "680", "0");
        Assert.Equal("0", v[0].Text);
        Assert.Equal(["{t}a", "{t}b"], v[1].Children!.Select(k => k.Text!).Order());
        Assert.Equal("*2\r\n$1\r\n0\r\n*0\r\n", Raw("SLOTSSCAN", "681", "0"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*0\r\n", Raw("SLOTSSCAN", "681", "12345"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void SlotsScan_WithCount_IteratesEveryKeyOnce(int count)
    {
        var expected = new List<string>();
        for (int i = 0; i < 200; i++)
            expected.Add("{t}" + i);
        Set([.. expected]);
        Set("a", "{u}x");
        var seen = new List<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            RespValue v = _c.Command("SLOTSSCAN", "680", cursor, calls % 2 == 0 ? "COUNT" : "count", count.ToString());
            Assert.InRange(v[1].Count, 0, 10 * count + 10);
            seen.AddRange(v[1].Children!.Select(k => k.Text!));
            cursor = v[0].Text!;
            calls++;
        }
        while (cursor != "0");
        Assert.Equal(expected.Order(), seen.Order());
        Assert.True(calls > 200 / (count * 10 + 10));
    }

    [Fact]
    public void SlotsScan_CountOne_StopsAfterTheFirstKeys()
    {
        Set("{t}a", "{t}b");
        RespValue v = _c.Command("SLOTSSCAN", "680", "0", "COUNT", "1");
        // The scan stops at the first bucket holding a key; it may hold both keys.
        Assert.InRange(v[1].Count, 1, 2);
        if (v[0].Text == "0")
            Assert.Equal(2, v[1].Count);
    }

    [Theory]
    [InlineData("-ERR syntax error\r\n", "680", "0", "MATCH", "x")]
    [InlineData("-ERR syntax error\r\n", "680", "0", "COUNT", "0")]
    [InlineData("-ERR syntax error\r\n", "680", "0", "COUNT", "-3")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "680", "0", "COUNT", "x")]
    [InlineData("-ERR wrong number of arguments for 'slotsscan' command\r\n", "680", "0", "COUNT")]
    [InlineData("-ERR wrong number of arguments for 'slotsscan' command\r\n", "680", "0", "COUNT", "1", "x")]
    [InlineData("-ERR invalid cursor\r\n", "680", "x")]
    [InlineData("-ERR invalid cursor\r\n", "680", "x", "COUNT")]
    [InlineData("-ERR invalid slot number = 1024\r\n", "1024", "x")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "s", "0")]
    [InlineData("-ERR wrong number of arguments for 'slotsscan' command\r\n", "680")]
    public void SlotsScan_BadArguments_Errors(string expected, params string[] args)
        => Assert.Equal(expected, Raw(["SLOTSSCAN", .. args]));

    [Fact]
    public void SlotsDel_SpecExample_DeletesEveryKeyOfTheSlots()
    {
        Set("{t}a", "{t}b", "t", "a", "b");
        Assert.Equal("*2\r\n*2\r\n:680\r\n:0\r\n*2\r\n:1\r\n:0\r\n", Raw("SLOTSDEL", "680", "1"));
        Assert.Equal("$-1\r\n", Raw("GET", "{t}a"));
        Assert.Equal("$-1\r\n", Raw("GET", "t"));
        Assert.Equal("$1\r\nv\r\n", Raw("GET", "a"));
        Assert.Equal(Pairs((579, 1), (1017, 1)), Raw("SLOTSINFO"));
        Assert.Equal(Pairs((579, 0), (579, 0)), Raw("SLOTSDEL", "579", "579"));
        Assert.Equal("+OK\r\n", Raw("SLOTSCHECK"));
    }

    [Fact]
    public void SlotsDel_BadSlotAmongGoodOnes_DeletesNothing()
    {
        Set("{t}a", "a");
        Assert.Equal("-ERR invalid slot number = 1024\r\n", Raw("SLOTSDEL", "680", "1024"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", Raw("SLOTSDEL", "680", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'slotsdel' command\r\n", Raw("SLOTSDEL"));
        Assert.Equal(Pairs((579, 1), (680, 1)), Raw("SLOTSINFO"));
    }

    [Fact]
    public void SlotsDel_WatchedKey_AbortsTransaction()
    {
        Set("{t}a");
        using RespConnection other = _fixture.Server.Connect();
        Assert.Equal("+OK\r\n", Raw("WATCH", "{t}a"));
        Assert.Equal(Pairs((680, 0)), Encoding.UTF8.GetString(other.Send("SLOTSDEL", "680")));
        Assert.Equal("+OK\r\n", Raw("MULTI"));
        Assert.Equal("+QUEUED\r\n", Raw("GET", "{t}a"));
        Assert.Equal("*-1\r\n", Raw("EXEC"));
    }

    [Fact]
    public void SlotsDel_Keys_PublishDelEvents()
    {
        using ServerProcess server = ServerProcess.StartCodis("--notify-keyspace-events", "Eg");
        using RespConnection c = server.Connect();
        using RespConnection sub = server.Connect();
        c.Send("SET", "{t}a", "1");
        c.Send("SADD", "{t}s", "1");
        sub.Send("SUBSCRIBE", "__keyevent@0__:del");
        Assert.Equal(Pairs((680, 0)), Encoding.UTF8.GetString(c.Send("SLOTSDEL", "680")));
        var keys = new[] { sub.ReadValue()[2].Text, sub.ReadValue()[2].Text };
        Assert.Equal(["{t}a", "{t}s"], keys.Order());
    }

    [Fact]
    public void SlotsCheck_AfterManyChanges_Ok()
    {
        for (int i = 0; i < 300; i++)
            Set("{" + (i % 7) + "}k" + i, "plain" + i);
        Raw("SLOTSDEL", "1", "2", "3");
        Raw("SADD", "{0}set", "a");
        Raw("SREM", "{0}set", "a");
        Raw("SADD", "{1}set", "a");
        Raw("SPOP", "{1}set");
        Assert.Equal("+OK\r\n", Raw("SLOTSCHECK"));
        Assert.Equal("+OK\r\n", Raw("SLOTSCHECK", "ignored", "arguments"));
        Raw("FLUSHALL");
        Assert.Equal("+OK\r\n", Raw("SLOTSCHECK"));
        Assert.Equal("*0\r\n", Raw("SLOTSINFO"));
    }
}
