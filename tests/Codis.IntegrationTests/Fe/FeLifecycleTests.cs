using System.Net;
using System.Net.Sockets;
using Codis.TestSupport;

namespace Codis.IntegrationTests.Fe;

/// <summary>
/// codis-fe's command line and start-up errors (fe.md §1), and the assets it serves (fe.md §2.1) with their content
/// types, run as a subprocess.
/// </summary>
public sealed class FeLifecycleTests : IDisposable
{
    private readonly string _dir = ServerProcess.NewTempDirectory();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private string ListFile()
    {
        string file = Path.Combine(_dir, "dashboards.json");
        File.WriteAllText(file, "[]");
        return file;
    }

    [Theory]
    [InlineData("--listen=127.0.0.1:0", "one of --dashboard-list, --zookeeper, --etcd or --filesystem is required")]
    [InlineData("--filesystem=/tmp/x --etcd=192.0.2.21:7021 --listen=127.0.0.1:0", "--etcd and --filesystem cannot be used together")]
    [InlineData("--filesystem=/tmp/x", "--listen=ADDR is required")]
    [InlineData("--filesystem=/tmp/x --listen=127.0.0.1:0 --bogus=1", "unknown option '--bogus'")]
    [InlineData("--filesystem=/tmp/x --listen", "--listen requires a value")]
    [InlineData("--filesystem=/tmp/x --zookeeper-auth=a:b --listen=127.0.0.1:0", "--zookeeper-auth needs --zookeeper")]
    [InlineData("--version --listen=127.0.0.1:0", "--version takes no other option")]
    public void Main_BadCommandLine_UsageErrorExit1(string args, string message)
    {
        ProcessResult r = FeProcess.Run(args.Split(' '));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("codis-fe: " + message, r.StdErr, StringComparison.Ordinal);
        Assert.Contains("Usage:", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_Version_PrintsVersionAndCompile()
    {
        ProcessResult r = FeProcess.Run("--version");

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("version: ", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("\ncompile: ", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_AssetsWithoutIndexHtml_Exit1()
    {
        string assets = Directory.CreateDirectory(Path.Combine(_dir, "assets")).FullName;

        ProcessResult r = FeProcess.Run("--dashboard-list=" + ListFile(), "--assets-dir=" + assets, "--listen=127.0.0.1:0");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"assets directory {assets} has no index.html", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_MissingAssetsDirectory_Exit1()
    {
        string assets = Path.Combine(_dir, "nowhere");

        ProcessResult r = FeProcess.Run("--dashboard-list=" + ListFile(), "--assets-dir=" + assets, "--listen=127.0.0.1:0");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"assets directory {assets} does not exist", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_BadLogLevel_Exit1()
    {
        ProcessResult r = FeProcess.Run("--dashboard-list=" + ListFile(), "--log-level=LOUD", "--listen=127.0.0.1:0");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("option --log-level = LOUD", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_BadListenAddress_Exit1()
    {
        ProcessResult r = FeProcess.Run("--dashboard-list=" + ListFile(), "--listen=nohost");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("listen nohost failed", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_BusyPort_Exit1AddressInUse()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        ProcessResult r = FeProcess.Run("--dashboard-list=" + ListFile(), $"--listen=127.0.0.1:{port}");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("address already in use", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_PidFile_WrittenWhileRunning()
    {
        string pidfile = Path.Combine(_dir, "fe.pid");
        using FeProcess fe = FeProcess.Start("--dashboard-list=" + ListFile(), "--pidfile=" + pidfile);

        Assert.Equal(fe.Process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(pidfile));
    }

    [Fact]
    public void Main_PidFileAndBusyPort_Exit1AndPidFileRemoved()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        string pidfile = Path.Combine(_dir, "fe.pid");

        ProcessResult r = FeProcess.Run("--dashboard-list=" + ListFile(), "--pidfile=" + pidfile, $"--listen=127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}");

        Assert.Equal(1, r.ExitCode);
        Assert.False(File.Exists(pidfile));
    }

    [Fact]
    public void Main_Sigterm_ExitsAndRemovesPidFile()
    {
        string pidfile = Path.Combine(_dir, "fe.pid");
        using FeProcess fe = FeProcess.Start("--dashboard-list=" + ListFile(), "--pidfile=" + pidfile);
        Assert.True(File.Exists(pidfile));

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", fe.Process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        Assert.True(fe.Process.WaitForExit(TimeSpan.FromSeconds(30)), fe.Process.OutputTail());
        Assert.Equal(0, fe.Process.ExitCode);
        Assert.False(File.Exists(pidfile));
    }

    [Fact]
    public void Assets_IndexAndScripts_ServedWithContentTypes()
    {
        using FeProcess fe = FeProcess.Start("--dashboard-list=" + ListFile());

        FeReply root = fe.Get("/");
        FeReply index = fe.Get("/index.html");
        FeReply app = fe.Get("/js/app.js");
        FeReply css = fe.Get("/css/main.css");
        FeReply missing = fe.Get("/js/nosuch.js");

        Assert.Equal((200, "text/html; charset=utf-8"), (root.Status, root.ContentType));
        Assert.Contains("<title>Codis • Dashboard</title>", root.Body, StringComparison.Ordinal);
        Assert.Equal(root.Body, index.Body);
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", index.Body, StringComparison.Ordinal);
        Assert.Equal((200, "text/javascript; charset=utf-8"), (app.Status, app.ContentType));
        Assert.Contains("import ", app.Body, StringComparison.Ordinal);
        Assert.Equal((200, "text/css; charset=utf-8"), (css.Status, css.ContentType));
        // Not an asset and no ?forward=: refused like any other unknown route.
        Assert.Equal((403, ""), (missing.Status, missing.Body));
    }

    [Fact]
    public void Assets_EveryModuleImportedByAppIsServed()
    {
        using FeProcess fe = FeProcess.Start("--dashboard-list=" + ListFile());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(["/js/app.js"]);

        while (queue.Count > 0)
        {
            string path = queue.Dequeue();
            if (!seen.Add(path))
                continue;
            FeReply js = fe.Get(path);
            Assert.True(js.Status == 200, $"{path}: {js.Status}");
            Assert.Equal("text/javascript; charset=utf-8", js.ContentType);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(js.Body, "from '\\./([a-z0-9-]+\\.js)'"))
                queue.Enqueue("/js/" + m.Groups[1].Value);
        }

        Assert.True(seen.Count > 3, string.Join(", ", seen));
    }
}
