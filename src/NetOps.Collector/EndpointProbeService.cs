using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;

namespace NetOps.Collector;

/// <summary>How the collector probes endpoints with ICMP; bound from the "EndpointProbe" section.</summary>
public sealed class EndpointProbeOptions
{
    public const string SectionName = "EndpointProbe";

    public bool Enabled { get; set; } = true;

    /// <summary>How often every endpoint with an address is probed.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one echo waits for its answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Echoes in flight at once; a silent endpoint holds one slot for the timeout, never the round.</summary>
    public int MaxConcurrent { get; set; } = 32;

    /// <summary>How long a result stays fresh, as a multiple of the interval.</summary>
    public double FreshnessFactor { get; set; } = 3;
}

/// <summary>
/// Probes every deployed endpoint that has an address (<see cref="Endpoint.Address"/>) once per interval and hands the
/// results to the observation sink. Each collector probes the endpoints of the switches it polls (see <see cref="CollectorMembership"/>), so the one
/// that polls a MOGLI switch also pings its cameras.
/// </summary>
public sealed partial class EndpointProbeService(
    IcmpProber prober,
    IInventoryProvider inventory,
    IObservationSink sink,
    IOptions<EndpointProbeOptions> options,
    IOptions<CollectorOptions> collector,
    CollectorMembership membership,
    TimeProvider time,
    ILogger<EndpointProbeService> logger) : BackgroundService
{
    private readonly ObservationSequence _sequence = new(collector.Value.MemberName);
    private long _rounds;

    /// <summary>Rounds done since start (for tests and diagnostics).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            do
            {
                await ProbeRoundAsync(stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _rounds);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round over this collector's endpoints.</summary>
    public async Task ProbeRoundAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // The endpoints behind a switch go with the switch: the collector that polls it probes them.
        var assignment = membership.Current;
        var fleet = inventory.Current;
        var now = time.GetUtcNow();
        var targets = new List<(Endpoint Endpoint, IPAddress Address)>();
        foreach (var endpoint in fleet.Endpoints.Values)
        {
            if (endpoint.Address is not { } text || !IPAddress.TryParse(text, out var address) || !Deployed(fleet, endpoint, now))
            {
                continue;
            }

            var owner = fleet.Nodes.TryGetValue(endpoint.NodeId, out var node) && node.DeviceId is { } device ? device : endpoint.Id;
            if (assignment.Owns(owner))
            {
                targets.Add((endpoint, address));
            }
        }

        var freshFor = settings.Interval * settings.FreshnessFactor;
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrent, CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                var result = await prober.ProbeAsync(target.Address, settings.Timeout, ct).ConfigureAwait(false);
                if (result is null)
                {
                    LogCannotProbe(logger, target.Endpoint.Id);
                    return;
                }

                await _sequence.PublishAsync(sink, new EndpointReachabilityObservation(_sequence.Source, _sequence.Next(), time.GetUtcNow(),
                    target.Endpoint.Id, result.Reachable, result.RoundTripMs, freshFor), ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>Stored gear is not probed: its address may belong to something else between events.</summary>
    private static bool Deployed(FleetInventory fleet, Endpoint endpoint, DateTimeOffset now) =>
        (!fleet.Nodes.TryGetValue(endpoint.NodeId, out var node) || FleetInventory.PhaseOf(node.Assignments, now) == DeploymentPhase.Deployed) &&
        (endpoint.Assignments.Count == 0 || FleetInventory.PhaseOf(endpoint.Assignments, now) == DeploymentPhase.Deployed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot probe endpoint {Endpoint}: this host may not send ICMP (needs CAP_NET_RAW, net.ipv4.ping_group_range or a ping binary)")]
    private static partial void LogCannotProbe(ILogger logger, string endpoint);
}
