using System.Globalization;
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
/// Design B of [scale], the one NetOps runs: membership with leases in PostgreSQL. Each node is a
/// <see cref="CollectorMembership"/> over <see cref="PostgresMembershipStore"/> (the product's classes: heartbeat, lease on
/// the server's clock, the outage rules) and splits the devices by <see cref="Rendezvous"/> hashing over the live
/// members; it schedules its own devices in Quartz's in-memory store on the workload's phases, so both designs fire
/// the same schedule. A device taken over from a member that left fires at once for the slot it missed when that slot
/// came due after the member was certainly dead (its last heartbeat was at least a lease before the takeover, and it
/// died within a heartbeat of it: later than the takeover minus the lease plus a heartbeat), then on its phase; a slot
/// due between its death and that moment is missed rather than risked twice.
/// Options: --lease S (default 10), --heartbeat S (default 2).
/// </summary>
public sealed class LeaseClusterDesign : IClusterDesign
{
    private const string Group = "poll";

    public string Name => "lease";

    public string Describe(IReadOnlyList<string> arguments)
    {
        var settings = Settings.From(arguments);
        return string.Create(CultureInfo.InvariantCulture,
            $"membership in PostgreSQL (CollectorMembership, PostgresMembershipStore): heartbeat every {settings.Heartbeat.TotalSeconds:0.#} s, lease {settings.Lease.TotalSeconds:0.#} s on the server's clock; devices by rendezvous hashing over the live members; each node's own Quartz RAM store, 10 threads; a killed node's devices move when its lease runs out.");
    }

    // The nodes create the membership table on their first heartbeat.
    public Task PrepareAsync(string connectionString, ClusterWorkload workload, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public async Task RunNodeAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var settings = Settings.From(node.Arguments);
        var workload = node.Workload;
        var index = workload.Devices.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var snmp = new SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "bench");
        var inventory = new FixedInventoryProvider(new FleetInventory([new Site("bench", "Bench")],
            [.. workload.Devices.Select(id => new Device(id, id, DeviceClass.Access, "bench", null, snmp, []))], [], [], [], []));
        await using var store = new PostgresMembershipStore(node.ConnectionString, NullLogger<PostgresMembershipStore>.Instance);
        await using var membership = new CollectorMembership(store, inventory,
            Options.Create(new CollectorOptions { Name = node.Name, Lease = settings.Lease, Heartbeat = settings.Heartbeat }),
            NullLogger<CollectorMembership>.Instance);

        await using var factory = QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = "lease-" + node.Name);
            q.UseDefaultThreadPool(10);
            q.UseInMemoryStore();
        }).Build();
        var scheduler = await factory.GetScheduler(cancellationToken);
        scheduler.Context[nameof(ClusterNode)] = node;
        var gate = new SemaphoreSlim(1, 1);
        ClusterAssignment? previous = null;

        async Task ScheduleAsync(ClusterAssignment assignment)
        {
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                var now = DateTimeOffset.UtcNow;
                var existing = (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group))).ToHashSet();
                var wanted = workload.Devices.Where(assignment.Owns).ToHashSet(StringComparer.Ordinal);
                foreach (var key in existing.Where(k => !wanted.Contains(k.Name)))
                {
                    await scheduler.DeleteJob(key);
                }

                foreach (var device in wanted.Where(d => !existing.Contains(new JobKey(d, Group))))
                {
                    var next = workload.NextDue(index[device], now);
                    var job = JobBuilder.Create<RecordFiringJob>().WithIdentity(device, Group).Build();
                    var trigger = TriggerBuilder.Create().WithIdentity(device, Group).StartAt(next)
                        .WithSimpleSchedule(s => s.WithInterval(workload.Interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                        .Build();
                    await scheduler.ScheduleJob(job, trigger);
                    var missed = next - workload.Interval;
                    if (previous is { Members.Count: > 0 } before && !assignment.Members.Contains(before.OwnerOf(device)) &&
                        missed >= workload.FirstDue(index[device]) && missed > now - settings.Lease + settings.Heartbeat)
                    {
                        // Taken from a member that left, and its last slot came due after that member was surely gone: fire it
                        // now, late rather than never. (Devices handed over by a joining member were fired by its peers.)
                        node.Fired(device, missed);
                    }
                }

                previous = assignment;
            }
            finally
            {
                gate.Release();
            }
        }

        membership.Changed += assignment => _ = ScheduleAsync(assignment);
        await membership.StartAsync(cancellationToken);
        await ScheduleAsync(membership.Current);
        await scheduler.Start(cancellationToken);
        node.Ready();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        await membership.StopAsync(CancellationToken.None);
        await scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None);
    }

    private sealed record Settings(TimeSpan Lease, TimeSpan Heartbeat)
    {
        public static Settings From(IReadOnlyList<string> arguments)
        {
            var args = arguments.ToArray();
            return new Settings(TimeSpan.FromSeconds(Args.Long(args, "--lease", 10)), TimeSpan.FromSeconds(Args.Long(args, "--heartbeat", 2)));
        }
    }

    /// <summary>As design A's job: records that its device fired, for its due time, and nothing else.</summary>
    [DisallowConcurrentExecution]
    public sealed class RecordFiringJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var node = (ClusterNode)context.Scheduler.Context[nameof(ClusterNode)];
            node.Fired(context.JobDetail.Key.Name, context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
            return ValueTask.CompletedTask;
        }
    }
}
