using Codis.Cluster.Hosting;
using Codis.Cluster.Coordinator;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Codis.Core.Topology;
using Codis.Proxy.Config;
using Codis.Proxy.Host;
using Codis.Proxy.Network;
using Microsoft.Extensions.Logging;

namespace Codis.Proxy;

/// <summary>The codis-proxy entry point: command line, start-up, online mode, shutdown (proxy.md §1, config.md §3.1).</summary>
public static class Program
{
    /// <summary>Runs the proxy; returns the exit status (1 on any start-up or fatal error).</summary>
    public static int Main(string[] args)
    {
        PreferInlineSocketCompletions();
        CommandLine cl;
        try
        {
            cl = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("codis-proxy: " + e.Message);
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
            Console.WriteLine(ProxyConfig.DefaultToml);
            return 0;
        }
        if (cl.Has("--version"))
        {
            Console.WriteLine("version: " + ProxyHost.Version);
            Console.WriteLine("compile: " + ProxyHost.Compile);
            return 0;
        }

        CodisLog log;
        try
        {
            log = new CodisLog(cl.Get("--log"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"codis-proxy: open log file {cl.Get("--log")} failed, {e.Message}");
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

    /// <summary>
    /// Asks .NET's socket engine to run socket continuations on its epoll threads (one per core) instead of
    /// handing each to the thread pool: a client's read is parsed and dispatched, and a backend's read
    /// completes its requests, on the thread that saw the socket ready, saving a thread switch each
    /// (bench/proxy.sh, -P 16: proxy/twemproxy 1.1-1.5 before, 1.2-1.9 with it). It is read once, when the
    /// first socket is used, so it is set before anything touches the network; an operator's own value (0
    /// turns it off) is kept. Nothing on the data path blocks; the control paths that wait (the fillslots
    /// barrier) run on the thread pool.
    /// </summary>
    private static void PreferInlineSocketCompletions()
    {
        const string Name = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(Name) is null)
            Environment.SetEnvironmentVariable(Name, "1");
    }

    private static void Fatal(CodisLog log, string message)
    {
        log.Panic("main", message);
        // With --log the operator running the command would otherwise see nothing.
        if (log.CurrentFile is not null)
            Console.Error.WriteLine("codis-proxy: " + message);
    }

    private static async Task<int> RunAsync(CommandLine cl, CodisLog log)
    {
        ILogger logger = log.CreateLogger("main");
        ProxyNetwork.Logger = log.CreateLogger("network");
        if (cl.Get("--log-level") is { } levelText)
        {
            if (!CodisLog.TryParseLevel(levelText, out CodisLogLevel level))
                throw new UsageException($"option --log-level = {levelText} (expected ERROR, WARN, INFO, DEBUG or NONE)");
            log.Level = level;
        }
        if (cl.GetInt("--ulimit") is { } nlimit)
            CheckUlimit(nlimit);
        int ncpu = cl.GetInt("--ncpu") ?? 4;
        int maxncpu = Math.Max(ncpu, cl.GetInt("--max-ncpu") ?? Environment.ProcessorCount);
        if (ncpu < 1)
            throw new UsageException($"option --ncpu = {ncpu} must be at least 1");
        // The Go proxy sets GOMAXPROCS; the .NET thread pool sizes itself, ncpu only raises its floor.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, ncpu), io);
        logger.LogWarning("set ncpu = {Ncpu}, max-ncpu = {Max}", ncpu, maxncpu);

        ProxyConfig config = ProxyConfig.Default;
        if (cl.Get("--config") is { } file)
            config = ProxyConfig.LoadFile(file);
        if (cl.Get("--host-admin") is { } hostAdmin)
        {
            config = config with { HostAdmin = hostAdmin };
            logger.LogWarning("option --host-admin = {Value}", hostAdmin);
        }
        if (cl.Get("--host-proxy") is { } hostProxy)
        {
            config = config with { HostProxy = hostProxy };
            logger.LogWarning("option --host-proxy = {Value}", hostProxy);
        }
        string? dashboard = cl.Get("--dashboard");
        if (dashboard is not null)
            logger.LogWarning("option --dashboard = {Value}", dashboard);
        // At most one of these (CommandLine checks): the coordinator in which the dashboard is found.
        (string Name, string Address, string Auth)? coordinator =
            cl.Get("--zookeeper") is { } zk ? ("zookeeper", zk, cl.Get("--zookeeper-auth") ?? "")
            : cl.Get("--etcd") is { } etcd ? ("etcd", etcd, cl.Get("--etcd-auth") ?? "")
            : cl.Get("--filesystem") is { } fs ? ("filesystem", fs, "")
            : null;
        if (coordinator is { } c)
            logger.LogWarning("option --{Name} = {Value}", c.Name, c.Address);
        Slot[]? slots = cl.Get("--fillslots") is { } slotsFile ? OnlineModes.LoadSlotsFile(slotsFile) : null;
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
        if (cl.Get("--session_auth") is { } sessionAuth)
        {
            config = config with { SessionAuth = sessionAuth };
            logger.LogWarning("option --session_auth = {Value}", sessionAuth.Length == 0 ? "" : "<hidden>");
        }
        // Flags are applied after the file was validated (config.md §4); check the result again so a bad
        // --product_name is a clear error too.
        try
        {
            config.Validate();
        }
        catch (ConfigException e)
        {
            throw new StartupException("create proxy failed, " + e.Message);
        }

        ICoordinator? store = null;
        if (coordinator is { } co)
        {
            try
            {
                store = Coordinators.Create(co.Name, co.Address, co.Auth, Coordinators.DefaultTimeout);
            }
            catch (CoordinatorException e)
            {
                throw new StartupException($"create '{co.Name}' client to '{co.Address}' failed, {e.Message}", e);
            }
        }
        await using ICoordinator? storeScope = store;
        ICoordinator? jodis = CreateJodisClient(config);
        await using var host = new ProxyHost(config, log, jodis);
        await host.StartAsync().ConfigureAwait(false);
        logger.LogWarning("create proxy with config\n{Config}", config.ToToml());

        using var cts = new CancellationTokenSource();
        int exitCode = 0;
        void OnSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            logger.LogWarning("proxy receive signal = '{Signal}'", c.Signal);
            host.Close();
        }
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        // Written once the signals are handled: whoever reads the pid from it may send SIGTERM at once.
        string? pidfile = PidFile.Write(cl.Get("--pidfile"), logger);
        try
        {
            var online = new OnlineModes(host, log.CreateLogger("online"));
            Task mode = dashboard is not null ? online.WithDashboardAsync(dashboard, cts.Token)
                : store is not null ? online.WithCoordinatorAsync(store, cts.Token)
                : slots is not null ? Task.Run(() => online.WithFillSlots(slots))
                : Task.CompletedTask;
            _ = mode.ContinueWith(t =>
            {
                if (t.Exception?.InnerException is FatalException f)
                {
                    Fatal(log, f.Message);
                    exitCode = 1;
                    host.Close();
                }
            }, TaskScheduler.Default);

            while (!host.IsClosed && !host.IsOnline)
            {
                logger.LogWarning("proxy waiting online ...");
                await Task.WhenAny(host.Exited, WaitOnline(host)).ConfigureAwait(false);
            }
            if (host.IsOnline)
                logger.LogWarning("proxy is working ...");
            await host.Exited.ConfigureAwait(false);
            logger.LogWarning("proxy is exiting ...");
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            PidFile.Remove(pidfile, logger);
        }
        return exitCode;
    }

    /// <summary>The jodis client when <c>jodis_addr</c> is set (proxy.md §1 step 5); registration waits for start.</summary>
    private static ICoordinator? CreateJodisClient(ProxyConfig config)
    {
        if (config.JodisAddr.Length == 0)
            return null;
        ICoordinator client;
        try
        {
            client = Coordinators.Create(config.JodisName, config.JodisAddr, config.JodisAuth, config.JodisTimeout.ToTimeSpan());
        }
        catch (CoordinatorException e)
        {
            throw new StartupException($"create '{config.JodisName}' client to '{config.JodisAddr}' failed, {e.Message}", e);
        }
        if (!client.SupportsEphemeral)
        {
            // Config validation admits only zookeeper and etcd; this guards any other path to here.
            _ = client.CloseAsync();
            throw new StartupException($"jodis_name = {config.JodisName} cannot hold ephemeral nodes (use zookeeper or etcd)");
        }
        return client;
    }

    private static async Task WaitOnline(ProxyHost host)
    {
        for (int i = 0; i < 20 && !host.IsOnline && !host.IsClosed; i++)
            await Task.Delay(50).ConfigureAwait(false);
    }

    /// <summary>Codis runs <c>ulimit -n</c> in a shell and refuses to start below the given value.</summary>
    private static void CheckUlimit(int n)
    {
        string output;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "ulimit -n"]) { RedirectStandardOutput = true, UseShellExecute = false })
                ?? throw new FatalException("run ulimit -n failed");
            output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FatalException("run ulimit -n failed, " + e.Message);
        }
        if (output == "unlimited")
            return;
        if (!int.TryParse(output, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < n)
            throw new FatalException($"ulimit too small: {output}, should be at least {n}");
    }


}
