namespace Codis.Proxy;

/// <summary>The codis-proxy entry point (command line and start-up are being built, issue 4).</summary>
public static class Program
{
    /// <summary>Runs the proxy.</summary>
    public static int Main(string[] args)
    {
        _ = args;
        Console.Error.WriteLine("codis-proxy: not built yet");
        return 1;
    }
}
