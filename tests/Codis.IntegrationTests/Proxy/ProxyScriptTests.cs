using System.Text;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Proxy;

/// <summary>EVAL/EVALSHA through an in-process proxy: a script's keys must share one slot.</summary>
public sealed class ProxyScriptTests : IClassFixture<TwoServersFixture>, IDisposable
{
    private readonly ProxyHarness _proxy;

    /// <summary>Starts a proxy over the two servers, emptied.</summary>
    public ProxyScriptTests(TwoServersFixture servers)
    {
        servers.FlushAll();
        _proxy = new ProxyHarness();
        _proxy.FillHalves(servers.AddrA, servers.AddrB);
    }

    /// <inheritdoc/>
    public void Dispose() => _proxy.Dispose();

    private static string Raw(RespConnection c, params string[] args) => Encoding.UTF8.GetString(c.Send(args));

    [Fact]
    public void KeysInDifferentSlots_RefusedNamingBothKeys_NothingWritten()
    {
        using var c = _proxy.Connect();
        var a = ProxyHarness.KeyIn(0, 512, "a");
        var b = ProxyHarness.KeyIn(512, 1024, "b");
        foreach (var command in new[]
        {
            new[] { "EVAL", "redis.call('set', KEYS[1], 1); redis.call('set', KEYS[2], 2)", "2", a, b },
            ["evalsha", "0123456789012345678901234567890123456789", "3", a, a, b, "argv1"],
        })
        {
            var reply = Raw(c, command);
            Assert.StartsWith("-ERR handle request, ", reply);
            Assert.Contains($"keys '{a}' and '{b}' are in different slots: a script's keys must share one hash tag", reply);
        }

        Assert.Equal(":0\r\n", Raw(c, "EXISTS", a));
        Assert.Equal(":0\r\n", Raw(c, "EXISTS", b));
    }

    [Fact]
    public void KeysSharingAHashTag_ArgvNotChecked_Forwarded()
    {
        using var c = _proxy.Connect();
        var other = ProxyHarness.KeyIn(512, 1024, "x");
        foreach (var command in new[]
        {
            new[] { "EVAL", "return 1", "2", "{t}a", "{t}b", other },
            ["EVAL", "return 1", "1", "{t}a", other],
            ["EVAL", "return 1", "0", other, "{t}a"],
            ["EVAL", "return 1", "notanumber", "{t}a", other],
        })
        {
            // Forwarded to the server, which answers with its own reply: never the proxy's refusal.
            Assert.DoesNotContain("different slots", Raw(c, command));
        }
    }

    [Fact]
    public void ScriptsRunOnTheirKeysGroup_EvalshaAfterEval_ScriptManagementRefused()
    {
        using var c = _proxy.Connect();
        const string script = "redis.call('set', KEYS[1], ARGV[1]) return redis.call('incr', KEYS[2])";
        const string sha = "5b4c8c1c4d0b05f3d6a1c1e3c6a3fbc0b7b6d1f0";
        foreach (var (low, high) in new[] { (0, 512), (512, 1024) })
        {
            var tag = "{" + ProxyHarness.KeyIn(low, high, "t") + "}";
            Assert.Equal(":1\r\n", Raw(c, "EVAL", script, "2", tag + "s", tag + "n", "v" + low));
            Assert.Equal("$" + ("v" + low).Length + "\r\nv" + low + "\r\n", Raw(c, "GET", tag + "s"));
            // The server of that group cached the script: EVALSHA by its SHA1 runs it again there.
            var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(script)));
            Assert.Equal(":2\r\n", Raw(c, "EVALSHA", hex, "2", tag + "s", tag + "n", "w"));
        }
        Assert.StartsWith("-NOSCRIPT", Raw(c, "EVALSHA", sha, "1", "k"));
        // SCRIPT LOAD/FLUSH/KILL address one server, not the cluster: refused as Codis refuses them.
        Assert.StartsWith("-ERR", Raw(c, "SCRIPT", "LOAD", "return 1"));
    }
}
