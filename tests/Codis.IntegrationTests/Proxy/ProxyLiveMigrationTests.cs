using System.Globalization;
using Codis.Core.Topology;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>
/// A slot moves from codis-server A to codis-server B (both real processes) while clients write through
/// the proxy (migration.md §7): sync forwarding (SLOTSMGRTTAGONE on the source, then the target) driven by
/// SLOTSMGRTTAGSLOT, and semi-async forwarding (SLOTSMGRT-EXEC-WRAPPER) driven by SLOTSMGRTTAGSLOT-ASYNC.
/// Every acknowledged INCR must be on B exactly once when the slot is empty on A.
/// </summary>
public sealed class ProxyLiveMigrationTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private const int KeyCount = 64;
    private const int Writers = 4;
    private const int BigHashFields = 4000;

    [Fact]
    public void SyncForward_SlotMovesUnderWrites_NoLostOrDoubledIncr()
    {
        RunMigration(forwardMethod: 0, "ls", (a, portB, slot) =>
        {
            // [moved, remaining]; a few keys per call so the move overlaps the writes.
            RespValue r = a.Command("SLOTSMGRTTAGSLOT", "127.0.0.1", portB, "3000", slot);
            Assert.False(r.IsError, r.ToString());
            return r[0].Integer == 0 && r[1].Integer == 0;
        });
    }

    [Fact]
    public void SemiAsyncForward_SlotMovesUnderWrites_NoLostOrDoubledIncr()
    {
        RunMigration(forwardMethod: 1, "la", (a, portB, slot) =>
        {
            RespValue r = a.Command("SLOTSMGRTTAGSLOT-ASYNC", "127.0.0.1", portB, "3000", "8", "65536", slot, "8");
            Assert.False(r.IsError, r.ToString());
            return r[0].Integer == 0 && r[1].Integer == 0;
        });
    }

    [Fact]
    public void FilledToTargetOnly_AfterMove_ReadsComeFromTarget()
    {
        servers.FlushAll();
        using var proxy = new ProxyHarness();
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        string[] keys = KeysOfOneSlot("lr", 0, 512, 16);
        int slot = ProxyHarness.SlotOf(keys[0]);
        using (var b = servers.B.Connect())
        {
            foreach (string k in keys)
                Assert.Equal("OK", b.Command("SET", k, "b-" + k).Text);
        }
        using (var a = servers.A.Connect())
        {
            // A stale copy on the old owner must not be what the client sees.
            Assert.Equal("OK", a.Command("SET", keys[0], "stale").Text);
        }
        proxy.Fill(new Slot { Id = slot, BackendAddr = servers.AddrB, BackendAddrGroupId = 2 });
        using var c = proxy.Connect();
        foreach (string k in keys)
            Assert.Equal("b-" + k, c.Command("GET", k).Text);
        RespValue m = c.Command(["MGET", .. keys]);
        Assert.Equal(keys.Select(k => "b-" + k), m.Children!.Select(v => v.Text));
    }

    /// <summary>
    /// Counters live on A; the slot is then put in the migrating state (backend B, from A) while writers
    /// INCR through the proxy and <paramref name="step"/> runs on A until it reports the slot empty.
    /// </summary>
    private void RunMigration(int forwardMethod, string prefix, Func<RespConnection, string, string, bool> step)
    {
        servers.FlushAll();
        using var proxy = new ProxyHarness();
        proxy.FillHalves(servers.AddrA, servers.AddrB);
        string[] keys = KeysOfOneSlot(prefix, 0, 512, KeyCount);
        int slot = ProxyHarness.SlotOf(keys[0]);
        var counts = new long[KeyCount];

        // Before the move: everything on A through the proxy (a few hash-tag siblings too).
        using (var c = proxy.Connect())
        {
            for (int i = 0; i < KeyCount; i++)
            {
                for (int n = 0; n <= i % 3; n++)
                {
                    Assert.Equal(RespType.Integer, c.Command("INCR", keys[i]).Type);
                    counts[i]++;
                }
            }
        }
        // A big hash in the slot: the async move sends it in many bulks (maxbulks 8), so writes to it meet
        // the key while it is being migrated (exec-wrapper code 1, the proxy retries).
        string big = "{" + keys[0] + "}:big";
        long hashIncrs = 0;
        using (var a = servers.A.Connect())
        {
            for (int chunk = 0; chunk < BigHashFields / 500; chunk++)
            {
                var args = new List<string> { "HSET", big };
                for (int f = chunk * 500; f < (chunk + 1) * 500; f++)
                    args.AddRange(["f" + f.ToString(CultureInfo.InvariantCulture), "x"]);
                Assert.Equal(500, a.Command([.. args]).Integer);
            }
            a.Command("CONFIG", "RESETSTAT");
        }
        proxy.Fill(new Slot
        {
            Id = slot,
            BackendAddr = servers.AddrB,
            BackendAddrGroupId = 2,
            MigrateFrom = servers.AddrA,
            MigrateFromGroupId = 1,
            ForwardMethod = forwardMethod,
        });

        using var stop = new CancellationTokenSource();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            using var c = proxy.Connect();
            var rnd = new Random(w);
            // Odd writers pipeline 16 INCRs at a time: several requests of one session in flight at once.
            int depth = w % 2 == 0 ? 1 : 16;
            var batch = new int[depth];
            while (!stop.IsCancellationRequested)
            {
                var wire = new List<byte>();
                for (int j = 0; j < depth; j++)
                {
                    batch[j] = rnd.Next(KeyCount);
                    wire.AddRange(RespConnection.Encode("INCR", keys[batch[j]]));
                }
                c.SendRaw([.. wire]);
                for (int j = 0; j < depth; j++)
                {
                    RespValue r = c.ReadValue();
                    if (r.Type == RespType.Integer)
                        Interlocked.Increment(ref counts[batch[j]]);
                    else
                        errors.Enqueue(r.ToString());
                }
            }
        }))];

        Task hashWriter = Task.Run(() =>
        {
            using var c = proxy.Connect();
            while (!stop.IsCancellationRequested)
            {
                RespValue r = c.Command("HINCRBY", big, "n", "1");
                if (r.Type == RespType.Integer)
                    Interlocked.Increment(ref hashIncrs);
                else
                    errors.Enqueue(r.ToString());
            }
        });

        string portB = servers.B.Port.ToString(CultureInfo.InvariantCulture);
        string slotText = slot.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var a = servers.A.Connect();
            // The writers are going (through the migrate-on-touch path) before the move starts.
            long before = counts.Sum();
            Assert.True(ProxyHarness.WaitUntil(() => counts.Sum() > before + 100, TimeSpan.FromSeconds(30)) || !errors.IsEmpty,
                "the writers made no progress");
            bool empty = false;
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!empty && DateTime.UtcNow < deadline)
                empty = step(a, portB, slotText);
            Assert.True(empty, "the slot did not empty on A within 60 s");
            // Keep writing after the move: writes now reach B directly.
            Thread.Sleep(100);
        }
        finally
        {
            stop.Cancel();
            Task.WaitAll([.. writers, hashWriter], TimeSpan.FromSeconds(30));
        }

        Assert.Empty(errors);
        using (var a = servers.A.Connect())
        {
            Assert.Equal(0, a.Command("DBSIZE").Integer);
            Assert.Equal(0, a.Command("SLOTSINFO", slotText, "1").Count);
            // The proxy really took the migrate-on-touch path of its forward method on the source.
            string stats = a.Command("INFO", "commandstats").Text!;
            string forwarded = forwardMethod == 0 ? "cmdstat_slotsmgrttagone:calls=" : "cmdstat_slotsmgrt-exec-wrapper:calls=";
            Assert.Contains(forwarded, stats, StringComparison.Ordinal);
        }
        using (var b = servers.B.Connect())
        {
            for (int i = 0; i < KeyCount; i++)
                Assert.Equal(counts[i].ToString(CultureInfo.InvariantCulture), b.Command("GET", keys[i]).Text);
        }
        using (var b = servers.B.Connect())
        {
            Assert.Equal(BigHashFields + (hashIncrs > 0 ? 1 : 0), b.Command("HLEN", big).Integer);
            Assert.Equal(hashIncrs.ToString(CultureInfo.InvariantCulture), b.Command("HGET", big, "n").Text ?? "0");
        }
        using (var c = proxy.Connect())
        {
            Assert.Equal(counts[0].ToString(CultureInfo.InvariantCulture), c.Command("GET", keys[0]).Text);
        }
    }

    /// <summary><paramref name="count"/> keys of one slot in [from, to): hash-tagged siblings of a first key.</summary>
    private static string[] KeysOfOneSlot(string prefix, int from, int to, int count)
    {
        string first = ProxyHarness.KeyIn(from, to, prefix);
        int slot = ProxyHarness.SlotOf(first);
        // Half share a hash tag (moved together by the TAG commands); the rest are plain keys of the same slot.
        var keys = new List<string> { first };
        for (int i = 1; keys.Count < count / 2; i++)
            keys.Add("{" + first + "}:" + i.ToString(CultureInfo.InvariantCulture));
        for (int skip = 1; keys.Count < count; skip++)
            keys.Add(ProxyHarness.KeyIn(slot, slot + 1, prefix, skip));
        return [.. keys];
    }
}
