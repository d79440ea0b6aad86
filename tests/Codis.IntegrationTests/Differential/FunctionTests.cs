using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// FUNCTION and FCALL compared with Redis 7.0 byte for byte: library loading and its errors (shebang,
/// names, the load-time API, register_function's forms and flags, collisions), FCALL's reply
/// conversion, errors and flags, LIST/STATS/DELETE/FLUSH/HELP, DUMP/RESTORE payloads exchanged between
/// the two servers, and FUNCTION inside MULTI. Redis lists libraries and functions in hash order, so
/// listings compare one library of one function at a time.
/// Known difference: Lua 5.4 words "attempt to call a nil value" errors differently from Redis's 5.1.
/// </summary>
public sealed class FunctionTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private DiffSession NewSession()
    {
        DiffSession d = servers.NewDiff();
        d.Both("FUNCTION", "FLUSH");
        return d;
    }

    private static string Lib(string name, params string[] lines) => $"#!lua name={name}\n" + string.Join("\n", lines);

    [Fact]
    public void Load_Errors_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.Same("FUNCTION", "LOAD", Lib("lib1", "redis.register_function('f1', function(keys, args) return keys[1] end)"));
        string[] codes =
        [
            Lib("lib1", "redis.register_function('other', function() return 1 end)"),
            Lib("lib2", "redis.register_function('f1', function() return 1 end)"),
            Lib("lib2", "redis.register_function('F1', function() return 1 end)"),
            Lib("lib3", "local x = 1"),
            Lib("lib3", "redis.call('set', 'a', 'b')"),
            Lib("lib3", "local s = string.format('%d', 1)"),
            Lib("lib3", "error('boom')"),
            Lib("lib3", "foo = 1"),
            Lib("lib3", "redis.foo = 1"),
            Lib("lib3", "redis.setresp(3)"),
            Lib("lib3", "local a = "),
            Lib("lib3", "redis.register_function('a-b', function() end)"),
            Lib("lib3", "redis.register_function('', function() end)"),
            Lib("lib3", "redis.register_function('ab')"),
            Lib("lib3", "redis.register_function()"),
            Lib("lib3", "redis.register_function('x', 1)"),
            Lib("lib3", "redis.register_function({}, function() end)"),
            Lib("lib3", "redis.register_function('x', function() end)\nredis.register_function('x', function() end)"),
            Lib("lib3", "redis.register_function{function_name='x'}"),
            Lib("lib3", "redis.register_function{callback=function() end}"),
            Lib("lib3", "redis.register_function{function_name='x', callback=function() end, flags={'bad'}}"),
            Lib("lib3", "redis.register_function{function_name='x', callback=function() end, flags={{}}}"),
            Lib("lib3", "redis.register_function{function_name='x', callback=function() end, flags='no-writes'}"),
            Lib("lib3", "redis.register_function{function_name='x', callback=function() end, foo=1}"),
            Lib("lib3", "redis.register_function{function_name={}, callback=function() end}"),
            Lib("lib3", "redis.register_function{function_name='x', callback=1}"),
            Lib("lib3", "redis.register_function{function_name='x', callback=function() end, description={}}"),
            Lib("lib3", "redis.register_function{[1]=2}"),
            Lib("lib3", "redis.register_function(5)"),
            Lib("lib-3", "x"),
            Lib("", "x"),
            "#!luax name=lib3\nx",
            "#!lua\nx",
            "#!lua name=a name=b\nx",
            "#!lua foo=a\nx",
            "#! lua name=lib3\nx",
            "#!lua name=lib3",
            "return 1",
            "",
        ];
        foreach (string code in codes)
            d.Same("FUNCTION", "LOAD", code);
        d.Same("FUNCTION", "LOAD");
        d.Same("FUNCTION", "LOAD", "REPLACE");
        d.Same("FUNCTION", "LOAD", "x", "y");
        d.Same("FUNCTION", "LOAD", "REPLACE", "REPLACE", "x");
    }

    [Fact]
    public void Load_Successes_AndListing_SameAsRedis()
    {
        using DiffSession d = NewSession();
        (string Name, string Code)[] libraries =
        [
            ("plain", Lib("plain", "redis.register_function('plainf', function() return 1 end)")),
            ("named", Lib("named", "redis.register_function{function_name='namedf', callback=function() return 2 end, description='the description', flags={'no-writes', 'ALLOW-OOM', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}")),
            ("numbers", Lib("numbers", "redis.register_function{function_name=12, callback=function() return 3 end, description=34}")),
            ("api", Lib("api", "redis.log(redis.LOG_NOTICE, 'loading', redis.REDIS_VERSION, redis.REDIS_VERSION_NUM)",
                "local levels = redis.LOG_DEBUG + redis.LOG_VERBOSE + redis.LOG_WARNING",
                "redis.register_function('apif', function() return levels end)")),
            ("Quoted", "#!lua \"name=Quoted\"\nredis.register_function('quotedf', function() return 4 end)"),
            ("upper", "#!LUA NAME=upper\nredis.register_function('upperf', function() return 5 end)"),
            ("returns", Lib("returns", "redis.register_function('returnsf', function() return 6 end)", "return 7")),
        ];
        foreach ((string name, string code) in libraries)
        {
            d.Same("FUNCTION", "LOAD", code);
            d.Same("FUNCTION", "LIST", "LIBRARYNAME", name);
            d.Same("FUNCTION", "LIST", "LIBRARYNAME", name, "WITHCODE");
            d.Same("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", name);
        }
        foreach (string f in new[] { "plainf", "NAMEDF", "12", "apif", "quotedf", "upperf", "returnsf" })
            d.Same("FCALL", f, "0");
        d.Same("FUNCTION", "LIST", "LIBRARYNAME", "nothing*");
        d.Same("FUNCTION", "LIST", "LIBRARYNAME", "PLAI?");
        d.Same("FUNCTION", "STATS");
        d.Same("FUNCTION", "DELETE", "plain");
        d.Same("FUNCTION", "DELETE", "plain");
        d.Same("FUNCTION", "DELETE", "NAMED");
        d.Same("FCALL", "plainf", "0");
        d.Same("FUNCTION", "LIST", "LIBRARYNAME", "plain");
        // REPLACE: the library's functions are the new ones; a colliding function still fails.
        d.Same("FUNCTION", "LOAD", Lib("named", "redis.register_function('namedg', function() return 8 end)"));
        d.Same("FUNCTION", "LOAD", "REPLACE", Lib("named", "redis.register_function('namedg', function() return 8 end)"));
        d.Same("FCALL", "namedf", "0");
        d.Same("FCALL", "namedg", "0");
        d.Same("FUNCTION", "LOAD", "replace", Lib("named", "redis.register_function('apif', function() return 9 end)"));
        d.Same("FCALL", "namedg", "0");
        d.Same("FUNCTION", "STATS");
        d.Same("FUNCTION", "FLUSH");
        d.Same("FUNCTION", "LIST");
        d.Same("FUNCTION", "STATS");
    }

    [Fact]
    public void Listing_Resp3_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.Both("HELLO", "3");
        d.Same("FUNCTION", "LOAD", Lib("r3", "redis.register_function{function_name='r3f', callback=function() return 1 end, flags={'no-writes', 'allow-stale'}}"));
        d.Same("FUNCTION", "LIST", "WITHCODE");
        d.Same("FUNCTION", "STATS");
        d.Same("FUNCTION", "LOAD", Lib("r3b", "redis.register_function('r3g', function() return 1 end)"));
        d.Same("FUNCTION", "LIST", "LIBRARYNAME", "r3b");
    }

    [Fact]
    public void FCall_RepliesAndErrors_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.Both("SET", "str", "abc");
        d.Both("HSET", "h", "f", "v");
        string[] bodies =
        [
            "function(k, a) error('boom') end",
            "function(k, a) return redis.call('nosuch') end",
            "function(k, a) return KEYS[1] end",
            "function(k, a) return redis.error_reply('MY err') end",
            "function(k, a) return redis.status_reply('FINE') end",
            "function(k, a) return {1, 'two', {ok = 'x'}, 3.9, true, false, {err = 'E x'}} end",
            "function(k, a) error({err = 'CODE bad'}) end",
            "function(k, a) x = 1 end",
            "function(k, a) return redis.pcall('incr', 'str') end",
            "function(k, a) return redis.call('incr', 'str') end",
            "function(k, a)\n  local x = 1\n  return redis.call('incr', 'str')\nend",
            "function(k, a) return {#k, #a, k[1], k[2], a[1], a[2]} end",
            "function(k, a) return redis.call('hgetall', 'h') end",
            "function(k, a) redis.setresp(3) return redis.call('hgetall', 'h') end",
            "function(k, a) return redis.sha1hex('x') end",
            "function(k, a) return cjson.encode({1, 2}) end",
            "function(k, a) return ARGV end",
            "function(k, a) return redis.call('set', k[1], a[1]) end",
            "function(k, a) return redis.call('get', k[1]) end",
        ];
        for (int i = 0; i < bodies.Length; i++)
        {
            d.Same("FUNCTION", "LOAD", "REPLACE", Lib("calls", $"redis.register_function('f{i}', {bodies[i]})"));
            d.Same("FCALL", $"f{i}", "0");
            d.Same("FCALL", $"F{i}", "2", "k1", "k2", "a1", "a2");
            d.Same("FCALL_RO", $"f{i}", "1", "key");
        }
        d.Same("GET", "k1");
        d.Same("FCALL", "nope", "0");
        d.Same("FCALL", new string('f', 200), "0");
        d.Same("FCALL", "f0", "x");
        d.Same("FCALL", "f0", "2", "a");
        d.Same("FCALL", "f0", "-1");
        d.Same("FCALL", "nope", "x");
        d.Same("FCALL");
        d.Same("FCALL", "f0");
        d.Same("FCALL_RO", "f0");
    }

    [Fact]
    public void Flags_NoWritesAndReadOnlyForms_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.Same("FUNCTION", "LOAD", Lib("flags",
            "redis.register_function{function_name='ro', callback=function(k, a) return redis.call('set', k[1], a[1]) end, flags={'no-writes'}}",
            "redis.register_function('w', function(k, a) return redis.call('set', k[1], a[1]) end)",
            "redis.register_function{function_name='reader', callback=function(k, a) return redis.call('get', k[1]) end, flags={'no-writes'}}",
            "redis.register_function{function_name='oom', callback=function(k, a) return redis.call('set', k[1], a[1]) end, flags={'allow-oom'}}"));
        d.Same("FCALL", "ro", "1", "k", "v");
        d.Same("FCALL_RO", "ro", "1", "k", "v");
        d.Same("FCALL_RO", "w", "1", "k", "v");
        d.Same("FCALL", "w", "1", "k", "v");
        d.Same("FCALL_RO", "reader", "1", "k");
        d.Same("FCALL", "reader", "1", "k");
        d.Same("FCALL_RO", "oom", "1", "k", "v2");
        d.Same("FCALL", "oom", "1", "k", "v2");
        d.Same("GET", "k");
    }

    [Fact]
    public void Subcommands_ArgumentErrors_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.SameSequence(
            ["FUNCTION"], ["FUNCTION", "NOPE"], ["FUNCTION", "HELP"], ["FUNCTION", "HELP", "x"],
            ["FUNCTION", "DELETE"], ["FUNCTION", "DELETE", "a", "b"], ["FUNCTION", "DELETE", "nope"],
            ["FUNCTION", "FLUSH", "x"], ["FUNCTION", "FLUSH", "SYNC", "ASYNC"], ["FUNCTION", "FLUSH", "sync"], ["FUNCTION", "FLUSH", "ASYNC"],
            ["FUNCTION", "RESTORE"], ["FUNCTION", "RESTORE", "xx"], ["FUNCTION", "RESTORE", "xx", "bad"],
            ["FUNCTION", "RESTORE", "xx", "FLUSH", "extra"],
            ["FUNCTION", "LIST", "LIBRARYNAME"], ["FUNCTION", "LIST", "foo"], ["FUNCTION", "LIST", "WITHCODE", "WITHCODE"],
            ["FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"], ["FUNCTION", "LIST"], ["FUNCTION", "LIST", "WITHCODE"],
            ["FUNCTION", "STATS"], ["FUNCTION", "STATS", "x"], ["FUNCTION", "KILL"], ["FUNCTION", "KILL", "x"],
            ["FUNCTION", "DUMP", "x"], ["SCRIPT", "KILL"]);
    }

    [Fact]
    public void CommandGetKeys_TakesTheKeysAfterNumkeys_SameAsRedis()
    {
        using DiffSession d = NewSession();
        foreach (string cmd in new[] { "fcall", "FCALL_RO", "eval", "evalsha", "eval_ro", "evalsha_ro" })
        {
            d.Same("COMMAND", "GETKEYS", cmd, "f", "2", "a", "b", "c");
            d.Same("COMMAND", "GETKEYSANDFLAGS", cmd, "f", "1", "a", "b");
            d.Same("COMMAND", "GETKEYS", cmd, "f", "0");
            d.Same("COMMAND", "GETKEYS", cmd, "f", "x");
            d.Same("COMMAND", "GETKEYS", cmd, "f", "3", "a");
            d.Same("COMMAND", "GETKEYS", cmd, "f", "-1");
            d.Same("COMMAND", "GETKEYS", cmd, "f");
        }
        d.Same("COMMAND", "GETKEYSANDFLAGS", "get", "k");
    }

    [Fact]
    public void Dump_OfOneLibrary_IsRedissBytes()
    {
        using DiffSession d = NewSession();
        d.Same("FUNCTION", "DUMP");
        d.Same("FUNCTION", "LOAD", Lib("dumped", "redis.register_function('dumpf', function(k, a) return 'a string long enough for LZF, a string long enough for LZF' end)"));
        d.Same("FUNCTION", "DUMP");
    }

    [Fact]
    public void DumpRestore_BetweenTheServers_BothWays()
    {
        using DiffSession d = NewSession();
        string a = Lib("liba", "redis.register_function('fa', function() return 'a' end)", "redis.register_function{function_name='fa2', callback=function() return 'a2' end, flags={'no-writes'}}");
        string b = Lib("libb", "redis.register_function('fb', function() return 'b' end)");
        Assert.Equal("liba", d.Redis.Command("FUNCTION", "LOAD", a).Text);
        Assert.Equal("libb", d.Redis.Command("FUNCTION", "LOAD", b).Text);
        byte[] fromRedis = d.Redis.Command("FUNCTION", "DUMP").Bytes!;
        Assert.Equal("OK", d.Codis.CommandBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), fromRedis).Text);
        d.Same("FCALL", "fa", "0");
        d.Same("FCALL_RO", "fa2", "0");
        d.Same("FCALL", "fb", "0");
        d.Same("FUNCTION", "LIST", "LIBRARYNAME", "libb", "WITHCODE");

        // And back: ours restored into a flushed Redis.
        byte[] fromCodis = d.Codis.Command("FUNCTION", "DUMP").Bytes!;
        Assert.Equal("OK", d.Redis.Command("FUNCTION", "FLUSH").Text);
        Assert.Equal("OK", d.Redis.CommandBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), fromCodis).Text);
        d.Same("FCALL", "fa", "0");
        d.Same("FUNCTION", "STATS");

        // The policies, on both servers from the same payload (of one library: with several, which
        // collision is reported first depends on Redis's hash order).
        d.Same("FUNCTION", "FLUSH");
        Assert.Equal("liba", d.Redis.Command("FUNCTION", "LOAD", a).Text);
        byte[] payload = d.Redis.Command("FUNCTION", "DUMP").Bytes!;
        Assert.Equal("OK", d.Redis.Command("FUNCTION", "FLUSH").Text);
        byte[][] Restore(params string[] policy) => ["FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), payload, .. policy.Select(p => System.Text.Encoding.ASCII.GetBytes(p))];
        d.Assert.SameBytes(Restore());
        d.Assert.SameBytes(Restore("APPEND"));
        d.Assert.SameBytes(Restore("REPLACE"));
        d.Same("FUNCTION", "DELETE", "liba");
        d.Same("FUNCTION", "LOAD", Lib("other", "redis.register_function('fa', function() return 'other' end)"));
        d.Assert.SameBytes(Restore("REPLACE"));
        d.Assert.SameBytes(Restore("APPEND"));
        d.Same("FCALL", "fa", "0");
        d.Assert.SameBytes(Restore("FLUSH"));
        d.Same("FCALL", "fa", "0");
        d.Same("FUNCTION", "STATS");
        d.Assert.SameBytes(Restore("flush"));
        d.Same("FUNCTION", "STATS");
    }

    [Fact]
    public void Restore_BadPayloads_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.Both("SET", "key", "value");
        byte[] keyDump = d.Redis.Command("DUMP", "key").Bytes!;
        d.Assert.SameBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), keyDump);
        d.Same("FUNCTION", "RESTORE", "not a payload at all");
        d.Same("FUNCTION", "LOAD", Lib("one", "redis.register_function('onef', function() return 1 end)"));
        byte[] dump = d.Redis.Command("FUNCTION", "DUMP").Bytes!;
        byte[] corrupt = [.. dump];
        corrupt[3] ^= 0x20;
        d.Assert.SameBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), corrupt);
        // An empty payload (no library) restores nothing, with every policy.
        d.Same("FUNCTION", "FLUSH");
        byte[] empty = d.Redis.Command("FUNCTION", "DUMP").Bytes!;
        d.Assert.SameBytes("FUNCTION"u8.ToArray(), "RESTORE"u8.ToArray(), empty, "FLUSH"u8.ToArray());
        d.Same("FUNCTION", "LIST");
    }

    [Fact]
    public void Transaction_FunctionCommandsQueueAndRun_SameAsRedis()
    {
        using DiffSession d = NewSession();
        d.SameSequence(
            ["MULTI"],
            ["FUNCTION", "LOAD", Lib("tx", "redis.register_function('txf', function(k, a) return redis.call('incr', k[1]) end)")],
            ["FCALL", "txf", "1", "counter"],
            ["FCALL", "txf", "1", "counter"],
            ["FUNCTION", "LIST", "LIBRARYNAME", "tx"],
            ["FUNCTION", "DELETE", "tx"],
            ["EXEC"],
            ["GET", "counter"],
            ["FUNCTION", "LIST"]);
    }
}
