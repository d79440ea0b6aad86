using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Codis.Cluster.Coordinator;
using Codis.Cluster.Hosting;
using Codis.Cluster.Logging;
using Codis.Cluster.Net;
using Codis.Fe.Routing;
using Microsoft.Extensions.Logging;

namespace Codis.Fe.Host;

/// <summary>The codis-fe entry point: command line, assets, loader, listener, shutdown (fe.md §1).</summary>
public static class Program
{
    /// <summary>The version line of <c>--version</c>.</summary>
    public static string Version => "release3.2-dotnet @" + (typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0");

    /// <summary>The compile line of <c>--version</c>.</summary>
    public static string Compile => ".NET " + Environment.Version + " " + RuntimeInformation.RuntimeIdentifier;

    /// <summary>Runs codis-fe; returns the exit status (1 on any start-up error).</summary>
    public static int Main(string[] args)
    {
        CommandLine cl;
        try
        {
            cl = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("codis-fe: " + e.Message);
            Console.Error.WriteLine(CommandLine.Usage);
            return 1;
        }
        if (cl.Has("--help"))
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }
        if (cl.Has("--version"))
        {
            Console.WriteLine("version: " + Version);
            Console.WriteLine("compile: " + Compile);
            return 0;
        }

        CodisLog log;
        try
        {
            log = new CodisLog(cl.Get("--log"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"codis-fe: open log file {cl.Get("--log")} failed, {e.Message}");
            return 1;
        }
        using (log)
        {
            try
            {
                return RunAsync(cl, log).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is StartupException or UsageException)
            {
                log.Panic("main", e.Message);
                // With --log the operator running the command would otherwise see nothing.
                if (log.CurrentFile is not null)
                    Console.Error.WriteLine("codis-fe: " + e.Message);
                return 1;
            }
        }
    }

    /// <summary>The assets directory: <c>--assets-dir</c>, else <c>assets</c> next to the executable; it must hold index.html.</summary>
    /// <exception cref="StartupException">Missing, not a directory, or without index.html.</exception>
    internal static string ResolveAssets(string? flag)
    {
        string assets = Path.GetFullPath(flag ?? Path.Combine(AppContext.BaseDirectory, "assets"));
        if (File.Exists(assets))
            throw new StartupException($"assets {assets} is not a directory (--assets-dir)");
        if (!Directory.Exists(assets))
            throw new StartupException($"assets directory {assets} does not exist (--assets-dir=PATH sets another one)");
        if (!File.Exists(Path.Combine(assets, "index.html")))
            throw new StartupException($"assets directory {assets} has no index.html (is it the codis-fe assets directory?)");
        return assets;
    }

    private static async Task<int> RunAsync(CommandLine cl, CodisLog log)
    {
        ILogger logger = log.CreateLogger("main");
        if (cl.Get("--log-level") is { } levelText)
        {
            if (!CodisLog.TryParseLevel(levelText, out CodisLogLevel level))
                throw new UsageException($"option --log-level = {levelText} (expected ERROR, WARN, INFO, DEBUG or NONE)");
            log.Level = level;
        }
        if (cl.GetInt("--ncpu") is { } ncpu)
        {
            if (ncpu < 1)
                throw new UsageException($"option --ncpu = {ncpu} must be at least 1");
            ThreadPool.GetMinThreads(out int workers, out int io);
            ThreadPool.SetMinThreads(Math.Max(workers, ncpu), io);
            logger.LogWarning("set ncpu = {Ncpu}", ncpu);
        }
        string listen = cl.Get("--listen")!;
        IPEndPoint endpoint;
        try
        {
            endpoint = NetAddress.Resolve("tcp", listen);
        }
        catch (FormatException e)
        {
            throw new StartupException($"listen {listen} failed, {e.Message} (--listen=ADDR, e.g. 127.0.0.1:9090)");
        }
        logger.LogWarning("set listen = {Listen}", listen);
        string assets = ResolveAssets(cl.Get("--assets-dir"));
        logger.LogWarning("set assets = {Assets}", assets);

        ICoordinator? coordinator = null;
        IProductLoader loader;
        if (cl.Get("--dashboard-list") is { } file)
        {
            loader = new DashboardListLoader(file);
            logger.LogWarning("set --dashboard-list = {File}", file);
        }
        else
        {
            (string name, string addr, string? auth) =
                cl.Get("--zookeeper") is { } zk ? ("zookeeper", zk, cl.Get("--zookeeper-auth"))
                : cl.Get("--etcd") is { } etcd ? ("etcd", etcd, cl.Get("--etcd-auth"))
                : ("filesystem", cl.Get("--filesystem")!, null);
            logger.LogWarning("set --{Name} = {Addr}", name, addr);
            try
            {
                coordinator = Coordinators.Create(name, addr, auth ?? "", Coordinators.DefaultTimeout);
            }
            catch (CoordinatorException e)
            {
                throw new StartupException($"create '{name}' client to '{addr}' failed, {e.Message}", e);
            }
            loader = new CoordinatorLoader(coordinator, log.CreateLogger("loader"));
        }

        // Written before listening, as Codis does: once the port answers, the pid file is there.
        string? pidfile = PidFile.Write(cl.Get("--pidfile"), logger);
        try
        {
            // Handlers first: a signal that arrives as soon as the port answers still stops the FE cleanly.
            var exit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnSignal(PosixSignalContext c)
            {
                c.Cancel = true;
                logger.LogWarning("fe receive signal = '{Signal}'", c.Signal);
                exit.TrySetResult();
            }
            using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

            var products = new ProductTable(loader, log.CreateLogger("proxy"));
            await using var server = new FeServer(products, assets, log);
            IPEndPoint bound = await server.StartAsync(endpoint, listen).ConfigureAwait(false);
            logger.LogWarning("fe start service on {Addr}", NetAddress.Format(bound));
            await exit.Task.ConfigureAwait(false);
            logger.LogWarning("fe is exiting ...");
            await server.StopAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            PidFile.Remove(pidfile, logger);
            if (coordinator is not null)
                await coordinator.CloseAsync().ConfigureAwait(false);
        }
    }


}
