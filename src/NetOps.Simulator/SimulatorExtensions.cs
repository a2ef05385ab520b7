using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace NetOps.Simulator;

/// <summary>Registers the simulated fleet in a host.</summary>
public static class SimulatorExtensions
{
    /// <summary>The simulated fleet, publishing its nodes to <paramref name="broker"/>; started only when enabled.</summary>
    public static IServiceCollection AddNetOpsSimulator(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, SimulatorBroker> broker)
    {
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.SectionName))
            .Validate(o => o.NodeReportInterval >= TimeSpan.FromMilliseconds(100), "Simulator:NodeReportInterval must be at least 100 ms")
            .ValidateOnStart();
        services.AddSingleton(broker);
        services.AddSingleton<SimulatedFleet>();
        services.AddHostedService(sp => sp.GetRequiredService<SimulatedFleet>());
        return services;
    }
}
