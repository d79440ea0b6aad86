using Codis.TestSupport;

namespace Codis.IntegrationTests.Differential;

/// <summary>
/// EVAL, EVALSHA and SCRIPT compared with Redis 7.0 byte for byte: reply conversion both ways, error
/// texts (with the script line), the sandbox, and the bit, struct, cjson and cmsgpack libraries.
/// </summary>
public sealed class ScriptingTests(ServerPairFixture servers) : IClassFixture<ServerPairFixture>
{
    private static void Evals(DiffSession d, params string[] scripts)
    {
        foreach (string script in scripts)
            d.Same("EVAL", script, "0");
    }

    [Fact]
    public void ReplyConversion_LuaToRedis_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Evals(d,
            "return 1", "return -7", "return 3.99", "return -3.99", "return 1e20", "return 'text'", "return ''",
            "return true", "return false", "return nil", "return {}", "return {1, 2, {3, 'x'}, nil, 5}",
            "return {1, false, 3}", "return {true, 'a'}", "return {err = 'MY error'}", "return {ok = 'fine'}",
            "return {err = 'two\\r\\nlines'}", "return {ok = 'two\\nlines'}", "return redis.error_reply('E1 xx')",
            "return redis.status_reply('S')", "return {{}, {{}}, {1, {2, {3}}}}", "return {1, 2, x = 3}",
            "return {err = 5}", "return {ok = {}}", "return 2^53", "return 0/0 == 0/0", "return math.huge > 0",
            "return #KEYS", "return #ARGV", "return string.rep('x', 100000):len()");
    }

    [Fact]
    public void ReplyConversion_RedisToLua_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("SET", "s", "str");
        d.Both("RPUSH", "l", "a", "b", "c");
        d.Both("HSET", "h", "f", "v");
        Evals(d,
            "return redis.call('get', 's')", "return redis.call('get', 'missing')", "return type(redis.call('get', 'missing'))",
            "return redis.call('lrange', 'l', 0, -1)", "return redis.call('set', 'k', 'v')", "return type(redis.call('set', 'k', 'v'))",
            "return redis.call('set', 'k', 'v').ok", "return redis.call('incr', 'n')", "return type(redis.call('incr', 'n'))",
            "return redis.call('hgetall', 'h')", "return redis.call('exists', 's', 'l', 'nope')",
            "return redis.pcall('incr', 's')", "return redis.pcall('incr', 's').err", "return type(redis.pcall('incr', 's'))",
            "return redis.call('ping')", "return redis.call('echo', 'hi')", "return redis.call('type', 'l')",
            "return redis.call('blpop', 'nolist', 0)", "return redis.call('select', 1)", "return redis.call('dbsize')",
            "redis.call('select', 9); redis.call('set', 'in9', 1); return redis.call('dbsize')", "return redis.call('dbsize')",
            "return redis.call('zadd', 'z', 1.5, 'a')", "return redis.call('zscore', 'z', 'a')",
            "return redis.call('get', 1.5)", "return redis.call('set', 'f', 10 / 3)", "return redis.call('get', 'f')",
            "return redis.call('set', 'i', 7)", "return redis.call('get', 'i')", "return redis.call('set', 'e', 1e100)",
            "return redis.call('get', 'e')", "return redis.call('set', 'neg', -0.5)", "return redis.call('get', 'neg')");
        d.Same("SELECT", "9");
        d.Same("GET", "in9");
        d.Same("SELECT", "0");
    }

    [Fact]
    public void KeysAndArgv_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", "2", "k1", "k2", "a1", "a2");
        d.Same("EVAL", "return {#KEYS, #ARGV}", "0", "a", "b");
        d.Same("EVAL", "return {#KEYS, #ARGV}", "3", "a", "b", "c");
        d.Same("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "key", "value");
        d.Same("GET", "key");
        d.Same("EVAL", "return 1", "x");
        d.Same("EVAL", "return 1", "-1");
        d.Same("EVAL", "return 1", "2", "a");
        d.Same("EVAL", "return 1");
        d.Same("EVAL");
        d.Same("EVAL", "return 1", "99999999999999999999");
    }

    [Fact]
    public void Errors_CarryTheScriptLine_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Both("SET", "s", "str");
        Evals(d,
            "return redis.call('incr', 's')", "local x = 1\nreturn redis.call('incr', 's')", "redis.call('incr', 's')",
            "local ok, e = pcall(redis.call, 'incr', 's'); return {tostring(ok), type(e), e}",
            "pcall(redis.call, 'incr', 's'); return redis.call('set', 'a', 'b')",
            "local function f()\n  return redis.call('incr', 's')\nend\nreturn f()",
            "x = 1", "return y", "error('boom')", "\n\nerror('line three')", "error({err = 'MY thing'})",
            "error({err = 'ERR with code'})", "return redis.call('nosuch')", "return redis.call('get')",
            "return redis.call()", "return redis.call('eval', 'return 1', 0)", "return redis.call('get', {})",
            "return redis.call('get', nil)", "return redis.call('get', true)", "return redis.pcall('nosuch')",
            "return redis.pcall('get')", "return redis.call('multi')", "return redis.call('subscribe', 'c')",
            "return redis.call('script', 'load', 'return 1')", "return redis.call('incr', 's', 'extra')",
            "redis.call = 1", "redis.x = 1", "string.x = 1", "KEYS = 1", "return redis.error_reply(1)",
            "return redis.status_reply()", "return redis.sha1hex()", "return redis.sha1hex('')", "return redis.sha1hex(12)");
    }

    [Fact]
    public void Sandbox_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Evals(d,
            "return type(loadstring)", "return type(load)", "return type(os)", "return type(print)", "return type(io)",
            "return type(dofile)", "return type(loadfile)", "return type(require)", "return type(setfenv)",
            "return type(coroutine)", "return type(string.dump)", "return type(unpack)", "return unpack({1, 2})",
            "return type(cjson)", "return type(cmsgpack)", "return type(struct)", "return type(bit)",
            "return type(redis.call)", "return type(redis.pcall)", "return redis.REDIS_VERSION_NUM > 0",
            "return type(table.getn)", "return table.concat({'a', 'b'}, '-')", "return string.format('%5.2f', 3.14159)",
            "return string.upper('abc')", "return ('x'):rep(3)", "return math.floor(3.7)", "return math.max(1, 9, 3)",
            "return tonumber('42')", "return tostring(42)", "return select('#', 1, 2, 3)",
            "local t = {} for i = 1, 10 do t[#t + 1] = i * i end return t",
            "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)"
                + " local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y}",
            "return pcall(error)", "local ok, e = pcall(error, 'x', 0) return e", "return redis.setresp(2)",
            "return redis.setresp(4)", "return redis.replicate_commands()", "return redis.set_repl(redis.REPL_ALL)",
            "return redis.set_repl(99)", "redis.log(redis.LOG_WARNING, 'a warning from a test')", "redis.log(redis.LOG_NOTICE)",
            "redis.log(99, 'x')", "math.randomseed(42) return {math.random(1000), math.random(1000), math.random(5, 7)}");
    }

    [Fact]
    public void Libraries_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        Evals(d,
            // cjson
            "return cjson.encode({1, 2, 'a/b', {}})", "return cjson.encode({a = 1})", "return cjson.encode('q\"\\\\\\n\\1')",
            "return cjson.encode(3.25)", "return cjson.encode(1/3)", "return cjson.encode(true)", "return cjson.encode(cjson.null)",
            "return cjson.encode({1, nil, 3})", "return cjson.encode({[1] = 1, [20] = 2})", "return cjson.encode(0/0)",
            "return cjson.encode(function() end)", "return cjson.encode({[true] = 1})",
            "local t = cjson.decode('[1,2,3,{\"a\":\"b\"}]') return {t[1], t[3], t[4].a}",
            "return cjson.decode('\"\\\\u00e9\\\\n\"')", "return cjson.decode('{\"a\":null}').a == cjson.null",
            "return cjson.decode('[true,false]')[1]", "return cjson.decode('12.5') * 2", "return cjson.decode('')",
            "return cjson.decode('[1,2')", "return cjson.decode('{\"a\" 1}')", "return cjson.decode('[1] x')",
            "return cjson.encode(cjson.decode('{\"k\":[1,2,{\"n\":[]}]}'))",
            // cmsgpack
            "return cmsgpack.pack({1, 2, 3}, 'abc', 3.5)", "return cmsgpack.pack(-1, -33, 200, 70000, -70000, 2^40)",
            "return cmsgpack.pack(0.1)", "return cmsgpack.pack(true, false, nil)", "return cmsgpack.pack(string.rep('x', 40))",
            "return cmsgpack.pack({a = 1})", "return cmsgpack.pack({})",
            "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}))}", "local t = cmsgpack.unpack(cmsgpack.pack({a = 'b'})) return t.a",
            "return cmsgpack.unpack(cmsgpack.pack(-123456789))", "return cmsgpack.unpack('\\205')",
            // struct
            "return struct.pack('>iH', 7, 2)", "return struct.pack('<i', -2)", "return struct.pack('>bBhHlL', -1, 255, -2, 65535, -3, 4)",
            "return struct.pack('s', 'abc')", "return struct.pack('c3', 'abcdef')", "return struct.pack('c0', 'xyz')",
            "return {struct.unpack('>iH', struct.pack('>iH', 7, 2))}", "return {struct.unpack('s', struct.pack('s', 'hey'))}",
            "return struct.size('>iH')", "return {struct.unpack('<d', struct.pack('<d', 1.5))}",
            "return {struct.unpack('b c0', struct.pack('b c0', 3, 'abc'))}", "return struct.pack('>I2', 65536 + 5)",
            // bit
            "return bit.tohex(65535, -4)", "return bit.tohex(-1)", "return bit.tohex(255, 2)", "return bit.band(0xff, 0x0f)",
            "return bit.bor(1, 2, 4)", "return bit.bxor(5, 3)", "return bit.bnot(0)", "return bit.lshift(1, 31)",
            "return bit.rshift(-1, 28)", "return bit.arshift(-256, 4)", "return bit.rol(0x12345678, 8)",
            "return bit.ror(0x12345678, 8)", "return bit.bswap(0x12345678)", "return bit.tobit(2^32 + 5)",
            "return bit.tobit(-1)", "return bit.band(2^40 + 3, 7)");
    }

    [Fact]
    public void EvalShaAndScriptCommands_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("SCRIPT", "FLUSH");
        d.Same("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
        d.Same("SCRIPT", "LOAD", "return 1");
        d.Same("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB");
        d.Same("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
        d.Same("EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0");
        d.Same("EVALSHA", "0000", "0");
        d.Same("EVAL", "return KEYS[1]", "1", "k");
        d.Same("EVALSHA", "4cb2bde8eb5c8d7c9db3c2c29e9b4a6df78e4a7b", "1", "k");
        d.Same("SCRIPT", "FLUSH", "ASYNC");
        d.Same("SCRIPT", "FLUSH", "SYNC");
        d.Same("SCRIPT", "FLUSH", "BAD");
        d.Same("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
        d.Same("SCRIPT", "KILL");
        d.Same("SCRIPT", "NOPE");
        d.Same("SCRIPT", "LOAD");
        d.Same("SCRIPT", "EXISTS");
        d.Same("SCRIPT");
        d.Same("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k");
        d.Same("EVAL_RO", "return redis.call('set', KEYS[1], 'v')", "1", "k");
        d.Same("SCRIPT", "LOAD", "return redis.call('set', KEYS[1], 'v')");
        d.Same("EVALSHA_RO", "a2d8ef4d54d0ef5c80d4cf9c3a4af8d2d63a5b4b", "1", "k");
        d.Same("EVAL", "return 1 +", "0");
    }

    [Fact]
    public void Transactions_AndScripts_SameAsRedis()
    {
        using DiffSession d = servers.NewDiff();
        d.Same("MULTI");
        d.Same("EVAL", "return redis.call('incr', KEYS[1])", "1", "counter");
        d.Same("EVAL", "return redis.call('incr', KEYS[1])", "1", "counter");
        d.Same("EXEC");
        d.Same("GET", "counter");
        d.Same("EVAL", "redis.call('rpush', KEYS[1], 'a') redis.call('rpush', KEYS[1], 'b') return redis.call('lrange', KEYS[1], 0, -1)", "1", "list");
        d.Same("EVAL", "local n = 0 for i = 1, 100 do n = n + redis.call('incrby', KEYS[1], i) end return n", "1", "sum");
        d.Same("GET", "sum");
    }
}
