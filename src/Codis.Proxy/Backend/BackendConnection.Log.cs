using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Backend;

internal sealed partial class BackendConnection
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "backend conn [{Addr}] db {Db}: connection failed, {Error}; retrying")]
        public static partial void ConnectionFailed(ILogger logger, string addr, int db, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "backend conn [{Addr}] db {Db}: no reply within backend_recv_timeout, resetting")]
        public static partial void RecvTimeout(ILogger logger, string addr, int db);

        [LoggerMessage(Level = LogLevel.Warning, Message = "backend conn [{Addr}] db {Db}: write blocked longer than backend_send_timeout, resetting")]
        public static partial void SendTimeout(ILogger logger, string addr, int db);
    }
}
