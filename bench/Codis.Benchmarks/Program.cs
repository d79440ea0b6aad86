using System.Diagnostics;
using BenchmarkDotNet.Running;
using Codis.Benchmarks;

// Usage: dotnet run -c Release --project bench/Codis.Benchmarks -- --filter '*'   (BenchmarkDotNet)
//        dotnet run -c Release --project bench/Codis.Benchmarks -- quick          (a few seconds: ns/op)
if (args is ["quick", ..])
{
    // A rough loop without BenchmarkDotNet, to compare builds quickly on a busy machine (best of 20 rounds).
    var b = new CommandBenchmarks();
    b.Setup();
    foreach ((string name, Action run) in new (string, Action)[] { ("GET", b.Get), ("SET", b.Set), ("INCR", b.Incr) })
    {
        double best = double.MaxValue;
        for (int round = 0; round < 20; round++)
        {
            const int n = 200_000;
            long t = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
                run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalNanoseconds / n);
        }
        Console.WriteLine($"{name,-5} {best,8:F0} ns/op");
    }
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(CommandBenchmarks).Assembly).Run(args);
