using System.Globalization;
using System.Text;
using Codis.Admin.Models;
using Codis.Core.Topology;

namespace Codis.Admin.Output;

/// <summary>
/// The line formats of <c>--proxy-status</c> (admin-cli.md §4.1), <c>--group-status</c> (§4.2) and
/// <c>--rebalance</c> (§4.3). Pure functions of the dashboard's stats, so they are tested without a dashboard.
/// </summary>
internal static class StatusLines
{
    /// <summary>One line per proxy: <c>[flag] proxy-&lt;id&gt; [T] &lt;token&gt; [A] &lt;admin&gt; [P] &lt;proxy&gt;</c>, widths shared by all lines.</summary>
    public static IEnumerable<string> Proxies(DashboardStats stats)
    {
        IReadOnlyList<ProxyModel> models = stats.Proxy.Models;
        int wid = models.Select(p => Digits(p.Id)).DefaultIfEmpty(0).Max();
        int wadmin = models.Select(p => p.AdminAddr.Length).DefaultIfEmpty(0).Max();
        int wproxy = models.Select(p => p.ProxyAddr.Length).DefaultIfEmpty(0).Max();
        foreach (ProxyModel p in models)
        {
            string flag;
            if (!stats.Proxy.Stats.TryGetValue(p.Token, out ProxyStatsEntry? s) || s is null)
                flag = "[?]";
            else if (s.Error is not null)
                flag = "[E]";
            else if (s.Timeout || s.Stats is null)
                flag = "[T]";
            else
                flag = "[ ]";
            yield return $"{flag} proxy-{Pad0(p.Id, wid)} [T] {p.Token} [A] {p.AdminAddr.PadRight(wadmin)} [P] {p.ProxyAddr.PadRight(wproxy)}";
        }
    }

    /// <summary>
    /// One line per group server: <c>[flag] group-&lt;gid&gt; [&lt;index&gt;] &lt;addr&gt;      ==&gt; &lt;master state&gt;</c>;
    /// <c>[X]</c> when the master state differs from the expected one (<c>NO:ONE</c> for a master,
    /// <c>&lt;master&gt;:up</c> for a replica).
    /// </summary>
    public static IEnumerable<string> Groups(DashboardStats stats)
    {
        IReadOnlyList<Group> groups = stats.Group.Models;
        int wgid = groups.Select(g => Digits(g.Id)).DefaultIfEmpty(0).Max();
        int widx = groups.SelectMany(g => g.Servers.Select((_, i) => Digits(i))).DefaultIfEmpty(0).Max();
        int waddr = groups.SelectMany(g => g.Servers.Select(x => x.Server.Length)).DefaultIfEmpty(0).Max();
        foreach (Group g in groups)
        {
            for (int i = 0; i < g.Servers.Count; i++)
            {
                string addr = g.Servers[i].Server;
                string body = $"group-{Pad0(g.Id, wgid)} [{Pad0(i, widx)}] {addr.PadRight(waddr)}";
                if (!stats.Group.Stats.TryGetValue(addr, out RedisStats? s) || s is null)
                {
                    yield return "[?] " + body;
                    continue;
                }
                if (s.Error is not null)
                {
                    yield return "[E] " + body;
                    continue;
                }
                if (s.Timeout || s.Stats is null)
                {
                    yield return "[T] " + body;
                    continue;
                }
                string master = s.Stats.TryGetValue("master_addr", out string? m)
                    ? m + ":" + (s.Stats.TryGetValue("master_link_status", out string? link) ? link : "")
                    : "NO:ONE";
                string expect = i == 0 ? "NO:ONE" : g.Servers[0].Server + ":up";
                yield return (master == expect ? "[ ] " : "[X] ") + body + "      ==> " + master;
            }
        }
    }

    /// <summary>
    /// The rebalance plan (slot → target group) as maximal runs of consecutive slots with one target,
    /// <c>[%04d,%04d] =&gt; gid</c>, then <c>done</c>; <c>nothing changes</c> for an empty plan.
    /// </summary>
    public static IEnumerable<string> Rebalance(IReadOnlyDictionary<int, int> plan)
    {
        if (plan.Count == 0)
        {
            yield return "nothing changes";
            yield break;
        }
        int[] ids = plan.Keys.Order().ToArray();
        int beg = ids[0], end = ids[0], gid = plan[ids[0]];
        foreach (int sid in ids.Skip(1))
        {
            if (sid == end + 1 && plan[sid] == gid)
            {
                end = sid;
                continue;
            }
            yield return Run(beg, end, gid);
            (beg, end, gid) = (sid, sid, plan[sid]);
        }
        yield return Run(beg, end, gid);
        yield return "done";
    }

    private static string Run(int beg, int end, int gid) =>
        string.Create(CultureInfo.InvariantCulture, $"[{beg:D4},{end:D4}] => {gid}");

    private static int Digits(int n) => n.ToString(CultureInfo.InvariantCulture).Length;

    // Go's %0Nd: zero-padded to N characters, the sign counting as one.
    private static string Pad0(int n, int width)
    {
        string s = Math.Abs((long)n).ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        if (n < 0)
            sb.Append('-');
        sb.Append('0', Math.Max(0, width - s.Length - (n < 0 ? 1 : 0))).Append(s);
        return sb.ToString();
    }
}
