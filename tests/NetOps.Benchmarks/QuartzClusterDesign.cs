using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace NetOps.Benchmarks;

/// <summary>
/// Design A of [scale]: Quartz.NET's clustered ADO job store on PostgreSQL. Every node runs the same scheduler (one
/// scheduler name, its own instance id) over one shared set of qrtz_ tables; each firing is claimed by whichever node
/// acquires the trigger under the store's row lock. The harness seeds one job and one repeating simple trigger per device
/// before the nodes start. Options: --checkin S (check-in interval, default 2), --checkin-threshold S (how long past a
/// missed check-in a node is declared dead, default 5), --threads N (thread pool, and so the batch size, default 10).
/// </summary>
public sealed class QuartzClusterDesign : IClusterDesign
{
    /// <summary>The scheduler name every node shares: it is what makes them one cluster.</summary>
    public const string SchedulerName = "netops-bench";

    private const string Group = "poll";

    public string Name => "quartz";

    public string Describe(IReadOnlyList<string> arguments)
    {
        var settings = Settings.From(arguments);
        return string.Create(CultureInfo.InvariantCulture,
            $"Quartz {typeof(IScheduler).Assembly.GetName().Version} clustered ADO store, PostgreSQL delegate: check-in every {settings.Checkin.TotalSeconds:0.#} s, " +
            $"declared dead {settings.CheckinThreshold.TotalSeconds:0.#} s past a missed check-in, {settings.Threads} threads (batch {settings.Threads}), " +
            $"misfire threshold 60 s (NextWithRemainingCount), [DisallowConcurrentExecution] job. A killed node's acquired and " +
            $"running triggers come back only when a survivor's check-in finds it dead; every other trigger fires on the survivors as due.");
    }

    public async Task PrepareAsync(string connectionString, ClusterWorkload workload, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // The harness's own instance only seeds the schedule; it is never started, so it never claims a trigger. Quartz
        // 4.7 ships the PostgreSQL schema its delegate uses and creates it here (SchemaProvisioning.CreateIfMissing).
        await using var factory = Build(connectionString, "seed", Settings.From(arguments), provision: true, configure: null);
        var scheduler = await factory.GetScheduler(cancellationToken);
        var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        var index = 0;
        foreach (var device in workload.Devices)
        {
            var job = JobBuilder.Create<RecordFiringJob>().WithIdentity(device, Group).Build();
            var trigger = TriggerBuilder.Create()
                .WithIdentity(device, Group)
                .StartAt(workload.FirstDue(index++))
                // As the collector's PollScheduler does: a firing too late to be useful is skipped, not made up.
                .WithSimpleSchedule(s => s.WithInterval(workload.Interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            jobs[job] = [trigger];
        }

        await scheduler.ScheduleJobs(jobs, new ScheduleJobOptions { Replace = true }, cancellationToken);
        await scheduler.Shutdown(waitForJobsToComplete: false, cancellationToken);
    }

    public async Task RunNodeAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        var settings = Settings.From(node.Arguments);
        await using var factory = Build(node.ConnectionString, node.Name, settings, provision: false, q =>
        {
            q.Services.AddSingleton(node);
            // Quartz's own warnings (lock waits, recovery, misfires) go to the node's output, which the harness reports.
            q.Services.AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
            q.AddTriggerListener(new MisfireListener(node));
        });
        var scheduler = await factory.GetScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        node.Ready();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        await scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None);
    }

    private static StandaloneSchedulerFactory Build(string connectionString, string instanceId, Settings settings, bool provision, Action<IQuartzBuilder>? configure) =>
        QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                o.InstanceId = instanceId;
            });
            // Firing only queues a line for the firing log, so a pool this size never waits for a job; it also sets how
            // many due triggers one acquisition round takes.
            q.UseDefaultThreadPool(settings.Threads);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(NpgsqlFactory.Instance, connectionString);
                store.UseSystemTextJsonSerializer();
                store.UseClustering(c =>
                {
                    c.CheckinInterval = settings.Checkin;
                    c.CheckinMisfireThreshold = settings.CheckinThreshold;
                });
                if (provision)
                {
                    store.ProvisionSchema();
                }
            });
            configure?.Invoke(q);
        }).Build();

    private sealed record Settings(TimeSpan Checkin, TimeSpan CheckinThreshold, int Threads)
    {
        public static Settings From(IReadOnlyList<string> arguments)
        {
            var args = arguments.ToArray();
            return new Settings(TimeSpan.FromSeconds(Args.Long(args, "--checkin", 2)), TimeSpan.FromSeconds(Args.Long(args, "--checkin-threshold", 5)),
                Args.Int(args, "--threads", 10));
        }
    }

    /// <summary>The job: records that its device fired, and nothing else (no SNMP), so what is measured is the scheduling.</summary>
    [DisallowConcurrentExecution]
    public sealed class RecordFiringJob(ClusterNode node) : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            node.Fired(context.JobDetail.Key.Name, context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Reports the firings Quartz's misfire handling skipped, on whichever node's misfire handler found them.</summary>
    private sealed class MisfireListener(ClusterNode node) : ITriggerListener
    {
        public string Name => "bench-misfires";

        public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken)
        {
            node.Misfired(trigger.Key.Name, trigger.NextFireTimeUtc ?? DateTimeOffset.UtcNow);
            return ValueTask.CompletedTask;
        }

        public ValueTask TriggerFired(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public ValueTask TriggerSkipped(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask TriggerComplete(ITrigger trigger, IJobExecutionContext context, SchedulerInstruction triggerInstructionCode, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;

        public ValueTask TriggerRetriesExhausted(ITrigger trigger, IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;
    }
}
