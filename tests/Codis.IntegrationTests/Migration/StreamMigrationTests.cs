using System.Globalization;
using System.Text;
using Codis.Core.Slots;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// Streams with consumer groups moved between two real codis-servers by the synchronous (SLOTSMGRT*,
/// RESTORE payloads) and the asynchronous (SLOTSMGRT*-ASYNC, one "object" message per stream) migration:
/// the target must hold the same entries, counters, groups, PELs and consumers, and the source none.
/// </summary>
public sealed class StreamMigrationTests : IClassFixture<MigrationPairFixture>, IDisposable
{
    private readonly MigrationPairFixture _fixture;
    private readonly RespConnection _src;
    private readonly RespConnection _tgt;

    /// <summary>Connects to and empties both servers.</summary>
    public StreamMigrationTests(MigrationPairFixture fixture)
    {
        _fixture = fixture;
        _src = fixture.Source.Connect();
        _tgt = fixture.Target.Connect();
        _src.Send("SLOTSMGRT-ASYNC-CANCEL");
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_src.Send("FLUSHALL")));
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_tgt.Send("FLUSHALL")));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _src.Dispose();
        _tgt.Dispose();
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static void Ok(RespConnection c, params string[] args)
    {
        RespValue r = c.Command(args);
        Assert.False(r.IsError, $"{string.Join(' ', args.Take(3))}: {r}");
    }

    /// <summary>Two streams under one tag (a big one past any maxbulks, one with groups) and an empty one.</summary>
    private static List<string> Populate(RespConnection c, string tag)
    {
        string big = "{" + tag + "}big", grouped = "{" + tag + "}s", empty = "{" + tag + "}e";
        for (int i = 1; i <= 300; i++)
            Ok(c, "XADD", big, I(i) + "-1", "f", I(i), "g", new string('x', i % 50));
        Ok(c, "XDEL", big, "7-1");
        Ok(c, "XADD", grouped, "1-1", "a", "1");
        Ok(c, "XADD", grouped, "2-1", "b", "2");
        Ok(c, "XADD", grouped, "3-1", "c", "3");
        Ok(c, "XGROUP", "CREATE", grouped, "g", "0");
        Ok(c, "XGROUP", "CREATE", grouped, "h", "$");
        Ok(c, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", grouped, ">");
        Ok(c, "XREADGROUP", "GROUP", "g", "bob", "STREAMS", grouped, ">");
        Ok(c, "XACK", grouped, "g", "2-1");
        Ok(c, "XGROUP", "CREATE", empty, "g", "$", "MKSTREAM");
        Ok(c, "PEXPIRE", empty, "600000");
        return [big, grouped, empty];
    }

    private static string Describe(RespConnection c, string key) =>
        Encoding.UTF8.GetString(c.Send("XINFO", "STREAM", key, "FULL", "COUNT", "0"));

    private void AssertMoved(List<string> keys, Dictionary<string, string> before)
    {
        foreach (string key in keys)
        {
            Assert.Equal(before[key], Describe(_tgt, key));
            Assert.Equal(0, _src.Command("EXISTS", key).Integer);
        }
        long ttl = _tgt.Command("PTTL", keys[2]).Integer;
        Assert.InRange(ttl, 1, 600000);
        Assert.Equal(-1, _tgt.Command("PTTL", keys[0]).Integer);
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_tgt.Send("SLOTSCHECK")));
    }

    [Fact]
    public void SlotsmgrtTagSlot_StreamsWithGroups_MovedWhole()
    {
        List<string> keys = Populate(_src, "syncs");
        var before = keys.ToDictionary(k => k, k => Describe(_src, k));
        int slot = SlotHash.Slot(Encoding.UTF8.GetBytes("syncs"));
        RespValue r = _src.Command("SLOTSMGRTTAGSLOT", "127.0.0.1", I(_fixture.Target.Port), "10000", I(slot));
        Assert.False(r.IsError, r.ToString());
        Assert.Equal(keys.Count, r[0].Integer);
        AssertMoved(keys, before);
    }

    [Fact]
    public void SlotsmgrtTagSlotAsync_StreamsWithGroups_MovedWhole()
    {
        List<string> keys = Populate(_src, "asyncs");
        var before = keys.ToDictionary(k => k, k => Describe(_src, k));
        int slot = SlotHash.Slot(Encoding.UTF8.GetBytes("asyncs"));
        long moved = 0;
        for (int round = 0; round < 1000; round++)
        {
            // maxbulks 7 and maxbytes 512: a list this size would be chunked; a stream goes as one payload.
            RespValue r = _src.Command("SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", I(_fixture.Target.Port), "10000", "7", "512", I(slot), "1");
            Assert.False(r.IsError, r.ToString());
            moved += r[0].Integer;
            if (r[1].Integer == 0)
                break;
        }
        Assert.Equal(keys.Count, moved);
        AssertMoved(keys, before);
        // The moved group keeps serving: bob's pending entry is still his, new entries go on from 3-1.
        Ok(_tgt, "XADD", keys[1], "4-1", "d", "4");
        Assert.Equal("4-1", _tgt.Command("XREADGROUP", "GROUP", "g", "carol", "STREAMS", keys[1], ">")[0][1][0][0].Text);
    }
}
