using System.Diagnostics;

namespace Codis.TestSupport;

/// <summary>Runs our codis-admin as a subprocess, as an operator would, and returns its exit status and output.</summary>
public static class AdminProcess
{
    /// <summary>Runs codis-admin with <paramref name="args"/> until it exits (at most 90 s: an RPC may take 1 min to time out).</summary>
    /// <exception cref="TimeoutException">It did not exit in time (it is killed, by PID).</exception>
    public static ProcessResult Run(params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(FindCodisAdminDll());
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start codis-admin");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(90_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("codis-admin " + string.Join(" ", args) + " did not exit within 90 s");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The codis-admin.dll to run: $CODIS_ADMIN_DLL if set, else the newest <c>src/Codis.Admin/bin/**/codis-admin.dll</c>
    /// found searching upward from the test's directory, else one next to the test assembly.
    /// </summary>
    /// <exception cref="FileNotFoundException">None of these exists.</exception>
    public static string FindCodisAdminDll()
    {
        string? env = Environment.GetEnvironmentVariable("CODIS_ADMIN_DLL");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? Path.GetFullPath(env)
                : throw new FileNotFoundException($"CODIS_ADMIN_DLL points to a missing file: {env}", env);
        }
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string bin = Path.Combine(dir.FullName, "src", "Codis.Admin", "bin");
            if (!Directory.Exists(bin))
                continue;
            string? newest = Directory.EnumerateFiles(bin, "codis-admin.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            if (newest is not null)
                return newest;
        }
        string local = Path.Combine(AppContext.BaseDirectory, "codis-admin.dll");
        return File.Exists(local) ? local
            : throw new FileNotFoundException(
                $"codis-admin.dll not found: set CODIS_ADMIN_DLL or build src/Codis.Admin (searched upward from {AppContext.BaseDirectory})");
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
