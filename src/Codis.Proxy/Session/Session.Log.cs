using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Session;

internal sealed partial class Session
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "session: decode failed, {Error}; closing")]
        public static partial void DecodeFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "session: too many pipelined requests ({Count}); closing")]
        public static partial void TooManyPipelined(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "session: internal error; closing")]
        public static partial void SessionFailed(ILogger logger, Exception error);
    }
}
