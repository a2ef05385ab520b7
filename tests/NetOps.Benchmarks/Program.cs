using System.Reflection;
using BenchmarkDotNet.Running;
using NetOps.Benchmarks;

// Two kinds of benchmark live here:
// - scenarios (IBenchScenario): side-by-side runs against a reference in one process tree (our poller beside
//   snmp_exporter, our ingest beside mosquitto_sub, ...), interleaved and repeated, reporting median and spread;
// - BenchmarkDotNet micro-benchmarks (codec throughput, allocations).
// `dotnet run -c Release --project tests/NetOps.Benchmarks -- list` shows the scenarios.
var scenarios = typeof(IBenchScenario).Assembly.GetTypes()
    .Where(t => typeof(IBenchScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchScenario)Activator.CreateInstance(t)!)
    .ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

if (args is ["list"])
{
    foreach (var scenario in scenarios.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
    {
        Console.WriteLine($"{scenario.Name,-24} {scenario.Description}");
    }

    Console.WriteLine("anything else is passed to BenchmarkDotNet (e.g. --filter '*Ber*')");
    return 0;
}

if (args.Length > 0 && scenarios.TryGetValue(args[0], out var chosen))
{
    return await chosen.RunAsync(args[1..], CancellationToken.None);
}

BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
return 0;
