using System.Text;
using Codis.Proxy.Host;

namespace Codis.Proxy.Metrics;

/// <summary>
/// The Prometheus text exposition (format 0.0.4) of the proxy's stats, served at <c>GET /metrics</c> on
/// the admin port (beyond Codis). Metric names are <c>codis_proxy_*</c>; every series carries the product
/// and token labels so several proxies can be scraped into one view.
/// </summary>
public static class PrometheusText
{
    /// <summary>Renders the current stats.</summary>
    public static string Render(ProxyHost host)
    {
        ProxyStatsJson s = host.GetStats(StatsFlags.Cmds);
        RuntimeStats rt = ProxyHost.ReadRuntime();
        string labels = $"product=\"{Escape(host.Config.ProductName)}\",token=\"{Escape(host.Model.Token)}\"";
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, double value)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            sb.Append(name).Append('{').Append(labels).Append("} ").Append(MetricFields.Number(value)).Append('\n');
        }
        Metric("codis_proxy_online", "gauge", "1 when the proxy is online.", s.Online ? 1 : 0);
        Metric("codis_proxy_ops_total", "counter", "Requests decoded.", s.Ops.Total);
        Metric("codis_proxy_ops_fails_total", "counter", "Failed requests.", s.Ops.Fails);
        Metric("codis_proxy_ops_redis_errors_total", "counter", "Error replies written to clients.", s.Ops.Redis.Errors);
        Metric("codis_proxy_ops_qps", "gauge", "Requests per second over the last second.", s.Ops.Qps);
        Metric("codis_proxy_sessions_total", "counter", "Client connections accepted.", s.Sessions.Total);
        Metric("codis_proxy_sessions_alive", "gauge", "Open client connections.", s.Sessions.Alive);
        Metric("codis_proxy_rusage_cpu", "gauge", "CPU used over the last second (1 = one core).", s.Rusage.Cpu);
        Metric("codis_proxy_rusage_mem_bytes", "gauge", "Resident memory.", s.Rusage.Mem);
        Metric("codis_proxy_gc_collections_total", "counter", "Garbage collections.", rt.Gc.Num);
        Metric("codis_proxy_gc_pause_ms_total", "counter", "Garbage collection pauses.", rt.Gc.TotalPauseMs);
        IReadOnlyList<OpStats> cmds = s.Ops.Cmd ?? [];
        void PerCommand(string name, string type, string help, Func<OpStats, long> value)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (OpStats c in cmds)
            {
                sb.Append(name).Append('{').Append(labels).Append(",cmd=\"").Append(Escape(c.OpStr)).Append("\"} ")
                    .Append(value(c).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        PerCommand("codis_proxy_cmd_calls_total", "counter", "Calls per command.", c => c.Calls);
        PerCommand("codis_proxy_cmd_usecs_total", "counter", "Microseconds spent per command.", c => c.Usecs);
        PerCommand("codis_proxy_cmd_fails_total", "counter", "Failures per command.", c => c.Fails);
        PerCommand("codis_proxy_cmd_redis_errors_total", "counter", "Error replies per command.", c => c.RedisErrType);
        return sb.ToString();
    }

    private static string Escape(string v) =>
        v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
