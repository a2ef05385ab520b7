using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Collector;
using NetOps.Core.Cluster;
using NetOps.Core.Inventory;
using NetOps.Database;
using NetOps.Inventory;
using Quartz;

namespace NetOps.Benchmarks;

/// <summary>
/// One collector's scheduling exactly as the product runs it (<see cref="CollectorMembership"/> heartbeating into
/// PostgreSQL, <see cref="PollScheduler"/> with Quartz's in-memory store, <see cref="PollQueue"/>), where each device that
/// comes due is recorded as a firing instead of polled over SNMP.
/// </summary>
internal static class MembershipNode
{
    /// <summary>Runs until cancelled; <paramref name="record"/> gets (device, scheduled fire time, start time) per firing.</summary>
    public static async Task RunAsync(string name, string connectionString, int devices, TimeSpan interval, TimeSpan lease, TimeSpan heartbeat,
        Func<string, DateTimeOffset?, DateTimeOffset, ValueTask> record, CancellationToken cancellationToken)
    {
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "bench");
        var fleet = new FleetInventory([new Site("bench", "Bench")],
            [.. Enumerable.Range(0, devices).Select(i => new Device($"sw-{i:00000}", $"Switch {i}", DeviceClass.Access, "bench", null, snmp, []))],
            [], [], [], []);
        var inventory = new FixedInventoryProvider(fleet);
        var options = Options.Create(new CollectorOptions { Name = name, PollInterval = interval, Lease = lease, Heartbeat = heartbeat });

        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<PollQueue>();
        services.AddQuartz();
        await using var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<PollQueue>();
        var schedulers = provider.GetRequiredService<ISchedulerFactory>();
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await using var store = new PostgresMembershipStore(connectionString, NullLogger<PostgresMembershipStore>.Instance);
        await using var membership = new CollectorMembership(store, inventory, options, NullLogger<CollectorMembership>.Instance);
        var planner = new PollScheduler(schedulers, inventory, membership, options, NullLogger<PollScheduler>.Instance);

        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        await membership.StartAsync(cancellationToken).ConfigureAwait(false);
        await planner.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (await queue.Due.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (queue.Due.TryRead(out var device))
                {
                    var request = queue.Start(device);
                    await record(device, request.ScheduledAt, DateTimeOffset.UtcNow).ConfigureAwait(false);
                    queue.Done(device);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await planner.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await membership.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await scheduler.Shutdown(waitForJobsToComplete: false, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
