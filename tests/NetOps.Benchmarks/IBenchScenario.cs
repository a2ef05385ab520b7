namespace NetOps.Benchmarks;

/// <summary>
/// A side-by-side benchmark: NetOps and a reference (the practical limit or a peer tool) measured in the same run,
/// interleaved and repeated, reporting median and spread. Add a class implementing this to add a scenario.
/// </summary>
public interface IBenchScenario
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }

    /// <summary>One line: what is compared with what.</summary>
    string Description { get; }

    /// <summary>Runs the scenario and prints its report; returns the process exit code.</summary>
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
