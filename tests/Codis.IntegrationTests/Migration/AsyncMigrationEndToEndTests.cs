using System.Globalization;
using System.Text;
using Codis.Core.Slots;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Migration;

/// <summary>
/// Async slot migration between two real codis-servers, driven as the dashboard drives it
/// (SLOTSMGRTTAGSLOT-ASYNC in a loop until the slot is empty): every data type, values far larger than
/// maxbytes, chunked collections, TTLs, several tags in one slot, several databases; then the target
/// must hold exactly what the source held and the source nothing of the slot. Also the proxy's
/// SLOTSMGRT-EXEC-WRAPPER protocol during a migration: no acknowledged write lost or applied twice.
/// </summary>
public sealed class AsyncMigrationEndToEndTests : IClassFixture<MigrationPairFixture>, IDisposable
{
    private readonly MigrationPairFixture _fixture;
    private readonly RespConnection _src;
    private readonly RespConnection _tgt;

    /// <summary>Connects to and empties both servers.</summary>
    public AsyncMigrationEndToEndTests(MigrationPairFixture fixture)
    {
        _fixture = fixture;
        _src = fixture.Source.Connect();
        _tgt = fixture.Target.Connect();
        for (int db = 0; db < 4; db++)
        {
            _src.Send("SELECT", I(db));
            _src.Send("SLOTSMGRT-ASYNC-CANCEL");
        }
        _src.Send("SELECT", "0");
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

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static void Ok(RespConnection c, params string[] args)
    {
        RespValue r = c.Command(args);
        Assert.False(r.IsError, $"{string.Join(' ', args.Take(3))}: {r}");
    }

    /// <summary>Names <c>prefix0, prefix1, ...</c> (without a tag) that hash to <paramref name="slot"/>.</summary>
    private static List<string> KeysInSlot(int slot, string prefix, int count)
    {
        var keys = new List<string>();
        for (int i = 0; keys.Count < count; i++)
        {
            string k = prefix + I(i);
            if (SlotHash.Slot(B(k)) == slot)
                keys.Add(k);
        }
        return keys;
    }

    /// <summary>A tag (other than <paramref name="not"/>) whose keys hash to <paramref name="slot"/>.</summary>
    private static string TagInSlot(int slot, string not)
    {
        for (int i = 0; ; i++)
        {
            string tag = "g" + I(i);
            if (tag != not && SlotHash.Slot(B(tag)) == slot)
                return tag;
        }
    }

    /// <summary>
    /// Fills <paramref name="slot"/> of the current database with every kind of value; returns the keys.
    /// Sizes: a 1 MiB string against a few-KiB maxbytes, collections of hundreds of elements against a
    /// maxbulks of 7 (chunked), small ones sent as DUMP payloads, expiries on some.
    /// </summary>
    private List<string> Populate(RespConnection c, int slot, string tag)
    {
        var keys = new List<string>();
        string other = TagInSlot(slot, tag);
        List<string> plain = KeysInSlot(slot, "p", 12);
        string K(string name)
        {
            keys.Add(name);
            return name;
        }
        var rnd = new Random(slot);
        byte[] big = new byte[1 << 20];
        rnd.NextBytes(big);
        Assert.False(c.CommandBytes(B("SET"), B(K($"{{{tag}}}big")), big).IsError);
        Ok(c, "SET", K($"{{{tag}}}int"), "12345");
        Ok(c, "SET", K($"{{{tag}}}ttl"), "soon", "PX", "600000");
        var list = new List<string> { "RPUSH", K($"{{{tag}}}list") };
        for (int i = 0; i < 700; i++)
            list.Add(i % 3 == 0 ? I(i) : "elem-" + I(i));
        Ok(c, [.. list]);
        Ok(c, "PEXPIRE", $"{{{tag}}}list", "900000");
        var hash = new List<string> { "HSET", K($"{{{other}}}hash") };
        for (int i = 0; i < 300; i++)
            hash.AddRange(["f" + I(i), new string('v', i % 50)]);
        Ok(c, [.. hash]);
        var set = new List<string> { "SADD", K($"{{{other}}}set") };
        for (int i = 0; i < 400; i++)
            set.Add("m" + I(i));
        Ok(c, [.. set]);
        var zset = new List<string> { "ZADD", K($"{{{tag}}}zset") };
        for (int i = 0; i < 350; i++)
            zset.AddRange([(i * 1.5 - 100).ToString("R", CultureInfo.InvariantCulture), "z" + I(i)]);
        Ok(c, [.. zset]);
        Ok(c, "ZADD", K($"{{{tag}}}zinf"), "-inf", "lo", "inf", "hi", "0", "mid");
        Ok(c, "RPUSH", K(plain[0]), "a", "b", "c");
        Ok(c, "HSET", K(plain[1]), "a", "1", "b", "2");
        Ok(c, "SADD", K(plain[2]), "1", "2", "3");
        Ok(c, "SADD", K(plain[3]), "x", "y");
        Ok(c, "ZADD", K(plain[4]), "1", "a", "2", "b");
        Ok(c, "SET", K(plain[5]), "short", "EX", "1000");
        for (int i = 6; i < plain.Count; i++)
            Ok(c, "SET", K(plain[i]), "value-" + I(i));
        // Keys of other slots must stay where they are.
        Ok(c, "SET", "elsewhere-" + I(slot), "x");
        return keys;
    }

    /// <summary>The value of a key in a comparable form (binary-safe), and its remaining TTL.</summary>
    private static (string Value, long Pttl) Describe(RespConnection c, string key)
    {
        string type = c.Command("TYPE", key).Text!;
        IEnumerable<string> Items(RespValue v) => v.Children!.Select(x => Convert.ToHexString(x.Bytes ?? []));
        string value = type switch
        {
            "string" => Convert.ToHexString(c.Command("GET", key).Bytes!),
            "list" => string.Join(",", Items(c.Command("LRANGE", key, "0", "-1"))),
            "hash" => string.Join(",", Items(c.Command("HGETALL", key)).Chunk(2).Select(p => p[0] + "=" + p[1]).Order(StringComparer.Ordinal)),
            "set" => string.Join(",", Items(c.Command("SMEMBERS", key)).Order(StringComparer.Ordinal)),
            "zset" => string.Join(",", Items(c.Command("ZRANGE", key, "0", "-1", "WITHSCORES"))),
            _ => "none",
        };
        return (type + ":" + value, c.Command("PTTL", key).Integer);
    }

    /// <summary>Runs a slot migration command until the slot is empty, as the dashboard does; returns the keys moved.</summary>
    private long MigrateSlot(RespConnection c, string command, int slot, string maxBulks, string maxBytes, string numKeys)
    {
        long moved = 0;
        for (int round = 0; round < 100_000; round++)
        {
            RespValue r = c.Command(command, "127.0.0.1", I(_fixture.Target.Port), "10000", maxBulks, maxBytes, I(slot), numKeys);
            Assert.False(r.IsError, r.ToString());
            moved += r[0].Integer;
            if (r[1].Integer == 0)
                return moved;
        }
        throw new InvalidOperationException("the slot never emptied");
    }

    private void AssertMigrated(int db, int slot, List<string> keys, Dictionary<string, (string Value, long Pttl)> before)
    {
        _tgt.Send("SELECT", I(db));
        _src.Send("SELECT", I(db));
        foreach (string key in keys)
        {
            (string value, long pttl) = Describe(_tgt, key);
            Assert.Equal(before[key].Value, value);
            if (before[key].Pttl < 0)
            {
                Assert.Equal(-1, pttl);
            }
            else
            {
                Assert.InRange(pttl, 1, before[key].Pttl);
                Assert.True(before[key].Pttl - pttl < 60_000, $"{key}: ttl {before[key].Pttl} became {pttl}");
            }
            Assert.Equal(0, _src.Command("EXISTS", key).Integer);
        }
        Assert.Equal("*0\r\n", Encoding.UTF8.GetString(_src.Send("SLOTSINFO", I(slot), "1")));
        Assert.Equal(1, _src.Command("EXISTS", "elsewhere-" + I(slot)).Integer);
        Assert.Equal(0, _tgt.Command("EXISTS", "elsewhere-" + I(slot)).Integer);
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_src.Send("SLOTSCHECK")));
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_tgt.Send("SLOTSCHECK")));
        _tgt.Send("SELECT", "0");
        _src.Send("SELECT", "0");
    }

    [Fact]
    public void SlotsmgrtTagSlotAsync_EveryTypeBigAndChunked_TargetHoldsExactlyTheSlot()
    {
        int slot = SlotHash.Slot(B("mig"));
        List<string> keys = Populate(_src, slot, "mig");
        var before = keys.ToDictionary(k => k, k => Describe(_src, k));
        // maxbytes 4096 against a 1 MiB string and multi-KiB chunks; maxbulks 7; numkeys 3.
        long moved = MigrateSlot(_src, "SLOTSMGRTTAGSLOT-ASYNC", slot, "7", "4096", "3");
        Assert.Equal(keys.Count, moved);
        AssertMigrated(0, slot, keys, before);
    }

    [Fact]
    public async Task SlotsmgrtSlotAsync_SeveralDatabasesAtOnce_EachMigratesItsOwnSlot()
    {
        int slot1 = SlotHash.Slot(B("one"));
        int slot3 = SlotHash.Slot(B("three"));
        using RespConnection db1 = _fixture.Source.Connect();
        using RespConnection db3 = _fixture.Source.Connect();
        db1.Send("SELECT", "1");
        db3.Send("SELECT", "3");
        List<string> keys1 = Populate(db1, slot1, "one");
        List<string> keys3 = Populate(db3, slot3, "three");
        var before1 = keys1.ToDictionary(k => k, k => Describe(db1, k));
        var before3 = keys3.ToDictionary(k => k, k => Describe(db3, k));
        // Both databases migrate at the same time, each over its own connection.
        Task<long> t1 = Task.Run(() => MigrateSlot(db1, "SLOTSMGRTSLOT-ASYNC", slot1, "5", "2000", "4"));
        Task<long> t3 = Task.Run(() => MigrateSlot(db3, "SLOTSMGRTTAGSLOT-ASYNC", slot3, "0", "0", "0"));
        Assert.Equal(keys1.Count, await t1);
        Assert.Equal(keys3.Count, await t3);
        AssertMigrated(1, slot1, keys1, before1);
        AssertMigrated(3, slot3, keys3, before3);
        Assert.Equal(0, _tgt.Command("DBSIZE").Integer);
    }

    [Fact]
    public void SlotsmgrtOneAsync_Keys_MovedCountAndValues()
    {
        Ok(_src, "SET", "a", "1");
        Ok(_src, "RPUSH", "l", "x", "y", "z");
        Ok(_src, "SET", "{t}a", "ta");
        Ok(_src, "SET", "{t}b", "tb");
        string port = I(_fixture.Target.Port);
        Assert.Equal(2, _src.Command("SLOTSMGRTONE-ASYNC", "127.0.0.1", port, "5000", "1", "0", "a", "l", "a", "missing").Integer);
        Assert.Equal(2, _src.Command("SLOTSMGRTTAGONE-ASYNC", "127.0.0.1", port, "5000", "0", "0", "{t}a").Integer);
        Assert.Equal(0, _src.Command("DBSIZE").Integer);
        Assert.Equal("1", _tgt.Command("GET", "a").Text);
        Assert.Equal("x,y,z", string.Join(",", _tgt.Command("LRANGE", "l", "0", "-1").Children!.Select(x => x.Text)));
        Assert.Equal("tb", _tgt.Command("GET", "{t}b").Text);
        // The same key again: it is gone from the source, nothing to move.
        Assert.Equal(0, _src.Command("SLOTSMGRTONE-ASYNC", "127.0.0.1", port, "5000", "0", "0", "a").Integer);
    }

    [Fact]
    public void SlotsmgrtOneAsync_KeyAlreadyOnTarget_Overwritten()
    {
        Ok(_tgt, "RPUSH", "k", "old");
        Ok(_src, "SET", "k", "new");
        Assert.Equal(1, _src.Command("SLOTSMGRTONE-ASYNC", "127.0.0.1", I(_fixture.Target.Port), "5000", "0", "0", "k").Integer);
        Assert.Equal("new", _tgt.Command("GET", "k").Text);
    }

    [Fact]
    public void SlotsmgrtOneAsync_TargetDbMigratingItself_InterruptedNothingDeleted()
    {
        // The target's own database 0 runs a batch towards a silent fake target: it refuses our messages
        // with an error ACK and closes the connection.
        using var fake = new AsyncFakeTarget(AsyncFakeTargetMode.Silent);
        Ok(_tgt, "SET", "busy", "1");
        _tgt.SendRaw(RespConnection.Encode("SLOTSMGRTONE-ASYNC", "127.0.0.1", I(fake.Port), "30000", "0", "0", "busy"));
        Assert.True(fake.WaitForMessages(3));
        Ok(_src, "SET", "k", "v");
        Assert.Equal("-ERR interrupted: connection closed\r\n", Encoding.UTF8.GetString(_src.Send("SLOTSMGRTONE-ASYNC", "127.0.0.1", I(_fixture.Target.Port), "5000", "0", "0", "k")));
        Assert.Equal("v", _src.Command("GET", "k").Text);
        using RespConnection admin = _fixture.Target.Connect();
        Assert.Equal(1, admin.Command("SLOTSMGRT-ASYNC-CANCEL").Integer);
        Assert.Equal("-ERR interrupted: canceled\r\n", Encoding.UTF8.GetString(_tgt.ReadReply()));
    }

    [Fact]
    public void SlotsmgrtTagSlotAsync_RealTargetKilledMidBatch_InterruptedNothingDeleted()
    {
        using ServerProcess doomed = ServerProcess.StartCodis();
        // One list of 300,000 elements sent one element per message and paced by the ACKs: the batch
        // lasts far longer than it takes to notice the key on the target and kill the process.
        for (int chunk = 0; chunk < 30; chunk++)
        {
            var push = new List<string> { "RPUSH", "{k}huge" };
            for (int i = 0; i < 10_000; i++)
                push.Add(I(chunk * 10_000 + i));
            Ok(_src, [.. push]);
        }
        Ok(_src, "SET", "{k}small", "s");
        int slot = SlotHash.Slot(B("k"));
        _src.SendRaw(RespConnection.Encode("SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", I(doomed.Port), "30000", "1", "1", I(slot), "10"));
        using (RespConnection watch = doomed.Connect())
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (watch.Command("EXISTS", "{k}huge").Integer == 0 && DateTime.UtcNow < deadline)
                Thread.Sleep(5);
        }
        doomed.Dispose();
        Assert.Equal("-ERR interrupted: connection closed\r\n", Encoding.UTF8.GetString(_src.ReadReply()));
        Assert.Equal(300_000, _src.Command("LLEN", "{k}huge").Integer);
        Assert.Equal("s", _src.Command("GET", "{k}small").Text);
        Assert.Equal("+OK\r\n", Encoding.UTF8.GetString(_src.Send("SLOTSCHECK")));
    }

    [Fact]
    public async Task ExecWrapper_IncrDuringSlotMigration_NoAcknowledgedWriteLostOrDoubled()
    {
        int slot = SlotHash.Slot(B("ctr"));
        List<string> counters = KeysInSlot(slot, "c", 60);
        counters.AddRange(Enumerable.Range(0, 20).Select(i => $"{{ctr}}t{i}"));
        foreach (string k in counters)
            Ok(_src, "SET", k, "0");
        // Bulky neighbours make the batches take a while.
        for (int i = 0; i < 10; i++)
        {
            var push = new List<string> { "RPUSH", $"{{ctr}}bulk{i}" };
            for (int j = 0; j < 2000; j++)
                push.Add("element-" + I(j));
            Ok(_src, [.. push]);
        }
        var acked = new long[counters.Count];
        long forwardedToTarget = 0;
        using var done = new CancellationTokenSource();
        string target = I(_fixture.Target.Port);
        void Writer(int seed)
        {
            using RespConnection src = _fixture.Source.Connect();
            using RespConnection tgt = _fixture.Target.Connect();
            var rnd = new Random(seed);
            int afterDone = 0;
            while (afterDone < 200)
            {
                if (done.IsCancellationRequested)
                    afterDone++;
                int i = rnd.Next(counters.Count);
                string key = counters[i];
                // The proxy's semi-async loop (migration.md §7.2).
                for (int loop = 0; ; loop++)
                {
                    RespValue r = src.Command("SLOTSMGRT-EXEC-WRAPPER", key, "INCR", key);
                    Assert.Equal(RespType.Array, r.Type);
                    long code = r[0].Integer;
                    if (code == 0)
                    {
                        RespValue forwarded = tgt.Command("INCR", key);
                        Assert.False(forwarded.IsError, forwarded.ToString());
                        Interlocked.Increment(ref acked[i]);
                        Interlocked.Increment(ref forwardedToTarget);
                        break;
                    }
                    if (code == 2)
                    {
                        Assert.Equal(RespType.Integer, r[1].Type);
                        Interlocked.Increment(ref acked[i]);
                        break;
                    }
                    Assert.Equal(1, code);
                    Thread.Sleep(loop < 5 ? 0 : Math.Min(loop, 20));
                }
            }
        }
        Task[] writers = [.. Enumerable.Range(0, 3).Select(s => Task.Run(() => Writer(s)))];
        await Task.Delay(100);
        using (RespConnection dashboard = _fixture.Source.Connect())
        {
            for (int round = 0; round < 100_000; round++)
            {
                RespValue r = dashboard.Command("SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", target, "10000", "100", "65536", I(slot), "5");
                Assert.False(r.IsError, r.ToString());
                if (r[1].Integer == 0)
                    break;
            }
        }
        done.Cancel();
        await Task.WhenAll(writers);
        Assert.Equal(0, _src.Command("SLOTSINFO", I(slot), "1").Count);
        for (int i = 0; i < counters.Count; i++)
            Assert.Equal(I(acked[i]), _tgt.Command("GET", counters[i]).Text);
        Assert.True(acked.Sum() > forwardedToTarget);
        Assert.True(forwardedToTarget > 0);
    }

    [Fact]
    public void SlotsmgrtSlotAsync_SharedRequirepass_MigratesAndWrongPasswordInterrupts()
    {
        using ServerProcess source = ServerProcess.StartCodis("--requirepass", "pw1");
        using ServerProcess same = ServerProcess.StartCodis("--requirepass", "pw1");
        using ServerProcess other = ServerProcess.StartCodis("--requirepass", "pw2");
        using RespConnection c = source.Connect();
        Ok(c, "AUTH", "pw1");
        Ok(c, "SET", "{p}a", "1");
        Ok(c, "HSET", "{p}h", "f", "v");
        int slot = SlotHash.Slot(B("p"));
        // The target refuses the password (ACK -1 invalid password, connection closed): nothing moves.
        Assert.Equal("-ERR interrupted: connection closed\r\n",
            Encoding.UTF8.GetString(c.Send("SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", I(other.Port), "5000", "0", "0", I(slot), "10")));
        Assert.Equal(2, c.Command("DBSIZE").Integer);
        RespValue r = c.Command("SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", I(same.Port), "5000", "0", "0", I(slot), "10");
        Assert.Equal("[2,0]", $"[{r[0].Integer},{r[1].Integer}]");
        using RespConnection t = same.Connect();
        Ok(t, "AUTH", "pw1");
        Assert.Equal("1", t.Command("GET", "{p}a").Text);
        Assert.Equal("v", t.Command("HGET", "{p}h", "f").Text);
    }
}
