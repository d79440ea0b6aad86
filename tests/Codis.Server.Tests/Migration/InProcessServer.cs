using System.Text;
using Codis.Core.Resp;
using Codis.Server.Clients;
using Codis.Server.Config;
using Codis.Server.Keyspace;

namespace Codis.Server.Tests.Migration;

/// <summary>
/// A server state without a network: commands run through <see cref="ServerContext.Execute"/> for one
/// client, and messages written by the migration code are parsed back with the request parser (they are
/// RESP arrays of bulk strings, exactly the shape of requests).
/// </summary>
internal sealed class InProcessServer
{
    private sealed class NoTransport : IClientTransport
    {
        public void RequestFlush()
        {
        }

        public void Close(bool now)
        {
        }
    }

    public InProcessServer(ServerConfig? config = null)
    {
        Server = new ServerContext(config ?? new ServerConfig());
        Client = new Client(new NoTransport(), "127.0.0.1:1", "127.0.0.1:2", Server.Now);
        Client.Authenticated = Server.Config.RequirePass.Length == 0;
    }

    public ServerContext Server { get; }

    public Client Client { get; }

    public Database Db => Server.Databases[Client.DbIndex];

    /// <summary>Runs a command and returns its raw reply.</summary>
    public byte[] Run(params byte[][] args)
    {
        byte[] request = Encode(args);
        var list = new ArgList();
        var parser = new RequestParser();
        Assert.Equal(ParseResult.Complete, parser.TryParse(request, 0, request.Length, list));
        Client.Output.Clear();
        lock (Server.Lock)
            Server.Execute(Client, list);
        return Client.Output.WrittenSpan.ToArray();
    }

    /// <summary>Runs a command of text arguments and returns its raw reply as text.</summary>
    public string Run(params string[] args) => Encoding.UTF8.GetString(Run([.. args.Select(Encoding.UTF8.GetBytes)]));

    /// <summary>The multibulk encoding of a request.</summary>
    public static byte[] Encode(params byte[][] args)
    {
        var w = new ReplyWriter();
        w.Array(args.Length);
        foreach (byte[] a in args)
            w.Bulk(a);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Parses every message of <paramref name="data"/> (RESP arrays of bulk strings).</summary>
    public static List<byte[][]> ParseMessages(ReadOnlySpan<byte> data)
    {
        byte[] buffer = data.ToArray();
        var messages = new List<byte[][]>();
        int offset = 0;
        while (offset < buffer.Length)
        {
            var parser = new RequestParser();
            var list = new ArgList();
            Assert.Equal(ParseResult.Complete, parser.TryParse(buffer, offset, buffer.Length - offset, list));
            var message = new byte[list.Count][];
            for (int i = 0; i < list.Count; i++)
                message[i] = list.ToArray(i);
            messages.Add(message);
            offset += parser.Consumed;
        }
        return messages;
    }

    /// <summary>A message as space-separated UTF-8 text.</summary>
    public static string Text(byte[][] message) => string.Join(" ", message.Select(Encoding.UTF8.GetString));
}
