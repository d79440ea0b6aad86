using Codis.Core.Resp;
using Codis.Server.Clients;

namespace Codis.Server.Network;

/// <summary>Running what a connection received, shared by both connection kinds (caller holds the server lock).</summary>
internal static class RequestBatch
{
    /// <summary>
    /// Parses and runs every complete request in <paramref name="input"/>[<paramref name="start"/>,
    /// <paramref name="end"/>), advancing <paramref name="start"/>, until the input runs out or the client
    /// blocks or is to be closed. Pipelined commands share clock readings. False on a protocol error:
    /// its reply is written and the connection must close.
    /// </summary>
    public static bool Run(ServerContext server, Client client, RequestParser parser, ArgList args, byte[] input, ref int start, int end)
    {
        parser.Unauthenticated = !client.Authenticated && server.Config.RequirePass.Length > 0;
        parser.MaxBulkLength = server.Config.ProtoMaxBulkLen;
        long timestamp = 0;
        while (client.Blocked is null && start < end && !client.CloseRequested)
        {
            ParseResult r = parser.TryParse(input, start, end - start, args);
            if (r == ParseResult.Incomplete)
                break;
            if (r == ParseResult.Error)
            {
                client.Output.Error([.. "ERR "u8, .. parser.ErrorBytes]);
                server.Stats.ErrorReplies++;
                return false;
            }
            start += parser.Consumed;
            server.Stats.NetInputBytes += parser.Consumed;
            if (r == ParseResult.Empty)
                continue;
            server.Execute(client, args, ref timestamp);
            parser.Unauthenticated = !client.Authenticated && server.Config.RequirePass.Length > 0;
        }
        return true;
    }
}
