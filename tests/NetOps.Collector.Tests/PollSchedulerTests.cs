using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Inventory;
using NetOps.Testing;
using Quartz;

namespace NetOps.Collector.Tests;

/// <summary>The real Quartz scheduler firing poll plan triggers into the queue.</summary>
public sealed class PollSchedulerTests
{
    private static readonly Device Access = new("acc", "Access", DeviceClass.Access, "lab", null,
        new Core.Inventory.SnmpTarget("127.0.0.1", 161, SnmpVersionSetting.V2c, "ro"), [new PortPlan("Gi0/1")]);

    [Fact]
    public async Task EachPlanTask_IsOneTrigger_TheJobOnlyEnqueues_AndPendingSectionsOfADeviceAreMerged()
    {
        var plan = new DevicePollPlan(DeviceClass.Access,
        [
            new PollTask(PollSections.Interfaces, TimeSpan.FromMilliseconds(200)),
            new PollTask(PollSections.Optics, TimeSpan.FromMilliseconds(300)),
        ]);
        var fleet = new FleetInventory([new Site("lab", "Lab")], [Access], [], [], [], [], new HealthPolicy([plan], [LinkClassPolicy.Default]));
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<PollQueue>();
        services.AddQuartz();
        await using var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<PollQueue>();
        var lateness = new ConcurrentQueue<PollLateness>();
        queue.PollStarted += lateness.Enqueue;
        var factory = provider.GetRequiredService<ISchedulerFactory>();
        var scheduler = await factory.GetScheduler();
        await scheduler.Start();
        var planner = new PollScheduler(factory, new FixedInventory(fleet), EndpointProbeTests.Alone(fleet), Options.Create(new CollectorOptions()), NullLogger<PollScheduler>.Instance);
        try
        {
            await planner.StartAsync(CancellationToken.None);
            Assert.Equal(2, (await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals("poll"))).Count);

            // Nobody takes the queued poll: every firing of either trigger merges into it.
            await Eventually.TrueAsync(() => queue.PendingSections("acc") == (PollSections.Interfaces | PollSections.Optics),
                TimeSpan.FromSeconds(10), "both tasks' sections in one queued poll", TimeSpan.FromMilliseconds(50));
            Assert.Equal(1, queue.Queued);

            Assert.True(queue.Due.TryRead(out var device));
            Assert.False(queue.Due.TryRead(out _));
            var request = queue.Start(device!);
            Assert.Equal(PollSections.Interfaces | PollSections.Optics, request.Sections);
            Assert.NotNull(request.ScheduledAt);
            var late = Assert.Single(lateness);
            // The earliest fire time the merged poll serves; it waited in the queue since then.
            Assert.Equal(request.ScheduledAt, late.ScheduledAt);
            Assert.True(late.Lateness > TimeSpan.Zero, $"lateness {late.Lateness}");
            queue.Done(device!);
        }
        finally
        {
            await planner.StopAsync(CancellationToken.None);
            await scheduler.Shutdown(waitForJobsToComplete: false);
        }
    }

    [Fact]
    public void ConfiguredPollInterval_PollsEverySectionOfThePlanAtThatInterval()
    {
        var fleet = new FleetInventory([new Site("lab", "Lab")], [Access], [], [], [], []);

        var planned = PollScheduler.TasksOf(fleet, Access, new CollectorOptions());
        var overridden = PollScheduler.TasksOf(fleet, Access, new CollectorOptions { PollInterval = TimeSpan.FromSeconds(1) });

        Assert.Equal(HealthPolicy.Default.PlanFor(DeviceClass.Access).Tasks, planned);
        Assert.Equal(TimeSpan.FromSeconds(30), PollScheduler.IntervalOf(fleet, Access, new CollectorOptions()));
        var only = Assert.Single(overridden);
        Assert.Equal(HealthPolicy.Default.PlanFor(DeviceClass.Access).AllSections, only.Sections);
        Assert.Equal(TimeSpan.FromSeconds(1), only.Interval);
    }

    private sealed class FixedInventory(FleetInventory fleet) : IInventoryProvider
    {
        public FleetInventory Current => fleet;
        public InventoryError[]? LastRefusal => null;
        public DateTimeOffset? LastRefusalAt => null;

        public event EventHandler<InventoryChangedEventArgs>? Changed { add { } remove { } }
        public event EventHandler<InventoryRefusedEventArgs>? Refused { add { } remove { } }
    }
}
