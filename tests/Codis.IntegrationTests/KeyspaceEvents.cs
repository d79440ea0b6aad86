using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests;

/// <summary>Captures the keyspace notifications that a command sequence produces on a server.</summary>
public static class KeyspaceEvents
{
    /// <summary>
    /// Runs <paramref name="commands"/> on <paramref name="server"/> while a second connection listens to
    /// every notification, and returns the events rendered as text. A final SET of
    /// <paramref name="marker"/> tells that every event before it has arrived. The server must publish
    /// all classes (notify-keyspace-events KEA) and run nothing else meanwhile.
    /// </summary>
    public static List<string> Capture(ServerProcess server, string marker, IEnumerable<byte[][]> commands)
    {
        using RespConnection listener = server.Connect();
        using RespConnection client = server.Connect();
        listener.Send("PSUBSCRIBE", "__key*__:*");
        foreach (byte[][] command in commands)
            client.SendBytes(command);
        client.Send("SET", marker, "1");
        var events = new List<string>();
        while (true)
        {
            string text = RespRender.Render(listener.ReadValue());
            events.Add(text);
            if (text.Contains(marker, StringComparison.Ordinal) && text.Contains("__keyevent", StringComparison.Ordinal))
                return events;
            Assert.True(events.Count < 1000, "too many events");
        }
    }

    /// <summary>Asserts that both servers publish the same events, in the same order, for the commands.</summary>
    public static void AssertSame(NotifyingServerPairFixture servers, string marker, params byte[][][] commands)
    {
        List<string> expected = Capture(servers.Redis, marker, commands);
        List<string> actual = Capture(servers.Codis, marker, commands);
        Assert.True(expected.Count > commands.Length, "Redis sent fewer events than expected: is the test broken?");
        Assert.Equal(expected, actual);
    }

    /// <summary>Text commands as byte arguments (UTF-8).</summary>
    public static byte[][][] Bytes(string[][] commands) =>
        [.. commands.Select(c => c.Select(Encoding.UTF8.GetBytes).ToArray())];
}
