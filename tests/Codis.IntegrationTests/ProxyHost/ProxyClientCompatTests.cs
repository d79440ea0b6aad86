using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Codis.Core.Security;
using Codis.TestSupport;
using StackExchange.Redis;
using SeProxy = StackExchange.Redis.Proxy;

namespace Codis.IntegrationTests.ProxyHost;

/// <summary>
/// The real codis-proxy process, online, with slots 0..511 on codis-server A and 512..1023 on codis-server B.
/// </summary>
public sealed class LiveProxyFixture : IDisposable
{
    /// <summary>Starts both servers and the proxy, fills the slots and brings it online.</summary>
    public LiveProxyFixture()
    {
        A = ServerProcess.StartCodis();
        try
        {
            B = ServerProcess.StartCodis();
            Proxy = ProxyProcess.Start();
            Start();
        }
        catch
        {
            // Nothing started here outlives a failed fixture.
            Proxy?.Dispose();
            B?.Dispose();
            A.Dispose();
            throw;
        }
    }

    /// <summary>Slots 0..511.</summary>
    public ServerProcess A { get; }

    /// <summary>Slots 512..1023.</summary>
    public ServerProcess B { get; } = null!;

    /// <summary>The proxy.</summary>
    public ProxyProcess Proxy { get; } = null!;

    private void Start()
    {
        using JsonDocument model = JsonDocument.Parse(Proxy.Get("/api/proxy/model").Body);
        string xauth = CodisAuth.ProxyXAuth("codis-demo", "", model.RootElement.GetProperty("token").GetString()!);
        string a = "127.0.0.1:" + A.Port.ToString(CultureInfo.InvariantCulture);
        string b = "127.0.0.1:" + B.Port.ToString(CultureInfo.InvariantCulture);
        string body = "[" + string.Join(",", Enumerable.Range(0, 1024).Select(i =>
            $"{{\"id\": {i}, \"backend_addr\": \"{(i < 512 ? a : b)}\", \"backend_addr_group_id\": {(i < 512 ? 1 : 2)}}}")) + "]";
        Assert.Equal("\"OK\"", Proxy.Put("/api/proxy/fillslots/" + xauth, body).Body);
        Assert.Equal("\"OK\"", Proxy.Put("/api/proxy/start/" + xauth).Body);
    }

    /// <summary>Keys in A plus keys in B.</summary>
    public (long A, long B) DbSizes()
    {
        using RespConnection a = A.Connect();
        using RespConnection b = B.Connect();
        return (a.Command("DBSIZE").Integer, b.Command("DBSIZE").Integer);
    }

    /// <summary>Empties both servers.</summary>
    public void FlushAll()
    {
        using RespConnection a = A.Connect();
        using RespConnection b = B.Connect();
        a.Command("FLUSHALL");
        b.Command("FLUSHALL");
    }

    /// <summary>Stops all three, by PID.</summary>
    public void Dispose()
    {
        Proxy.Dispose();
        A.Dispose();
        B.Dispose();
    }
}

/// <summary>
/// Real clients against the real codis-proxy over two codis-servers: redis-cli (commands and --pipe),
/// redis-benchmark and StackExchange.Redis.
/// </summary>
[Collection(nameof(LiveProxyCollection))]
public sealed class ProxyClientCompatTests(LiveProxyFixture fixture)
{
    private const string RedisCli = "/usr/bin/redis-cli";
    private const string RedisBenchmark = "/usr/bin/redis-benchmark";

    private string Port => fixture.Proxy.ProxyPort.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void RedisCli_Commands_AnsweredThroughProxy()
    {
        fixture.FlushAll();
        Assert.Equal("PONG", Cli(null, "PING").StdOut.Trim());
        Assert.Equal("OK", Cli(null, "SET", "cli:a", "1").StdOut.Trim());
        Assert.Equal("1", Cli(null, "GET", "cli:a").StdOut.Trim());
        Assert.Equal("OK", Cli(null, "MSET", "x", "1", "y", "2", "z", "3").StdOut.Trim());
        Assert.Equal("1\n2\n3", Cli(null, "MGET", "x", "y", "z").StdOut.Trim());
        Assert.Equal("2", Cli(null, "DEL", "x", "cli:a").StdOut.Trim());
        // Codis refuses administrative commands with its own error.
        Assert.Equal("ERR handle request, command 'CONFIG' is not allowed", Cli(null, "CONFIG", "GET", "save").StdOut.Trim());
    }

    [Fact]
    public void RedisCliPipe_ThreeThousandSets_NoErrorsAndSpreadOverBothBackends()
    {
        fixture.FlushAll();
        var input = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            string k = "pipe:" + i.ToString(CultureInfo.InvariantCulture);
            string v = "v" + i.ToString(CultureInfo.InvariantCulture);
            input.Append(CultureInfo.InvariantCulture, $"*3\r\n$3\r\nSET\r\n${k.Length}\r\n{k}\r\n${v.Length}\r\n{v}\r\n");
        }
        ProcessResult r = Cli(input.ToString(), "--pipe");
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.Contains("errors: 0, replies: 3000", r.StdOut, StringComparison.Ordinal);
        (long a, long b) = fixture.DbSizes();
        Assert.Equal(3000, a + b);
        Assert.True(a > 0 && b > 0, $"A has {a} keys, B has {b}");
        using RespConnection c = fixture.Proxy.Connect();
        Assert.Equal("v2999", c.Command("GET", "pipe:2999").Text);
    }

    [Fact]
    public void RedisBenchmark_GetSet_CompletesWithoutErrors()
    {
        fixture.FlushAll();
        ProcessResult r = Run(RedisBenchmark, null, "-h", "127.0.0.1", "-p", Port, "-t", "get,set", "-n", "20000", "-r", "10000", "-q");
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        string all = r.StdOut + r.StdErr;
        Assert.DoesNotContain("Error", all, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"SET: [0-9.]+ requests per second", r.StdOut);
        Assert.Matches(@"GET: [0-9.]+ requests per second", r.StdOut);
        (long a, long b) = fixture.DbSizes();
        Assert.True(a > 0 && b > 0, $"A has {a} keys, B has {b}");
    }

    [Theory]
    [InlineData(SeProxy.Twemproxy)]
    [InlineData(SeProxy.None)]
    public async Task StackExchangeRedis_SetGetDeleteBatch_AcrossBothBackends(SeProxy mode)
    {
        fixture.FlushAll();
        var options = new ConfigurationOptions
        {
            EndPoints = { fixture.Proxy.ProxyAddr },
            Proxy = mode,
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
        };
        var log = new StringWriter();
        await using ConnectionMultiplexer mux = await ConnectionMultiplexer.ConnectAsync(options, log);
        Assert.True(mux.IsConnected, log.ToString());
        IDatabase db = mux.GetDatabase();

        Assert.True(db.StringSet("se:a", "hello"));
        Assert.Equal("hello", (string?)db.StringGet("se:a"));
        Assert.True(db.KeyDelete("se:a"));
        Assert.True(db.StringGet("se:a").IsNull);

        IBatch batch = db.CreateBatch();
        Task<bool>[] sets = [.. Enumerable.Range(0, 100).Select(i => batch.StringSetAsync("se:" + i.ToString(CultureInfo.InvariantCulture), i))];
        batch.Execute();
        Assert.All(await Task.WhenAll(sets), Assert.True);
        RedisKey[] keys = [.. Enumerable.Range(0, 100).Select(i => (RedisKey)("se:" + i.ToString(CultureInfo.InvariantCulture)))];
        (long a, long b) = fixture.DbSizes();
        Assert.Equal(100, a + b);
        Assert.True(a > 0 && b > 0, $"A has {a} keys, B has {b}");
        if (mode == SeProxy.Twemproxy)
        {
            // In twemproxy mode the client itself refuses multi-key commands across slots (before sending),
            // so multi-key reads and deletes go key by key, as Codis users do with it.
            RedisValue[] got = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k)));
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), got.Select(v => (long)v));
            Assert.All(await Task.WhenAll(keys.Select(k => db.KeyDeleteAsync(k))), Assert.True);
        }
        else
        {
            // Standalone mode: MGET and multi-key DEL, which the proxy splits over both backends.
            RedisValue[] got = await db.StringGetAsync(keys);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), got.Select(v => (long)v));
            Assert.Equal(100, await db.KeyDeleteAsync(keys));
        }
        Assert.Equal((0L, 0L), fixture.DbSizes());
    }

    private ProcessResult Cli(string? stdin, params string[] args) => Run(RedisCli, stdin, ["-h", "127.0.0.1", "-p", Port, .. args]);

    private static ProcessResult Run(string file, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
            p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(" ", args)} did not exit within 120 s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>The live proxy is shared by the client tests, which run one after another.</summary>
[CollectionDefinition(nameof(LiveProxyCollection))]
public sealed class LiveProxyCollection : ICollectionFixture<LiveProxyFixture>;
