namespace NetOps.Architecture.Tests;

/// <summary>Dependencies point inward, one host composes the roles, and the doc's picture of the projects is the truth.</summary>
public sealed class ProjectReferenceTests
{
    /// <summary>Projects that adapt the domain to the outside world: they never reach for the host or the UI.</summary>
    private static readonly string[] Adapters =
    [
        "NetOps.Snmp", "NetOps.Mqtt", "NetOps.Storage", "NetOps.Inventory", "NetOps.Collector", "NetOps.Engine",
        "NetOps.Simulator", "NetOps.Database",
    ];

    /// <summary>Projects that may not exist yet on every branch.</summary>
    private static readonly string[] Coming = ["NetOps.Database"];

    private static readonly string[] Executables = ["NetOps.Host", "NetOps.Cli"];

    [Fact]
    public void Core_ReferencesNoProjectNoPackageAndNoFramework()
    {
        var core = Solution.Sources["NetOps.Core"];

        Assert.Empty(core.Projects);
        Assert.Empty(core.Packages);
        Assert.Empty(core.Frameworks);
    }

    [Fact]
    public void Web_KnowsNothingOfCollectorSimulatorMqttOrEngine()
    {
        var web = Solution.Sources["NetOps.Web"];
        string[] forbiddenProjects = ["NetOps.Collector", "NetOps.Simulator", "NetOps.Mqtt", "NetOps.Engine", "NetOps.Host"];
        string[] forbiddenPackages = ["MQTTnet", "Quartz", "Npgsql"];

        // Through any project it references, too: a dashboard that reached MQTT through the inventory would still know it.
        Assert.Empty(Solution.Closure(web.Name).Intersect(forbiddenProjects));
        Assert.DoesNotContain(web.Packages, p => forbiddenPackages.Any(f => IsFamily(p.Name, f)));
    }

    [Fact]
    public void Adapters_NeverReferenceTheHostOrTheWeb()
    {
        var missing = Adapters.Except(Coming).Where(a => !Solution.Sources.ContainsKey(a)).ToList();
        Assert.Empty(missing);

        var violations = Adapters
            .Where(Solution.Sources.ContainsKey)
            .SelectMany(a => Solution.Closure(a).Intersect(["NetOps.Host", "NetOps.Web"]).Select(r => $"{a} -> {r}"))
            .ToList();

        AssertNone(violations);
    }

    [Fact]
    public void Snmp_IsAProtocolLibraryThatReferencesNoProjectOfOurs()
    {
        Assert.Empty(Solution.Sources["NetOps.Snmp"].Projects);
    }

    [Fact]
    public void OnlyTheHostAndTheCli_AreExecutables()
    {
        var executables = Solution.Sources.Values.Where(p => p.IsExecutable).Select(p => p.Name).ToList();

        Assert.Contains("NetOps.Host", executables);
        Assert.Empty(executables.Except(Executables));
    }

    [Fact]
    public void NoProject_CarriesAPackageVersion()
    {
        var versioned = Solution.All
            .SelectMany(p => p.Packages.Where(u => u.Version is not null).Select(u => $"{Path.GetRelativePath(Solution.Root, p.Path)}: {u.Name} {u.Version}"))
            .ToList();

        AssertNone(versioned);
    }

    [Fact]
    public void ArchitectureDoc_PicturesEveryProjectWithItsReferences()
    {
        var picture = ArchitectureDoc.ProjectReferences(Solution.Read(ArchitectureDoc.RelativePath));
        var differences = new List<string>();
        foreach (var (name, project) in Solution.Sources)
        {
            if (!picture.TryGetValue(name, out var pictured))
            {
                differences.Add($"{name} is in src/ but not in the picture");
                continue;
            }

            differences.AddRange(project.Projects.Except(pictured).Select(r => $"{name} -> {r} is in its csproj but not in the picture"));
            differences.AddRange(pictured.Except(project.Projects).Select(r => $"{name} -> {r} is in the picture but not in its csproj"));
        }

        differences.AddRange(picture.Keys.Where(name => !Solution.Sources.ContainsKey(name)).Select(name => $"{name} is in the picture but not in src/"));

        AssertNone(differences);
    }

    [Fact]
    public void ArchitectureDoc_PictureReadsEveryLineForm()
    {
        const string markdown = """
            # Title
            ### Project references
            ```text
            # a comment
            NetOps.Core -> (none)
            NetOps.Web -> NetOps.Core, NetOps.Storage

            ```
            """;

        var picture = ArchitectureDoc.ProjectReferences(markdown);

        Assert.Empty(picture["NetOps.Core"]);
        Assert.Equal(["NetOps.Core", "NetOps.Storage"], picture["NetOps.Web"].Order(StringComparer.Ordinal));
        Assert.Equal(2, picture.Count);
    }

    /// <summary>Fails with every violation in full, one a line (xunit would cut each to 50 characters).</summary>
    private static void AssertNone(IReadOnlyCollection<string> violations)
    {
        if (violations.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, violations));
        }
    }

    /// <summary>A package or one of its family: "MQTTnet" covers "MQTTnet.Server".</summary>
    private static bool IsFamily(string package, string family) =>
        package.Equals(family, StringComparison.OrdinalIgnoreCase) ||
        package.StartsWith(family + ".", StringComparison.OrdinalIgnoreCase);
}
