using System.Text;
using System.Text.Json.Serialization;
using Codis.Cluster.Coordinator;
using Codis.Core.Json;
using Codis.Core.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Host;

/// <summary>
/// Registers the proxy for client-side discovery (coordinator.md §6): once the proxy is started, an
/// ephemeral node holding the jodis record lives at <see cref="Path"/> for as long as the proxy does. When the
/// node is changed or deleted, or the session/lease is lost, it is created again; failures back off
/// exponentially from 1 s to 30 s. Closing deletes the node and closes the coordinator client.
/// </summary>
public sealed class Jodis : IAsyncDisposable
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly ICoordinator _client;
    private readonly byte[] _record;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _lock = new();
    private Task? _loop;
    private bool _closed;
    private volatile bool _created;

    /// <summary>A registration of <paramref name="model"/> through <paramref name="client"/> (which it owns from now on).</summary>
    /// <param name="client">An ephemeral-capable coordinator client (ZooKeeper or etcd).</param>
    /// <param name="model">The proxy's identity: token, addresses, start time, product.</param>
    /// <param name="compatible"><c>jodis_compatible</c>: use the Codis 2 path layout.</param>
    /// <param name="logger">Where registrations and failures are logged.</param>
    public Jodis(ICoordinator client, ProxyModel model, bool compatible, ILogger logger)
    {
        _client = client;
        _logger = logger;
        Path = PathOf(model.ProductName, model.Token, compatible);
        _record = Record(model);
    }

    /// <summary>The node's path: <c>/jodis/&lt;product&gt;/proxy-&lt;token&gt;</c>, or the Codis 2 layout.</summary>
    public string Path { get; }

    /// <summary>The node path for a product and proxy token.</summary>
    public static string PathOf(string product, string token, bool compatible) =>
        compatible ? CoordinatorPaths.JodisCompatible(product, token) : CoordinatorPaths.Jodis(product, token);

    /// <summary>The node's content: the record JSON, keys sorted, 4-space indent (Codis's encoder).</summary>
    public static byte[] Record(ProxyModel model) => Encoding.UTF8.GetBytes(CodisJson.Encode(new JodisRecord
    {
        Addr = model.ProxyAddr,
        Admin = model.AdminAddr,
        Start = model.StartTime,
        State = "online",
        Token = model.Token,
    }));

    /// <summary>Starts the registration loop; idempotent, and a no-op once closed.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_closed || _loop is not null)
                return;
            _loop = Task.Run(() => RunAsync(_closing.Token));
        }
    }

    /// <summary>Stops the loop, deletes the node if it was ever created, closes the client. Idempotent.</summary>
    public async Task CloseAsync()
    {
        Task? loop;
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            loop = _loop;
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
            await loop.ConfigureAwait(false);
        if (_created)
        {
            try
            {
                await _client.DeleteAsync(Path).ConfigureAwait(false);
                _logger.LogWarning("jodis remove node {Path}", Path);
            }
            catch (CoordinatorException e)
            {
                // The node still goes away with the session or lease when the client closes below.
                _logger.LogWarning("jodis remove node {Path} failed: {Error}", Path, e.Message);
            }
        }
        try
        {
            await _client.CloseAsync().ConfigureAwait(false);
        }
        catch (CoordinatorException e)
        {
            _logger.LogWarning("jodis close client failed: {Error}", e.Message);
        }
        _closing.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private async Task RunAsync(CancellationToken ct)
    {
        TimeSpan delay = MinDelay;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                Task lost = await _client.CreateEphemeralAsync(Path, _record, ct).ConfigureAwait(false);
                _created = true;
                delay = MinDelay;
                _logger.LogWarning("jodis create node {Path}", Path);
                await lost.WaitAsync(ct).ConfigureAwait(false);
                _logger.LogWarning("jodis node {Path} was changed, removed or its session lost: creating it again", Path);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever the backend throws, the loop keeps trying: a proxy without its node is undiscoverable.
                _logger.LogWarning("jodis create node {Path} failed: {Error}; retrying in {Delay}s", Path, e.Message, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    /// <summary>The jodis record; properties in name order because Codis encodes it from a Go map (sorted keys).</summary>
    private sealed record JodisRecord
    {
        [JsonPropertyName("addr")]
        public string Addr { get; init; } = "";

        [JsonPropertyName("admin")]
        public string Admin { get; init; } = "";

        [JsonPropertyName("start")]
        public string Start { get; init; } = "";

        [JsonPropertyName("state")]
        public string State { get; init; } = "";

        [JsonPropertyName("token")]
        public string Token { get; init; } = "";
    }
}
