using Codis.Proxy.Config;
using Codis.Proxy.Routing;

namespace Codis.Proxy.Host;

/// <summary>The one place where the proxy configuration becomes the data path's options.</summary>
public static class RouterOptionsMapping
{
    /// <summary>Maps the validated configuration to <see cref="RouterOptions"/>.</summary>
    public static RouterOptions ToRouterOptions(this ProxyConfig c) => new()
    {
        ProductAuth = c.ProductAuth,
        SessionAuth = c.SessionAuth,
        ProxyMaxClients = ClampInt(c.ProxyMaxClients),
        BackendPingPeriod = c.BackendPingPeriod.ToTimeSpan(),
        BackendRecvBufsize = ClampInt(c.BackendRecvBufsize.Bytes),
        BackendRecvTimeout = c.BackendRecvTimeout.ToTimeSpan(),
        BackendSendBufsize = ClampInt(c.BackendSendBufsize.Bytes),
        BackendSendTimeout = c.BackendSendTimeout.ToTimeSpan(),
        BackendMaxPipeline = ClampInt(c.BackendMaxPipeline),
        BackendPrimaryOnly = c.BackendPrimaryOnly,
        BackendPrimaryParallel = ClampInt(c.BackendPrimaryParallel),
        BackendReplicaParallel = ClampInt(c.BackendReplicaParallel),
        BackendKeepalivePeriod = c.BackendKeepAlivePeriod.ToTimeSpan(),
        BackendNumberDatabases = ClampInt(c.BackendNumberDatabases),
        SessionRecvBufsize = ClampInt(c.SessionRecvBufsize.Bytes),
        SessionRecvTimeout = c.SessionRecvTimeout.ToTimeSpan(),
        SessionSendBufsize = ClampInt(c.SessionSendBufsize.Bytes),
        SessionSendTimeout = c.SessionSendTimeout.ToTimeSpan(),
        SessionMaxPipeline = ClampInt(c.SessionMaxPipeline),
        SessionKeepalivePeriod = c.SessionKeepAlivePeriod.ToTimeSpan(),
        SessionBreakOnFailure = c.SessionBreakOnFailure,
    };

    // Validation already bounds these; the clamp only keeps a huge proxy_max_clients meaningful.
    private static int ClampInt(long v) => (int)Math.Clamp(v, 0, int.MaxValue);
}
