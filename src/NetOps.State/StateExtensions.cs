using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.State;

/// <summary>Registers the state engine of the all-in-one host.</summary>
public static class StateExtensions
{
    /// <summary>
    /// The in-process deployment: collectors write to a channel, one engine owns the state (its lease is
    /// trivially held), and the feed hands deltas to this process's readers.
    /// </summary>
    public static IServiceCollection AddNetOpsInProcessState(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StateEngineOptions>().Bind(configuration.GetSection(StateEngineOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<ObservationChannel>();
        services.AddSingleton<IObservationSink>(sp => sp.GetRequiredService<ObservationChannel>());
        services.AddSingleton<InProcessStateFeed>();
        services.AddSingleton<IStateFeed>(sp => sp.GetRequiredService<InProcessStateFeed>());
        services.AddSingleton<IStatePublisher>(sp => sp.GetRequiredService<InProcessStateFeed>());
        services.AddSingleton<StateEngineService>();
        services.AddHostedService(sp => sp.GetRequiredService<StateEngineService>());
        services.AddSingleton(sp => new LiveStateView(sp.GetRequiredService<IStateFeed>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<LiveStateViewService>();
        return services;
    }
}

/// <summary>Starts and stops this process's one live view with the host.</summary>
internal sealed class LiveStateViewService(LiveStateView view) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        view.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await view.DisposeAsync().ConfigureAwait(false);
}
