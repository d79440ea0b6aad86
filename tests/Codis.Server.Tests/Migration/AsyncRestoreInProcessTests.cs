using Codis.Server.Migration;

namespace Codis.Server.Tests.Migration;

/// <summary>
/// SLOTSRESTORE-ASYNC run in process, for what a network test cannot set up: a target database that
/// itself runs a migration batch.
/// </summary>
public sealed class AsyncRestoreInProcessTests
{
    [Fact]
    public void SlotsRestoreAsync_DbRunsABatch_RefusedWithAckAndClose()
    {
        var s = new InProcessServer();
        s.Db.AsyncMigrationRunning = true;
        Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$2\r\n-1\r\n$34\r\nthe specified DB is being migrated\r\n",
            s.Run("SLOTSRESTORE-ASYNC", "delete", "k"));
        Assert.True(s.Client.CloseRequested);
        Assert.Equal(0, s.Db.Count);
    }

    [Fact]
    public void SlotsRestoreAsync_OtherDbRunsABatch_Accepted()
    {
        var s = new InProcessServer();
        s.Server.Databases[1].AsyncMigrationRunning = true;
        Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$1\r\n0\r\n$1\r\n1\r\n", s.Run("SLOTSRESTORE-ASYNC", "string", "k", "0", "v"));
        Assert.False(s.Client.CloseRequested);
    }

    [Fact]
    public void SlotsRestoreAsync_KeyWithNul_MessageCutAtNulAsCodis()
    {
        var s = new InProcessServer();
        s.Run("SET", "a\0b", "x");
        Assert.Equal("*3\r\n$22\r\nSLOTSRESTORE-ASYNC-ACK\r\n$2\r\n-1\r\n$36\r\nthe specified key already exists (a)\r\n",
            s.Run("SLOTSRESTORE-ASYNC", "string", "a\0b", "0", "v"));
    }

    [Fact]
    public void KeyStreamOutput_ReplayedInProcess_SameValue()
    {
        var source = new InProcessServer();
        var target = new InProcessServer();
        var args = new List<string> { "RPUSH", "l" };
        args.AddRange(Enumerable.Range(0, 50).Select(i => $"e{i}"));
        source.Run([.. args]);
        var w = new Codis.Core.Resp.ReplyWriter();
        KeyStream stream = KeyStream.Create(source.Db, "l"u8.ToArray(), source.Server.Now, 1000, 7)!;
        while (stream.WriteNext(w, long.MaxValue, source.Server.Now))
        {
        }
        foreach (byte[][] m in InProcessServer.ParseMessages(w.WrittenSpan))
            Assert.Contains("$1\r\n0\r\n", System.Text.Encoding.UTF8.GetString(target.Run(m)));
        Assert.Equal(source.Run("LRANGE", "l", "0", "-1"), target.Run("LRANGE", "l", "0", "-1"));
    }
}
