using System.Xml.Linq;

namespace NetOps.Architecture.Tests;

/// <summary>A package a project references, with the version it carries itself (null: central package management).</summary>
internal sealed record PackageUse(string Name, string? Version);

/// <summary>One project file as MSBuild reads its items: what it references, and whether it builds an executable.</summary>
internal sealed record ProjectFile(
    string Name,
    string Path,
    bool IsExecutable,
    IReadOnlySet<string> Projects,
    IReadOnlyList<PackageUse> Packages,
    IReadOnlySet<string> Frameworks);

/// <summary>The repository under test: its csproj files and its documents, found from the test's output directory.</summary>
internal static class Solution
{
    /// <summary>SDKs whose projects are executables unless they say OutputType Library.</summary>
    private static readonly string[] ExecutableSdks = ["Microsoft.NET.Sdk.Web", "Microsoft.NET.Sdk.Worker"];

    public static string Root { get; } = FindRoot();

    /// <summary>The projects under src/, by name.</summary>
    public static IReadOnlyDictionary<string, ProjectFile> Sources { get; } = ProjectsUnder("src")
        .ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>Every project of the repository: src/ and tests/.</summary>
    public static IReadOnlyList<ProjectFile> All { get; } = [.. ProjectsUnder("src"), .. ProjectsUnder("tests")];

    /// <summary>The projects a project references, directly or through the projects it references.</summary>
    public static IReadOnlySet<string> Closure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Sources[project].Projects);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && Sources.TryGetValue(next, out var file))
            {
                foreach (var reference in file.Projects)
                {
                    pending.Push(reference);
                }
            }
        }

        return seen;
    }

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static IEnumerable<ProjectFile> ProjectsUnder(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(Load);

    private static ProjectFile Load(string path)
    {
        var project = XDocument.Load(path).Root!;
        IEnumerable<XElement> Items(string kind) => project.Descendants().Where(e => e.Name.LocalName == kind);
        string? Property(string name) => project.Descendants().LastOrDefault(e => e.Name.LocalName == name)?.Value.Trim();

        var outputType = Property("OutputType");
        var sdk = (string?)project.Attribute("Sdk") ?? "";
        var executable = outputType is { } type
            ? type.Equals("Exe", StringComparison.OrdinalIgnoreCase) || type.Equals("WinExe", StringComparison.OrdinalIgnoreCase)
            : ExecutableSdks.Contains(sdk, StringComparer.OrdinalIgnoreCase);
        var projects = Items("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/')))
            .ToHashSet(StringComparer.Ordinal);
        var packages = Items("PackageReference")
            .Select(e => new PackageUse(
                (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update") ?? "",
                (string?)e.Attribute("Version") ?? (string?)e.Attribute("VersionOverride") ??
                e.Elements().FirstOrDefault(c => c.Name.LocalName is "Version" or "VersionOverride")?.Value))
            .ToList();
        var frameworks = Items("FrameworkReference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .ToHashSet(StringComparer.Ordinal);
        return new ProjectFile(Path.GetFileNameWithoutExtension(path), path, executable, projects, packages, frameworks);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetOps.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No NetOps.sln above {AppContext.BaseDirectory}");
    }
}
