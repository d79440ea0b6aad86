using Codis.Core.Native;
using System.Runtime.InteropServices;
using Codis.Server;
using Codis.Server.Config;
using Codis.Server.Logging;
using Codis.Server.Network;

// Run socket completions on the I/O threads instead of hopping to the thread pool: command handlers
// are short and never block on I/O, so this saves a thread switch per request. Must be set before the
// first socket is created.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
// With inline completions .NET starts one epoll thread per core, and they then contend for the server
// lock. One thread serves every socket in turn as Redis's event loop does: measured on 2 cores under
// redis-benchmark it spends 10-20% less CPU per request at equal or better throughput. An explicit
// setting in the environment still wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "1");
return CodisServerMain.Run(args);

/// <summary>The codis-server command line: <c>codis-server [/path/to/redis.conf] [--name value ...]</c>.</summary>
internal static class CodisServerMain
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] is "-v" or "--version")
        {
            Console.WriteLine(ServerInfo.VersionLine);
            return 0;
        }
        if (args.Length > 0 && args[0] is "-h" or "--help")
        {
            Console.WriteLine("""
                Usage: ./codis-server [/path/to/redis.conf] [options] [-]
                       ./codis-server - (read config from stdin)
                       ./codis-server -v or --version
                       ./codis-server -h or --help

                Examples:
                       ./codis-server (run the server with default config)
                       ./codis-server /etc/redis/6379.conf
                       ./codis-server --port 7777
                       ./codis-server /etc/myredis.conf --loglevel verbose
                       ./codis-server --port 0 --bind 127.0.0.1   (port 0: any free port, printed at start)

                codis-server is a Redis 7 compatible server that indexes keys by Codis slot
                (crc32 of the key or its {tag}, mod 1024) and serves the SLOTS* commands.
                """);
            return 0;
        }
        var config = new ServerConfig();
        var table = new ConfigTable(config);
        string? file = null;
        int first = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            file = args[0] == "-" ? null : args[0];
            first = 1;
        }
        try
        {
            ConfigLoader.Load(table, file, args[first..]);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"*** FATAL CONFIG ERROR (codis-server {ServerInfo.CodisVersion}) ***");
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        ServerLog.Level = ServerLog.Parse(config.LogLevel);
        if (config.LogFile.Length > 0)
            ServerLog.SetFile(config.LogFile);

        var server = new ServerContext(config) { ConfigFile = file is null ? "" : Path.GetFullPath(file), ConfigTable = table };
        Codis.Server.Persistence.Persister.Attach(server);
        Listener listener;
        try
        {
            listener = new Listener(server);
        }
        catch (ConfigException e)
        {
            ServerLog.Warning(e.Message);
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        if (config.PidFile.Length > 0)
            File.WriteAllText(config.PidFile, Environment.ProcessId + "\n");

        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; server.RequestShutdown("SIGTERM"); });
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; server.RequestShutdown("SIGINT"); });

        ServerLog.Notice($"codis-server {ServerInfo.CodisVersion} (Redis {ServerInfo.RedisVersion} compatible), pid={Environment.ProcessId}");
        server.OnStarting();
        if (config.ReplicaOf.Split(' ') is [string masterHost, string masterPort])
        {
            lock (server.Lock)
                server.Replicator.SetMaster(masterHost, int.Parse(masterPort, System.Globalization.CultureInfo.InvariantCulture));
        }
        server.StartCron();
        // The epoll event loop where it runs (Linux x86-64); .NET's portable sockets elsewhere, or when
        // CODIS_NETWORK=sockets asks for them.
        EventLoop? loop = null;
        if (Native.Supported && Environment.GetEnvironmentVariable("CODIS_NETWORK") != "sockets")
        {
            loop = new EventLoop(server, listener.Sockets);
            loop.Start();
        }
        else
        {
            listener.Start();
        }
        ServerLog.Notice($"Running mode=standalone, port={server.Port}.");
        ServerLog.Notice("Ready to accept connections tcp");

        server.Shutdown.Token.WaitHandle.WaitOne();
        ServerLog.Notice("User requested shutdown...");
        if (server.ScriptBusy)
        {
            // SHUTDOWN NOSAVE from inside a slow script: the script holds the server, so nothing is
            // saved or closed in order; the process just ends (the loop thread is a background thread).
            ServerLog.Warning("Exiting with a busy script still running (SHUTDOWN NOSAVE): nothing saved.");
            if (config.PidFile.Length > 0)
                File.Delete(config.PidFile);
            return 0;
        }
        loop?.Dispose();
        listener.Dispose();
        server.StopCron();
        lock (server.Lock)
            server.OnShuttingDown();
        if (config.PidFile.Length > 0)
            File.Delete(config.PidFile);
        ServerLog.Notice("Redis is now ready to exit, bye bye...");
        return 0;
    }
}
