using System.Text;
using Codis.Server.DataTypes;

namespace Codis.Server.Tests.DataTypes;

public class SortedSetTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static string S(byte[] b) => Encoding.Latin1.GetString(b);

    private static SortedSet Build(params (string Member, double Score)[] items)
    {
        var z = new SortedSet();
        foreach (var (m, s) in items)
            z.Set(B(m), s);
        return z;
    }

    private static string[] Members(SortedSetRange range) => range.ToList().Select(e => S(e.Member)).ToArray();

    [Fact]
    public void Order_TiesBrokenByMemberBytes_MemcmpThenLength()
    {
        var z = Build(("b", 1), ("a", 1), ("ab", 1), ("\u00ff", 1), ("\0", 1), ("z", 0), ("", 1));
        Assert.Equal(["z", "", "\0", "a", "ab", "b", "\u00ff"], Members(z.RangeByRank(0, -1)));
        Assert.Equal(["\u00ff", "b", "ab", "a", "\0", "", "z"], Members(z.Reverse()));
    }

    [Fact]
    public void Add_Flags_FollowZsetAddSemantics()
    {
        var z = Build(("a", 5));
        Assert.Equal(ZAddOutcome.Skipped, z.Add(B("a"), 1, ZAddFlags.Nx, out _));
        Assert.Equal(ZAddOutcome.Skipped, z.Add(B("b"), 1, ZAddFlags.Xx, out _));
        Assert.Equal(ZAddOutcome.Skipped, z.Add(B("a"), 4, ZAddFlags.Gt, out _));
        Assert.Equal(ZAddOutcome.Skipped, z.Add(B("a"), 5, ZAddFlags.Gt, out _));
        Assert.Equal(ZAddOutcome.Updated, z.Add(B("a"), 6, ZAddFlags.Gt, out double s1));
        Assert.Equal(6, s1);
        Assert.Equal(ZAddOutcome.Skipped, z.Add(B("a"), 7, ZAddFlags.Lt, out _));
        Assert.Equal(ZAddOutcome.Unchanged, z.Add(B("a"), 6, ZAddFlags.None, out double s2));
        Assert.Equal(6, s2);
        Assert.Equal(ZAddOutcome.Updated, z.Add(B("a"), -1, ZAddFlags.Incr | ZAddFlags.Lt, out double s3));
        Assert.Equal(5, s3);
        Assert.Equal(ZAddOutcome.Skipped, z.Add(B("a"), 1, ZAddFlags.Incr | ZAddFlags.Lt, out _));
        Assert.Equal(ZAddOutcome.Added, z.Add(B("c"), 2, ZAddFlags.Gt, out _)); // GT/LT never block adds
        Assert.Equal(ZAddOutcome.NotANumber, z.Add(B("d"), double.NaN, ZAddFlags.None, out _));
        Assert.Equal(ZAddOutcome.Added, z.Add(B("inf"), double.PositiveInfinity, ZAddFlags.None, out _));
        Assert.Equal(ZAddOutcome.NotANumber, z.IncrBy(B("inf"), double.NegativeInfinity, out _));
        Assert.True(z.TryGetScore(B("inf"), out double inf));
        Assert.Equal(double.PositiveInfinity, inf);
        Assert.Equal(ZAddOutcome.Added, z.IncrBy(B("new"), 2.5, out double s4));
        Assert.Equal(2.5, s4);
        Assert.Equal(4, z.Count);
    }

    [Fact]
    public void RankQueries_SmallSet_MatchRedisExamples()
    {
        var z = Build(("one", 1), ("two", 2), ("three", 3));
        Assert.Equal(2, z.GetRank(B("three")));
        Assert.Equal(0, z.GetRank(B("three"), reverse: true));
        Assert.Equal(-1, z.GetRank(B("four")));
        Assert.Equal(["two", "three"], Members(z.RangeByRank(1, -1)));
        Assert.Equal(["three", "two"], Members(z.RangeByRank(0, 1, reverse: true)));
        Assert.Empty(Members(z.RangeByRank(5, 10)));
        Assert.Equal(["one", "two", "three"], Members(z.RangeByRank(-100, 100)));
        Assert.Equal("two", S(z.GetByRank(1).Member));
        Assert.Equal("one", S(z.GetByRank(2, reverse: true).Member));
        Assert.Equal(["two", "three"], Members(z.RangeByScore(new ScoreRange(1, double.PositiveInfinity, MinExclusive: true))));
        Assert.Equal(["three", "two"], Members(z.RangeByScore(new ScoreRange(1, 3, true, false), reverse: true)));
        Assert.Equal(["two"], Members(z.RangeByScore(ScoreRange.All, offset: 1, limit: 1)));
        Assert.Equal(["two", "one"], Members(z.RangeByScore(ScoreRange.All, reverse: true, offset: 1, limit: -1)));
        Assert.Equal(2, z.CountInScoreRange(new ScoreRange(1, 2)));
        Assert.True(z.TryPopMin(out var min));
        Assert.Equal("one", S(min.Member));
        Assert.True(z.TryPopMax(out var max));
        Assert.Equal("three", S(max.Member));
        Assert.Equal(1, z.Count);
    }

    [Theory]
    [InlineData("-", "+", true)]
    [InlineData("[a", "(b", true)]
    [InlineData("a", "+", false)]
    [InlineData("", "+", false)]
    [InlineData("+x", "+", false)]
    [InlineData("-", "-\0x", true)]
    [InlineData("[", "(", true)]
    public void LexRange_Parse_MatchesZslParseLexRangeItem(string min, string max, bool ok)
    {
        Assert.Equal(ok, LexRange.TryParse(B(min), B(max), out _));
    }

    [Fact]
    public void LexQueries_SameScore_MatchRedisExamples()
    {
        var z = Build(("a", 0), ("b", 0), ("c", 0), ("d", 0), ("e", 0), ("f", 0), ("g", 0));
        Assert.True(LexRange.TryParse(B("-"), B("[c"), out var r1));
        Assert.Equal(["a", "b", "c"], Members(z.RangeByLex(r1)));
        Assert.True(LexRange.TryParse(B("[aaa"), B("(g"), out var r2));
        Assert.Equal(["b", "c", "d", "e", "f"], Members(z.RangeByLex(r2)));
        Assert.Equal(5, z.CountInLexRange(r2));
        Assert.Equal(["f", "e"], Members(z.RangeByLex(r2, reverse: true, offset: 0, limit: 2)));
        Assert.True(LexRange.TryParse(B("+"), B("-"), out var r3));
        Assert.Equal(0, z.CountInLexRange(r3));
        Assert.True(LexRange.TryParse(B("[b"), B("[d"), out var r4));
        Assert.Equal(3, z.RemoveRangeByLex(r4));
        Assert.Equal(["a", "e", "f", "g"], Members(z.RangeByRank(0, -1)));
    }

    [Fact]
    public void Random_Entries_RespectCountSemantics()
    {
        var z = Build(("a", 1), ("b", 2), ("c", 3), ("d", 4));
        var rng = new Random(7);
        var list = new List<SortedSetEntry>();
        z.GetRandomEntries(-10, rng, list);
        Assert.Equal(10, list.Count);
        list.Clear();
        z.GetRandomEntries(3, rng, list);
        Assert.Equal(3, list.Select(e => S(e.Member)).Distinct().Count());
        list.Clear();
        z.GetRandomEntries(10, rng, list);
        Assert.Equal(4, list.Count);
        Assert.Contains(S(z.GetRandom(rng).Member), new[] { "a", "b", "c", "d" });
    }

    // ---- model-based: a sorted list of (member, score) is the oracle ----

    private sealed class Model
    {
        public readonly List<(byte[] M, double S)> Items = [];

        private static int Cmp((byte[] M, double S) a, (byte[] M, double S) b)
        {
            int c = a.S.CompareTo(b.S);
            return c != 0 ? c : a.M.AsSpan().SequenceCompareTo(b.M);
        }

        public int Find(byte[] m) => Items.FindIndex(x => x.M.AsSpan().SequenceEqual(m));

        public void Set(byte[] m, double s)
        {
            int i = Find(m);
            if (i >= 0)
                Items.RemoveAt(i);
            Items.Add((m, s));
            Items.Sort(Cmp);
        }
    }

    private static void AssertSame(Model model, SortedSet z)
    {
        Assert.Equal(model.Items.Count, z.Count);
        int i = 0;
        foreach (var e in z)
        {
            Assert.Equal(model.Items[i].S, e.Score);
            Assert.Equal(model.Items[i].M, e.Member);
            i++;
        }

        Assert.Equal(model.Items.Count, i);
        var rev = z.Reverse().ToList();
        Assert.Equal(model.Items.Count, rev.Count);
        for (int k = 0; k < rev.Count; k++)
            Assert.Equal(model.Items[^(k + 1)].M, rev[k].Member);
    }

    private static List<(byte[] M, double S)> Expected(Model model, Func<(byte[] M, double S), bool> inRange, bool reverse, long offset, long limit)
    {
        IEnumerable<(byte[] M, double S)> q = model.Items.Where(inRange);
        if (reverse)
            q = q.Reverse();
        if (offset < 0)
            return [];
        q = q.Skip((int)offset);
        if (limit >= 0)
            q = q.Take((int)limit);
        return q.ToList();
    }

    private static void AssertRange(List<(byte[] M, double S)> expected, SortedSetRange actual)
    {
        var list = actual.ToList();
        Assert.Equal(expected.Count, list.Count);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < list.Count; i++)
        {
            Assert.Equal(expected[i].M, list[i].Member);
            Assert.Equal(expected[i].S, list[i].Score);
        }
    }

    private static readonly double[] Scores = [-3, -1, 0, 0.5, 1, 2, 2, 3, double.NegativeInfinity, double.PositiveInfinity];

    private static byte[] RandomMember(Random rng)
    {
        var b = new byte[rng.Next(0, 3)];
        for (int i = 0; i < b.Length; i++)
            b[i] = (byte)"ab\0\u00ff"[rng.Next(4)];
        return rng.Next(10) == 0 ? [.. b, (byte)rng.Next(256)] : b;
    }

    private static ScoreRange RandomScoreRange(Random rng) =>
        new(Scores[rng.Next(Scores.Length)], Scores[rng.Next(Scores.Length)], rng.Next(2) == 0, rng.Next(2) == 0);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_AgainstSortedListModel_AllQueriesAgree(int seed)
    {
        var rng = new Random(seed);
        var model = new Model();
        var z = new SortedSet();
        for (int op = 0; op < 4000; op++)
        {
            byte[] m = RandomMember(rng);
            double s = Scores[rng.Next(Scores.Length)];
            switch (rng.Next(12))
            {
                case 0:
                case 1:
                case 2:
                    {
                        var flags = (ZAddFlags)(rng.Next(32) & ~(rng.Next(2) == 0 ? 0 : 31));
                        if ((flags & ZAddFlags.Nx) != 0)
                            flags &= ~(ZAddFlags.Xx | ZAddFlags.Gt | ZAddFlags.Lt);
                        if ((flags & ZAddFlags.Gt) != 0)
                            flags &= ~ZAddFlags.Lt;
                        int idx = model.Find(m);
                        double? cur = idx >= 0 ? model.Items[idx].S : null;
                        var outcome = z.Add(m, s, flags, out double newScore);
                        double target = (flags & ZAddFlags.Incr) != 0 ? s + (cur ?? 0) : s;
                        if (cur is not null && (flags & ZAddFlags.Nx) != 0)
                        {
                            Assert.Equal(ZAddOutcome.Skipped, outcome); // NX is checked before the increment
                        }
                        else if (double.IsNaN(target))
                        {
                            Assert.Equal(ZAddOutcome.NotANumber, outcome);
                        }
                        else if (cur is null)
                        {
                            Assert.Equal((flags & ZAddFlags.Xx) != 0 ? ZAddOutcome.Skipped : ZAddOutcome.Added, outcome);
                            if (outcome == ZAddOutcome.Added)
                                model.Set(m, target);
                        }
                        else if ((flags & ZAddFlags.Nx) != 0
                                 || ((flags & ZAddFlags.Gt) != 0 && target <= cur)
                                 || ((flags & ZAddFlags.Lt) != 0 && target >= cur))
                        {
                            Assert.Equal(ZAddOutcome.Skipped, outcome);
                        }
                        else
                        {
                            Assert.Equal(target == cur ? ZAddOutcome.Unchanged : ZAddOutcome.Updated, outcome);
                            Assert.Equal(target, newScore);
                            model.Set(m, target);
                        }

                        break;
                    }

                case 3:
                    {
                        int idx = model.Find(m);
                        Assert.Equal(idx >= 0, z.Remove(m));
                        if (idx >= 0)
                            model.Items.RemoveAt(idx);
                        break;
                    }

                case 4:
                    {
                        long start = rng.Next(-12, 12), stop = rng.Next(-12, 12);
                        bool reverse = rng.Next(2) == 0;
                        var ordered = reverse ? Enumerable.Reverse(model.Items).ToList() : model.Items;
                        long n = ordered.Count, a = start < 0 ? Math.Max(0, start + n) : start, b = stop < 0 ? stop + n : Math.Min(stop, n - 1);
                        var exp = a > b || a >= n ? [] : ordered.Skip((int)a).Take((int)(b - a + 1)).ToList();
                        AssertRange(exp, z.RangeByRank(start, stop, reverse));
                        break;
                    }

                case 5:
                    {
                        var range = RandomScoreRange(rng);
                        bool reverse = rng.Next(2) == 0;
                        long offset = rng.Next(5) == 0 ? rng.Next(-1, 4) : 0, limit = rng.Next(3) == 0 ? rng.Next(-1, 4) : -1;
                        AssertRange(Expected(model, x => range.Contains(x.S), reverse, offset, limit), z.RangeByScore(range, reverse, offset, limit));
                        Assert.Equal(model.Items.Count(x => range.Contains(x.S)), z.CountInScoreRange(range));
                        break;
                    }

                case 6:
                    {
                        int idx = model.Find(m);
                        long expected = idx;
                        Assert.Equal(expected, z.GetRank(m));
                        Assert.Equal(idx < 0 ? -1 : model.Items.Count - 1 - idx, z.GetRank(m, reverse: true));
                        Assert.Equal(idx >= 0, z.TryGetScore(m, out double score));
                        if (idx >= 0)
                            Assert.Equal(model.Items[idx].S, score);
                        if (model.Items.Count > 0)
                        {
                            int r = rng.Next(model.Items.Count);
                            Assert.Equal(model.Items[r].M, z.GetByRank(r).Member);
                            Assert.Equal(model.Items[^(r + 1)].M, z.GetByRank(r, reverse: true).Member);
                        }

                        break;
                    }

                case 7 when rng.Next(4) == 0:
                    {
                        long start = rng.Next(-6, 6), stop = rng.Next(-6, 6);
                        long n = model.Items.Count, a = start < 0 ? Math.Max(0, start + n) : start, b = stop < 0 ? stop + n : Math.Min(stop, n - 1);
                        long removed = a > b || a >= n ? 0 : b - a + 1;
                        Assert.Equal(removed, z.RemoveRangeByRank(start, stop));
                        if (removed > 0)
                            model.Items.RemoveRange((int)a, (int)removed);
                        break;
                    }

                case 8 when rng.Next(4) == 0:
                    {
                        var range = RandomScoreRange(rng);
                        int removed = model.Items.RemoveAll(x => range.Contains(x.S));
                        Assert.Equal(removed, z.RemoveRangeByScore(range));
                        break;
                    }

                case 9 when rng.Next(3) == 0:
                    {
                        bool max = rng.Next(2) == 0;
                        bool any = max ? z.TryPopMax(out var e) : z.TryPopMin(out e);
                        Assert.Equal(model.Items.Count > 0, any);
                        if (any)
                        {
                            var expected = max ? model.Items[^1] : model.Items[0];
                            Assert.Equal(expected.M, e.Member);
                            model.Items.Remove(expected);
                        }

                        break;
                    }

                default:
                    {
                        var (inc, _) = (s, 0);
                        int idx = model.Find(m);
                        double target = inc + (idx >= 0 ? model.Items[idx].S : 0);
                        var outcome = z.IncrBy(m, inc, out double ns);
                        if (double.IsNaN(target))
                        {
                            Assert.Equal(ZAddOutcome.NotANumber, outcome);
                        }
                        else
                        {
                            Assert.Equal(target, ns);
                            model.Set(m, target);
                        }

                        break;
                    }
            }

            if (op % 50 == 0)
                AssertSame(model, z);
        }

        AssertSame(model, z);
    }

    private static byte[] LexBound(Random rng)
    {
        return rng.Next(8) switch
        {
            0 => B("-"),
            1 => B("+"),
            _ => [(byte)(rng.Next(2) == 0 ? '(' : '['), .. RandomMember(rng)],
        };
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void RandomLexOperations_SameScore_AgainstModel(int seed)
    {
        var rng = new Random(seed);
        var model = new Model();
        var z = new SortedSet();
        for (int op = 0; op < 3000; op++)
        {
            byte[] m = RandomMember(rng);
            int kind = rng.Next(6);
            if (kind <= 1)
            {
                z.Set(m, 0);
                model.Set(m, 0);
                continue;
            }

            byte[] lo = LexBound(rng), hi = LexBound(rng);
            Assert.True(LexRange.TryParse(lo, hi, out var range));
            bool Within((byte[] M, double S) x) => LexContains(lo, hi, x.M);
            if (kind == 2 && rng.Next(4) == 0)
            {
                int removed = model.Items.RemoveAll(x => LexContains(lo, hi, x.M));
                Assert.Equal(removed, z.RemoveRangeByLex(range));
            }
            else
            {
                bool reverse = rng.Next(2) == 0;
                long offset = rng.Next(4) == 0 ? rng.Next(-1, 3) : 0, limit = rng.Next(3) == 0 ? rng.Next(-1, 3) : -1;
                AssertRange(Expected(model, Within, reverse, offset, limit), z.RangeByLex(range, reverse, offset, limit));
                Assert.Equal(model.Items.Count(Within), z.CountInLexRange(range));
            }
        }

        AssertSame(model, z);
    }

    // Independent oracle for the lex bounds.
    private static bool LexContains(byte[] lo, byte[] hi, byte[] m)
    {
        bool aboveMin = lo[0] switch
        {
            (byte)'-' => true,
            (byte)'+' => false,
            (byte)'(' => m.AsSpan().SequenceCompareTo(lo.AsSpan(1)) > 0,
            _ => m.AsSpan().SequenceCompareTo(lo.AsSpan(1)) >= 0,
        };
        bool belowMax = hi[0] switch
        {
            (byte)'+' => true,
            (byte)'-' => false,
            (byte)'(' => m.AsSpan().SequenceCompareTo(hi.AsSpan(1)) < 0,
            _ => m.AsSpan().SequenceCompareTo(hi.AsSpan(1)) <= 0,
        };
        return aboveMin && belowMax;
    }

    [Fact]
    public void LargeSet_RanksAndCountsStayConsistent()
    {
        var z = new SortedSet();
        for (int i = 0; i < 20000; i++)
            z.Set(BitConverter.GetBytes(i), i % 1000);
        Assert.Equal(20000, z.Count);
        Assert.Equal(20 * 100, z.CountInScoreRange(new ScoreRange(100, 199)));
        Assert.Equal(20 * 99, z.CountInScoreRange(new ScoreRange(100, 199, true)));
        long rank = z.GetRank(BitConverter.GetBytes(1500));
        Assert.Equal(1500, z.GetByRank(rank).Score * 0 + BitConverter.ToInt32(z.GetByRank(rank).Member));
        Assert.Equal(20 * 500, z.RemoveRangeByScore(new ScoreRange(500, double.PositiveInfinity)));
        Assert.Equal(10000, z.Count);
        Assert.Equal(5000, z.RemoveRangeByRank(0, 4999));
        Assert.Equal(250, z.First.Score);
        Assert.Equal(499, z.Last.Score);
    }
}
