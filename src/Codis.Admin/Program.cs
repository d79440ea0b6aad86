using Codis.Admin;
using Codis.Admin.CommandLine;
using Codis.Cluster.Logging;
using Codis.Cluster.Rpc;

// codis-admin (admin-cli.md): match the command line against the usage forms, run the one command, exit 0;
// any failure is one [PANIC] log line with its cause on standard error and exit status 1.
return await AdminMain.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);

namespace Codis.Admin
{
    /// <summary>The entry point, separate from the top-level statements so that tests can call it in-process.</summary>
    internal static class AdminMain
    {
        /// <summary>Runs one command line; returns the exit status.</summary>
        public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
        {
            if (FormMatcher.IsHelp(args))
            {
                stdout.WriteLine(Usage.Text);
                return 0;
            }
            ParsedArgs? parsed = FormMatcher.Match(args);
            if (parsed is null)
            {
                // docopt: a command line that matches no form prints the usage and exits 1.
                stderr.WriteLine(Usage.UsageSection);
                return 1;
            }
            using var log = new CodisLog();
            log.Level = parsed.Has("-v") ? CodisLogLevel.Debug : CodisLogLevel.Info;
            using var api = new ApiClient();
            var ctx = new AdminContext(stdout, log, api);
            try
            {
                if (parsed.Has("--proxy"))
                    await new ProxyCommands(ctx, parsed).RunAsync().ConfigureAwait(false);
                else if (parsed.Has("--dashboard"))
                    await new DashboardCommands(ctx, parsed).RunAsync().ConfigureAwait(false);
                else
                    await new CoordinatorCommands(ctx, parsed).RunAsync().ConfigureAwait(false);
                stdout.Flush();
                return 0;
            }
            catch (AdminFailure e)
            {
                stdout.Flush();
                log.Panic(AdminContext.Source, e.Cause is null ? e.Message : e.Message + "\n[error]: " + e.Cause);
                return 1;
            }
        }
    }
}
