using System.Globalization;
using System.Text.Json;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Walkthrough;

public sealed partial class TutorialWalkthroughTests
{
    /// <summary>The data and slot checks of a walk: keys written through a proxy, slots read with codis-admin.</summary>
    private sealed partial class Walk
    {
        /// <summary><c>--rebalance --confirm</c>, then waits until every slot action is done.</summary>
        private void Rebalance()
        {
            Ok(D, "--rebalance", "--confirm");
            WaitSlots(_ => true, "rebalance finished");
        }

        /// <summary>Polls the slot mappings (codis-admin's <c>slots</c> overview word) until no slot has an action and every owner satisfies <paramref name="owner"/>.</summary>
        private void WaitSlots(Func<int, bool> owner, string what)
        {
            DateTime deadline = DateTime.UtcNow + MigrationDeadline;
            string last = "";
            while (DateTime.UtcNow < deadline)
            {
                List<(int Group, string State)> slots = Slots(out last);
                if (slots.All(s => s.State.Length == 0 && owner(s.Group)))
                    return;
                Thread.Sleep(500);
            }
            Assert.Fail($"{what}: not reached within {MigrationDeadline}; slot owners {Show(Count(Slots(out _)))}\n{Tail(last)}");
        }

        /// <summary>Asserts (once, no waiting) that no slot is migrating and every owner satisfies <paramref name="owner"/>.</summary>
        private void AssertSlots(Func<int, bool> owner, string what)
        {
            List<(int Group, string State)> slots = Slots(out _);
            Assert.True(slots.Count == 1024 && slots.All(s => s.State.Length == 0 && owner(s.Group)), $"{what}: slot owners {Show(Count(slots))}");
        }

        /// <summary>The contiguous runs (first, last) of the slots owned by <paramref name="gid"/>.</summary>
        private List<(int Beg, int End)> RunsOfGroup(int gid)
        {
            List<(int Group, string State)> slots = Slots(out _);
            var runs = new List<(int, int)>();
            for (int i = 0; i < slots.Count; i++)
            {
                if (slots[i].Group != gid)
                    continue;
                int beg = i;
                while (i + 1 < slots.Count && slots[i + 1].Group == gid)
                    i++;
                runs.Add((beg, i));
            }
            return runs;
        }

        private Dictionary<int, int> SlotCounts() => Count(Slots(out _));

        private List<(int Group, string State)> Slots(out string json)
        {
            // The overview's slots (SlotMapping: group_id and action); --slots-status prints the proxies' view
            // (backend_addr), which has no action state.
            json = Ok(D, "slots").StdOut;
            using JsonDocument d = JsonDocument.Parse(json);
            var slots = new List<(int, string)>();
            foreach (JsonElement s in d.RootElement.EnumerateArray())
            {
                int gid = s.TryGetProperty("group_id", out JsonElement g) ? g.GetInt32() : 0;
                string state = s.TryGetProperty("action", out JsonElement a) && a.ValueKind == JsonValueKind.Object
                    && a.TryGetProperty("state", out JsonElement st) ? st.GetString() ?? "" : "";
                slots.Add((gid, state));
            }
            return slots;
        }

        /// <summary><c>--slots-status</c> (the slots as the proxies see them): every slot is served by <paramref name="backend"/>.</summary>
        private void AssertSlotsServedBy(ServerProcess backend)
        {
            string json = Ok(D, "--slots-status").StdOut;
            using JsonDocument d = JsonDocument.Parse(json);
            string addr = Addr(backend);
            Assert.True(d.RootElement.GetArrayLength() == 1024 && d.RootElement.EnumerateArray().All(s =>
                s.TryGetProperty("backend_addr", out JsonElement b) && b.GetString() == addr), $"every slot served by {addr}:\n{Tail(json)}");
        }

        private static Dictionary<int, int> Count(List<(int Group, string State)> slots) =>
            slots.GroupBy(s => s.Group).ToDictionary(g => g.Key, g => g.Count());

        private static string Show(Dictionary<int, int> counts) =>
            string.Join(", ", counts.OrderBy(p => p.Key).Select(p => $"group {p.Key}: {p.Value}"));

        private static string Tail(string s) => s.Length <= 2000 ? s : s[^2000..];

        /// <summary>SETs the pairs through <paramref name="proxy"/> and remembers them.</summary>
        private void Write(ProxyProcess proxy, params (string Key, string Value)[] pairs)
        {
            using RespConnection c = proxy.Connect();
            foreach ((string key, string value) in pairs)
            {
                RespValue r = c.Command("SET", key, value);
                Assert.True(r.Text == "OK", $"SET {key} through {proxy.ProxyAddr}: {r}");
                _data[key] = value;
            }
        }

        /// <summary>Writes <paramref name="count"/> keys named after <paramref name="step"/> (they spread over many slots).</summary>
        private void WriteMany(ProxyProcess proxy, string step, int count) =>
            Write(proxy, [.. Enumerable.Range(0, count).Select(i => ($"{step}:key:{i}", $"{step}-value-{i}"))]);

        /// <summary>Every key written so far reads back with its last value through <paramref name="proxy"/>.</summary>
        private void Check(ProxyProcess proxy)
        {
            using RespConnection c = proxy.Connect();
            foreach ((string key, string value) in _data)
            {
                RespValue r = c.Command("GET", key);
                Assert.True(r.Text == value, $"GET {key} through {proxy.ProxyAddr}: expected {value}, got {r}");
            }
        }

        /// <summary>Waits until the replica holds every key of its master (it replicates after the sync action).</summary>
        private static void WaitReplicated(ServerProcess replica, ServerProcess master)
        {
            DateTime deadline = DateTime.UtcNow + StepDeadline;
            string info = "";
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    using RespConnection c = replica.Connect();
                    info = c.Command("INFO", "replication").Text ?? "";
                    if (info.Contains("master_link_status:up", StringComparison.Ordinal) && DbSize(replica) == DbSize(master))
                        return;
                }
                catch (IOException e)
                {
                    // The sync action ends with CLIENT KILL TYPE normal (as Codis does), which may close this
                    // connection if it lands between connect and reply: ask again on a new connection.
                    info = e.Message;
                }
                Thread.Sleep(300);
            }
            Assert.Fail($"replica 127.0.0.1:{replica.Port.ToString(CultureInfo.InvariantCulture)} did not catch up within {StepDeadline}:\n{info}");
        }

        private static long DbSize(ServerProcess s)
        {
            using RespConnection c = s.Connect();
            return c.Command("DBSIZE").Integer;
        }
    }
}
