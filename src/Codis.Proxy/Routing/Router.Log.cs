using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Routing;

public sealed partial class Router
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "router: backend keep-alive tick failed")]
        public static partial void TickFailed(ILogger logger, Exception error);
    }
}
