using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>Generic keyspace commands compared byte for byte with Redis 7.0.</summary>
public sealed class KeyTests(NotifyingServerPairFixture fixture) : KeyTestBase(fixture), IClassFixture<NotifyingServerPairFixture>
{
    [Fact]
    public void Del_MixedKeys_CountsDeletedOnce()
    {
        Seq("SET a 1", "SET b 2", "DEL a b c a", "EXISTS a b", "DEL a", "UNLINK b", "SET a 1", "UNLINK a a x", "EXISTS a");
        Seq("DEL", "UNLINK");
    }

    [Fact]
    public void Del_ExpiredKey_NotCounted()
    {
        Seq("SET e 1", "PEXPIRE e 1");
        Thread.Sleep(20);
        Seq("DEL e", "EXISTS e");
    }

    [Fact]
    public void Exists_RepeatedAndMissingKeys_CountsEachArgument()
    {
        Seq("SET a 1", "EXISTS a a a x", "EXISTS x", "EXISTS");
    }

    [Fact]
    public void Touch_CountsExistingKeys()
    {
        Seq("SET a 1", "SET b 1", "TOUCH a a x b", "TOUCH x", "TOUCH");
    }

    [Fact]
    public void Type_StringAndMissing_ReturnsName()
    {
        Seq("SET a 1", "TYPE a", "TYPE nokey", "TYPE", "TYPE a b");
    }

    [Fact]
    public void Rename_AllCases_MatchRedis()
    {
        Seq("RENAME nokey x", "RENAMENX nokey x", "SET a 1", "RENAME a a", "RENAMENX a a", "RENAME a b", "GET a", "GET b",
            "SET a 5", "RENAMENX a b", "GET b", "RENAMENX a c", "GET c", "EXISTS a", "RENAME c b", "GET b", "RENAME a", "RENAME a b c");
    }

    [Fact]
    public void Rename_KeepsTtl()
    {
        Seq("SET a 1", "EXPIRE a 100", "RENAME a b", "TTL b", "TTL a", "SET c 1", "RENAME b c", "TTL c");
        Seq("SET d 1", "SET e 1", "EXPIRE e 100", "RENAME d e", "TTL e");
    }

    [Fact]
    public void Rename_ExpiredSource_NoSuchKey()
    {
        Seq("SET a 1", "PEXPIRE a 1");
        Thread.Sleep(20);
        Seq("RENAME a b", "EXISTS b");
    }

    [Fact]
    public void Move_AllCases_MatchRedis()
    {
        Seq("SET c 1", "MOVE c 1", "MOVE c 1", "MOVE c 0", "MOVE c abc", "MOVE c -1", "MOVE c 16", "MOVE c 99999999999",
            "SELECT 1", "GET c", "MOVE c 0", "SELECT 0", "GET c", "MOVE nokey 1");
        Seq("SET t 1", "EXPIRE t 100", "MOVE t 2", "SELECT 2", "TTL t", "SET t2 x", "SELECT 0", "SET t2 y", "MOVE t2 2", "GET t2", "SELECT 0");
    }

    [Fact]
    public void Copy_AllOptions_MatchRedis()
    {
        Seq("SET c hello", "COPY c c", "COPY c d", "COPY c d", "COPY c d REPLACE", "GET d", "COPY c d DB 1", "COPY c d db 1 replace",
            "COPY c d DB", "COPY c d FOO", "COPY c d DB x", "COPY c d DB 100", "COPY c d DB -1", "COPY c d DB 99999999999",
            "COPY nokey d", "COPY c c DB 0", "COPY c c DB 1", "COPY c c DB 1 REPLACE", "SELECT 1", "GET c", "GET d", "SELECT 0", "COPY c");
        Seq("SET v 1", "EXPIRE v 100", "COPY v w", "TTL w", "SET x 1", "COPY x w REPLACE", "TTL w", "COPY c d DB 2 DB 3", "SELECT 3", "GET d", "SELECT 0");
    }

    [Fact]
    public void Keys_Patterns_MatchRedisUnordered()
    {
        Seq("SET a 1", "SET b 1", "SET c 1", "SET abc 1", "SET h\\llo 1", "SET hallo 1");
        foreach (string pattern in new[] { "*", "?", "[a-b]*", "a*", "*c", "h[^e]llo", "h\\\\llo", "zzz", "" })
            D.SameUnordered("KEYS", pattern);
        Seq("KEYS", "KEYS a b");
    }

    [Fact]
    public void Keys_ExpiredKey_Hidden()
    {
        Seq("SET a 1", "SET b 1", "PEXPIRE b 1");
        Thread.Sleep(20);
        D.SameUnordered("KEYS", "*");
    }

    [Fact]
    public void Scan_SmallDatabase_ReturnsEverythingInOneCall()
    {
        Seq("SET a 1", "SET b 1", "SET c 1", "SET abc 1");
        AssertScanEqual("SCAN", "0");
        AssertScanEqual("SCAN", "0", "MATCH", "a*");
        AssertScanEqual("SCAN", "0", "MATCH", "*", "COUNT", "100", "TYPE", "string");
        AssertScanEqual("SCAN", "0", "TYPE", "STRING");
        AssertScanEqual("SCAN", "0", "TYPE", "hash");
        AssertScanEqual("SCAN", "0", "TYPE", "foo");
        // strtoul accepts a sign: "-1" is a valid (huge) cursor, whose keys depend on the hash layout.
        Assert.False(CodisConn.Command("SCAN", "-1").IsError);
        AssertScanEqual("SCAN", "");
    }

    [Fact]
    public void Scan_BadArguments_SameErrors()
    {
        Seq("SCAN abc", "SCAN 0 COUNT 0", "SCAN 0 COUNT -1", "SCAN 0 COUNT x", "SCAN 0 MATCH", "SCAN 0 FOO", "SCAN 0 COUNT",
            "SCAN 18446744073709551616", "SCAN -18446744073709551616", "SCAN +", "SCAN 0x10", "SCAN 1.5", "SCAN");
        D.Same("SCAN", " 1");
        D.Same("SCAN", "1 ");
    }

    [Fact]
    public void Scan_FullIteration_ReturnsEveryKeyOnce()
    {
        var setup = new List<string[]>();
        for (int i = 0; i < 3000; i++)
            setup.Add(["SET", "key:" + i, "v"]);
        foreach (string[] cmd in setup)
            CodisConn.Send(cmd);
        foreach (string count in new[] { "1", "10", "1000" })
        {
            var seen = new List<string>();
            string cursor = "0";
            int calls = 0;
            do
            {
                RespValue r = CodisConn.Command("SCAN", cursor, "COUNT", count, "MATCH", "key:1*");
                cursor = r[0].Text!;
                foreach (RespValue k in r[1].Children!)
                    seen.Add(k.Text!);
                Assert.True(++calls < 100_000);
            }
            while (cursor != "0");
            var expected = Enumerable.Range(0, 3000).Select(i => "key:" + i).Where(k => k.StartsWith("key:1", StringComparison.Ordinal)).ToHashSet();
            Assert.Equal(expected.Count, seen.Count);
            Assert.True(expected.SetEquals(seen));
        }
    }

    [Fact]
    public void RandomKey_EmptyAndSingle_MatchRedis()
    {
        Seq("RANDOMKEY", "SET only 1", "RANDOMKEY", "RANDOMKEY x");
        Seq("PEXPIRE only 1");
        Thread.Sleep(20);
        Seq("RANDOMKEY", "DBSIZE");
    }

    [Fact]
    public void DbSize_CountsKeysPerDatabase()
    {
        Seq("DBSIZE", "SET a 1", "SET b 1", "DBSIZE", "SELECT 1", "DBSIZE", "SET a 1", "DBSIZE", "SELECT 0", "DBSIZE x");
    }

    [Fact]
    public void Flush_OptionsAndScope_MatchRedis()
    {
        Seq("SET a 1", "SELECT 1", "SET b 1", "FLUSHDB FOO", "FLUSHDB ASYNC EXTRA", "FLUSHALL FOO", "FLUSHDB", "DBSIZE",
            "SELECT 0", "DBSIZE", "SET c 1", "FLUSHDB sync", "DBSIZE", "SET c 1", "FLUSHDB async", "DBSIZE",
            "SET c 1", "SELECT 2", "SET d 1", "FLUSHALL ASYNC", "DBSIZE", "SELECT 0", "DBSIZE", "SET e 1", "FLUSHALL SYNC", "DBSIZE", "FLUSHALL");
    }

    [Fact]
    public void SwapDb_SwapsContentsAndValidatesIndexes()
    {
        Seq("SET a 1", "SELECT 3", "SET z 9", "SWAPDB 0 3", "GET z", "GET a", "SELECT 0", "GET z", "GET a",
            "SWAPDB 0 x", "SWAPDB x 0", "SWAPDB 0 16", "SWAPDB -1 0", "SWAPDB 0 0", "SWAPDB 0 99999999999", "SWAPDB 0", "GET z");
    }

    [Fact]
    public void Watch_FlushDbOfWatchedKey_AbortsExec()
    {
        Seq("SET w 1", "WATCH w", "SELECT 1", "FLUSHDB", "SELECT 0", "MULTI", "PING", "EXEC");
        Seq("WATCH nokey", "SET other 1", "FLUSHDB", "MULTI", "PING", "EXEC");
        Seq("SET w 1", "WATCH w", "FLUSHDB", "MULTI", "PING", "EXEC");
        Seq("SET w 1", "WATCH w", "FLUSHALL", "MULTI", "PING", "EXEC");
    }

    [Fact]
    public void Watch_SwapDb_TouchesKeysExistingOnEitherSide()
    {
        Seq("SELECT 5", "SET w 1", "SELECT 0", "WATCH w", "SWAPDB 0 5", "MULTI", "PING", "EXEC");
        Seq("WATCH nothere", "SWAPDB 0 5", "MULTI", "PING", "EXEC");
        Seq("SWAPDB 0 5", "WATCH w", "SWAPDB 1 2", "MULTI", "PING", "EXEC");
    }

    /// <summary>SCAN on a small database: both finish in one call (cursor 0) with the same keys in any order.</summary>
    private void AssertScanEqual(params string[] command)
    {
        RespValue expected = RedisConn.Command(command);
        RespValue actual = CodisConn.Command(command);
        Assert.Equal(expected.IsError, actual.IsError);
        if (expected.IsError)
        {
            Assert.Equal(expected.Text, actual.Text);
            return;
        }
        Assert.Equal(expected[0].Text, actual[0].Text);
        Assert.Equal(expected[1].Children!.Select(k => k.Text).Order(StringComparer.Ordinal), actual[1].Children!.Select(k => k.Text).Order(StringComparer.Ordinal));
    }
}

/// <summary>Binary and empty key names through the generic commands.</summary>
public sealed class KeyBinaryTests(NotifyingServerPairFixture fixture) : KeyTestBase(fixture), IClassFixture<NotifyingServerPairFixture>
{
    private static readonly byte[] Bin = [0, 1, 0xFF, (byte)'\r', (byte)'\n', (byte)'*'];

    private static byte[] B(string s) => System.Text.Encoding.Latin1.GetBytes(s);

    [Fact]
    public void BinaryKeys_RenameCopyExpireDel_MatchRedis()
    {
        D.SameBytes(B("SET"), Bin, B("v"));
        D.SameBytes(B("EXISTS"), Bin);
        D.SameBytes(B("TYPE"), Bin);
        D.SameBytes(B("RENAME"), Bin, [.. Bin, 7]);
        D.SameBytes(B("COPY"), [.. Bin, 7], Bin);
        D.SameBytes(B("EXPIRE"), Bin, B("100"));
        D.SameBytes(B("TTL"), Bin);
        D.SameBytes(B("KEYS"), B("*\\*"));
        D.SameBytes(B("OBJECT"), B("ENCODING"), Bin);
        D.SameBytes(B("DEL"), Bin, [.. Bin, 7]);
        D.SameBytes(B("DBSIZE"));
    }

    [Fact]
    public void EmptyKey_Works_MatchRedis()
    {
        D.Same("SET", "", "v");
        D.Same("EXISTS", "");
        D.Same("RENAME", "", "x");
        D.Same("RENAME", "x", "");
        D.Same("MOVE", "", "1");
        D.Same("SELECT", "1");
        D.Same("KEYS", "*");
        D.Same("DEL", "");
        D.Same("SELECT", "0");
    }
}
