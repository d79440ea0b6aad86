using System.Text.Json;
using Codis.Cluster.Coordinator;
using Codis.Core.Json;
using Codis.Core.Security;
using Codis.Core.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy.Host;

/// <summary>A failure that ends the process with status 1 (Codis's <c>log.Panic</c>).</summary>
public sealed class FatalException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The ways a proxy brings itself online (proxy.md §1 table): through a dashboard, through the dashboard
/// found in a coordinator, or from a slots file.
/// </summary>
public sealed class OnlineModes(ProxyHost host, ILogger logger)
{
    /// <summary>Pause between attempts.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>--dashboard=ADDR</c>: up to 10 attempts, 3 s apart: fetch the dashboard model, check the product,
    /// ask the dashboard to online this proxy.
    /// </summary>
    /// <exception cref="FatalException">Wrong product, or every attempt failed.</exception>
    public async Task WithDashboardAsync(string dashboard, CancellationToken ct)
    {
        for (int i = 0; i < 10; i++)
        {
            if (host.IsClosed || host.IsOnline)
                return;
            if (await OnlineProxyAsync(dashboard, ct).ConfigureAwait(false))
                return;
            await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
        }
        throw new FatalException("online proxy failed");
    }

    /// <summary>
    /// <c>--zookeeper</c>, <c>--etcd</c> or <c>--filesystem</c>: up to 30 attempts, 3 s apart: read
    /// <c>/codis3/&lt;product&gt;/topom</c> from the coordinator (absent → retry) and online through its
    /// <c>admin_addr</c>.
    /// </summary>
    /// <exception cref="FatalException">Every attempt failed.</exception>
    public async Task WithCoordinatorAsync(ICoordinator coordinator, CancellationToken ct)
    {
        string path = CoordinatorPaths.Topom(host.Config.ProductName);
        for (int i = 0; i < 30; i++)
        {
            if (host.IsClosed || host.IsOnline)
                return;
            try
            {
                byte[]? data = await coordinator.ReadAsync(path, must: false, ct).ConfigureAwait(false);
                TopomModel? t = data is null ? null : CodisJson.Decode<TopomModel>(data);
                if (t is null)
                    logger.LogWarning("load topom failed: {Path} does not exist in the {Kind} coordinator {Address} (is the dashboard running?)", path, coordinator.Name, coordinator.Address);
                else if (await OnlineProxyAsync(t.AdminAddr, ct).ConfigureAwait(false))
                    return;
            }
            catch (Exception e) when (e is CoordinatorException or JsonException)
            {
                logger.LogWarning("load & decode topom failed: {Error}", e.Message);
            }
            await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
        }
        throw new FatalException("online proxy failed");
    }

    /// <summary><c>--fillslots=FILE</c>: fill the slots, then start.</summary>
    /// <exception cref="FatalException">Filling or starting failed.</exception>
    public void WithFillSlots(IReadOnlyList<Slot> slots)
    {
        try
        {
            host.FillSlots(slots);
        }
        catch (ApiException e)
        {
            throw new FatalException("fill slots failed, " + e.Message);
        }
        try
        {
            host.Start();
        }
        catch (ApiException e)
        {
            throw new FatalException("start proxy failed, " + e.Message);
        }
    }

    /// <summary>Reads and decodes a <c>--fillslots</c> file.</summary>
    /// <exception cref="FatalException">Unreadable file or not a JSON array of Slot.</exception>
    public static Slot[] LoadSlotsFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FatalException($"load slots from file {file} failed, {e.Message}");
        }
        try
        {
            return CodisJson.Decode<Slot[]>(text) ?? throw new FatalException($"decode slots from json failed, {file} holds null, expected an array of Slot");
        }
        catch (JsonException e)
        {
            throw new FatalException($"decode slots from json failed, {file}: {e.Message}");
        }
    }

    private async Task<bool> OnlineProxyAsync(string dashboard, CancellationToken ct)
    {
        using var api = new ApiClient();
        TopomModel t;
        try
        {
            t = await api.GetAsync<TopomModel>($"http://{dashboard}/api/topom/model", ct).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            logger.LogWarning("rpc fetch model failed: {Error}", e.Message);
            return false;
        }
        if (t.ProductName != host.Config.ProductName)
            throw new FatalException("unexcepted product name, got model =\n" + CodisJson.Encode(t));
        string xauth = CodisAuth.DashboardXAuth(host.Config.ProductName);
        try
        {
            await api.PutAsync($"http://{dashboard}/api/topom/proxy/online/{xauth}/{host.Model.AdminAddr}", null, ct).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            logger.LogWarning("rpc online proxy failed: {Error}", e.Message);
            return false;
        }
        logger.LogWarning("rpc online proxy seems OK");
        return true;
    }
}
