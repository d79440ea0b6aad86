using Codis.Cluster.Hosting;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Codis.Dashboard.Api;
using Codis.Dashboard.Config;
using Codis.Dashboard.Topology;
using Microsoft.Extensions.Logging;

namespace Codis.Dashboard.Host;

/// <summary>The codis-dashboard entry point: command line, start-up, lock, shutdown (dashboard-api.md §7, config.md §2.1).</summary>
public static class Program
{
    /// <summary>Runs the dashboard; returns the exit status (1 on any start-up or fatal error).</summary>
    public static int Main(string[] args)
    {
        CommandLine cl;
        try
        {
            cl = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("codis-dashboard: " + e.Message);
            Console.Error.WriteLine(CommandLine.Usage);
            return 1;
        }
        if (cl.Has("--help"))
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }
        if (cl.Has("--default-config"))
        {
            Console.WriteLine(DashboardConfig.DefaultToml);
            return 0;
        }
        if (cl.Has("--version"))
        {
            Console.WriteLine("version: " + Topom.Version);
            Console.WriteLine("compile: " + Topom.Compile);
            return 0;
        }

        CodisLog log;
        try
        {
            log = new CodisLog(cl.Get("--log"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"codis-dashboard: open log file {cl.Get("--log")} failed, {e.Message}");
            return 1;
        }
        using (log)
        {
            try
            {
                return RunAsync(cl, log).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is FatalException or StartupException or ConfigException or UsageException)
            {
                Fatal(log, e.Message);
                return 1;
            }
        }
    }

    private static void Fatal(CodisLog log, string message)
    {
        log.Panic("main", message);
        // With --log the operator running the command would otherwise see nothing.
        if (log.CurrentFile is not null)
            Console.Error.WriteLine("codis-dashboard: " + message);
    }

    /// <summary>Defaults, then the file, then the flags (config.md §4), validated again.</summary>
    internal static DashboardConfig LoadConfig(CommandLine cl, ILogger logger)
    {
        DashboardConfig config = DashboardConfig.Default;
        if (cl.Get("--config") is { } file)
            config = DashboardConfig.LoadFile(file);
        if (cl.Get("--host-admin") is { } hostAdmin)
        {
            config = config with { HostAdmin = hostAdmin };
            logger.LogWarning("option --host-admin = {Value}", hostAdmin);
        }
        (string Name, string Address, string? Auth)? coordinator =
            cl.Get("--zookeeper") is { } zk ? ("zookeeper", zk, cl.Get("--zookeeper-auth"))
            : cl.Get("--etcd") is { } etcd ? ("etcd", etcd, cl.Get("--etcd-auth"))
            : cl.Get("--filesystem") is { } fs ? ("filesystem", fs, null)
            : null;
        if (coordinator is { } c)
        {
            config = config with { CoordinatorName = c.Name, CoordinatorAddr = c.Address, CoordinatorAuth = c.Auth ?? config.CoordinatorAuth };
            logger.LogWarning("option --{Name} = {Value}", c.Name, c.Address);
        }
        if (cl.Get("--product_name") is { } product)
        {
            config = config with { ProductName = product };
            logger.LogWarning("option --product_name = {Value}", product);
        }
        if (cl.Get("--product_auth") is { } productAuth)
        {
            config = config with { ProductAuth = productAuth };
            logger.LogWarning("option --product_auth = {Value}", productAuth.Length == 0 ? "" : "<hidden>");
        }
        // Flags are applied after the file was validated (config.md §4); check the result again so that a bad
        // --product_name is a clear error too.
        try
        {
            config.Validate();
        }
        catch (ConfigException e)
        {
            throw new StartupException("create topom failed, " + e.Message);
        }
        return config;
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
        DashboardConfig config = LoadConfig(cl, logger);

        ICoordinator coordinator;
        try
        {
            coordinator = Coordinators.Create(config.CoordinatorName, config.CoordinatorAddr, config.CoordinatorAuth, Coordinators.DefaultTimeout);
        }
        catch (CoordinatorException e)
        {
            throw new StartupException($"create '{config.CoordinatorName}' client to '{config.CoordinatorAddr}' failed, {e.Message}", e);
        }
        await using ICoordinator coordinatorScope = coordinator;
        logger.LogWarning("create '{Name}' client to '{Addr}' OK", config.CoordinatorName, config.CoordinatorAddr);

        await using var topom = new Topom(config, coordinator, log);
        if (cl.Has("--remove-lock"))
            await topom.RemoveLockAsync().ConfigureAwait(false);

        IPEndPoint endpoint;
        try
        {
            endpoint = NetAddress.Resolve("tcp", config.AdminAddr);
        }
        catch (FormatException e)
        {
            throw new StartupException($"listen tcp {config.AdminAddr}: {e.Message} (admin_addr)");
        }
        await using var api = new DashboardApi(topom, log);
        IPEndPoint bound = await api.StartAsync(endpoint, config.AdminAddr).ConfigureAwait(false);
        string boundAddr = NetAddress.Format(bound);
        string advertised;
        try
        {
            advertised = NetAddress.Advertise("tcp", boundAddr, config.HostAdmin);
        }
        catch (FormatException e)
        {
            throw new StartupException($"admin address: {e.Message}" + (config.HostAdmin.Length > 0 ? "" : " (use --host-admin)"));
        }
        topom.SetIdentity(boundAddr, advertised);
        api.SetReady();
        logger.LogWarning("create topom with config\n{Config}", config.ToToml());
        logger.LogWarning("admin start service on {Addr}", boundAddr);

        int exitCode = 0;
        void OnSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            logger.LogWarning("dashboard receive signal = '{Signal}'", c.Signal);
            _ = Task.Run(topom.CloseAsync);
        }
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        // Written once the signals are handled: whoever reads the pid from it may send SIGTERM at once.
        string? pidfile = PidFile.Write(cl.Get("--pidfile"), logger);
        try
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await topom.StartAsync().ConfigureAwait(false);
                }
                catch (FatalException e)
                {
                    Fatal(log, e.Message);
                    exitCode = 1;
                    await topom.CloseAsync().ConfigureAwait(false);
                }
            });
            await topom.Exited.ConfigureAwait(false);
            logger.LogWarning("dashboard is exiting ...");
            // Let the reply of a shutdown call leave before the listener closes.
            await Task.Delay(100).ConfigureAwait(false);
            await api.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            PidFile.Remove(pidfile, logger);
        }
        return exitCode;
    }


}
