using System.Diagnostics;
using System.Globalization;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Benchmarks;

/// <summary>
/// What a coordinator's page pays for its scope on every refresh: the scoped inventory (<see cref="ScopeRules.ScopedTo"/>)
/// and the scoped states (<see cref="ScopedStateReader"/>) of the alerting benchmark's fleet (4,951 entities, one event of
/// 50 nodes and 1,000 cameras), beside the same read for a login that sees everything. Interleaved runs, median and spread.
/// </summary>
public sealed class ScopeReadScenario : IBenchScenario
{
    public string Name => "scope-read";

    public string Description => "a coordinator page's refresh read (scoped inventory + scoped states) beside an operator's (everything)";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var runs = args is ["--runs", var r] ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        const int Reads = 200;
        var fleet = AlertingScenario.Fleet();
        var now = DateTimeOffset.UtcNow;
        var view = new FixedStates(AlertingScenario.AllUp(fleet, now));
        var coordinator = new Scope(EventIds: new HashSet<string>(StringComparer.Ordinal) { "kerwe" }, SiteIds: new HashSet<string>(StringComparer.Ordinal));
        var everything = new List<double>();
        var scoped = new List<double>();
        var seen = 0;
        // One warm-up pair, not counted; then the two reads alternate run by run.
        for (var run = -1; run < runs; run++)
        {
            foreach (var (scope, into) in new[] { (Scope.All, everything), (coordinator, scoped) })
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < Reads; i++)
                {
                    var inventory = fleet.ScopedTo(scope, now);
                    // What ScopedStateReader.For hands a page: the view itself for everything, a scoped reader otherwise.
                    IStateReader reader = scope.IsAll ? view : new ScopedStateReader(view, scope, () => fleet, TimeProvider.System);
                    // A page walks the states it shows: both reads enumerate them.
                    seen = reader.States.Count(s => s.Value == StateValue.Up) + inventory.Nodes.Count;
                }

                if (run >= 0)
                {
                    into.Add(clock.Elapsed.TotalMilliseconds / Reads);
                }
            }
        }

        Console.WriteLine($"scope-read: {view.States.Count} states, {Reads} reads per run, {runs} runs (last read saw {seen})");
        Console.WriteLine($"  operator (everything), ms per read:  {Stats.Describe(everything, "0.000")}");
        Console.WriteLine($"  coordinator (one event), ms per read: {Stats.Describe(scoped, "0.000")}");
        return Task.FromResult(0);
    }

    private sealed class FixedStates(IEnumerable<EntityState> states) : IStateReader
    {
        private readonly Dictionary<EntityRef, EntityState> _states = states.ToDictionary(s => s.Entity);

        public long Version => 1;

        public IReadOnlyCollection<EntityState> States => _states.Values;

        public EntityState? Get(EntityRef entity) => _states.GetValueOrDefault(entity);
    }
}
